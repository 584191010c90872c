-- Single sign-on: identities at OpenID Connect and CAS providers linked to accounts, the
-- sign-ins under way (state, nonce and PKCE verifier, used once), the CAS tickets already
-- spent, and the student role.

-- The student role joins the CHECK. Neither engine alters a CHECK in place the same
-- way, so the table is rebuilt: a copy with the new rule, rows in id order (nothing
-- refers to a grant's id), then the old one dropped and the copy renamed.
CREATE TABLE role_grants_v2 (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'coordinator', 'author', 'translator',
        'photographer', 'proofreader', 'reviewer', 'viewer', 'student')),
    unit_id BIGINT REFERENCES units (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    CHECK (role <> 'coordinator' OR unit_id IS NOT NULL)
);
INSERT INTO role_grants_v2 (user_id, role, unit_id, created_at)
    SELECT user_id, role, unit_id, created_at FROM role_grants ORDER BY id;
DROP TABLE role_grants;
ALTER TABLE role_grants_v2 RENAME TO role_grants;
CREATE UNIQUE INDEX role_grants_key ON role_grants (user_id, role, COALESCE(unit_id, 0));

-- Accounts made by single sign-on have no password: their hash is empty and password
-- login refuses them.

-- An identity is (provider, subject): the OIDC `sub` of one issuer, or the CAS user.
-- The e-mail is kept for display only; it is never the key.
CREATE TABLE identities (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    -- The issuer (OIDC) or server URL (CAS) at the time of linking.
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    email TEXT,
    -- How the link was made: 'created' (new account), 'email' (verified e-mail), 'admin'.
    linked_by TEXT NOT NULL CHECK (linked_by IN ('created', 'email', 'admin')),
    created_at TEXT NOT NULL,
    last_login_at TEXT
);
CREATE UNIQUE INDEX identities_key ON identities (provider, subject);
CREATE INDEX identities_user ON identities (user_id);

-- A sign-in started: the browser holds `state` in the URL and a cookie bound to it;
-- the row is deleted when the provider sends the browser back (used once).
CREATE TABLE sso_logins (
    state_hash TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sso_logins_expires ON sso_logins (expires_at);

-- CAS service tickets already validated (by hash), so a replayed one is refused even by
-- a server that would validate it twice.
CREATE TABLE cas_tickets_used (
    ticket_hash TEXT PRIMARY KEY,
    used_at TEXT NOT NULL
);

-- A session opened by sign-on remembers the provider (and the OIDC ID token, the hint
-- its logout endpoint asks for), so logout can end the provider's session too.
ALTER TABLE sessions ADD COLUMN provider TEXT;
ALTER TABLE sessions ADD COLUMN id_token TEXT;
