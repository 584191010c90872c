//! SQL of calls and the partners they offer.

use sqlx::AnyConnection;

use crate::{
    applications::model::{Call, CallPartner, Criterion},
    error::{AppError, AppResult},
    time::now_text,
};

const CALL_SELECT: &str = "SELECT id, programme_id, academic_year, direction, title_en, title_zh, description_en, description_zh,
    opens_at, closes_at, max_choices, level, min_gpa_x100, language_certificate, required_documents AS required_documents_json,
    criteria AS criteria_json, scoring_rule, response_days, mobility_start, mobility_end, allocated_at, published_at, created_at
    FROM calls";

/// The checked fields of a new call, as stored.
pub struct CallRow<'a> {
    /// Programme.
    pub programme_id: i64,
    /// Academic year.
    pub academic_year: &'a str,
    /// Direction.
    pub direction: &'a str,
    /// Titles and texts (en, zh, en, zh).
    pub texts: [&'a str; 4],
    /// Opening and closing instants.
    pub window: (&'a str, &'a str),
    /// Choices a student may rank.
    pub max_choices: i64,
    /// Level ('' any).
    pub level: &'a str,
    /// Lowest GPA in hundredths.
    pub min_gpa: Option<i64>,
    /// Language certificate required.
    pub language_certificate: bool,
    /// Required documents.
    pub documents: &'a [String],
    /// Criteria.
    pub criteria: &'a [Criterion],
    /// mean or median.
    pub rule: &'a str,
    /// Days to answer an offer.
    pub response_days: i64,
    /// Mobility period.
    pub period: (&'a str, &'a str),
}

/// Inserts a call; answers its id.
pub async fn insert_call(conn: &mut AnyConnection, c: &CallRow<'_>) -> AppResult<i64> {
    let now = now_text();
    let docs = serde_json::to_string(c.documents).map_err(|e| AppError::Internal(e.into()))?;
    let criteria = serde_json::to_string(c.criteria).map_err(|e| AppError::Internal(e.into()))?;
    Ok(sqlx::query_scalar(
        "INSERT INTO calls (programme_id, academic_year, direction, title_en, title_zh, description_en, description_zh, opens_at,
             closes_at, max_choices, level, min_gpa_x100, language_certificate, required_documents, criteria, scoring_rule,
             response_days, mobility_start, mobility_end, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20) RETURNING id",
    )
    .bind(c.programme_id)
    .bind(c.academic_year)
    .bind(c.direction)
    .bind(c.texts[0])
    .bind(c.texts[1])
    .bind(c.texts[2])
    .bind(c.texts[3])
    .bind(c.window.0)
    .bind(c.window.1)
    .bind(c.max_choices)
    .bind(c.level)
    .bind(c.min_gpa)
    .bind(i64::from(c.language_certificate))
    .bind(docs)
    .bind(criteria)
    .bind(c.rule)
    .bind(c.response_days)
    .bind(c.period.0)
    .bind(c.period.1)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Adds a partner with its places to a call.
pub async fn insert_call_partner(
    conn: &mut AnyConnection,
    call_id: i64,
    programme_id: i64,
    institution_id: i64,
    places: i64,
    email: Option<&str>,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO call_partners (call_id, programme_id, institution_id, places, coordinator_email)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(call_id)
    .bind(programme_id)
    .bind(institution_id)
    .bind(places)
    .bind(email)
    .fetch_one(conn)
    .await?)
}

/// A call (404 if none).
pub async fn get_call(conn: &mut AnyConnection, id: i64) -> AppResult<Call> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{CALL_SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Every call, newest closing first; `open_at` keeps those open at that instant.
pub async fn list_calls(conn: &mut AnyConnection, open_at: Option<&str>) -> AppResult<Vec<Call>> {
    let now = open_at.unwrap_or("");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CALL_SELECT} WHERE ($1 = '' OR (opens_at <= $1 AND closes_at > $1)) ORDER BY closes_at DESC, id DESC"
    )))
    .bind(now)
    .fetch_all(conn)
    .await?)
}

/// A call's partners, by name.
pub async fn call_partners(conn: &mut AnyConnection, call_id: i64) -> AppResult<Vec<CallPartner>> {
    Ok(sqlx::query_as(
        "SELECT cp.id, cp.institution_id, i.name_en AS name, i.name_zh, cp.programme_id, cp.places, cp.coordinator_email
         FROM call_partners cp JOIN institutions i ON i.id = cp.institution_id WHERE cp.call_id = $1 ORDER BY i.name_en, cp.id",
    )
    .bind(call_id)
    .fetch_all(conn)
    .await?)
}

/// Records that the allocation ran, or that results were published.
pub async fn mark_call(conn: &mut AnyConnection, id: i64, published: bool) -> AppResult<()> {
    let sql = if published {
        "UPDATE calls SET published_at = $1, updated_at = $1 WHERE id = $2"
    } else {
        "UPDATE calls SET allocated_at = $1, updated_at = $1 WHERE id = $2"
    };
    sqlx::query(sql).bind(now_text()).bind(id).execute(conn).await?;
    Ok(())
}

/// Takes the call's row lock (PostgreSQL) or the write lock (SQLite) before an
/// allocation or a freed place, so two runs over one call take turns.
pub async fn lock_call(conn: &mut AnyConnection, id: i64) -> AppResult<()> {
    let n = sqlx::query("UPDATE calls SET updated_at = updated_at WHERE id = $1").bind(id).execute(conn).await?.rows_affected();
    if n == 0 { Err(AppError::NotFound) } else { Ok(()) }
}

/// The call a partner row belongs to (404 if none).
pub async fn call_of_partner(conn: &mut AnyConnection, call_partner_id: i64) -> AppResult<i64> {
    sqlx::query_scalar("SELECT call_id FROM call_partners WHERE id = $1")
        .bind(call_partner_id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Nominees at one partner row: (application, name, status, reason), by name.
pub async fn nominees(conn: &mut AnyConnection, call_partner_id: i64) -> AppResult<Vec<(i64, String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT a.id, u.display_name, a.status, a.partner_reason FROM applications a JOIN users u ON u.id = a.user_id
         WHERE a.allocated_partner_id = $1 AND a.mobility_id IS NOT NULL ORDER BY u.display_name, a.id",
    )
    .bind(call_partner_id)
    .fetch_all(conn)
    .await?)
}

/// Moves a call's closing time (earlier only: closing a call now, or the demo's past).
pub async fn set_closes_at(conn: &mut AnyConnection, id: i64, at: &str) -> AppResult<bool> {
    let n = sqlx::query("UPDATE calls SET closes_at = $1, updated_at = $2 WHERE id = $3 AND closes_at > $1 AND opens_at < $1")
        .bind(at)
        .bind(now_text())
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// The id of a programme by its title (the demo's).
pub async fn programme_by_title(conn: &mut AnyConnection, title: &str) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM programmes WHERE title = $1 ORDER BY id LIMIT 1").bind(title).fetch_optional(conn).await?)
}
