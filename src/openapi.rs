//! The OpenAPI 3.1 document of the JSON API and its readable `/api/docs` page.
//!
//! Paths and schemas come from `#[utoipa::path]` annotations on the handlers. The
//! document keeps only the annotated operations that the route table serves under
//! `/api/` (pages and feeds are not the JSON API), gives each an `x-access` extension
//! with the route's access, so it states who may call what, and mends what the
//! annotations leave invalid (see [`document`]). `tests/api/ops.rs` checks it with
//! `openapi-spec-validator` and against a snapshot of its operations.

use axum::{
    Json,
    extract::State,
    response::{Html, IntoResponse, Response},
    routing::get,
};
use serde_json::{Map, Value, json};
use utoipa::{
    IntoParams, OpenApi,
    openapi::path::{Parameter, ParameterIn},
};

mod generic;

use crate::{
    auth::Access,
    web::{
        AppState,
        routes::{RouteInfo, Routes},
    },
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
        crate::account::api::get_user,
        crate::account::api::update_user,
        crate::account::api::revoke_grant,
        crate::account::api::reset_password,
        crate::sso::api::list_identities,
        crate::sso::api::link_identity,
        crate::sso::api::unlink_identity,
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

/// The document: the annotated operations that are routed under `/api/`, each with
/// `x-access` from the route table. Annotated operations without a route (and pages)
/// are left out, so the document lists exactly what the API answers; responses get
/// their required descriptions, query parameters their place and operation ids are
/// made unique.
pub fn document(state: &AppState) -> Value {
    let mut doc = serde_json::to_value(annotated()).unwrap_or_default();
    let documented = match doc.get_mut("paths").map(Value::take) {
        Some(Value::Object(paths)) => paths,
        _ => Map::new(),
    };
    let mut paths = routed_paths(documented, &state.routes);
    repair(&mut paths);
    doc["paths"] = Value::Object(paths);
    generic::add_components(&mut doc);
    doc
}

/// Every module's annotations in one document.
fn annotated() -> utoipa::openapi::OpenApi {
    let mut api = ApiDoc::openapi();
    for module in module_docs() {
        api.merge(module);
    }
    api
}

/// Modules added after the foundation keep their operations in their own `ApiDoc`.
fn module_docs() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        crate::visits::ApiDoc::openapi(),
        crate::trips::ApiDoc::openapi(),
        crate::calendar::ApiDoc::openapi(),
        crate::agreements::ApiDoc::openapi(),
        crate::expiry::ApiDoc::openapi(),
        crate::news::ApiDoc::openapi(),
        crate::programmes::ApiDoc::openapi(),
        crate::applications::ApiDoc::openapi(),
        crate::reports::ApiDoc::openapi(),
        crate::search::ApiDoc::openapi(),
    ]
}

/// The operation keys of an OpenAPI path item.
const OPERATIONS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Keeps the documented operations that the route table serves under `/api/`, adding
/// each route's access as `x-access`; path items without any such operation go.
fn routed_paths(mut documented: Map<String, Value>, routes: &[RouteInfo]) -> Map<String, Value> {
    let mut paths = Map::new();
    for r in routes.iter().filter(|r| r.path.starts_with("/api/")) {
        let method = r.method.to_ascii_lowercase();
        let Some(item) = documented.get_mut(&r.path) else { continue };
        let Some(mut op) = item.get_mut(&method).map(Value::take).filter(Value::is_object) else { continue };
        op["x-access"] = serde_json::to_value(r.access).unwrap_or_default();
        let routed = paths.entry(r.path.clone()).or_insert_with(|| without_operations(item));
        routed[&method] = op;
    }
    paths
}

/// A path item's shared fields (summary, parameters, …) without its operations.
fn without_operations(item: &Value) -> Value {
    let mut shared = item.as_object().cloned().unwrap_or_default();
    shared.retain(|k, _| !OPERATIONS.contains(&k.as_str()));
    Value::Object(shared)
}

async fn openapi_json(State(state): State<AppState>) -> Json<Value> {
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

/// Mends what the annotations get wrong for OpenAPI 3.1: responses without the required
/// description, query parameters that utoipa places in the path, and operation ids that
/// two modules share; and adds what they leave out: security and problem responses.
fn repair(paths: &mut Map<String, Value>) {
    for (path, item) in paths.iter_mut() {
        for (method, op) in operations_mut(item) {
            describe_responses(op);
            move_query_parameters(&method, path, op);
            generic::add_to_operation(&method, path, op);
        }
    }
    unique_operation_ids(paths);
}

/// The operations of a path item with their lower-case methods.
fn operations_mut(item: &mut Value) -> Vec<(String, &mut Value)> {
    let Some(item) = item.as_object_mut() else { return Vec::new() };
    item.iter_mut().filter(|(k, v)| OPERATIONS.contains(&k.as_str()) && v.is_object()).map(|(k, v)| (k.clone(), v)).collect()
}

/// Gives every response without a description its status's reason phrase.
fn describe_responses(op: &mut Value) {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { return };
    for (status, response) in responses.iter_mut() {
        if response.is_object() && response.get("description").is_none() {
            response["description"] = json!(reason_phrase(status));
        }
    }
}

/// `OK` for `200`, `Not Found` for `404`, `Response` for anything unknown.
fn reason_phrase(status: &str) -> &'static str {
    status
        .parse::<u16>()
        .ok()
        .and_then(|code| axum::http::StatusCode::from_u16(code).ok())
        .and_then(|code| code.canonical_reason())
        .unwrap_or("Response")
}

/// utoipa puts the fields of a `#[derive(IntoParams)]` struct in the path (and so marks
/// them required) unless the struct says otherwise. A "path" parameter that the path
/// template does not name is a query parameter: it moves to the query, required only
/// when it cannot be null, or as its struct says where the struct is known to
/// [`query_structs`] (fields with defaults).
fn move_query_parameters(method: &str, path: &str, op: &mut Value) {
    let declared = declared_query_parameters(method, path);
    let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else { return };
    for param in params.iter_mut().filter(|p| p["in"] == "path") {
        let name = param["name"].as_str().unwrap_or_default().to_string();
        if path.contains(&format!("{{{name}}}")) {
            continue;
        }
        let required = match declared.iter().find(|d| d.name == name) {
            Some(d) => matches!(d.required, utoipa::openapi::Required::True),
            None => !nullable(&param["schema"]),
        };
        param["in"] = json!("query");
        param["required"] = json!(required);
    }
}

/// True when a schema admits `null`.
fn nullable(schema: &Value) -> bool {
    match &schema["type"] {
        Value::Array(types) => types.iter().any(|t| t == "null"),
        t => t == "null",
    }
}

/// The query parameters of `method path` as its struct declares them, when the struct is
/// one of [`query_structs`].
fn declared_query_parameters(method: &str, path: &str) -> Vec<Parameter> {
    query_structs().into_iter().filter(|(m, p, _)| *m == method && *p == path).flat_map(|(_, _, params)| params()).collect()
}

/// A query struct's parameters, read as query parameters.
type QueryParams = fn() -> Vec<Parameter>;

/// Query structs whose non-optional fields have defaults, which the schema alone does not
/// show.
fn query_structs() -> Vec<(&'static str, &'static str, QueryParams)> {
    vec![("post", "/api/v1/articles/{id}/photos", || crate::news::photos::api::UploadPhotoQuery::into_params(|| Some(ParameterIn::Query)))]
}

/// Operation ids must be unique across the document: an id that several operations
/// share is prefixed with each one's tag (or, failing that, named after method and path).
fn unique_operation_ids(paths: &mut Map<String, Value>) {
    let mut count = std::collections::HashMap::<String, usize>::new();
    for item in paths.values_mut() {
        for (_, op) in operations_mut(item) {
            if let Some(id) = op["operationId"].as_str() {
                *count.entry(id.to_string()).or_default() += 1;
            }
        }
    }
    for (path, item) in paths.iter_mut() {
        for (method, op) in operations_mut(item) {
            let Some(id) = op["operationId"].as_str().filter(|id| count.get(*id).is_some_and(|n| *n > 1)) else { continue };
            let renamed = match op["tags"][0].as_str() {
                Some(tag) => format!("{tag}_{id}"),
                None => format!("{method}_{}", path.trim_matches('/').replace(['/', '{', '}'], "_")),
            };
            op["operationId"] = json!(renamed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Merging keeps one schema per name, so two types of the same name in different
    /// modules would silently describe one with the other's schema.
    #[test]
    fn no_two_modules_name_different_schemas_alike() {
        let mut seen = std::collections::BTreeMap::<String, Value>::new();
        for doc in std::iter::once(ApiDoc::openapi()).chain(module_docs()) {
            let schemas = doc.components.map(|c| c.schemas).unwrap_or_default();
            for (name, schema) in schemas {
                let schema = serde_json::to_value(schema).unwrap_or_default();
                if let Some(other) = seen.insert(name.clone(), schema.clone()) {
                    assert_eq!(other, schema, "two different schemas are named {name}; rename one with #[schema(as = ...)]");
                }
            }
        }
    }
}
