//! Partnership history and the current status derived from it.

use sqlx::AnyConnection;

use crate::{error::AppResult, time::now_text};

/// Adds a dated partnership status.
pub async fn add_partnership_event(
    conn: &mut AnyConnection,
    institution_id: i64,
    status: &str,
    since: &str,
    note: Option<&str>,
) -> AppResult<()> {
    sqlx::query("INSERT INTO partnership_events (institution_id, status, since, note, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(institution_id)
        .bind(status)
        .bind(since)
        .bind(note)
        .bind(now_text())
        .execute(&mut *conn)
        .await?;
    refresh_partnership(conn, institution_id).await
}

/// Recomputes an institution's current status and first active date from its history
/// (call in the transaction that changed the history).
pub async fn refresh_partnership(conn: &mut AnyConnection, institution_id: i64) -> AppResult<()> {
    sqlx::query(
        "UPDATE institutions SET
            partnership_status = (SELECT pe.status FROM partnership_events pe WHERE pe.institution_id = $1 ORDER BY pe.since DESC, pe.id DESC LIMIT 1),
            partner_since = (SELECT MIN(pe.since) FROM partnership_events pe WHERE pe.institution_id = $1 AND pe.status = 'active')
         WHERE id = $1",
    )
    .bind(institution_id)
    .execute(conn)
    .await?;
    Ok(())
}
