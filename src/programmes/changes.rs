//! Changes to programmes (create, update, quotas, coordinators): each checks its input
//! with the model's rules, writes through `queries`, and records its audit event, all on
//! the caller's transaction.

use sqlx::AnyConnection;

use super::{
    model::{
        Coordinator, CoordinatorInput, NewProgramme, ProgrammeFields, ProgrammeStatus, Quota, SIDES, UpdateProgramme, check_programme,
        check_programme_step, check_quotas,
    },
    queries,
};
use crate::{
    audit::{self, Action, Actor},
    error::{AppError, AppResult, FieldError},
    status::Status,
};

/// Records a new programme; returns its id.
pub async fn create_programme(conn: &mut AnyConnection, actor: &Actor, input: &NewProgramme) -> AppResult<i64> {
    let raw = ProgrammeFields {
        area: input.area.trim().to_string(),
        title: input.title.clone(),
        status: input.status.clone().unwrap_or_else(|| ProgrammeStatus::Planned.as_str().into()),
        start_date: input.start_date.clone(),
        end_date: input.end_date.clone(),
        structure: input.structure.clone(),
        structure_notes: input.structure_notes.clone(),
        project_title: input.project_title.clone(),
        investigators: input.investigators.clone(),
        funding: input.funding.clone(),
    };
    let checked = check_programme(&raw);
    let agreement = queries::agreement_unit(&mut *conn, input.agreement_id).await;
    let f = match (checked, agreement) {
        (Ok(f), Ok(_)) => f,
        (c, a) => return Err(merge_errors([c.err(), a.err()])),
    };
    let id = queries::insert_programme(&mut *conn, input.agreement_id, &f).await?;
    let after = queries::get_programme(&mut *conn, id).await?;
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

/// Changes the fields given; a new status must be a step the status machine allows.
pub async fn update_programme(conn: &mut AnyConnection, actor: &Actor, id: i64, u: &UpdateProgramme) -> AppResult<()> {
    let before = queries::get_programme(&mut *conn, id).await?;
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
    check_programme_step(before.status, ProgrammeStatus::from_stored(&f.status)?)?;
    queries::update_programme_row(&mut *conn, id, &f).await?;
    let after = queries::get_programme(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "programme", id, Some(&before), Some(&after)).await?;
    Ok(())
}

/// Replaces the programme's quotas with the given set (all checked first).
pub async fn set_quotas(conn: &mut AnyConnection, actor: &Actor, id: i64, quotas: &[Quota]) -> AppResult<Vec<Quota>> {
    let before = queries::get_programme(&mut *conn, id).await?;
    let quotas = check_quotas(quotas)?;
    queries::replace_quotas(&mut *conn, id, &quotas).await?;
    queries::touch(&mut *conn, id).await?;
    let after = queries::get_programme(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "programme", id, Some(&before.quotas), Some(&after.quotas)).await?;
    Ok(after.quotas)
}

/// Adds (or moves to the other side) a coordinator.
pub async fn add_coordinator(conn: &mut AnyConnection, actor: &Actor, id: i64, c: &CoordinatorInput) -> AppResult<Vec<Coordinator>> {
    let before = queries::get_programme(&mut *conn, id).await?;
    let mut errors = Vec::new();
    if !SIDES.contains(&c.side.as_str()) {
        errors.push(FieldError::new("side", "use home (our coordinator) or partner (theirs)"));
    }
    if !queries::person_exists(&mut *conn, c.person_id).await? {
        errors.push(FieldError::new("person_id", format!("there is no person {}", c.person_id)));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    queries::upsert_coordinator(&mut *conn, id, c.person_id, &c.side).await?;
    queries::touch(&mut *conn, id).await?;
    let after = queries::get_programme(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "programme", id, Some(&before.coordinators), Some(&after.coordinators)).await?;
    Ok(after.coordinators)
}
