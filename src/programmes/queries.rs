//! SQL of programmes, their quotas and coordinators: small functions on the caller's
//! connection or transaction, so a handler wraps a whole change (with its audit event)
//! in one transaction. Agreements are read with this module's own SQL (no dependency on
//! the agreements module).

use serde::Deserialize;
use sqlx::AnyConnection;
use utoipa::IntoParams;

use super::model::{
    Coordinator, CoordinatorInput, NewProgramme, Programme, ProgrammeFields, ProgrammeSummary, Quota, SIDES, UpdateProgramme,
    check_programme, check_quotas,
};
use crate::{
    audit::{self, Action, Actor},
    error::{AppError, AppResult},
    time::now_text,
};

/// Filters of the programme list.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ProgrammeQuery {
    /// Programmes under this agreement.
    pub agreement_id: Option<i64>,
    /// Cooperation area key.
    pub area: Option<String>,
    /// planned, active, suspended or closed.
    pub status: Option<String>,
}

const PROGRAMME_COLUMNS: &str = "p.id, p.agreement_id, a.title AS agreement_title, a.unit_id, p.area, p.title, p.status, p.start_date,
     p.end_date, p.structure, p.structure_notes, p.project_title, p.investigators, p.funding, p.created_at, p.updated_at";

/// The agreement's unit, or 422 on `agreement_id` if there is no such agreement.
pub async fn agreement_unit(conn: &mut AnyConnection, agreement_id: i64) -> AppResult<Option<i64>> {
    let found: Option<Option<i64>> =
        sqlx::query_scalar("SELECT unit_id FROM agreements WHERE id = $1").bind(agreement_id).fetch_optional(conn).await?;
    found.ok_or_else(|| AppError::field("agreement_id", format!("there is no agreement {agreement_id}")))
}

/// Records a new programme; returns its id.
pub async fn create_programme(conn: &mut AnyConnection, actor: &Actor, input: &NewProgramme) -> AppResult<i64> {
    let raw = ProgrammeFields {
        area: input.area.trim().to_string(),
        title: input.title.clone(),
        status: input.status.clone().unwrap_or_else(|| "planned".into()),
        start_date: input.start_date.clone(),
        end_date: input.end_date.clone(),
        structure: input.structure.clone(),
        structure_notes: input.structure_notes.clone(),
        project_title: input.project_title.clone(),
        investigators: input.investigators.clone(),
        funding: input.funding.clone(),
    };
    let checked = check_programme(&raw);
    let agreement = agreement_unit(&mut *conn, input.agreement_id).await;
    let f = match (checked, agreement) {
        (Ok(f), Ok(_)) => f,
        (c, a) => return Err(merge_errors([c.err(), a.err()])),
    };
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO programmes (agreement_id, area, title, status, start_date, end_date, structure, structure_notes,
             project_title, investigators, funding, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(input.agreement_id)
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
    .fetch_one(&mut *conn)
    .await?;
    let after = get_programme(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Create, "programme", id, None, Some(&after)).await?;
    Ok(id)
}

/// Joins the field messages of several failed checks (a non-validation error wins).
pub fn merge_errors<const N: usize>(errors: [Option<AppError>; N]) -> AppError {
    let mut fields = Vec::new();
    for e in errors.into_iter().flatten() {
        match e {
            AppError::Validation(v) => fields.extend(v),
            other => return other,
        }
    }
    AppError::Validation(fields)
}

fn patched(current: &Option<String>, given: &Option<String>) -> Option<String> {
    match given {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v.clone()),
        None => current.clone(),
    }
}

/// Changes the fields given.
pub async fn update_programme(conn: &mut AnyConnection, actor: &Actor, id: i64, u: &UpdateProgramme) -> AppResult<()> {
    let before = get_programme(&mut *conn, id).await?;
    let cur = before.fields();
    let raw = ProgrammeFields {
        area: cur.area.clone(),
        title: u.title.clone().unwrap_or(cur.title.clone()),
        status: u.status.as_deref().map(str::trim).map(str::to_string).unwrap_or(cur.status.clone()),
        start_date: patched(&cur.start_date, &u.start_date),
        end_date: patched(&cur.end_date, &u.end_date),
        structure: patched(&cur.structure, &u.structure),
        structure_notes: u.structure_notes.clone().unwrap_or(cur.structure_notes.clone()),
        project_title: patched(&cur.project_title, &u.project_title),
        investigators: u.investigators.clone().unwrap_or(cur.investigators.clone()),
        funding: u.funding.clone().unwrap_or(cur.funding.clone()),
    };
    let f = check_programme(&raw)?;
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
    .execute(&mut *conn)
    .await?;
    let after = get_programme(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "programme", id, Some(&before), Some(&after)).await?;
    Ok(())
}

/// A programme with its quotas and coordinators (404 if none).
pub async fn get_programme(conn: &mut AnyConnection, id: i64) -> AppResult<Programme> {
    let sql = format!("SELECT {PROGRAMME_COLUMNS} FROM programmes p JOIN agreements a ON a.id = p.agreement_id WHERE p.id = $1");
    let mut p: Programme = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(&mut *conn).await?;
    p.quotas = sqlx::query_as(
        "SELECT academic_year, direction, quota FROM programme_quotas WHERE programme_id = $1 ORDER BY academic_year, direction",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    p.coordinators = sqlx::query_as(
        "SELECT c.person_id, p.name_en, c.side FROM programme_coordinators c JOIN people p ON p.id = c.person_id
         WHERE c.programme_id = $1 ORDER BY c.side, p.name_en",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
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

/// Replaces the programme's quotas with the given set (all checked first).
pub async fn set_quotas(conn: &mut AnyConnection, actor: &Actor, id: i64, quotas: &[Quota]) -> AppResult<Vec<Quota>> {
    let before = get_programme(&mut *conn, id).await?;
    let quotas = check_quotas(quotas)?;
    sqlx::query("DELETE FROM programme_quotas WHERE programme_id = $1").bind(id).execute(&mut *conn).await?;
    for q in &quotas {
        sqlx::query("INSERT INTO programme_quotas (programme_id, academic_year, direction, quota) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&q.academic_year)
            .bind(&q.direction)
            .bind(q.quota)
            .execute(&mut *conn)
            .await?;
    }
    touch(&mut *conn, id).await?;
    let after = get_programme(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "programme", id, Some(&before.quotas), Some(&after.quotas)).await?;
    Ok(after.quotas)
}

/// Adds (or moves to the other side) a coordinator.
pub async fn add_coordinator(conn: &mut AnyConnection, actor: &Actor, id: i64, c: &CoordinatorInput) -> AppResult<Vec<Coordinator>> {
    let before = get_programme(&mut *conn, id).await?;
    let mut errors = Vec::new();
    if !SIDES.contains(&c.side.as_str()) {
        errors.push(crate::error::FieldError::new("side", "use home (our coordinator) or partner (theirs)"));
    }
    let known: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE id = $1 AND merged_into IS NULL")
        .bind(c.person_id)
        .fetch_optional(&mut *conn)
        .await?;
    if known.is_none() {
        errors.push(crate::error::FieldError::new("person_id", format!("there is no person {}", c.person_id)));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    sqlx::query(
        "INSERT INTO programme_coordinators (programme_id, person_id, side) VALUES ($1, $2, $3)
         ON CONFLICT (programme_id, person_id) DO UPDATE SET side = excluded.side",
    )
    .bind(id)
    .bind(c.person_id)
    .bind(&c.side)
    .execute(&mut *conn)
    .await?;
    touch(&mut *conn, id).await?;
    let after = get_programme(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "programme", id, Some(&before.coordinators), Some(&after.coordinators)).await?;
    Ok(after.coordinators)
}

async fn touch(conn: &mut AnyConnection, id: i64) -> AppResult<()> {
    sqlx::query("UPDATE programmes SET updated_at = $1 WHERE id = $2").bind(now_text()).bind(id).execute(conn).await?;
    Ok(())
}
