//! The SQL of backups and restores: which tables there are, how many rows each holds,
//! and PostgreSQL's exported snapshots.

use sqlx::AnyConnection;

use crate::config::Engine;

/// The application's tables (SQLite's own and none of PostgreSQL's catalogues), by name.
pub async fn tables(conn: &mut AnyConnection, engine: Engine) -> sqlx::Result<Vec<String>> {
    let sql = match engine {
        Engine::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        Engine::Postgres => {
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        }
    };
    sqlx::query_scalar(sql).fetch_all(conn).await
}

/// Rows in a table named by [`tables`] (the name is checked to be a plain identifier).
pub async fn count(conn: &mut AnyConnection, table: &str) -> anyhow::Result<i64> {
    anyhow::ensure!(crate::db::is_plain_identifier(table), "unexpected table name {table:?}");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{table}\""))).fetch_one(conn).await?)
}

/// Starts a repeatable-read transaction on PostgreSQL and exports its snapshot, so
/// `pg_dump --snapshot` sees exactly what this connection sees.
pub async fn export_snapshot(conn: &mut AnyConnection) -> sqlx::Result<String> {
    sqlx::raw_sql("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *conn).await?;
    sqlx::query_scalar("SELECT pg_export_snapshot()").fetch_one(conn).await
}

/// Ends the transaction of [`export_snapshot`].
pub async fn end_snapshot(conn: &mut AnyConnection) -> sqlx::Result<()> {
    sqlx::raw_sql("COMMIT").execute(conn).await.map(|_| ())
}

/// PostgreSQL's major version (15 for 15.4).
pub async fn server_major(conn: &mut AnyConnection) -> sqlx::Result<i64> {
    let num: String = sqlx::query_scalar("SELECT current_setting('server_version_num')").fetch_one(conn).await?;
    Ok(num.trim().parse::<i64>().unwrap_or(0) / 10_000)
}

/// Empties PostgreSQL's schema (a forced restore over existing data).
pub async fn drop_everything(conn: &mut AnyConnection) -> sqlx::Result<()> {
    sqlx::raw_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public").execute(conn).await.map(|_| ())
}
