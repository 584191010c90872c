//! Agreements: MoUs and programme, exchange, progression and research agreements — parties,
//! cooperation areas, dated status history, signatories, versioned documents, renewal
//! chains — and their expiry (list, dashboard tile, weekly digest, calendar feed).

use crate::web::routes::Routes;

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(), tags((name = "agreements", description = "Agreements, signatories, documents, expiry")))]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    Routes::new()
}
