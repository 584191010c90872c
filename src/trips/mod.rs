//! Outbound trips: a request (who, where, why, dates, budget), approved by the unit head
//! and then the international office, closed only after the post-trip report.
//!
//! The chain and who may take each step are pure functions in [`model`]. Every step
//! runs in one transaction that first takes the trip's lock (a no-op write, as rooms
//! do), then decides on the current status, moves the trip with a conditional
//! `UPDATE … WHERE status = <the status decided on>`, and writes a `trip_events` row and
//! an audit event. Two people acting on one trip at once, on any instances, take turns:
//! the second decides on what the first left (and a lost update would answer 409).

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;
pub mod request;

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use utoipa::ToSchema;

use crate::{
    audit::{self, Action as AuditAction, Actor},
    auth::{CurrentUser, Permission, Role},
    error::{AppError, AppResult, FieldError},
    web::routes::Routes,
};
use model::{Action, Facts, Status, Who};
use request::NewTrip;

/// The office's time zone: "has the trip started?" is asked in it.
pub const OFFICE_TIME_ZONE: &str = "Asia/Shanghai";

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list_trips, api::create_trip, api::get_trip, api::take_step),
    components(schemas(Trip, TripDetail, Traveller, TripEvent, NewTrip, StepInput)),
    tags((name = "trips", description = "Outbound trip requests, approvals and reports"))
)]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    api::routes().merge(pages::routes())
}

/// A trip request.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Trip {
    /// Id.
    pub id: i64,
    /// The user who requested it.
    pub requester_id: Option<i64>,
    /// Their display name.
    pub requester: Option<String>,
    /// The requesting unit; its head approves first.
    pub unit_id: i64,
    /// The unit's English name.
    pub unit_name: Option<String>,
    /// The unit's Chinese name.
    pub unit_name_zh: Option<String>,
    /// Where to.
    pub destination: String,
    /// Partner institution visited.
    pub institution_id: Option<i64>,
    /// Its name.
    pub institution_name: Option<String>,
    /// Why.
    pub purpose: String,
    /// First day (YYYY-MM-DD).
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Budget in minor units.
    pub budget_cents: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// The outbound visit it belongs to.
    pub visit_id: Option<i64>,
    /// submitted, unit_approved, approved, rejected, report_submitted, closed or cancelled.
    pub status: String,
    /// The post-trip report.
    pub report: Option<String>,
    /// When requested (UTC).
    pub created_at: String,
    /// Last change (UTC).
    pub updated_at: String,
}

impl Trip {
    /// The unit's name for messages (English).
    pub fn unit_label(&self) -> String {
        self.unit_name.clone().unwrap_or_else(|| format!("unit #{}", self.unit_id))
    }

    /// The budget as an amount, e.g. `12,000.00 CNY`.
    pub fn budget(&self) -> String {
        format!("{} {}", request::format_amount(self.budget_cents), self.currency)
    }
}

/// A person on a trip.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Traveller {
    /// The person.
    pub person_id: i64,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: Option<String>,
}

/// One step of a trip's chain.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct TripEvent {
    /// The status the step led to: submitted, unit_approved, approved, rejected, cancelled, report_submitted, closed.
    pub step: String,
    /// Why (required for rejections).
    pub comment: Option<String>,
    /// Who (username).
    pub actor: String,
    /// When (UTC).
    pub at: String,
}

/// A trip with its travellers, its history, and what the caller may do next.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TripDetail {
    /// The trip.
    #[serde(flatten)]
    pub trip: Trip,
    /// Who travels.
    pub travellers: Vec<Traveller>,
    /// Every step so far, oldest first.
    pub events: Vec<TripEvent>,
    /// Steps the caller may take now (approve, reject, cancel, report, close).
    pub allowed_actions: Vec<String>,
}

/// A step on a trip.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct StepInput {
    /// approve, reject, cancel, report or close.
    #[serde(default)]
    pub action: String,
    /// Why; required to reject.
    #[serde(default)]
    pub comment: Option<String>,
    /// The post-trip report; required for `report`.
    #[serde(default)]
    pub report: Option<String>,
}

/// Today's date in the office's time zone.
pub fn today() -> String {
    let tz = jiff::tz::TimeZone::get(OFFICE_TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned_datetime(tz).date().to_string()
}

/// The caller's relation to a trip, and the trip's facts, for the chain.
fn facts_of<'a>(trip: &'a Trip, unit_label: &'a str, today: &'a str) -> Facts<'a> {
    // Stored statuses come from this module only (and a CHECK); an unknown one acts as final.
    let status = Status::parse(&trip.status).unwrap_or(Status::Closed);
    Facts { status, unit_name: unit_label, start_date: &trip.start_date, today }
}

/// The steps `user` may take on `trip` now.
pub fn allowed(trip: &Trip, user: &CurrentUser) -> Vec<Action> {
    let (label, today) = (trip.unit_label(), today());
    model::allowed_actions(&facts_of(trip, &label, &today), Who::of(user, trip.unit_id, trip.requester_id))
}

/// True if `trip` waits for `user` (they own its next step).
pub fn waits_for(trip: &Trip, user: &CurrentUser) -> bool {
    let (label, today) = (trip.unit_label(), today());
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
    queries::insert_event(&mut *conn, id, Status::Submitted.as_str(), None, &user.username).await?;
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
    let (label, today) = (before.unit_label(), today());
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
    if !queries::move_trip(&mut *conn, id, facts.status.as_str(), next.as_str(), report).await? {
        return Err(AppError::Conflict("Someone else took a step on this trip meanwhile. Reload it and look again.".into(), None));
    }
    queries::insert_event(&mut *conn, id, next.as_str(), comment, &user.username).await?;
    let after = queries::get_trip(&mut *conn, id).await?;
    audit::record(conn, &Actor::from(user), AuditAction::Update, "trip", id, Some(&before), Some(&after)).await?;
    Ok(after)
}

/// Filters of trip lists.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct TripQuery {
    /// Only trips in this status.
    pub status: Option<String>,
    /// Only the caller's own requests.
    pub mine: Option<bool>,
    /// Only trips whose next step is the caller's.
    pub waiting: Option<bool>,
}

/// The most trips one list returns (newest first).
pub const LIST_LIMIT: i64 = 500;

/// Trips matching the filters, newest first.
pub async fn list(conn: &mut AnyConnection, user: &CurrentUser, q: &TripQuery) -> AppResult<Vec<Trip>> {
    let status = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = status
        && Status::parse(s).is_none()
    {
        let names: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        return Err(AppError::Validation(vec![FieldError::new("status", format!("use one of {}", names.join(", ")))]));
    }
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
