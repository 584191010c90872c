-- Malay joins English and Chinese as an interface language a user keeps. A CHECK cannot
-- be altered in SQLite, and rebuilding `users` would mean rebuilding every table whose
-- foreign keys name it, so the column is replaced instead: a new one with the wider
-- CHECK takes the values, the old one is dropped and the new one takes its name (SQLite
-- rewrites the CHECK with it). The same statements run on PostgreSQL.

ALTER TABLE users ADD COLUMN locale_next TEXT NOT NULL DEFAULT 'en' CHECK (locale_next IN ('en', 'zh', 'ms'));
UPDATE users SET locale_next = locale;
ALTER TABLE users DROP COLUMN locale;
ALTER TABLE users RENAME COLUMN locale_next TO locale;
