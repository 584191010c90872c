-- Agreements (MoUs, programme, exchange, progression, research agreements), their
-- documents, the programmes they create and the mobilities in those programmes.

CREATE TABLE agreements (
    id {{id}},
    kind TEXT NOT NULL CHECK (kind IN ('mou', 'programme', 'exchange', 'progression', 'research')),
    title TEXT NOT NULL CHECK (length(title) > 0),
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'negotiation', 'signed', 'in_effect', 'expired', 'terminated')),
    signed_date TEXT,
    effective_date TEXT,
    expiry_date TEXT,
    -- Days before expiry by which a party must give notice (not to renew, or to end).
    notice_days BIGINT CHECK (notice_days IS NULL OR notice_days >= 0),
    auto_renew BIGINT NOT NULL DEFAULT 0 CHECK (auto_renew IN (0, 1)),
    -- Renewal: the agreement this one succeeds; an agreement has at most one successor.
    predecessor_id BIGINT REFERENCES agreements (id),
    -- The visit at which it was signed.
    visit_id BIGINT REFERENCES visits (id) ON DELETE SET NULL,
    -- Who at home looks after it (expiry digests go to them).
    responsible_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    unit_id BIGINT REFERENCES units (id) ON DELETE SET NULL,
    notes TEXT NOT NULL DEFAULT '',
    -- Demo records are marked as such (not facts from the seed article).
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (expiry_date IS NULL OR effective_date IS NULL OR expiry_date >= effective_date)
);
CREATE UNIQUE INDEX agreements_successor_key ON agreements (predecessor_id) WHERE predecessor_id IS NOT NULL;
CREATE INDEX agreements_status_expiry ON agreements (status, expiry_date);
CREATE INDEX agreements_unit ON agreements (unit_id);

-- Dated status history; the current status is the column above (same transaction).
CREATE TABLE agreement_status_events (
    id {{id}},
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    on_date TEXT NOT NULL,
    note TEXT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX agreement_status_events_agreement ON agreement_status_events (agreement_id);

-- Parties: two or more institutions (one of them usually home), optionally a unit.
CREATE TABLE agreement_parties (
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    unit_id BIGINT REFERENCES units (id),
    PRIMARY KEY (agreement_id, institution_id)
);
CREATE INDEX agreement_parties_institution ON agreement_parties (institution_id);

CREATE TABLE agreement_areas (
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    area TEXT NOT NULL,
    PRIMARY KEY (agreement_id, area)
);
CREATE INDEX agreement_areas_area ON agreement_areas (area);

-- Signatories with the position they held when signing (positions change later).
CREATE TABLE agreement_signatories (
    id {{id}},
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id),
    position_title TEXT NOT NULL,
    institution_id BIGINT REFERENCES institutions (id),
    signed_date TEXT
);
CREATE INDEX agreement_signatories_agreement ON agreement_signatories (agreement_id);
CREATE INDEX agreement_signatories_person ON agreement_signatories (person_id);

-- Documents, versioned by name; the bytes live in the file store under storage_key.
CREATE TABLE agreement_documents (
    id {{id}},
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    kind TEXT NOT NULL DEFAULT 'agreement' CHECK (kind IN ('agreement', 'annex', 'amendment', 'other')),
    name TEXT NOT NULL CHECK (length(name) > 0),
    version BIGINT NOT NULL CHECK (version > 0),
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    uploaded_at TEXT NOT NULL
);
CREATE UNIQUE INDEX agreement_documents_version_key ON agreement_documents (agreement_id, name, version);
CREATE UNIQUE INDEX agreement_documents_storage_key ON agreement_documents (storage_key);

-- Programmes under an agreement, typed by cooperation area.
CREATE TABLE programmes (
    id {{id}},
    agreement_id BIGINT NOT NULL REFERENCES agreements (id),
    area TEXT NOT NULL,
    title TEXT NOT NULL CHECK (length(title) > 0),
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'active', 'suspended', 'closed')),
    start_date TEXT,
    end_date TEXT,
    -- Degree progression: e.g. '3+1' or '3+1+1', and which years are where.
    structure TEXT,
    structure_notes TEXT NOT NULL DEFAULT '',
    -- Collaborative research.
    project_title TEXT,
    investigators TEXT NOT NULL DEFAULT '',
    funding TEXT NOT NULL DEFAULT '',
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX programmes_agreement ON programmes (agreement_id);
CREATE INDEX programmes_area ON programmes (area);

-- Quotas per academic year ('2024-2025') and direction.
CREATE TABLE programme_quotas (
    programme_id BIGINT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    academic_year TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    quota BIGINT NOT NULL CHECK (quota >= 0),
    PRIMARY KEY (programme_id, academic_year, direction)
);

-- Coordinators on both sides.
CREATE TABLE programme_coordinators (
    programme_id BIGINT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id),
    side TEXT NOT NULL CHECK (side IN ('home', 'partner')),
    PRIMARY KEY (programme_id, person_id)
);
CREATE INDEX programme_coordinators_person ON programme_coordinators (person_id);

-- A participant in a programme for a period.
CREATE TABLE mobilities (
    id {{id}},
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    -- The partner institution they come from (inbound) or go to (outbound).
    partner_institution_id BIGINT NOT NULL REFERENCES institutions (id),
    participant_kind TEXT NOT NULL CHECK (participant_kind IN ('student', 'staff')),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    academic_year TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'nominated'
        CHECK (status IN ('nominated', 'accepted', 'in_progress', 'completed', 'withdrawn')),
    -- Set when someone knowingly went over the quota or outside the programme's period.
    override_note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX mobilities_programme_year ON mobilities (programme_id, academic_year, direction, status);
CREATE INDEX mobilities_person ON mobilities (person_id);
CREATE INDEX mobilities_partner ON mobilities (partner_institution_id);

CREATE TABLE mobility_status_events (
    id {{id}},
    mobility_id BIGINT NOT NULL REFERENCES mobilities (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX mobility_status_events_mobility ON mobility_status_events (mobility_id);

-- Counts of mobilities, kept in step with `mobilities` in the same transaction as every
-- change to it (like institutions.partnership_status), so that balances and reports
-- over a million mobilities read a few thousand rows instead of scanning them all.
CREATE TABLE mobility_counts (
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    partner_institution_id BIGINT NOT NULL REFERENCES institutions (id),
    academic_year TEXT NOT NULL,
    direction TEXT NOT NULL,
    participant_kind TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL CHECK (n >= 0),
    PRIMARY KEY (programme_id, partner_institution_id, academic_year, direction, participant_kind, status)
);
CREATE INDEX mobility_counts_year ON mobility_counts (academic_year);
