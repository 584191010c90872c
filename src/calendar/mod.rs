//! iCalendar (RFC 5545) feeds of a visit, a room and a person's sessions, at stable
//! subscribable URLs protected by a secret token.

use crate::web::routes::Routes;

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(), tags((name = "calendar", description = "iCalendar feeds")))]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    Routes::new()
}
