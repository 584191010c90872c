//! SQL of the office's side: scores, interviews, eligibility notes, the allocation's
//! columns, offers' answer dates, and what a nomination links.

use sqlx::AnyConnection;

use crate::{
    applications::model::{ReviewScore, scoring::Score},
    error::AppResult,
    time::now_text,
};

/// Sets one reviewer's score of one criterion (replacing theirs).
pub async fn upsert_score(conn: &mut AnyConnection, id: i64, reviewer: i64, criterion: &str, value: i64, comment: &str) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO application_scores (application_id, reviewer_id, criterion, score_x100, comment, at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (application_id, reviewer_id, criterion) DO UPDATE SET score_x100 = excluded.score_x100, comment = excluded.comment, at = excluded.at",
    )
    .bind(id)
    .bind(reviewer)
    .bind(criterion)
    .bind(value)
    .bind(comment)
    .bind(now_text())
    .execute(conn)
    .await?;
    Ok(())
}

/// An application's scores with the reviewers' names.
pub async fn scores(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<ReviewScore>> {
    Ok(sqlx::query_as(
        "SELECT s.reviewer_id, u.display_name AS reviewer, s.criterion, s.score_x100, s.comment FROM application_scores s
         JOIN users u ON u.id = s.reviewer_id WHERE s.application_id = $1 ORDER BY u.display_name, s.criterion",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// The scores of every application of a call: (application, score).
pub async fn call_scores(conn: &mut AnyConnection, call_id: i64) -> AppResult<Vec<(i64, Score)>> {
    let rows: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT s.application_id, s.reviewer_id, s.criterion, s.score_x100 FROM application_scores s
         JOIN applications a ON a.id = s.application_id WHERE a.call_id = $1",
    )
    .bind(call_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(a, reviewer, criterion, value)| (a, Score { reviewer, criterion, value })).collect())
}

/// Stores the combined score.
pub async fn set_score(conn: &mut AnyConnection, id: i64, score: Option<i64>) -> AppResult<()> {
    sqlx::query("UPDATE applications SET score_x100 = $1 WHERE id = $2").bind(score).bind(id).execute(conn).await?;
    Ok(())
}

/// Sets the interview slot.
pub async fn set_interview(conn: &mut AnyConnection, id: i64, at: Option<&str>, place: &str) -> AppResult<()> {
    sqlx::query("UPDATE applications SET interview_at = $1, interview_place = $2, updated_at = $3 WHERE id = $4")
        .bind(at)
        .bind(place)
        .bind(now_text())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets why an application is (in)eligible.
pub async fn set_eligibility_note(conn: &mut AnyConnection, id: i64, note: &str) -> AppResult<()> {
    sqlx::query("UPDATE applications SET eligibility_note = $1 WHERE id = $2").bind(note).bind(id).execute(conn).await?;
    Ok(())
}

/// What the allocation decided for one application.
pub struct Allocated<'a> {
    /// Rank.
    pub rank: Option<i64>,
    /// The call's partner row, if any.
    pub partner: Option<i64>,
    /// Its priority among the choices.
    pub choice: Option<i64>,
    /// The reasons (JSON).
    pub json: Option<&'a str>,
    /// The office's note when set by hand.
    pub override_note: Option<&'a str>,
}

/// Writes the allocation's columns.
pub async fn set_allocation(conn: &mut AnyConnection, id: i64, a: &Allocated<'_>) -> AppResult<()> {
    sqlx::query(
        "UPDATE applications SET rank = $1, allocated_partner_id = $2, allocated_choice = $3, allocation_json = $4, override_note = $5,
             updated_at = $6 WHERE id = $7",
    )
    .bind(a.rank)
    .bind(a.partner)
    .bind(a.choice)
    .bind(a.json)
    .bind(a.override_note)
    .bind(now_text())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets (or clears) the date by which an offer must be answered.
pub async fn set_respond_by(conn: &mut AnyConnection, id: i64, at: Option<&str>) -> AppResult<()> {
    sqlx::query("UPDATE applications SET respond_by = $1 WHERE id = $2").bind(at).bind(id).execute(conn).await?;
    Ok(())
}

/// Links the person and the mobility a nomination made.
pub async fn set_nominated(conn: &mut AnyConnection, id: i64, person: i64, mobility: i64) -> AppResult<()> {
    sqlx::query("UPDATE applications SET person_id = $1, mobility_id = $2 WHERE id = $3")
        .bind(person)
        .bind(mobility)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Keeps the partner's reason.
pub async fn set_partner_reason(conn: &mut AnyConnection, id: i64, reason: &str) -> AppResult<()> {
    sqlx::query("UPDATE applications SET partner_reason = $1 WHERE id = $2").bind(reason).bind(id).execute(conn).await?;
    Ok(())
}

/// Offers whose answer date has passed at `now`: (application, call).
pub async fn lapsed_offers(conn: &mut AnyConnection, now: &str) -> AppResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as("SELECT id, call_id FROM applications WHERE status = 'offered' AND respond_by IS NOT NULL AND respond_by < $1")
        .bind(now)
        .fetch_all(conn)
        .await?)
}
