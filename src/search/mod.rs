//! One search box for everything: institutions, people, visits, agreements, programmes,
//! mobilities, articles and rooms, in Chinese, English and Malay alike, ranked, with the
//! kind of each hit, as you type in the header and at `/api/v1/search?q=`. Staff find
//! every record; everyone else (the public site, students) only partners on the public
//! page and published articles.
//!
//! The index is a table of documents written by the application (`documents`, `index`)
//! in the same transaction as each change, over terms it cuts itself (`text`), so both
//! engines index and find the same terms: FTS5 on SQLite, a GIN `tsvector('simple')` on
//! PostgreSQL. See `docs/SEARCH.md` for the measurements behind the choice.

mod api;
mod documents;
pub mod index;
mod pages;
pub mod query;
pub mod text;

use axum::routing::get;

pub use documents::KINDS;

use crate::{auth::Access, web::routes::Routes};

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::search), tags((name = "search", description = "One search across every kind of record")))]
pub struct ApiDoc;

/// Installs the index's refresh after every audited change (idempotent). Called by the
/// application and by every command line that writes.
pub fn install() {
    crate::audit::on_change(index::after_change);
}

/// Routes of this module.
pub fn routes() -> Routes {
    Routes::new().get("/api/v1/search", Access::Public, get(api::search)).get("/search", Access::Public, get(pages::search_page)).get(
        "/search/suggest",
        Access::Public,
        get(pages::suggest),
    )
}
