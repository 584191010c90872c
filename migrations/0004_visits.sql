-- Visits: delegations in and out, their agenda, outcomes and follow-up actions;
-- outbound trip requests with their approval chain; calendar feed tokens; the mail
-- outbox that reminders go through.

CREATE TABLE visits (
    id {{id}},
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    title TEXT NOT NULL CHECK (length(title) > 0),
    purpose TEXT NOT NULL DEFAULT '',
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    -- The venue's IANA time zone: agenda times are shown in it.
    time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'confirmed', 'completed', 'cancelled')),
    -- Head count of the delegation; may exceed the named members.
    head_count BIGINT NOT NULL DEFAULT 0 CHECK (head_count >= 0),
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX visits_start_date ON visits (start_date);

-- Dated status history (the current status is also the column above, written in the
-- same transaction).
CREATE TABLE visit_status_events (
    id {{id}},
    visit_id BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    reason TEXT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX visit_status_events_visit ON visit_status_events (visit_id);

-- The partner institutions a visit is with (the visiting ones, or the ones visited).
CREATE TABLE visit_institutions (
    visit_id BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    institution_id BIGINT NOT NULL REFERENCES institutions (id),
    PRIMARY KEY (visit_id, institution_id)
);
CREATE INDEX visit_institutions_institution ON visit_institutions (institution_id);

-- Named members of the delegation.
CREATE TABLE visit_members (
    id {{id}},
    visit_id BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id),
    role TEXT NOT NULL CHECK (role IN ('leader', 'member', 'interpreter', 'other'))
);
CREATE UNIQUE INDEX visit_members_person_key ON visit_members (visit_id, person_id);
CREATE UNIQUE INDEX visit_members_one_leader ON visit_members (visit_id) WHERE role = 'leader';
CREATE INDEX visit_members_person ON visit_members (person_id);

-- Hosts: officials (people) and units of the home institution.
CREATE TABLE visit_hosts (
    id {{id}},
    visit_id BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    person_id BIGINT REFERENCES people (id),
    unit_id BIGINT REFERENCES units (id),
    CHECK ((person_id IS NULL) <> (unit_id IS NULL))
);
CREATE INDEX visit_hosts_visit ON visit_hosts (visit_id);
CREATE INDEX visit_hosts_person ON visit_hosts (person_id);

-- Agenda sessions. Times are UTC instants; shown in the visit's (or room's) time zone.
-- `sequence` goes up on every change so calendar clients replace the event.
CREATE TABLE visit_sessions (
    id {{id}},
    visit_id BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('courtesy_meeting', 'symposium', 'signing_ceremony', 'campus_tour', 'banquet', 'other')),
    title TEXT NOT NULL CHECK (length(title) > 0),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    room_id BIGINT REFERENCES rooms (id),
    booking_id BIGINT REFERENCES bookings (id) ON DELETE SET NULL,
    venue TEXT NOT NULL DEFAULT '',
    minutes TEXT NOT NULL DEFAULT '',
    sequence BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX visit_sessions_visit ON visit_sessions (visit_id, starts_at);
CREATE INDEX visit_sessions_room ON visit_sessions (room_id, starts_at);

CREATE TABLE session_participants (
    session_id BIGINT NOT NULL REFERENCES visit_sessions (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX session_participants_person ON session_participants (person_id);

-- Topics from the cooperation-area taxonomy (keys; names are translated in code).
CREATE TABLE session_topics (
    session_id BIGINT NOT NULL REFERENCES visit_sessions (id) ON DELETE CASCADE,
    area TEXT NOT NULL,
    PRIMARY KEY (session_id, area)
);

-- Consensus and decisions reached.
CREATE TABLE visit_outcomes (
    id {{id}},
    visit_id BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('consensus', 'decision')),
    text TEXT NOT NULL CHECK (length(text) > 0),
    created_at TEXT NOT NULL
);
CREATE INDEX visit_outcomes_visit ON visit_outcomes (visit_id);

-- Follow-up actions, owned by a user (so "my actions" and reminders have someone).
CREATE TABLE visit_actions (
    id {{id}},
    visit_id BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    outcome_id BIGINT REFERENCES visit_outcomes (id) ON DELETE SET NULL,
    title TEXT NOT NULL CHECK (length(title) > 0),
    owner_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    due_date TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    -- Set once, by the instance that queued the reminder (see mail_outbox).
    reminded_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX visit_actions_owner ON visit_actions (owner_id, status, due_date);
CREATE INDEX visit_actions_due ON visit_actions (status, due_date);

-- Outbound trip requests: requested, approved by the unit head, then by the
-- international office; closed only after the post-trip report.
CREATE TABLE trips (
    id {{id}},
    requester_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    visit_id BIGINT REFERENCES visits (id) ON DELETE SET NULL,
    destination TEXT NOT NULL CHECK (length(destination) > 0),
    institution_id BIGINT REFERENCES institutions (id),
    purpose TEXT NOT NULL CHECK (length(purpose) > 0),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    budget_cents BIGINT NOT NULL CHECK (budget_cents >= 0),
    currency TEXT NOT NULL DEFAULT 'CNY',
    status TEXT NOT NULL CHECK (status IN ('submitted', 'unit_approved', 'approved', 'rejected', 'report_submitted', 'closed', 'cancelled')),
    report TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX trips_status ON trips (status, start_date);

CREATE TABLE trip_travellers (
    trip_id BIGINT NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (trip_id, person_id)
);
CREATE INDEX trip_travellers_person ON trip_travellers (person_id);

-- Every step of the approval chain: who, when, what, why.
CREATE TABLE trip_events (
    id {{id}},
    trip_id BIGINT NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    comment TEXT,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX trip_events_trip ON trip_events (trip_id);

-- Secret tokens of subscribable calendar feeds (visit, room, person); one per subject.
-- Kept readable (not hashed) so the subscribe link can be shown again; a leaked link is
-- replaced by resetting it, which changes the token.
CREATE TABLE calendar_feeds (
    id {{id}},
    kind TEXT NOT NULL CHECK (kind IN ('visit', 'room', 'person')),
    subject_id BIGINT NOT NULL,
    token TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX calendar_feeds_subject_key ON calendar_feeds (kind, subject_id);

-- Mail to send. A row is claimed by one instance at a time (claimed_at, claimed_by),
-- marked sent after the SMTP server accepts it; the unique key stops a second instance
-- from queueing the same reminder.
CREATE TABLE mail_outbox (
    id {{id}},
    dedupe_key TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    claimed_at TEXT,
    claimed_by TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at TEXT
);
CREATE UNIQUE INDEX mail_outbox_dedupe_key ON mail_outbox (dedupe_key);
CREATE INDEX mail_outbox_pending ON mail_outbox (sent_at, claimed_at);
