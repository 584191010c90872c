//! The store: one `sqlx::AnyPool` over SQLite or PostgreSQL, and the migration runner.
//!
//! Schema and queries are written once. Queries use the portable subset both engines
//! share (`$1` placeholders, `RETURNING`, `ON CONFLICT`, partial and expression indexes).
//! Migrations are plain SQL files with two tokens the runner renders per engine:
//! `{{id}}` (an auto-increment primary key) and `{{blob}}`, and lines between `-- @sqlite`
//! or `-- @postgres` and `-- @end` that only that engine runs (the full-text index is an
//! FTS5 table on one and a GIN index on the other). Everything else is the same text on
//! both engines; see `docs/ARCHITECTURE.md` for why instants are ISO-8601 text.

use std::time::Duration;

use anyhow::Context;
use sqlx::{AnyConnection, AnyPool, any::AnyPoolOptions};

use crate::config::{Engine, Settings};

/// A handle on the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    /// The connection pool.
    pub pool: AnyPool,
    /// Which engine is behind the pool.
    pub engine: Engine,
}

/// One schema migration, embedded in the binary.
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

/// Append-only: never edit a migration that has shipped; add a new one.
const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "foundation", sql: include_str!("../migrations/0001_foundation.sql") },
    Migration { version: 2, name: "partners", sql: include_str!("../migrations/0002_partners.sql") },
    Migration { version: 3, name: "rooms", sql: include_str!("../migrations/0003_rooms.sql") },
    Migration { version: 4, name: "visits", sql: include_str!("../migrations/0004_visits.sql") },
    Migration { version: 5, name: "agreements", sql: include_str!("../migrations/0005_agreements.sql") },
    Migration { version: 6, name: "feed kinds", sql: include_str!("../migrations/0006_feed_kinds.sql") },
    Migration { version: 7, name: "news", sql: include_str!("../migrations/0007_news.sql") },
    Migration { version: 8, name: "sso", sql: include_str!("../migrations/0008_sso.sql") },
    Migration { version: 9, name: "applications", sql: include_str!("../migrations/0009_applications.sql") },
    Migration { version: 10, name: "malay", sql: include_str!("../migrations/0010_malay.sql") },
    Migration { version: 11, name: "search", sql: include_str!("../migrations/0011_search.sql") },
];

impl Db {
    /// Connects (creating the SQLite file and data directory if needed).
    pub async fn connect(settings: &Settings) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        if settings.engine == Engine::Sqlite {
            std::fs::create_dir_all(&settings.data_dir)
                .with_context(|| format!("cannot create data directory {}", settings.data_dir.display()))?;
        }
        let engine = settings.engine;
        let max = if engine == Engine::Sqlite { 8 } else { 16 };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // WAL lets readers run beside the writer; the busy timeout makes a
                        // second writer wait instead of failing with SQLITE_BUSY.
                        sqlx::raw_sql(
                            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                             PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;",
                        )
                        .execute(&mut *conn)
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&settings.database_url)
            .await
            .with_context(|| format!("cannot connect to {}", crate::config::redact_url(&settings.database_url)))?;
        Ok(Db { pool, engine })
    }

    /// Begins a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`, which
    /// takes the write lock up front (waiting up to the busy timeout): a deferred
    /// transaction that reads first would fail at its first write with `SQLITE_BUSY` as
    /// soon as another connection had written since its read began, and the busy timeout
    /// does not help there. PostgreSQL's row locks need nothing special.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => self.pool.begin().await,
        }
    }

    /// Applies pending migrations, each in its own transaction. On PostgreSQL an
    /// advisory lock makes concurrent starts of several instances take turns.
    pub async fn migrate(&self) -> anyhow::Result<Vec<i64>> {
        let mut conn = self.pool.acquire().await?;
        if self.engine == Engine::Postgres {
            sqlx::raw_sql("SELECT pg_advisory_lock(7405001)").execute(&mut *conn).await?;
        }
        let result = self.migrate_locked(&mut conn).await;
        if self.engine == Engine::Postgres {
            sqlx::raw_sql("SELECT pg_advisory_unlock(7405001)").execute(&mut *conn).await?;
        }
        result
    }

    async fn migrate_locked(&self, conn: &mut sqlx::AnyConnection) -> anyhow::Result<Vec<i64>> {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *conn)
        .await?;
        let done: Vec<(i64,)> = sqlx::query_as("SELECT version FROM schema_migrations").fetch_all(&mut *conn).await?;
        let mut applied = Vec::new();
        for m in MIGRATIONS {
            if done.iter().any(|(v,)| *v == m.version) {
                continue;
            }
            let sql = self.render(m.sql);
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await
                .with_context(|| format!("migration {} ({}) failed", m.version, m.name))?;
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(m.version)
                .bind(m.name)
                .bind(crate::time::now_text())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            applied.push(m.version);
        }
        Ok(applied)
    }

    /// Renders the engine-specific tokens and blocks of a migration.
    fn render(&self, sql: &str) -> String {
        let own = match self.engine {
            Engine::Sqlite => "-- @sqlite",
            Engine::Postgres => "-- @postgres",
        };
        let mut keep = true;
        let sql: String = sql
            .lines()
            .filter(|line| {
                let l = line.trim();
                if l.starts_with("-- @") {
                    keep = l == own || l == "-- @end";
                    return false;
                }
                keep
            })
            .map(|l| format!("{l}\n"))
            .collect();
        match self.engine {
            Engine::Sqlite => sql.replace("{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT").replace("{{blob}}", "BLOB"),
            Engine::Postgres => sql.replace("{{id}}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY").replace("{{blob}}", "BYTEA"),
        }
    }

    /// Refreshes the query planner's statistics (SQLite's `PRAGMA optimize`, which
    /// analyses only the tables that need it; PostgreSQL's autovacuum does this itself).
    /// Without statistics SQLite may walk the wrong index for large lists.
    pub async fn optimize(&self) -> anyhow::Result<()> {
        if self.engine == Engine::Sqlite {
            sqlx::raw_sql("PRAGMA optimize").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Full statistics after a bulk load (SQLite `ANALYZE`, PostgreSQL `ANALYZE`).
    pub async fn analyze(&self) -> anyhow::Result<()> {
        sqlx::raw_sql("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    /// Cheap round trip for `/readyz` and `liaison check`.
    pub async fn ping(&self) -> anyhow::Result<()> {
        let (one,): (i64,) = sqlx::query_as("SELECT 1").fetch_one(&self.pool).await?;
        anyhow::ensure!(one == 1, "unexpected answer from the database");
        Ok(())
    }

    /// Versions of the migrations this binary carries that the database has not applied.
    pub async fn pending_migrations(&self) -> anyhow::Result<Vec<i64>> {
        let done: Vec<(i64,)> = sqlx::query_as("SELECT version FROM schema_migrations").fetch_all(&self.pool).await.unwrap_or_default();
        Ok(MIGRATIONS.iter().map(|m| m.version).filter(|v| !done.iter().any(|(d,)| d == v)).collect())
    }
}

/// True when a database error is a unique-constraint violation (both engines).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.is_unique_violation() || db.code().as_deref() == Some("23505") || db.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

/// True when a database error is a foreign-key or check violation (both engines).
pub fn is_constraint_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_foreign_key_violation() || db.is_check_violation(),
        _ => false,
    }
}

/// True when a database error is a foreign-key violation (both engines).
pub fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_foreign_key_violation() || db.code().as_deref() == Some("23503"))
}

/// Every `(table, column)` whose foreign key refers to `target`, as the database's
/// catalogue lists them, ordered by table and column; with `blocking_only`, just those
/// whose key neither cascades nor clears on delete. Merging (which moves them all) and
/// deleting (which names the blocking ones) read the schema through this one function.
pub async fn foreign_keys_to(
    conn: &mut AnyConnection,
    engine: Engine,
    target: &str,
    blocking_only: bool,
) -> sqlx::Result<Vec<(String, String)>> {
    let sql = match (engine, blocking_only) {
        (Engine::Sqlite, blocking) => format!(
            "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
             WHERE m.type = 'table' AND f.\"table\" = $1{} ORDER BY 1, 2",
            if blocking { " AND f.on_delete IN ('NO ACTION', 'RESTRICT')" } else { "" }
        ),
        (Engine::Postgres, blocking) => format!(
            "SELECT c.conrelid::regclass::text, a.attname::text FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
             WHERE c.contype = 'f' AND c.confrelid = $1::regclass{} ORDER BY 1, 2",
            if blocking { " AND c.confdeltype IN ('a', 'r')" } else { "" }
        ),
    };
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(target).fetch_all(conn).await
}

/// True for a plain lower-case SQL identifier (safe to put into a statement's text).
pub fn is_plain_identifier(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// What still refers to row `id` of `target` and keeps it from being deleted: each
/// referring table (whose foreign key neither cascades nor clears) with how many rows.
pub async fn blocking_references(db: &Db, target: &str, id: i64) -> anyhow::Result<Vec<(String, i64)>> {
    let keys = foreign_keys_to(&mut *db.pool.acquire().await?, db.engine, target, true).await?;
    let mut found: Vec<(String, i64)> = Vec::new();
    for (table, column) in keys {
        if !is_plain_identifier(&table) || !is_plain_identifier(&column) {
            continue;
        }
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(&db.pool).await?;
        match found.last_mut() {
            Some((t, m)) if *t == table => *m += n,
            _ if n > 0 => found.push((table, n)),
            _ => {}
        }
    }
    Ok(found.into_iter().filter(|(_, n)| *n > 0).collect())
}
