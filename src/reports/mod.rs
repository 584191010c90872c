//! Reports across modules: partners × cooperation areas, agreements, mobilities and
//! visits by year, as tables, SVG charts, CSV and XLSX; the leadership dashboard.
//! Read-only SQL of its own over the other modules' tables (no calls into their code).

pub mod api;
pub mod model;
pub mod pages;
pub mod queries;
pub mod svg;

use axum::routing::get;

use crate::{
    auth::{Access, Permission},
    web::routes::Routes,
};

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::get_report), tags((name = "reports", description = "Reports")))]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    Routes::new()
        .get("/api/v1/reports/{name}", view, get(api::get_report))
        .get("/reports", view, get(pages::dashboard))
        // The page and its downloads (`.csv`, `.xlsx`, `.svg`) share one path segment.
        .get("/reports/{name}", view, get(pages::report))
}
