//! Reports across modules: partners × cooperation areas, agreements, mobilities and
//! visits by year, as tables, SVG charts, CSV and XLSX; the leadership dashboard.

use crate::web::routes::Routes;

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(), tags((name = "reports", description = "Reports")))]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    Routes::new()
}
