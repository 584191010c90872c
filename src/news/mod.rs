//! News: bilingual articles about the office's work (visits, agreements, programmes) —
//! language versions with revisions and optimistic concurrency, Markdown rendered to safe
//! HTML, photos, links to records, the editorial chain (author, translator, photographer,
//! proofreader, reviewer) whose steps become the credits, the proofreading aid, and the
//! public site (list, article pages, Atom feed, sitemap, view counts).

pub mod api;
pub mod demo;
pub mod draft;
pub mod markdown;
pub mod model;
pub mod pages;
pub mod photos;
pub mod proofread;
pub mod public;
pub mod store;
pub mod views;
pub mod workflow;

use axum::routing::{get, patch, post};

use crate::{
    auth::{Access, Permission},
    web::routes::Routes,
};

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api::list_articles,
        api::create_article,
        api::get_article,
        api::update_article,
        api::save_version,
        api::list_revisions,
        api::restore_revision,
        api::take_step,
        api::proofread_article,
        api::draft_from_visit,
        photos::api::upload_photo,
        photos::api::update_photo,
        photos::api::delete_photo,
        photos::api::serve_photo,
    ),
    tags((name = "news", description = "News articles: versions, revisions, editorial workflow, photos"))
)]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let edit = Access::Permission(Permission::EditNews);
    Routes::new()
        .get("/api/v1/articles", view, get(api::list_articles))
        .post("/api/v1/articles", edit, post(api::create_article))
        .get("/api/v1/articles/{id}", view, get(api::get_article))
        .patch("/api/v1/articles/{id}", edit, patch(api::update_article))
        .post("/api/v1/articles/{id}/versions/{lang}", edit, post(api::save_version))
        .get("/api/v1/articles/{id}/versions/{lang}/revisions", view, get(api::list_revisions))
        .post("/api/v1/articles/{id}/versions/{lang}/restore", edit, post(api::restore_revision))
        .post("/api/v1/articles/{id}/steps", edit, post(api::take_step))
        .get("/api/v1/articles/{id}/proofreading", edit, get(api::proofread_article))
        .post("/api/v1/visits/{id}/draft-article", edit, post(api::draft_from_visit))
        .merge(photos::routes())
        .merge(public::routes())
        .merge(pages::routes())
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    #[test]
    fn the_document_lists_the_article_statuses() {
        let doc = serde_json::to_value(super::ApiDoc::openapi()).expect("document");
        let schemas = &doc["components"]["schemas"];
        let values = &schemas["ArticleStatus"]["enum"];
        assert_eq!(values, &serde_json::json!(["draft", "translation", "proofreading", "review", "approved", "published"]), "{schemas}");
        for (schema, field) in [("Article", "status"), ("ArticleSummary", "status"), ("Step", "from_status"), ("Step", "to_status")] {
            assert_eq!(schemas[schema]["properties"][field]["$ref"], "#/components/schemas/ArticleStatus", "{schema}.{field}");
        }
        let to = &schemas["StepRequest"]["properties"]["to"];
        assert!(to.to_string().contains("ArticleStatus"), "{to}");
        let list = &doc["paths"]["/api/v1/articles"]["get"]["parameters"];
        let filter = list.as_array().and_then(|ps| ps.iter().find(|p| p["name"] == "status")).expect("status filter");
        assert!(filter["schema"].to_string().contains("ArticleStatus"), "{filter}");
    }
}
