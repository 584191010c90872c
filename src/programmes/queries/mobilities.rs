//! SQL of mobilities, their status history, and what recording one looks up (the units
//! behind it, the partner institution, the programme's period).

use sqlx::AnyConnection;

use crate::{
    error::{AppError, AppResult},
    programmes::model::{Mobility, MobilityQuery, MobilityStatus},
    status::Status,
    time::now_text,
};

const MOBILITY_SELECT: &str = "SELECT m.id, m.programme_id, p.title AS programme_title, m.person_id, pe.name_en AS person_name,
     m.partner_institution_id, i.name_en AS partner_name, m.participant_kind, m.direction, m.academic_year, m.start_date,
     m.end_date, m.status, m.override_note, m.created_at, m.updated_at
     FROM mobilities m JOIN programmes p ON p.id = m.programme_id JOIN people pe ON pe.id = m.person_id
     JOIN institutions i ON i.id = m.partner_institution_id";

/// The checked fields of a new mobility, as stored.
pub struct MobilityRow<'a> {
    /// Programme.
    pub programme_id: i64,
    /// Participant.
    pub person_id: i64,
    /// Partner institution.
    pub partner: i64,
    /// student or staff.
    pub participant_kind: &'a str,
    /// inbound or outbound.
    pub direction: &'a str,
    /// Academic year.
    pub year: &'a str,
    /// First day.
    pub start: &'a str,
    /// Last day.
    pub end: &'a str,
    /// Why a warning was overridden.
    pub override_note: Option<&'a str>,
}

/// The unit of the agreement a programme runs under (404 if no such programme).
pub async fn programme_unit(conn: &mut AnyConnection, programme_id: i64) -> AppResult<Option<i64>> {
    let found: Option<Option<i64>> =
        sqlx::query_scalar("SELECT a.unit_id FROM programmes p JOIN agreements a ON a.id = p.agreement_id WHERE p.id = $1")
            .bind(programme_id)
            .fetch_optional(conn)
            .await?;
    found.ok_or(AppError::NotFound)
}

/// The unit of the agreement behind a mobility (404 if no such mobility).
pub async fn mobility_unit(conn: &mut AnyConnection, id: i64) -> AppResult<Option<i64>> {
    let found: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT a.unit_id FROM mobilities m JOIN programmes p ON p.id = m.programme_id JOIN agreements a ON a.id = p.agreement_id
         WHERE m.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    found.ok_or(AppError::NotFound)
}

/// An institution's `(merged_into, is_home)`, if it exists.
pub async fn institution_state(conn: &mut AnyConnection, id: i64) -> Result<Option<(Option<i64>, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT merged_into, is_home FROM institutions WHERE id = $1").bind(id).fetch_optional(conn).await
}

/// The first party of the programme's agreement that is not the home institution.
pub async fn default_partner(conn: &mut AnyConnection, programme_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT ap.institution_id FROM programmes p JOIN agreement_parties ap ON ap.agreement_id = p.agreement_id
         JOIN institutions i ON i.id = ap.institution_id WHERE p.id = $1 AND i.is_home = 0 ORDER BY ap.institution_id LIMIT 1",
    )
    .bind(programme_id)
    .fetch_optional(conn)
    .await
}

/// The programme's first and last day, as set.
pub async fn programme_period(conn: &mut AnyConnection, programme_id: i64) -> AppResult<(Option<String>, Option<String>)> {
    Ok(sqlx::query_as("SELECT start_date, end_date FROM programmes WHERE id = $1").bind(programme_id).fetch_one(conn).await?)
}

/// Inserts a nominated mobility; returns its id.
pub async fn insert_mobility(conn: &mut AnyConnection, m: &MobilityRow<'_>) -> AppResult<i64> {
    let now = now_text();
    Ok(sqlx::query_scalar(
        "INSERT INTO mobilities (programme_id, person_id, partner_institution_id, participant_kind, direction, academic_year,
             start_date, end_date, status, override_note, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(m.programme_id)
    .bind(m.person_id)
    .bind(m.partner)
    .bind(m.participant_kind)
    .bind(m.direction)
    .bind(m.year)
    .bind(m.start)
    .bind(m.end)
    .bind(MobilityStatus::Nominated.as_str())
    .bind(m.override_note)
    .bind(&now)
    .fetch_one(conn)
    .await?)
}

/// Moves a mobility from `from` to `to`; false if it was no longer at `from`.
pub async fn update_status(conn: &mut AnyConnection, id: i64, from: MobilityStatus, to: MobilityStatus) -> AppResult<bool> {
    let n = sqlx::query("UPDATE mobilities SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
        .bind(to.as_str())
        .bind(now_text())
        .bind(id)
        .bind(from.as_str())
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// Adds a step to the mobility's status history.
pub async fn status_event(conn: &mut AnyConnection, id: i64, status: MobilityStatus, actor: &str) -> AppResult<()> {
    sqlx::query("INSERT INTO mobility_status_events (mobility_id, status, at, actor) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(status.as_str())
        .bind(now_text())
        .bind(actor)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes a mobility and its status history.
pub async fn delete_mobility_rows(conn: &mut AnyConnection, id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM mobility_status_events WHERE mobility_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM mobilities WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// A mobility (404 if none).
pub async fn get_mobility(conn: &mut AnyConnection, id: i64) -> AppResult<Mobility> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{MOBILITY_SELECT} WHERE m.id = $1"))).bind(id).fetch_one(conn).await?)
}

/// A page of mobilities matching the filters, latest start first, and the total.
pub async fn list_mobilities(conn: &mut AnyConnection, q: &MobilityQuery) -> AppResult<(Vec<Mobility>, i64)> {
    let (page, per_page) = q.paging();
    let filter = "($1 = 0 OR m.programme_id = $1) AND ($2 = '' OR m.academic_year = $2) AND ($3 = '' OR m.direction = $3)
         AND ($4 = '' OR m.status = $4) AND ($5 = 0 OR m.person_id = $5)";
    let b = (
        q.programme_id.unwrap_or(0),
        q.academic_year.clone().unwrap_or_default(),
        q.direction.clone().unwrap_or_default(),
        q.status.clone().unwrap_or_default(),
        q.person_id.unwrap_or(0),
    );
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM mobilities m WHERE {filter}")))
        .bind(b.0)
        .bind(&b.1)
        .bind(&b.2)
        .bind(&b.3)
        .bind(b.4)
        .fetch_one(&mut *conn)
        .await?;
    let items = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MOBILITY_SELECT} WHERE {filter} ORDER BY m.start_date DESC, m.id DESC LIMIT $6 OFFSET $7"
    )))
    .bind(b.0)
    .bind(&b.1)
    .bind(&b.2)
    .bind(&b.3)
    .bind(b.4)
    .bind(per_page)
    .bind(crate::web::paging::offset(page, per_page))
    .fetch_all(conn)
    .await?;
    Ok((items, total))
}
