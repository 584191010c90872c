//! News: bilingual articles about the office's work (visits, agreements, programmes) —
//! language versions with revisions and optimistic concurrency, Markdown rendered to safe
//! HTML, photos, links to records, the editorial chain (author, translator, photographer,
//! proofreader, reviewer) whose steps become the credits, the proofreading aid, and the
//! public site (list, article pages, Atom feed, sitemap, view counts).

pub mod model;
pub mod pages;
pub mod photos;
pub mod proofread;
pub mod public;
pub mod views;

use crate::web::routes::Routes;

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "news", description = "News articles: versions, revisions, editorial workflow, photos")))]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    Routes::new()
        .merge(photos::routes())
        .merge(public::routes())
        .merge(pages::routes())
}
