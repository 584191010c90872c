//! Programmes under agreements (typed by cooperation area, quotas per academic year and
//! direction, coordinators) and the mobilities in them, with the exchange balance.

use crate::web::routes::Routes;

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(), tags((name = "programmes", description = "Programmes, quotas, mobilities and exchange balances")))]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    Routes::new()
}
