//! SQL of programmes and their coordinators, and the agreement, people and partner
//! choices the programme pages offer.

use sqlx::AnyConnection;

use crate::{
    error::{AppError, AppResult},
    programmes::model::{Coordinator, Programme, ProgrammeFields, ProgrammeQuery, ProgrammeSummary},
    time::now_text,
};

const PROGRAMME_COLUMNS: &str = "p.id, p.agreement_id, a.title AS agreement_title, a.unit_id, p.area, p.title, p.status, p.start_date,
     p.end_date, p.structure, p.structure_notes, p.project_title, p.investigators, p.funding, p.created_at, p.updated_at";

/// The agreement's unit, or 422 on `agreement_id` if there is no such agreement.
pub async fn agreement_unit(conn: &mut AnyConnection, agreement_id: i64) -> AppResult<Option<i64>> {
    let found: Option<Option<i64>> =
        sqlx::query_scalar("SELECT unit_id FROM agreements WHERE id = $1").bind(agreement_id).fetch_optional(conn).await?;
    found.ok_or_else(|| AppError::field("agreement_id", format!("there is no agreement {agreement_id}")))
}

/// Whether the agreement exists.
pub async fn agreement_exists(conn: &mut AnyConnection, agreement_id: i64) -> AppResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM agreements WHERE id = $1").bind(agreement_id).fetch_optional(conn).await?;
    Ok(found.is_some())
}

/// Every agreement (id, title) by title, for the new-programme form.
pub async fn agreement_choices(conn: &mut AnyConnection) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as("SELECT id, title FROM agreements ORDER BY title, id").fetch_all(conn).await?)
}

/// Whether the person exists and is not merged into another.
pub async fn person_exists(conn: &mut AnyConnection, person_id: i64) -> AppResult<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE id = $1 AND merged_into IS NULL").bind(person_id).fetch_optional(conn).await?;
    Ok(found.is_some())
}

/// People who may take part in the agreement's programmes: those of its parties and of
/// the home institution (id, name), by name.
pub async fn people_of_agreement(conn: &mut AnyConnection, agreement_id: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name_en FROM people WHERE merged_into IS NULL AND (institution_id IN
             (SELECT institution_id FROM agreement_parties WHERE agreement_id = $1)
             OR institution_id IN (SELECT id FROM institutions WHERE is_home = 1)) ORDER BY name_en",
    )
    .bind(agreement_id)
    .fetch_all(conn)
    .await?)
}

/// The agreement's partner institutions (id, name), by name.
pub async fn partners_of_agreement(conn: &mut AnyConnection, agreement_id: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT i.id, i.name_en FROM agreement_parties ap JOIN institutions i ON i.id = ap.institution_id
         WHERE ap.agreement_id = $1 AND i.is_home = 0 ORDER BY i.name_en",
    )
    .bind(agreement_id)
    .fetch_all(conn)
    .await?)
}

/// Inserts a checked programme; returns its id.
pub async fn insert_programme(conn: &mut AnyConnection, agreement_id: i64, f: &ProgrammeFields) -> AppResult<i64> {
    let now = now_text();
    Ok(sqlx::query_scalar(
        "INSERT INTO programmes (agreement_id, area, title, status, start_date, end_date, structure, structure_notes,
             project_title, investigators, funding, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(agreement_id)
    .bind(&f.area)
    .bind(&f.title)
    .bind(&f.status)
    .bind(&f.start_date)
    .bind(&f.end_date)
    .bind(&f.structure)
    .bind(&f.structure_notes)
    .bind(&f.project_title)
    .bind(&f.investigators)
    .bind(&f.funding)
    .bind(&now)
    .fetch_one(conn)
    .await?)
}

/// Writes a programme's checked fields (all but its area and agreement).
pub async fn update_programme_row(conn: &mut AnyConnection, id: i64, f: &ProgrammeFields) -> AppResult<()> {
    sqlx::query(
        "UPDATE programmes SET title = $1, status = $2, start_date = $3, end_date = $4, structure = $5, structure_notes = $6,
             project_title = $7, investigators = $8, funding = $9, updated_at = $10 WHERE id = $11",
    )
    .bind(&f.title)
    .bind(&f.status)
    .bind(&f.start_date)
    .bind(&f.end_date)
    .bind(&f.structure)
    .bind(&f.structure_notes)
    .bind(&f.project_title)
    .bind(&f.investigators)
    .bind(&f.funding)
    .bind(now_text())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the programme changed now.
pub async fn touch(conn: &mut AnyConnection, id: i64) -> AppResult<()> {
    sqlx::query("UPDATE programmes SET updated_at = $1 WHERE id = $2").bind(now_text()).bind(id).execute(conn).await?;
    Ok(())
}

/// A programme with its quotas and coordinators (404 if none).
pub async fn get_programme(conn: &mut AnyConnection, id: i64) -> AppResult<Programme> {
    let sql = format!("SELECT {PROGRAMME_COLUMNS} FROM programmes p JOIN agreements a ON a.id = p.agreement_id WHERE p.id = $1");
    let mut p: Programme = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(&mut *conn).await?;
    p.quotas = super::quotas_of(&mut *conn, id).await?;
    p.coordinators = coordinators_of(conn, id).await?;
    Ok(p)
}

/// Programmes matching the filters, by agreement then title.
pub async fn list_programmes(conn: &mut AnyConnection, q: &ProgrammeQuery) -> AppResult<Vec<ProgrammeSummary>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.agreement_id, a.title AS agreement_title, p.area, p.title, p.status, p.start_date, p.end_date, p.structure
         FROM programmes p JOIN agreements a ON a.id = p.agreement_id
         WHERE ($1 = 0 OR p.agreement_id = $1) AND ($2 = '' OR p.area = $2) AND ($3 = '' OR p.status = $3)
         ORDER BY a.title, p.title, p.id",
    )
    .bind(q.agreement_id.unwrap_or(0))
    .bind(q.area.clone().unwrap_or_default())
    .bind(q.status.clone().unwrap_or_default())
    .fetch_all(conn)
    .await?)
}

/// The programme's coordinators, by side then name.
pub async fn coordinators_of(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<Coordinator>> {
    Ok(sqlx::query_as(
        "SELECT c.person_id, p.name_en, c.side FROM programme_coordinators c JOIN people p ON p.id = c.person_id
         WHERE c.programme_id = $1 ORDER BY c.side, p.name_en",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Adds a coordinator, or moves one already there to `side`.
pub async fn upsert_coordinator(conn: &mut AnyConnection, id: i64, person_id: i64, side: &str) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO programme_coordinators (programme_id, person_id, side) VALUES ($1, $2, $3)
         ON CONFLICT (programme_id, person_id) DO UPDATE SET side = excluded.side",
    )
    .bind(id)
    .bind(person_id)
    .bind(side)
    .execute(conn)
    .await?;
    Ok(())
}
