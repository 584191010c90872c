//! The OpenAPI 3.1 document of the JSON API and its readable `/api/docs` page.
//!
//! Paths and schemas come from `#[utoipa::path]` annotations on the handlers; each
//! operation also gets an `x-access` extension from the route table, so the document
//! states who may call what.

use axum::{
    Json,
    extract::State,
    response::{Html, IntoResponse, Response},
    routing::get,
};
use utoipa::OpenApi;

use crate::{
    auth::Access,
    web::{AppState, routes::Routes},
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Liaison API", description = "JSON API of Liaison, the international cooperation and exchange office's system. \
        Authenticate with 'Authorization: Bearer <token>' (create tokens with POST /api/v1/tokens or `liaison user token`). \
        Errors are RFC 9457 problem details (application/problem+json)."),
    paths(
        crate::account::api::me,
        crate::account::api::create_token,
        crate::account::api::revoke_token,
        crate::account::api::list_users,
        crate::account::api::create_user,
        crate::account::api::add_grant,
        crate::institutions::api::list_institutions,
        crate::institutions::api::get_institution,
        crate::institutions::api::create_institution,
        crate::institutions::api::update_institution,
        crate::institutions::api::delete_institution,
        crate::institutions::api::institution_history,
        crate::institutions::api::list_people,
        crate::institutions::api::get_person,
        crate::institutions::api::create_person,
        crate::institutions::api::person_history,
        crate::institutions::directory::list_directory,
        crate::institutions::directory::promote_entry,
        crate::institutions::directory::match_institution,
        crate::institutions::records::list_units,
        crate::institutions::records::create_unit,
        crate::institutions::records::update_unit,
        crate::institutions::records::delete_unit,
        crate::institutions::records::update_person,
        crate::institutions::records::delete_person,
        crate::institutions::records::add_position,
        crate::institutions::records::delete_position,
        crate::institutions::records::add_partnership,
        crate::institutions::records::merge_institutions,
        crate::institutions::records::merge_people,
        crate::rooms::api::list_buildings,
        crate::rooms::api::create_building,
        crate::rooms::api::list_rooms,
        crate::rooms::api::create_room,
        crate::rooms::api::get_room,
        crate::rooms::api::free_rooms,
        crate::rooms::api::list_bookings,
        crate::rooms::api::create_booking,
        crate::rooms::api::update_booking,
        meta_routes,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError, crate::audit::AuditEvent)),
    tags(
        (name = "institutions", description = "Partner institutions, units, people and positions"),
        (name = "account", description = "The caller's account and API tokens"),
        (name = "users", description = "User accounts and role grants (administrators)"),
        (name = "rooms", description = "Buildings, rooms and bookings"),
        (name = "meta", description = "About the API itself"),
    )
)]
struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    Routes::new().get("/api/openapi.json", Access::Public, get(openapi_json)).get("/api/docs", Access::Public, get(docs_page)).get(
        "/api/v1/meta/routes",
        Access::Permission(crate::auth::Permission::ManageUsers),
        get(meta_routes),
    )
}

/// The document with `x-access` filled in from the route table.
pub fn document(state: &AppState) -> serde_json::Value {
    // Modules added after the foundation keep their operations in their own `ApiDoc`.
    let mut api = ApiDoc::openapi();
    api.merge(crate::visits::ApiDoc::openapi());
    api.merge(crate::trips::ApiDoc::openapi());
    api.merge(crate::calendar::ApiDoc::openapi());
    api.merge(crate::agreements::ApiDoc::openapi());
    api.merge(crate::expiry::ApiDoc::openapi());
    api.merge(crate::news::ApiDoc::openapi());
    api.merge(crate::programmes::ApiDoc::openapi());
    api.merge(crate::reports::ApiDoc::openapi());
    let mut doc = serde_json::to_value(api).unwrap_or_default();
    for r in state.routes.iter() {
        let op = &mut doc["paths"][&r.path][r.method.to_ascii_lowercase()];
        if op.is_object() {
            op["x-access"] = serde_json::to_value(r.access).unwrap_or_default();
        }
    }
    doc
}

async fn openapi_json(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(document(&state))
}

/// `GET /api/v1/meta/routes`: every route of the application, pages included, with the
/// access it requires (administrators).
#[utoipa::path(get, path = "/api/v1/meta/routes", tag = "meta", responses((status = 200, body = Vec<crate::web::routes::RouteInfo>)))]
pub async fn meta_routes(State(state): State<AppState>) -> Json<Vec<crate::web::routes::RouteInfo>> {
    Json(state.routes.to_vec())
}

async fn docs_page() -> Response {
    Html(include_str!("../templates/api-docs.html")).into_response()
}
