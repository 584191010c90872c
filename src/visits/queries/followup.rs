//! Outcomes and follow-up actions.

use sqlx::{AnyConnection, FromRow};

use super::visits::{get_visit, touch};
use crate::{
    audit::{self, Action as AuditAction, Actor},
    error::{AppError, AppResult},
    status::Status,
    time::now_text,
    visits::model::{
        Action, ActionStatus, NewAction, NewOutcome, Outcome, StatusEvent, UpdateAction, check_action, check_action_update, check_outcome,
    },
};

/// Records an outcome.
pub async fn add_outcome(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, o: &NewOutcome) -> AppResult<Outcome> {
    check_outcome(o)?;
    get_visit(&mut *conn, visit_id).await?;
    let outcome: Outcome = sqlx::query_as(
        "INSERT INTO visit_outcomes (visit_id, kind, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id, kind, text, created_at",
    )
    .bind(visit_id)
    .bind(&o.kind)
    .bind(o.text.trim())
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    touch(&mut *conn, visit_id).await?;
    audit::record(conn, actor, AuditAction::Create, "visit_outcome", outcome.id, None, Some(&outcome)).await?;
    Ok(outcome)
}

async fn check_owner(conn: &mut AnyConnection, owner: Option<i64>) -> AppResult<()> {
    if let Some(o) = owner {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND active = 1").bind(o).fetch_optional(conn).await?;
        if found.is_none() {
            return Err(AppError::field("owner_id", format!("there is no active user {o}")));
        }
    }
    Ok(())
}

/// Adds a follow-up action.
pub async fn add_action(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, a: &NewAction) -> AppResult<Action> {
    let due = check_action(a)?;
    get_visit(&mut *conn, visit_id).await?;
    check_owner(&mut *conn, a.owner_id).await?;
    if let Some(o) = a.outcome_id {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM visit_outcomes WHERE id = $1 AND visit_id = $2")
            .bind(o)
            .bind(visit_id)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(AppError::field("outcome_id", "that outcome belongs to no outcome of this visit"));
        }
    }
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO visit_actions (visit_id, outcome_id, title, owner_id, due_date, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $6) RETURNING id",
    )
    .bind(visit_id)
    .bind(a.outcome_id)
    .bind(a.title.trim())
    .bind(a.owner_id)
    .bind(due)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    let action = get_action(&mut *conn, id).await?;
    audit::record(conn, actor, AuditAction::Create, "visit_action", id, None, Some(&action)).await?;
    Ok(action)
}

/// Changes an action's status, due date or owner. A new due date makes it due for a
/// reminder again.
pub async fn update_action(conn: &mut AnyConnection, actor: &Actor, id: i64, u: &UpdateAction) -> AppResult<Action> {
    let before = get_action(&mut *conn, id).await?;
    let (status, due) = check_action_update(&before, u)?;
    check_owner(&mut *conn, u.owner_id).await?;
    let reset_reminder = due != before.due_date || u.owner_id.is_some_and(|o| Some(o) != before.owner_id);
    sqlx::query(
        "UPDATE visit_actions SET status = $1, due_date = $2, owner_id = $3, updated_at = $4,
         reminded_at = CASE WHEN $5 = 1 THEN NULL ELSE reminded_at END WHERE id = $6",
    )
    .bind(status.as_str())
    .bind(&due)
    .bind(u.owner_id.or(before.owner_id))
    .bind(now_text())
    .bind(i64::from(reset_reminder))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let after = get_action(&mut *conn, id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit_action", id, Some(&before), Some(&after)).await?;
    Ok(after)
}

const SELECT_ACTION: &str = "SELECT a.id, a.visit_id, v.title AS visit_title, a.outcome_id, a.title, a.owner_id,
    u.display_name AS owner, a.due_date, a.status
    FROM visit_actions a JOIN visits v ON v.id = a.visit_id LEFT JOIN users u ON u.id = a.owner_id";

/// One action.
pub async fn get_action(conn: &mut AnyConnection, id: i64) -> AppResult<Action> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_ACTION} WHERE a.id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Which actions to list.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct ActionFilter {
    /// Of one visit.
    pub visit_id: Option<i64>,
    /// Of one owner (the API's `mine=true` sets this to the caller).
    pub owner_id: Option<i64>,
    /// Only the caller's.
    pub mine: Option<bool>,
    /// Only open actions past their due date.
    pub overdue: Option<bool>,
    /// open, done or cancelled.
    #[param(value_type = Option<ActionStatus>)]
    pub status: Option<String>,
}

/// Actions by due date.
pub async fn list_actions(conn: &mut AnyConnection, f: &ActionFilter) -> AppResult<Vec<Action>> {
    let today = crate::time::today();
    let overdue = f.overdue.unwrap_or(false);
    let status = if overdue { ActionStatus::Open.as_str().to_string() } else { f.status.clone().unwrap_or_default() };
    let sql = format!(
        "{SELECT_ACTION} WHERE ($1 = 0 OR a.visit_id = $1) AND ($2 = 0 OR a.owner_id = $2) AND ($3 = '' OR a.status = $3)
         AND ($4 = 0 OR a.due_date < $5) ORDER BY a.due_date, a.id LIMIT 500"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(f.visit_id.unwrap_or(0))
        .bind(f.owner_id.unwrap_or(0))
        .bind(status)
        .bind(i64::from(overdue))
        .bind(today)
        .fetch_all(conn)
        .await?)
}

/// Status history (for pages).
pub fn last_reason(history: &[StatusEvent]) -> Option<&str> {
    history.last().and_then(|h| h.reason.as_deref())
}

/// A visit's outcomes, in the order recorded.
pub async fn list_outcomes(conn: &mut AnyConnection, visit_id: i64) -> AppResult<Vec<Outcome>> {
    Ok(sqlx::query_as("SELECT id, kind, text, created_at FROM visit_outcomes WHERE visit_id = $1 ORDER BY id")
        .bind(visit_id)
        .fetch_all(conn)
        .await?)
}

/// An open action that may need a reminder, as stored (see `crate::visits::reminders`).
#[derive(Debug, FromRow)]
pub struct DueActionRow {
    /// Action id.
    pub id: i64,
    /// What is to be done.
    pub title: String,
    /// Due date as stored (`YYYY-MM-DD`).
    pub due_date: String,
    /// The visit it follows up.
    pub visit_id: i64,
    /// The visit's title.
    pub visit_title: String,
    /// The visit's IANA time zone.
    pub time_zone: String,
    /// The owner's address.
    pub email: String,
    /// The owner's language.
    pub locale: String,
    /// The owner (a user id).
    pub owner_id: i64,
}

/// Open, unreminded actions due on or before `latest_due` whose active owner has an
/// address, by due date (the `visit_actions_due` index serves the status and date filter).
pub async fn due_action_candidates(conn: &mut AnyConnection, latest_due: &str) -> AppResult<Vec<DueActionRow>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.title, a.due_date, a.visit_id, v.title AS visit_title, v.time_zone, u.email, u.locale, u.id AS owner_id \
         FROM visit_actions a JOIN visits v ON v.id = a.visit_id JOIN users u ON u.id = a.owner_id \
         WHERE a.status = 'open' AND a.due_date <= $1 AND a.reminded_at IS NULL \
           AND u.active = 1 AND u.email IS NOT NULL AND u.email <> '' \
         ORDER BY a.due_date, a.id LIMIT 1000",
    )
    .bind(latest_due)
    .fetch_all(conn)
    .await?)
}

/// Marks an open action reminded if no one has; answers whether this call did.
pub async fn claim_reminder(conn: &mut AnyConnection, action_id: i64) -> AppResult<bool> {
    let done = sqlx::query("UPDATE visit_actions SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL AND status = 'open'")
        .bind(now_text())
        .bind(action_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
