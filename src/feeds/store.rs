//! The feeds' store: the `calendar_feeds` table (one token per kind and subject) and the
//! check that a feed's subject exists.

use sqlx::AnyConnection;

use super::FeedKind;
use crate::error::AppResult;

/// The table the subject of a feed lives in.
fn table(kind: FeedKind) -> &'static str {
    match kind {
        FeedKind::Visit => "visits",
        FeedKind::Room => "rooms",
        FeedKind::Person => "people",
        FeedKind::Expiry => "users",
    }
}

/// Whether the feed's subject (a visit, room, person or user) exists.
pub async fn subject_exists(conn: &mut AnyConnection, kind: FeedKind, id: i64) -> AppResult<bool> {
    let sql = format!("SELECT COUNT(*) FROM {} WHERE id = $1", table(kind));
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(conn).await?;
    Ok(n > 0)
}

/// The stored token of a feed, if one was ever made.
pub async fn token(conn: &mut AnyConnection, kind: FeedKind, id: i64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT token FROM calendar_feeds WHERE kind = $1 AND subject_id = $2")
        .bind(kind.as_str())
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// Stores `token` unless the feed has one; answers whether this call stored it (the
/// unique key lets one of two concurrent inserts win).
pub async fn insert_token(conn: &mut AnyConnection, kind: FeedKind, id: i64, token: &str) -> AppResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO calendar_feeds (kind, subject_id, token, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, subject_id) DO NOTHING",
    )
    .bind(kind.as_str())
    .bind(id)
    .bind(token)
    .bind(crate::time::now_text())
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted > 0)
}

/// Stores `token` as the feed's, replacing any other.
pub async fn replace_token(conn: &mut AnyConnection, kind: FeedKind, id: i64, token: &str) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO calendar_feeds (kind, subject_id, token, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, subject_id) DO UPDATE SET token = excluded.token, created_at = excluded.created_at",
    )
    .bind(kind.as_str())
    .bind(id)
    .bind(token)
    .bind(crate::time::now_text())
    .execute(conn)
    .await?;
    Ok(())
}
