-- Foundation: accounts, sessions, tokens, audit, and the partner skeleton
-- (institutions, units, people, positions). Rendered per engine by src/db.rs:
-- {{id}} is an auto-increment primary key. Instants are fixed-width UTC text,
-- dates are YYYY-MM-DD text, booleans are 0/1 integers (portable through sqlx Any).

CREATE TABLE users (
    id {{id}},
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    password_hash TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'zh')),
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username);

CREATE TABLE institutions (
    id {{id}},
    name_en TEXT NOT NULL CHECK (length(name_en) > 0),
    name_zh TEXT,
    name_local TEXT,
    acronym TEXT,
    country TEXT NOT NULL CHECK (length(country) = 2),
    city TEXT,
    website TEXT,
    kind TEXT NOT NULL DEFAULT 'university',
    is_home BIGINT NOT NULL DEFAULT 0 CHECK (is_home IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
-- Exactly one home institution at most.
CREATE UNIQUE INDEX institutions_one_home ON institutions (is_home) WHERE is_home = 1;
CREATE INDEX institutions_country ON institutions (country);
CREATE INDEX institutions_name_en ON institutions (name_en);

-- What a partner is known for ("infrastructure", "engineering"), as tags.
CREATE TABLE institution_strengths (
    institution_id BIGINT NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
    tag TEXT NOT NULL CHECK (length(tag) > 0),
    PRIMARY KEY (institution_id, tag)
);

CREATE TABLE partnership_events (
    id {{id}},
    institution_id BIGINT NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('prospective', 'active', 'suspended', 'ended')),
    since TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX partnership_events_institution ON partnership_events (institution_id, since);

CREATE TABLE units (
    id {{id}},
    institution_id BIGINT NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES units (id) ON DELETE RESTRICT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX units_institution ON units (institution_id);

-- A unit may carry several names ("School of Foreign Studies" is also
-- "School of International Education"); the primary one is shown first.
CREATE TABLE unit_names (
    id {{id}},
    unit_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    lang TEXT NOT NULL CHECK (lang IN ('en', 'zh', 'local')),
    name TEXT NOT NULL CHECK (length(name) > 0),
    is_primary BIGINT NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1))
);
CREATE INDEX unit_names_unit ON unit_names (unit_id);

CREATE TABLE people (
    id {{id}},
    name_en TEXT NOT NULL CHECK (length(name_en) > 0),
    name_zh TEXT,
    email TEXT,
    institution_id BIGINT REFERENCES institutions (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX people_institution ON people (institution_id);

-- A person holds several positions at once, each dated.
CREATE TABLE positions (
    id {{id}},
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    title_en TEXT NOT NULL CHECK (length(title_en) > 0),
    title_zh TEXT,
    institution_id BIGINT NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
    unit_id BIGINT REFERENCES units (id) ON DELETE SET NULL,
    start_date TEXT,
    end_date TEXT,
    created_at TEXT NOT NULL,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX positions_person ON positions (person_id);
CREATE INDEX positions_institution ON positions (institution_id);

CREATE TABLE role_grants (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'coordinator', 'author', 'translator',
        'photographer', 'proofreader', 'reviewer', 'viewer')),
    unit_id BIGINT REFERENCES units (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    CHECK (role <> 'coordinator' OR unit_id IS NOT NULL)
);
CREATE UNIQUE INDEX role_grants_key ON role_grants (user_id, role, COALESCE(unit_id, 0));

-- Server-side sessions: the cookie carries a random token, the table its SHA-256.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);

-- Failed logins, for throttling; shared by all instances through the database.
CREATE TABLE login_failures (
    id {{id}},
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- Every create, update and delete, written in the same transaction as the change.
CREATE TABLE audit_events (
    id {{id}},
    at TEXT NOT NULL,
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id, id);
