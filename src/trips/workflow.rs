//! The trip services: requesting, taking a step of the chain, reading a trip with what
//! the caller may do next, and the lists. Each combines queries from [`super::queries`]
//! with the chain in [`super::model`], inside the caller's transaction.

use sqlx::AnyConnection;

use super::{
    model::{self, Action, Facts, LIST_LIMIT, StepInput, Trip, TripDetail, TripQuery, TripStatus, Who},
    queries,
    request::{self, NewTrip},
};
use crate::{
    audit::{self, Action as AuditAction, Actor},
    auth::{CurrentUser, Permission, Role},
    error::{AppError, AppResult},
    status::Status,
};

/// The caller's relation to a trip, and the trip's facts, for the chain.
fn facts_of<'a>(trip: &'a Trip, unit_label: &'a str, today: &'a str) -> Facts<'a> {
    Facts { status: trip.status, unit_name: unit_label, start_date: &trip.start_date, today }
}

/// The steps `user` may take on `trip` now.
pub fn allowed(trip: &Trip, user: &CurrentUser) -> Vec<Action> {
    let (label, today) = (trip.unit_label(), crate::time::office_today().to_string());
    model::allowed_actions(&facts_of(trip, &label, &today), Who::of(user, trip.unit_id, trip.requester_id))
}

/// True if `trip` waits for `user` (they own its next step).
pub fn waits_for(trip: &Trip, user: &CurrentUser) -> bool {
    let (label, today) = (trip.unit_label(), crate::time::office_today().to_string());
    model::waits_for(&facts_of(trip, &label, &today), Who::of(user, trip.unit_id, trip.requester_id))
}

/// A trip with travellers, history and the caller's possible steps.
pub async fn detail(conn: &mut AnyConnection, id: i64, user: &CurrentUser) -> AppResult<TripDetail> {
    let trip = queries::get_trip(&mut *conn, id).await?;
    let travellers = queries::travellers(&mut *conn, id).await?;
    let events = queries::events(&mut *conn, id).await?;
    let allowed_actions = allowed(&trip, user).into_iter().map(|a| a.as_str().to_string()).collect();
    Ok(TripDetail { trip, travellers, events, allowed_actions })
}

/// Records a trip request: checks everything (nothing is stored if anything is wrong),
/// inserts the trip and its travellers, its first event and the audit event.
pub async fn request(conn: &mut AnyConnection, user: &CurrentUser, input: &NewTrip) -> AppResult<i64> {
    if let Some(unit) = input.unit_id {
        queries::lock_unit(&mut *conn, unit).await?;
    }
    let checked = request::check(input);
    let mut errors = queries::check_references(&mut *conn, input).await?;
    let valid = match checked {
        Ok(v) if errors.is_empty() => v,
        Ok(_) => return Err(AppError::Validation(errors)),
        Err(mut e) => {
            // A reference error on a field that already failed parsing says nothing new.
            errors.retain(|r| !e.iter().any(|x| x.field == r.field));
            e.extend(errors);
            return Err(AppError::Validation(e));
        }
    };
    // Staff and admins request for any unit; a coordinator for their own unit only.
    if !user.can_in_unit(Permission::RequestTrips, valid.unit_id) {
        let name = queries::home_unit_name(&mut *conn, valid.unit_id).await?.unwrap_or_default();
        return Err(AppError::Forbidden(format!("Coordinators request trips for their own unit only, not for {name}.")));
    }
    let id = queries::insert_trip(&mut *conn, Some(user.id), &valid).await?;
    queries::insert_event(&mut *conn, id, TripStatus::Submitted, None, &user.username).await?;
    let trip = queries::get_trip(&mut *conn, id).await?;
    audit::record(conn, &Actor::from(user), AuditAction::Create, "trip", id, None, Some(&trip)).await?;
    Ok(id)
}

fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Takes one step of the chain on trip `id` for `user` (see [`model::next_status`]).
pub async fn take_step(conn: &mut AnyConnection, user: &CurrentUser, id: i64, input: &StepInput) -> AppResult<Trip> {
    let Some(action) = Action::parse(&input.action) else {
        return Err(AppError::field("action", "use approve, reject, cancel, report or close"));
    };
    if !queries::lock_trip(&mut *conn, id).await? {
        return Err(AppError::NotFound);
    }
    let before = queries::get_trip(&mut *conn, id).await?;
    let (label, today) = (before.unit_label(), crate::time::office_today().to_string());
    let facts = facts_of(&before, &label, &today);
    let next = model::next_status(&facts, Who::of(user, before.unit_id, before.requester_id), action)?;
    let (comment, report) = (text(&input.comment), text(&input.report));
    if action == Action::Reject && comment.is_none() {
        return Err(AppError::field("comment", "say why the trip is rejected"));
    }
    if action == Action::Report && report.is_none() {
        return Err(AppError::field("report", "write the report: what was done, with whom, what follows"));
    }
    let report = if action == Action::Report { report } else { None };
    if !queries::move_trip(&mut *conn, id, facts.status, next, report).await? {
        return Err(AppError::Conflict("Someone else took a step on this trip meanwhile. Reload it and look again.".into(), None));
    }
    queries::insert_event(&mut *conn, id, next, comment, &user.username).await?;
    let after = queries::get_trip(&mut *conn, id).await?;
    audit::record(conn, &Actor::from(user), AuditAction::Update, "trip", id, Some(&before), Some(&after)).await?;
    Ok(after)
}

/// Trips matching the filters, newest first.
pub async fn list(conn: &mut AnyConnection, user: &CurrentUser, q: &TripQuery) -> AppResult<Vec<Trip>> {
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(TripStatus::parse_field("status", s)?),
        None => None,
    };
    let mine = q.mine.unwrap_or(false).then_some(user.id);
    if q.waiting.unwrap_or(false) {
        // Open trips are the ones in flight, a bounded set; the chain itself decides
        // which wait for the caller, so the list and the buttons always agree.
        let open = queries::open_trips(conn).await?;
        return Ok(open
            .into_iter()
            .filter(|t| status.is_none_or(|s| t.status == s) && mine.is_none_or(|m| t.requester_id == Some(m)) && waits_for(t, user))
            .take(LIST_LIMIT as usize)
            .collect());
    }
    queries::list_trips(conn, status, mine, LIST_LIMIT).await
}

/// True if the user is a coordinator of some unit (the form preselects it).
pub fn coordinator_unit(user: &CurrentUser) -> Option<i64> {
    user.grants.iter().find(|g| g.role == Role::Coordinator).and_then(|g| g.unit_id)
}
