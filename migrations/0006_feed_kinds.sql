-- Calendar feeds gain a kind: 'expiry', a user's feed of agreement expiry and notice
-- dates (subject_id is the user). A CHECK cannot be altered in SQLite, so the table is
-- rebuilt; the same statements run on PostgreSQL.

CREATE TABLE calendar_feeds_new (
    id {{id}},
    kind TEXT NOT NULL CHECK (kind IN ('visit', 'room', 'person', 'expiry')),
    subject_id BIGINT NOT NULL,
    token TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Ids are renumbered (nothing refers to them): copying them would leave PostgreSQL's
-- identity sequence behind the copied rows.
INSERT INTO calendar_feeds_new (kind, subject_id, token, created_at) SELECT kind, subject_id, token, created_at FROM calendar_feeds;
DROP TABLE calendar_feeds;
ALTER TABLE calendar_feeds_new RENAME TO calendar_feeds;
CREATE UNIQUE INDEX calendar_feeds_subject_key ON calendar_feeds (kind, subject_id);
