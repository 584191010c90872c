//! Mobility applications: the office opens a call (a programme, an academic year, a
//! direction, partners with places, conditions, documents, scoring criteria); students
//! apply with ranked partners and documents; the office screens, scores, ranks and
//! allocates places (a pure function with an explanation per student), publishes the
//! results; students accept or decline (places given up go to the next in rank); the
//! office nominates, which creates the mobilities in `programmes`; partners answer
//! through signed links. See `docs/ARCHITECTURE.md`, "Applications".
//!
//! `model` holds the types and the pure rules (status machine, scoring, allocation),
//! `queries` all of the SQL, `calls`, `student`, `office`, `nomination` and `documents`
//! the services over one transaction, `links` the signed links, `notify` the e-mail,
//! `api` and `pages` the HTTP faces.

pub mod api;
pub mod cache;
pub mod calls;
pub mod demo;
pub mod documents;
pub mod links;
pub mod model;
pub mod nomination;
pub mod notify;
pub mod office;
pub mod pages;
pub mod queries;
pub mod student;

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, patch, post, put},
};

use crate::{
    auth::{Access, Permission},
    web::routes::Routes,
};

/// The absolute base of links sent by e-mail (the public URL), registered by `app`.
pub struct PublicBase(pub String);

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api::calls::list_calls,
        api::calls::create_call,
        api::calls::get_call,
        api::calls::close_call,
        api::calls::screen,
        api::calls::allocate,
        api::calls::publish,
        api::calls::nominate,
        api::calls::incoming,
        api::calls::partner_link,
        api::applications::list_applications,
        api::applications::start_application,
        api::applications::get_application,
        api::applications::update_application,
        api::applications::take_step,
        api::applications::upload_document,
        api::applications::download_document,
        api::applications::set_eligibility,
        api::applications::set_scores,
        api::applications::set_interview,
        api::applications::set_allocation,
    ),
    tags((name = "applications", description = "Calls for exchange places, students' applications, allocation and nomination"))
)]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    use api::{applications as a, calls as c};
    let office = Access::Permission(Permission::ManageApplications);
    let apply = Access::Permission(Permission::Apply);
    let signed_in = Access::Authenticated;
    let upload = post(a::upload_document).layer(DefaultBodyLimit::max(documents::MAX_BYTES as usize));
    Routes::new()
        .get("/api/v1/calls", Access::Public, get(c::list_calls))
        .post("/api/v1/calls", office, post(c::create_call))
        .get("/api/v1/calls/{id}", Access::Public, get(c::get_call))
        .post("/api/v1/calls/{id}/close", office, post(c::close_call))
        .post("/api/v1/calls/{id}/screen", office, post(c::screen))
        .post("/api/v1/calls/{id}/allocate", office, post(c::allocate))
        .post("/api/v1/calls/{id}/publish", office, post(c::publish))
        .post("/api/v1/calls/{id}/nominate", office, post(c::nominate))
        .post("/api/v1/calls/{id}/incoming", office, post(c::incoming))
        .post("/api/v1/calls/{id}/partners/{partner_id}/link", office, post(c::partner_link))
        .post("/api/v1/calls/{id}/applications", apply, post(a::start_application))
        .get("/api/v1/applications", signed_in, get(a::list_applications))
        .get("/api/v1/applications/{id}", signed_in, get(a::get_application))
        .patch("/api/v1/applications/{id}", apply, patch(a::update_application))
        .post("/api/v1/applications/{id}/steps", apply, post(a::take_step))
        .post("/api/v1/applications/{id}/documents", apply, upload)
        .get("/api/v1/applications/{id}/documents/{doc_id}", signed_in, get(a::download_document))
        .post("/api/v1/applications/{id}/eligibility", office, post(a::set_eligibility))
        .add(axum::http::Method::PUT, "/api/v1/applications/{id}/scores", office, put(a::set_scores))
        .add(axum::http::Method::PUT, "/api/v1/applications/{id}/interview", office, put(a::set_interview))
        .post("/api/v1/applications/{id}/allocation", office, post(a::set_allocation))
        .merge(pages::routes())
}
