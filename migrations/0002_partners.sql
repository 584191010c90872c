-- Partners: identifiers, the link to the shipped worldwide directory, public listing,
-- and merges that can be traced afterwards.

ALTER TABLE institutions ADD COLUMN directory_domain TEXT;
ALTER TABLE institutions ADD COLUMN schac_code TEXT;
ALTER TABLE institutions ADD COLUMN ror_id TEXT;
ALTER TABLE institutions ADD COLUMN erasmus_code TEXT;
ALTER TABLE institutions ADD COLUMN is_public BIGINT NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1));
-- Set when this record was merged into another; it then only redirects.
ALTER TABLE institutions ADD COLUMN merged_into BIGINT REFERENCES institutions (id);
-- A directory entry becomes at most one institution: promoting it twice is a conflict.
CREATE UNIQUE INDEX institutions_directory_domain_key ON institutions (directory_domain) WHERE directory_domain IS NOT NULL;
CREATE UNIQUE INDEX institutions_ror_key ON institutions (ror_id) WHERE ror_id IS NOT NULL;

ALTER TABLE people ADD COLUMN merged_into BIGINT REFERENCES people (id);

CREATE TABLE merges (
    id {{id}},
    entity TEXT NOT NULL CHECK (entity IN ('institution', 'person')),
    from_id BIGINT NOT NULL,
    into_id BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    moved_json TEXT NOT NULL
);
CREATE INDEX merges_from ON merges (entity, from_id);
CREATE INDEX merges_into ON merges (entity, into_id);
-- The partner matcher's freshness check reads MAX(updated_at).
CREATE INDEX institutions_updated_at ON institutions (updated_at);
-- Lists count the live (not merged) rows.
CREATE INDEX institutions_merged_into ON institutions (merged_into);
-- Country lists sorted by name walk this index instead of sorting.
CREATE INDEX institutions_country_name ON institutions (country, name_en);
-- The current partnership status and the first active date, kept in step with
-- partnership_events (the history, and the source) in the same transaction, so lists
-- and counts read a column instead of a correlated subquery per row.
ALTER TABLE institutions ADD COLUMN partnership_status TEXT;
ALTER TABLE institutions ADD COLUMN partner_since TEXT;
UPDATE institutions SET
    partnership_status = (SELECT pe.status FROM partnership_events pe WHERE pe.institution_id = institutions.id ORDER BY pe.since DESC, pe.id DESC LIMIT 1),
    partner_since = (SELECT MIN(pe.since) FROM partnership_events pe WHERE pe.institution_id = institutions.id AND pe.status = 'active');
CREATE INDEX institutions_partnership_status ON institutions (partnership_status);
