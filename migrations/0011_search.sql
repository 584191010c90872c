-- One search document per findable record (institution, person, visit, agreement,
-- programme, mobility, article, room), written in the same transaction as the record's
-- change (see src/search). `names` and `terms` hold the folded terms the application cut
-- (words, and CJK characters with their pairs), separated by spaces, so both engines
-- index exactly the same terms with their plainest tokenizer.
CREATE TABLE search_documents (
    id {{id}},
    kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    title_zh TEXT,
    -- Language-neutral details shown under the title: an acronym, a partner, a building.
    detail TEXT NOT NULL DEFAULT '',
    country TEXT,
    -- The record's date that matters most (a visit's start, an agreement's expiry).
    on_date TEXT,
    -- 'public' (partners on the public page, published articles) or 'staff'.
    audience TEXT NOT NULL CHECK (audience IN ('public', 'staff')),
    -- When a public document becomes public (an article's publication time).
    public_from TEXT,
    href TEXT NOT NULL,
    public_href TEXT,
    names TEXT NOT NULL,
    terms TEXT NOT NULL,
    -- The folded title and Chinese title: names that start with a broad query's text are
    -- found through these indexes instead of ranking every match (see src/search/query.rs).
    title_key TEXT NOT NULL,
    title_zh_key TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (kind, record_id)
);
CREATE INDEX search_documents_title_key ON search_documents (title_key);
CREATE INDEX search_documents_title_zh_key ON search_documents (title_zh_key) WHERE title_zh_key IS NOT NULL;

-- Name words seen in documents: what a mistyped query word is corrected against.
CREATE TABLE search_vocabulary (
    term TEXT PRIMARY KEY
);

-- @sqlite
CREATE VIRTUAL TABLE search_fts USING fts5(
    names, terms, content = 'search_documents', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3 4'
);
CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
    INSERT INTO search_fts (rowid, names, terms) VALUES (new.id, new.names, new.terms);
END;
CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
    INSERT INTO search_fts (search_fts, rowid, names, terms) VALUES ('delete', old.id, old.names, old.terms);
END;
CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
    INSERT INTO search_fts (search_fts, rowid, names, terms) VALUES ('delete', old.id, old.names, old.terms);
    INSERT INTO search_fts (rowid, names, terms) VALUES (new.id, new.names, new.terms);
END;
-- @postgres
-- Name keys and vocabulary words are searched by range (>= word AND < word + U+10FFFF):
-- byte order, whatever the database's default collation.
ALTER TABLE search_documents ALTER COLUMN title_key TYPE TEXT COLLATE "C";
ALTER TABLE search_documents ALTER COLUMN title_zh_key TYPE TEXT COLLATE "C";
ALTER TABLE search_vocabulary ALTER COLUMN term TYPE TEXT COLLATE "C";
ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', names), 'A') || setweight(to_tsvector('simple', terms), 'B')
) STORED;
CREATE INDEX search_documents_tsv ON search_documents USING GIN (tsv);
-- @end
