//! Agreements: MoUs and programme, exchange, progression and research agreements — parties,
//! cooperation areas, dated status history, signatories, versioned documents (bytes in
//! `crate::files`), renewal chains, and the visit at which one was signed.
//!
//! Types, the status machine ([`AgreementStatus`]) and the rules are in [`model`]; the
//! changes (each checked, written and audited in one transaction) in [`changes`], and all
//! SQL in [`queries`].

pub mod api;
pub mod changes;
pub mod detail_pages;
pub mod documents;
mod edit_page;
pub mod model;
pub mod pages;
pub mod queries;

pub use model::AgreementStatus;

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, patch, post},
};

use crate::{
    auth::{Access, Permission},
    web::routes::Routes,
};

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api::list_agreements,
        api::create_agreement,
        api::get_agreement,
        api::update_agreement,
        api::change_status,
        api::renew_agreement,
        api::add_signatory,
        api::upload_document,
        api::download_document,
    ),
    components(schemas(model::AgreementStatus)),
    tags((name = "agreements", description = "Agreements, signatories, documents, renewal"))
)]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let edit = Access::Permission(Permission::EditAgreements);
    // The upload streams its body and enforces `MAX_DOCUMENT_BYTES` itself; the limit
    // here says so to any extractor and leaves the router's general limit alone.
    let upload = post(api::upload_document).layer(DefaultBodyLimit::max(documents::MAX_DOCUMENT_BYTES as usize));
    Routes::new()
        .get("/api/v1/agreements", view, get(api::list_agreements))
        .post("/api/v1/agreements", edit, post(api::create_agreement))
        .get("/api/v1/agreements/{id}", view, get(api::get_agreement))
        .patch("/api/v1/agreements/{id}", edit, patch(api::update_agreement))
        .post("/api/v1/agreements/{id}/status", edit, post(api::change_status))
        .post("/api/v1/agreements/{id}/renew", edit, post(api::renew_agreement))
        .post("/api/v1/agreements/{id}/signatories", edit, post(api::add_signatory))
        .post("/api/v1/agreements/{id}/documents", edit, upload)
        .get("/api/v1/agreements/{id}/documents/{doc_id}", view, get(api::download_document))
        .merge(pages::routes())
}
