-- News: bilingual articles, their language versions and revisions, the editorial steps
-- that become their credits, photos, links to office records, tags, and view counts
-- kept without personal data.

CREATE TABLE articles (
    id {{id}},
    -- The public address: /news/{slug}.
    slug TEXT NOT NULL UNIQUE CHECK (length(slug) > 0),
    -- The language the article was written in; the others are translations.
    original_lang TEXT NOT NULL CHECK (original_lang IN ('zh', 'en')),
    -- Comma-separated languages that must have a version before the article leaves
    -- translation or is published (always includes the original).
    required_langs TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'translation', 'proofreading', 'review', 'approved', 'published')),
    -- The writer (the Author credit).
    author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    author_name TEXT NOT NULL,
    -- The partner shown as related on the public page (also one of the links).
    institution_id BIGINT REFERENCES institutions (id) ON DELETE SET NULL,
    -- When it is, or will be, public (status published and published_at <= now).
    published_at TEXT,
    view_count BIGINT NOT NULL DEFAULT 0,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX articles_public ON articles (status, published_at);
CREATE INDEX articles_institution ON articles (institution_id);

-- One version per language; `revision` is the number of its latest revision and is the
-- token of optimistic concurrency (a save names the revision it started from).
CREATE TABLE article_versions (
    id {{id}},
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    -- Markdown as written, and its sanitised HTML.
    body TEXT NOT NULL DEFAULT '',
    body_html TEXT NOT NULL DEFAULT '',
    -- A note shown with the version, e.g. that it was written for the demo.
    note TEXT NOT NULL DEFAULT '',
    revision BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (article_id, lang)
);

-- Every saved state of every version.
CREATE TABLE article_revisions (
    id {{id}},
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    lang TEXT NOT NULL,
    revision BIGINT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    -- Set when this revision restored an earlier one.
    restored_from BIGINT,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_name TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (article_id, lang, revision)
);

-- The editorial steps: who moved the article from which status to which, in what role,
-- with what comment. Forward steps are the credits.
CREATE TABLE article_steps (
    id {{id}},
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    action TEXT NOT NULL CHECK (action IN ('submit', 'send_back', 'publish', 'withdraw')),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    role TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_name TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX article_steps_article ON article_steps (article_id);

-- Links to office records: visits, agreements, institutions, people.
CREATE TABLE article_links (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('visit', 'agreement', 'institution', 'person')),
    target_id BIGINT NOT NULL,
    PRIMARY KEY (article_id, kind, target_id)
);
CREATE INDEX article_links_target ON article_links (kind, target_id);

CREATE TABLE article_tags (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
);
CREATE INDEX article_tags_tag ON article_tags (tag);

-- Photos: the cleaned image (metadata stripped) and its resized variants live in the
-- file store under `file_key` + '-' + width + extension; `widths` lists them.
CREATE TABLE article_photos (
    id {{id}},
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position BIGINT NOT NULL DEFAULT 0,
    file_key TEXT NOT NULL,
    content_type TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    widths TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    photographer_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    photographer_name TEXT NOT NULL,
    caption_zh TEXT NOT NULL DEFAULT '',
    caption_en TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX article_photos_article ON article_photos (article_id, position);

-- View counting without personal data: a visitor is a keyed hash of address and user
-- agent under a salt made for the day; salts and marks of past days are deleted, after
-- which no hash can be linked to anyone.
CREATE TABLE news_view_salts (
    day TEXT PRIMARY KEY,
    salt TEXT NOT NULL
);
CREATE TABLE article_view_marks (
    day TEXT NOT NULL,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    visitor TEXT NOT NULL,
    PRIMARY KEY (day, article_id, visitor)
);
