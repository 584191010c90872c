//! Outbound trips: a request (who, where, why, dates, budget), approved by the unit head
//! and then the international office, closed only after the post-trip report.
//!
//! The chain and who may take each step are pure functions in [`model`]; the services
//! that run them against the database are in [`workflow`], all SQL in [`queries`]. Every
//! step runs in one transaction that first takes the trip's lock (a no-op write, as rooms
//! do), then decides on the current status, moves the trip with a conditional
//! `UPDATE … WHERE status = <the status decided on>`, and writes a `trip_events` row and
//! an audit event. Two people acting on one trip at once, on any instances, take turns:
//! the second decides on what the first left (and a lost update would answer 409).

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;
pub mod request;
pub mod workflow;

pub use model::{StepInput, Traveller, Trip, TripDetail, TripEvent, TripQuery, TripStatus};
pub use request::NewTrip;

use crate::web::routes::Routes;

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list_trips, api::create_trip, api::get_trip, api::take_step),
    components(schemas(Trip, TripDetail, Traveller, TripEvent, TripStatus, NewTrip, StepInput)),
    tags((name = "trips", description = "Outbound trip requests, approvals and reports"))
)]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    api::routes().merge(pages::routes())
}
