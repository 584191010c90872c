//! The dashboard's counts and the audit log's latest events.

use sqlx::AnyConnection;

use crate::{audit::AuditEvent, error::AppResult, institutions::lookup};

async fn count(conn: &mut AnyConnection, sql: &'static str) -> AppResult<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(conn).await?)
}

/// The tiles: (label key, count, the list the count links to).
pub async fn tiles(conn: &mut AnyConnection) -> AppResult<Vec<(&'static str, i64, &'static str)>> {
    let overdue: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM visit_actions WHERE status = 'open' AND due_date < $1")
        .bind(crate::time::today())
        .fetch_one(&mut *conn)
        .await?;
    Ok(vec![
        ("dashboard.partners", lookup::count_active_partners(&mut *conn).await?, "/institutions?status=active"),
        ("dashboard.institutions", count(&mut *conn, "SELECT COUNT(*) FROM institutions").await?, "/institutions"),
        ("dashboard.people", count(&mut *conn, "SELECT COUNT(*) FROM people").await?, "/people"),
        (
            "dashboard.visits_planned",
            count(&mut *conn, "SELECT COUNT(*) FROM visits WHERE status IN ('planned', 'confirmed')").await?,
            "/visits?status=confirmed",
        ),
        ("dashboard.actions_overdue", overdue, "/actions"),
        ("expiry.dashboard_tile", crate::expiry::dashboard_count(&mut *conn).await?, "/agreements/expiring"),
    ])
}

/// The latest audit events, newest first.
pub async fn recent_events(conn: &mut AnyConnection, limit: i64) -> AppResult<Vec<AuditEvent>> {
    Ok(sqlx::query_as(
        "SELECT id, at, actor, action, entity, entity_id, before_json, after_json
         FROM audit_events ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
