//! Visits: delegations received and sent — institutions, purpose, dates, status with
//! reasons, the delegation (named members with roles plus a head count), hosts, the
//! agenda (sessions in rooms or elsewhere, with topics and minutes), outcomes and
//! follow-up actions.

use crate::web::routes::Routes;

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(), tags((name = "visits", description = "Visits: delegations, agenda, outcomes and actions")))]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    Routes::new()
}
