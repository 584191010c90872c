//! Merges: the schema's references to a record, read from its own foreign keys, and the
//! statements that move them from a duplicate to the record kept.
//!
//! Table and column names are formatted into the statements: they come from the schema
//! or from the merge's own constant lists, and each is checked to be a plain identifier.

use sqlx::{AnyConnection, AssertSqlSafe};

use crate::{
    config::Engine,
    error::{AppError, AppResult},
    time::now_text,
};

/// A column that refers to another table's `id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ForeignKey {
    /// The referring table.
    pub table: String,
    /// Its referring column.
    pub column: String,
}

/// Every foreign-key column that refers to `target` (`institutions` or `people`), as the
/// database's catalogue lists them, ordered by table and column.
pub async fn foreign_keys_to(conn: &mut AnyConnection, engine: Engine, target: &str) -> AppResult<Vec<ForeignKey>> {
    let rows = crate::db::foreign_keys_to(conn, engine, target, false).await?;
    Ok(rows.into_iter().map(|(table, column)| ForeignKey { table, column }).collect())
}

/// A table or column name checked to be a plain lower-case identifier.
fn ident(name: &str) -> AppResult<&str> {
    if crate::db::is_plain_identifier(name) {
        Ok(name)
    } else {
        Err(AppError::Internal(anyhow::anyhow!("'{name}' is not a plain identifier")))
    }
}

/// A reference to move: table, column, and for references that are not foreign keys
/// (a kind column beside an id), the kind column and the kind this record has there.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The referring table.
    pub table: &'a str,
    /// The referring column.
    pub column: &'a str,
    /// `(kind column, kind)` when the column holds ids of several tables.
    pub kind: Option<(&'a str, &'a str)>,
}

impl Target<'_> {
    /// ` AND {alias}{kind column} = '{kind}'`, or nothing.
    fn kind_filter(&self, alias: &str) -> AppResult<String> {
        match self.kind {
            Some((col, kind)) => Ok(format!(" AND {alias}{} = '{}'", ident(col)?, ident(kind)?)),
            None => Ok(String::new()),
        }
    }
}

/// Whether the record exists (`None`) and, if so, what it was merged into.
pub async fn merged_into(conn: &mut AnyConnection, table: &str, id: i64) -> AppResult<Option<Option<i64>>> {
    let sql = format!("SELECT merged_into FROM {} WHERE id = $1", ident(table)?);
    Ok(sqlx::query_scalar(AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await?)
}

/// Drops the duplicate's (`from`) rows whose `pair` columns match a row the kept record
/// (`into`) already has, so moving the rest cannot break a unique key.
pub async fn drop_duplicate_rows(conn: &mut AnyConnection, t: Target<'_>, pair: &[&str], into: i64, from: i64) -> AppResult<u64> {
    let (table, col) = (ident(t.table)?, ident(t.column)?);
    let mut same = String::new();
    for p in pair {
        let p = ident(p)?;
        same.push_str(&format!(" AND k.{p} = {table}.{p}"));
    }
    let sql = format!(
        "DELETE FROM {table} WHERE {col} = $2{} AND EXISTS (SELECT 1 FROM {table} k WHERE k.{col} = $1{}{same})",
        t.kind_filter("")?,
        t.kind_filter("k.")?
    );
    Ok(sqlx::query(AssertSqlSafe(sql)).bind(into).bind(from).execute(conn).await?.rows_affected())
}

/// Points the duplicate's rows at the kept record; returns how many moved.
pub async fn move_rows(conn: &mut AnyConnection, t: Target<'_>, into: i64, from: i64) -> AppResult<u64> {
    let sql = format!("UPDATE {} SET {col} = $1 WHERE {col} = $2{}", ident(t.table)?, t.kind_filter("")?, col = ident(t.column)?);
    Ok(sqlx::query(AssertSqlSafe(sql)).bind(into).bind(from).execute(conn).await?.rows_affected())
}

/// Adds the duplicate's kept counts to the kept record's (rows keyed by the reference and
/// `key`, the number in `count`), then removes the duplicate's; returns its rows.
pub async fn sum_rows(conn: &mut AnyConnection, t: Target<'_>, key: &[&str], count: &str, into: i64, from: i64) -> AppResult<u64> {
    let (table, col, n) = (ident(t.table)?, ident(t.column)?, ident(count)?);
    let key = key.iter().map(|k| ident(k)).collect::<AppResult<Vec<_>>>()?.join(", ");
    let sql = format!(
        "INSERT INTO {table} ({key}, {col}, {n}) SELECT {key}, $2, {n} FROM {table} WHERE {col} = $1
         ON CONFLICT ({key}, {col}) DO UPDATE SET {n} = {table}.{n} + excluded.{n}"
    );
    sqlx::query(AssertSqlSafe(sql)).bind(from).bind(into).execute(&mut *conn).await?;
    let sql = format!("DELETE FROM {table} WHERE {col} = $1");
    Ok(sqlx::query(AssertSqlSafe(sql)).bind(from).execute(conn).await?.rows_affected())
}

/// Moves the duplicate institution's directory link to the kept one, unless that one
/// has its own (the link is unique, so the duplicate's is cleared first).
pub async fn move_directory_link(conn: &mut AnyConnection, into: i64, from: i64) -> AppResult<()> {
    let dir: Option<Option<String>> =
        sqlx::query_scalar("SELECT directory_domain FROM institutions WHERE id = $1").bind(from).fetch_optional(&mut *conn).await?;
    sqlx::query("UPDATE institutions SET directory_domain = NULL WHERE id = $1").bind(from).execute(&mut *conn).await?;
    if let Some(Some(d)) = dir {
        sqlx::query("UPDATE institutions SET directory_domain = $1 WHERE id = $2 AND directory_domain IS NULL")
            .bind(d)
            .bind(into)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Marks the duplicate as merged into the kept record (a merged institution leaves the
/// public partner list).
pub async fn mark_merged(conn: &mut AnyConnection, table: &str, into: i64, from: i64) -> AppResult<()> {
    let sql = if table == "institutions" {
        "UPDATE institutions SET merged_into = $1, is_public = 0, updated_at = $2, version = version + 1 WHERE id = $3"
    } else {
        "UPDATE people SET merged_into = $1, updated_at = $2 WHERE id = $3"
    };
    sqlx::query(sql).bind(into).bind(now_text()).bind(from).execute(conn).await?;
    Ok(())
}

/// Records a merge in `merges` (`moved_json` lists the rows moved per reference).
pub async fn insert_merge(conn: &mut AnyConnection, entity: &str, into: i64, from: i64, actor: &str, moved_json: &str) -> AppResult<()> {
    sqlx::query("INSERT INTO merges (entity, from_id, into_id, at, actor, moved_json) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(entity)
        .bind(from)
        .bind(into)
        .bind(now_text())
        .bind(actor)
        .bind(moved_json)
        .execute(conn)
        .await?;
    Ok(())
}
