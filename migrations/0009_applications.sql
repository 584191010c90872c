-- Mobility applications: calls for places at partners, students' applications with
-- ranked choices and documents, reviewers' scores, the allocation with its explanation,
-- and the instance's signing key for the partners' links. Same text on both engines
-- ({{id}} rendered by src/db.rs); booleans are 0/1 BIGINT, instants UTC text, GPA and
-- scores in hundredths (integers carry through the Any driver on both engines alike).

-- A call for applications: outgoing students apply; for an incoming call, partners
-- nominate their students (through the office or a signed link).
CREATE TABLE calls (
    id {{id}},
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    academic_year TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    title_en TEXT NOT NULL CHECK (length(title_en) > 0),
    title_zh TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    description_zh TEXT NOT NULL DEFAULT '',
    opens_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    max_choices BIGINT NOT NULL DEFAULT 3 CHECK (max_choices BETWEEN 1 AND 10),
    -- Eligibility: '' = any level.
    level TEXT NOT NULL DEFAULT '' CHECK (level IN ('', 'undergraduate', 'master', 'doctoral')),
    min_gpa_x100 BIGINT,
    language_certificate BIGINT NOT NULL DEFAULT 0 CHECK (language_certificate IN (0, 1)),
    -- JSON: ["transcript", "passport", …] and [{"key", "en", "zh", "weight"}].
    required_documents TEXT NOT NULL DEFAULT '[]',
    criteria TEXT NOT NULL DEFAULT '[]',
    scoring_rule TEXT NOT NULL DEFAULT 'mean' CHECK (scoring_rule IN ('mean', 'median')),
    -- Days a student has to accept a place once offered.
    response_days BIGINT NOT NULL DEFAULT 7 CHECK (response_days BETWEEN 1 AND 60),
    mobility_start TEXT NOT NULL,
    mobility_end TEXT NOT NULL,
    allocated_at TEXT,
    published_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (closes_at > opens_at),
    CHECK (mobility_end >= mobility_start)
);
CREATE INDEX calls_closes ON calls (closes_at);

-- The partners of a call and the places at each. No unique (call, institution) index:
-- an institution merge moves these rows like any reference, and choices point at the
-- row's id; a call is checked for repeated partners when it is made.
CREATE TABLE call_partners (
    id {{id}},
    call_id BIGINT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    places BIGINT NOT NULL CHECK (places >= 0),
    coordinator_email TEXT
);
CREATE INDEX call_partners_call ON call_partners (call_id);

CREATE TABLE applications (
    id {{id}},
    call_id BIGINT NOT NULL REFERENCES calls (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'eligible', 'ineligible', 'offered',
        'waitlisted', 'accepted', 'declined', 'nominated', 'partner_accepted', 'partner_rejected', 'withdrawn')),
    level TEXT NOT NULL DEFAULT '' CHECK (level IN ('', 'undergraduate', 'master', 'doctoral')),
    gpa_x100 BIGINT,
    student_number TEXT NOT NULL DEFAULT '',
    faculty TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    language_certificate TEXT NOT NULL DEFAULT '',
    motivation TEXT NOT NULL DEFAULT '',
    eligibility_note TEXT NOT NULL DEFAULT '',
    interview_at TEXT,
    interview_place TEXT NOT NULL DEFAULT '',
    score_x100 BIGINT,
    rank BIGINT,
    allocated_partner_id BIGINT REFERENCES call_partners (id),
    allocated_choice BIGINT,
    -- JSON explanation of the allocation (see applications::model::allocation).
    allocation_json TEXT,
    -- A manual allocation by the office: kept by later runs, with why.
    override_note TEXT,
    respond_by TEXT,
    partner_reason TEXT NOT NULL DEFAULT '',
    person_id BIGINT REFERENCES people (id),
    mobility_id BIGINT REFERENCES mobilities (id),
    submitted_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (gpa_x100 IS NULL OR (gpa_x100 >= 0 AND gpa_x100 <= 500))
);
CREATE UNIQUE INDEX applications_one_per_call ON applications (call_id, user_id);
CREATE INDEX applications_user ON applications (user_id);
CREATE INDEX applications_call_status ON applications (call_id, status);

-- A student's partners in order of preference.
CREATE TABLE application_choices (
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    priority BIGINT NOT NULL CHECK (priority >= 1),
    call_partner_id BIGINT NOT NULL REFERENCES call_partners (id),
    PRIMARY KEY (application_id, priority)
);
CREATE UNIQUE INDEX application_choices_once ON application_choices (application_id, call_partner_id);

CREATE TABLE application_documents (
    id {{id}},
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX application_documents_application ON application_documents (application_id);
CREATE UNIQUE INDEX application_documents_storage_key ON application_documents (storage_key);

-- One reviewer's score of one criterion (0–100, in hundredths) with a comment.
CREATE TABLE application_scores (
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    reviewer_id BIGINT NOT NULL REFERENCES users (id),
    criterion TEXT NOT NULL,
    score_x100 BIGINT NOT NULL CHECK (score_x100 >= 0 AND score_x100 <= 10000),
    comment TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    PRIMARY KEY (application_id, reviewer_id, criterion)
);

-- Every step of an application, for the student's history and the funnel.
CREATE TABLE application_events (
    id {{id}},
    application_id BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id);

-- Keys this instance signs links with, shared by every instance (made once by the
-- first that needs one: INSERT … ON CONFLICT DO NOTHING, then read back).
CREATE TABLE signing_keys (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL
);
