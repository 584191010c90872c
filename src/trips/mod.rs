//! Outbound trips: a request (who, where, why, dates, budget), approved by the unit head
//! and then the international office, closed only after the post-trip report.

use crate::web::routes::Routes;

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(), tags((name = "trips", description = "Outbound trip requests, approvals and reports")))]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    Routes::new()
}
