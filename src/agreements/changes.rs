//! Changes to agreements — recording, editing, a status step, renewal, a signatory —
//! each checked in full, then written with [`super::queries`] and audited, inside the
//! caller's transaction (the API and the pages call the same functions).

use sqlx::AnyConnection;

use super::{
    model::{
        AgreementStatus, Fields, NewAgreement, NewSignatory, PartyInput, Signatory, UpdateAgreement, check_fields, check_lists,
        check_transition,
    },
    queries,
};
use crate::{
    audit::{self, Action, Actor},
    error::{AppError, AppResult, FieldError},
};

/// Records a new agreement (status draft) with its parties and areas; returns its id.
pub async fn create_agreement(conn: &mut AnyConnection, actor: &Actor, input: &NewAgreement) -> AppResult<i64> {
    let raw = Fields {
        kind: input.kind.trim().to_string(),
        title: input.title.clone(),
        signed_date: input.signed_date.clone(),
        effective_date: input.effective_date.clone(),
        expiry_date: input.expiry_date.clone(),
        notice_days: input.notice_days,
        auto_renew: input.auto_renew,
        notes: input.notes.clone(),
    };
    let fields = check_fields(&raw);
    let mut errors = fields.clone().err().unwrap_or_default();
    errors.extend(check_lists(&input.parties, &input.areas));
    errors.extend(queries::check_parties(conn, &input.parties).await?);
    errors.extend(queries::check_refs(conn, input.visit_id, input.responsible_id, input.unit_id).await?);
    let fields = match fields {
        Ok(f) if errors.is_empty() => f,
        _ => return Err(AppError::Validation(errors)),
    };
    let id = queries::insert_row(conn, &fields, input.visit_id, input.responsible_id, input.unit_id, None).await?;
    queries::insert_status_event(conn, actor, id, AgreementStatus::Draft, &crate::time::today(), None).await?;
    queries::set_parties(conn, id, &input.parties).await?;
    queries::set_areas(conn, id, &input.areas).await?;
    let a = queries::get_agreement(conn, id).await?;
    audit::record(conn, actor, Action::Create, "agreement", id, None, Some(&a)).await?;
    Ok(id)
}

/// Applies changes to an agreement's fields, parties and areas.
pub async fn update_agreement(conn: &mut AnyConnection, actor: &Actor, id: i64, u: &UpdateAgreement) -> AppResult<()> {
    let before = queries::get_agreement(conn, id).await?;
    let pick = |new: &Option<String>, old: &Option<String>| match new {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v.clone()),
        None => old.clone(),
    };
    let raw = Fields {
        kind: u.kind.clone().unwrap_or_else(|| before.kind.clone()),
        title: u.title.clone().unwrap_or_else(|| before.title.clone()),
        signed_date: pick(&u.signed_date, &before.signed_date),
        effective_date: pick(&u.effective_date, &before.effective_date),
        expiry_date: pick(&u.expiry_date, &before.expiry_date),
        notice_days: match u.notice_days {
            Some(n) if n < 0 => None,
            Some(n) => Some(n),
            None => before.notice_days,
        },
        auto_renew: u.auto_renew.unwrap_or(before.auto_renew),
        notes: u.notes.clone().unwrap_or_else(|| before.notes.clone()),
    };
    let id_or = |new: Option<i64>, old: Option<i64>| match new {
        Some(0) => None,
        Some(v) => Some(v),
        None => old,
    };
    let visit = id_or(u.visit_id, before.visit.as_ref().map(|v| v.id));
    let responsible = id_or(u.responsible_id, before.responsible_id);
    let unit = id_or(u.unit_id, before.unit_id);
    let parties: Vec<PartyInput> = u
        .parties
        .clone()
        .unwrap_or_else(|| before.parties.iter().map(|p| PartyInput { institution_id: p.institution_id, unit_id: p.unit_id }).collect());
    let areas = u.areas.clone().unwrap_or_else(|| before.areas.clone());
    let fields = check_fields(&raw);
    let mut errors = fields.clone().err().unwrap_or_default();
    errors.extend(check_lists(&parties, &areas));
    errors.extend(queries::check_parties(conn, &parties).await?);
    errors.extend(queries::check_refs(conn, visit, responsible, unit).await?);
    let f = match fields {
        Ok(f) if errors.is_empty() => f,
        _ => return Err(AppError::Validation(errors)),
    };
    queries::update_row(conn, id, &f, visit, responsible, unit).await?;
    if u.parties.is_some() {
        queries::set_parties(conn, id, &parties).await?;
    }
    if u.areas.is_some() {
        queries::set_areas(conn, id, &areas).await?;
    }
    let after = queries::get_agreement(conn, id).await?;
    audit::record(conn, actor, Action::Update, "agreement", id, Some(&before), Some(&after)).await?;
    Ok(())
}

/// Moves an agreement one step in its status (see [`check_transition`]), dated
/// `on_date` (default today). Signing and taking effect fill the signed and effective
/// dates when they are still empty.
pub async fn set_status(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    to: AgreementStatus,
    on_date: Option<&str>,
    note: Option<&str>,
) -> AppResult<()> {
    let before = queries::get_agreement(conn, id).await?;
    let on = match on_date.map(str::trim).filter(|s| !s.is_empty()) {
        None => crate::time::today(),
        Some(d) => {
            crate::time::parse_date(d).ok_or_else(|| AppError::field("on_date", format!("'{d}' is not a date such as 2024-05-08")))?
        }
    };
    check_transition(before.status, to)?;
    if to == AgreementStatus::InEffect
        && before.effective_date.is_none()
        && let Some(x) = before.expiry_date.as_deref().filter(|x| *x < on.as_str())
    {
        return Err(AppError::field("on_date", format!("the agreement expires on {x}, so it cannot take effect on {on}")));
    }
    queries::move_status(conn, id, to, &on).await?;
    queries::insert_status_event(conn, actor, id, to, &on, note.map(str::trim).filter(|n| !n.is_empty())).await?;
    let after = queries::get_agreement(conn, id).await?;
    audit::record(conn, actor, Action::Update, "agreement", id, Some(&before), Some(&after)).await?;
    Ok(())
}

/// Renews an agreement: a successor (draft) with the same kind, parties, areas, notice
/// period, auto-renewal, responsible user and unit, and new dates. An agreement has one
/// successor: renewing twice answers 409 (the unique index decides, not a prior SELECT).
pub async fn renew(conn: &mut AnyConnection, actor: &Actor, id: i64, effective: &str, expiry: &str, title: Option<&str>) -> AppResult<i64> {
    let old = queries::get_agreement(conn, id).await?;
    let raw = Fields {
        kind: old.kind.clone(),
        title: title.map(str::to_string).filter(|t| !t.trim().is_empty()).unwrap_or_else(|| old.title.clone()),
        signed_date: None,
        effective_date: Some(effective.to_string()),
        expiry_date: Some(expiry.to_string()),
        notice_days: old.notice_days,
        auto_renew: old.auto_renew,
        notes: String::new(),
    };
    let mut errors = Vec::new();
    if effective.trim().is_empty() {
        errors.push(FieldError::new("effective_date", "give the renewed agreement's effective date"));
    }
    if expiry.trim().is_empty() {
        errors.push(FieldError::new("expiry_date", "give the renewed agreement's expiry date"));
    }
    let fields = check_fields(&raw);
    errors.extend(fields.clone().err().unwrap_or_default());
    let f = match fields {
        Ok(f) if errors.is_empty() => f,
        _ => return Err(AppError::Validation(errors)),
    };
    let new_id = queries::insert_row(conn, &f, None, old.responsible_id, old.unit_id, Some(id)).await?;
    queries::insert_status_event(
        conn,
        actor,
        new_id,
        AgreementStatus::Draft,
        &crate::time::today(),
        Some(&format!("renews agreement {id}")),
    )
    .await?;
    let parties: Vec<PartyInput> =
        old.parties.iter().map(|p| PartyInput { institution_id: p.institution_id, unit_id: p.unit_id }).collect();
    queries::set_parties(conn, new_id, &parties).await?;
    queries::set_areas(conn, new_id, &old.areas).await?;
    let a = queries::get_agreement(conn, new_id).await?;
    audit::record(conn, actor, Action::Create, "agreement", new_id, None, Some(&a)).await?;
    Ok(new_id)
}

/// Adds a signatory; the position defaults to the person's current title.
pub async fn add_signatory(conn: &mut AnyConnection, actor: &Actor, id: i64, s: &NewSignatory) -> AppResult<Signatory> {
    let before = queries::get_agreement(conn, id).await?;
    let person = queries::person(conn, s.person_id).await?;
    let (name, home_of_person) = person.ok_or_else(|| AppError::field("person_id", format!("there is no person {}", s.person_id)))?;
    let party_ids: Vec<i64> = before.parties.iter().map(|p| p.institution_id).collect();
    let current = queries::current_position(conn, s.person_id, &party_ids).await?;
    let title = match s.position_title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => t.to_string(),
        None => current.as_ref().map(|c| c.0.clone()).ok_or_else(|| {
            AppError::field("position_title", format!("{name} has no current position on record; type the position they signed in"))
        })?,
    };
    let institution = s.institution_id.or(current.map(|c| c.1)).or(home_of_person);
    if let Some(i) = institution
        && !party_ids.contains(&i)
    {
        return Err(AppError::field("institution_id", format!("{name} signs for an institution that is not a party to this agreement")));
    }
    let signed = match s.signed_date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(
            crate::time::parse_date(d).ok_or_else(|| AppError::field("signed_date", format!("'{d}' is not a date such as 2024-05-08")))?,
        ),
        None => before.signed_date.clone(),
    };
    let row_id = queries::insert_signatory(conn, id, s.person_id, &title, institution, signed.as_deref()).await?;
    queries::touch(conn, id).await?;
    let after = queries::get_agreement(conn, id).await?;
    audit::record(conn, actor, Action::Update, "agreement", id, Some(&before.signatories), Some(&after.signatories)).await?;
    after.signatories.into_iter().find(|s| s.id == row_id).ok_or(AppError::NotFound)
}
