//! Programmes under agreements (typed by cooperation area, quotas per academic year and
//! direction, coordinators) and the mobilities in them, with the exchange balance.
//!
//! `model` holds the types and rules (two status machines: `ProgrammeStatus` and
//! `MobilityStatus`), `queries` all of the SQL, `changes` and `mobilities` the services
//! that combine them in the caller's transaction, `api` the JSON handlers, `pages` and
//! `detail` the HTML ones. `mobility_counts` is kept in step with `mobilities` in the same
//! transaction as every change (see `mobilities`), and balances read the counts.

pub mod api;
pub mod changes;
pub mod detail;
mod edit_page;
pub mod mobilities;
pub mod model;
pub mod pages;
pub mod queries;

use axum::routing::{delete, get, patch, post, put};

use crate::{
    auth::{Access, Permission},
    web::routes::Routes,
};

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api::list_programmes,
        api::create_programme,
        api::get_programme,
        api::update_programme,
        api::set_quotas,
        api::add_coordinator,
        api::list_mobilities,
        api::create_mobility,
        api::get_mobility,
        api::change_mobility_status,
        api::delete_mobility,
        api::get_balance,
    ),
    tags((name = "programmes", description = "Programmes, quotas, mobilities and exchange balances"))
)]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let edit = Access::Permission(Permission::EditAgreements);
    let record = Access::Permission(Permission::EditMobilities);
    Routes::new()
        .get("/api/v1/programmes", view, get(api::list_programmes))
        .post("/api/v1/programmes", edit, post(api::create_programme))
        .get("/api/v1/programmes/{id}", view, get(api::get_programme))
        .patch("/api/v1/programmes/{id}", edit, patch(api::update_programme))
        .add(axum::http::Method::PUT, "/api/v1/programmes/{id}/quotas", edit, put(api::set_quotas))
        .post("/api/v1/programmes/{id}/coordinators", edit, post(api::add_coordinator))
        .get("/api/v1/mobilities", view, get(api::list_mobilities))
        .post("/api/v1/mobilities", record, post(api::create_mobility))
        .get("/api/v1/mobilities/{id}", view, get(api::get_mobility))
        .post("/api/v1/mobilities/{id}/status", record, post(api::change_mobility_status))
        .delete("/api/v1/mobilities/{id}", record, delete(api::delete_mobility))
        .get("/api/v1/agreements/{id}/balance", view, get(api::get_balance))
        .merge(pages::routes())
}
