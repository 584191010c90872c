//! What every operation shares and the annotations leave out: how to authenticate, and
//! the problem details it may answer with. Both follow from the route's access and from
//! the operation's method, parameters and body, so they are added here rather than on
//! each handler.

use serde_json::{Value, json};

use crate::auth::session::SESSION_COOKIE;

/// The shared error responses: status, component name and when it happens.
const PROBLEMS: [(&str, &str, &str); 8] = [
    ("400", "BadRequest", "The body is not well-formed JSON or could not be read."),
    ("401", "Unauthorized", "No valid credential: send 'Authorization: Bearer <token>' or log in."),
    ("403", "Forbidden", "The caller lacks the permission (or a cookie-authenticated call lacks its CSRF token)."),
    ("404", "NotFound", "No such record, or a path parameter that is not one."),
    ("409", "Conflict", "The change conflicts with existing data (a duplicate, or a record still referenced)."),
    ("413", "TooLarge", "The body is larger than the server accepts."),
    ("415", "UnsupportedMediaType", "The body is not sent with the documented content type."),
    ("422", "Unprocessable", "The body or query string is well-formed but not acceptable; `errors` names the fields."),
];

/// Adds the security schemes and the shared problem responses to the components.
pub(super) fn add_components(doc: &mut Value) {
    if !doc["components"].is_object() {
        doc["components"] = json!({});
    }
    doc["components"]["securitySchemes"] = json!({
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (POST /api/v1/tokens or `liaison user token`)."
        },
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": SESSION_COOKIE,
            "description": "The browser session; state-changing calls with it also need the X-CSRF-Token header."
        }
    });
    let responses: serde_json::Map<String, Value> = PROBLEMS
        .iter()
        .map(|(_, name, description)| {
            let content = json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}});
            (name.to_string(), json!({"description": description, "content": content}))
        })
        .collect();
    doc["components"]["responses"] = Value::Object(responses);
}

/// Gives an operation its `security` (unless it is public) and the problem responses it
/// can answer with, keeping any response its annotation already documents.
pub(super) fn add_to_operation(method: &str, path: &str, op: &mut Value) {
    let statuses = problem_statuses(method, path, op);
    if secured(op) {
        op["security"] = json!([{"bearer": []}, {"session": []}]);
    }
    if !op["responses"].is_object() {
        op["responses"] = json!({});
    }
    let Some(responses) = op["responses"].as_object_mut() else { return };
    for (status, response) in responses.iter_mut().filter(|(s, r)| s.starts_with(['4', '5']) && r.get("$ref").is_none()) {
        as_problem(status, response);
    }
    for (status, name, _) in PROBLEMS.iter().filter(|(s, _, _)| statuses.contains(s)) {
        responses.entry(status.to_string()).or_insert_with(|| json!({"$ref": format!("#/components/responses/{name}")}));
    }
}

/// Errors are always problem details: an annotated error response gets that content
/// type (annotations can only say `application/json`) and the `Problem` schema.
fn as_problem(status: &str, response: &mut Value) {
    let schema = response["content"]["application/json"]["schema"].take();
    let schema = if schema.is_object() { schema } else { json!({"$ref": "#/components/schemas/Problem"}) };
    response["content"] = json!({"application/problem+json": {"schema": schema}});
    if response.get("description").is_none() {
        response["description"] = json!(status);
    }
}

/// Every route but a public one needs a caller.
fn secured(op: &Value) -> bool {
    op["x-access"]["kind"].as_str() != Some("public")
}

/// The problem statuses an operation can answer with.
fn problem_statuses(method: &str, path: &str, op: &Value) -> Vec<&'static str> {
    let mut statuses = Vec::new();
    if secured(op) {
        statuses.extend(["401", "403"]);
    }
    if path.contains('{') {
        statuses.push("404");
    }
    let has_body = op["requestBody"].is_object();
    let has_query = op["parameters"].as_array().is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
    if has_body {
        statuses.extend(["400", "413", "415"]);
    }
    if has_body || has_query {
        statuses.push("422");
    }
    if matches!(method, "post" | "put" | "patch" | "delete") {
        statuses.push("409");
    }
    statuses
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_protected_patch_with_a_path_parameter_gets_the_body_and_record_problems() {
        let mut op =
            json!({"x-access": {"kind": "permission", "permission": "edit_partners"}, "requestBody": {}, "responses": {"200": {}}});
        add_to_operation("patch", "/api/v1/things/{id}", &mut op);
        let statuses: Vec<&String> = op["responses"].as_object().expect("responses").keys().collect();
        for s in ["200", "400", "401", "403", "404", "409", "413", "415", "422"] {
            assert!(statuses.iter().any(|k| *k == s), "{s} missing from {statuses:?}");
        }
        assert_eq!(op["security"][0]["bearer"], json!([]));
    }

    #[test]
    fn a_public_listing_gets_neither_security_nor_auth_problems() {
        let mut op = json!({"x-access": {"kind": "public"}, "responses": {"200": {}}});
        add_to_operation("get", "/api/v1/things", &mut op);
        assert!(op.get("security").is_none());
        assert_eq!(op["responses"].as_object().map(|r| r.len()), Some(1));
    }
}
