//! Visits: delegations received and sent — institutions, purpose, dates, status with
//! reasons, the delegation (named members with roles plus a head count), hosts, the
//! agenda (sessions in rooms or elsewhere, with topics and minutes), outcomes and
//! follow-up actions.

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;
pub mod reminders;
pub mod sessions;

use axum::routing::{delete, get, patch, post};

use crate::{
    auth::{Access, Permission},
    web::routes::Routes,
};

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api::list_visits,
        api::get_visit,
        api::create_visit,
        api::update_visit,
        api::change_status,
        api::add_member,
        api::remove_member,
        api::add_host,
        api::remove_host,
        api::create_session,
        api::update_session,
        api::delete_session,
        api::create_outcome,
        api::create_action,
        api::update_action,
        api::list_actions,
    ),
    tags((name = "visits", description = "Visits: delegations, agenda, outcomes and actions"))
)]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let edit = Access::Permission(Permission::EditVisits);
    Routes::new()
        .get("/api/v1/visits", view, get(api::list_visits))
        .post("/api/v1/visits", edit, post(api::create_visit))
        .get("/api/v1/visits/{id}", view, get(api::get_visit))
        .patch("/api/v1/visits/{id}", edit, patch(api::update_visit))
        .post("/api/v1/visits/{id}/status", edit, post(api::change_status))
        .post("/api/v1/visits/{id}/members", edit, post(api::add_member))
        .delete("/api/v1/visits/{id}/members/{person_id}", edit, delete(api::remove_member))
        .post("/api/v1/visits/{id}/hosts", edit, post(api::add_host))
        .delete("/api/v1/visits/{id}/hosts/{host_id}", edit, delete(api::remove_host))
        .post("/api/v1/visits/{id}/sessions", edit, post(api::create_session))
        .patch("/api/v1/sessions/{id}", edit, patch(api::update_session))
        .delete("/api/v1/sessions/{id}", edit, delete(api::delete_session))
        .post("/api/v1/visits/{id}/outcomes", edit, post(api::create_outcome))
        .post("/api/v1/visits/{id}/actions", edit, post(api::create_action))
        .get("/api/v1/actions", view, get(api::list_actions))
        .patch("/api/v1/actions/{id}", view, patch(api::update_action))
        .merge(pages::routes())
}
