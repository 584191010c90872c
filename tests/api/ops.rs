use std::{collections::BTreeSet, path::Path, process::Command};

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_answers_ok_and_readyz_sees_the_database() {
    let app = spawn_app().await;

    let health = app.client.get(app.url("/healthz")).send().await.expect("healthz");
    let ready = app.client.get(app.url("/readyz")).send().await.expect("readyz");

    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(health.text().await.expect("body"), "ok");
    assert_eq!(ready.status().as_u16(), 200);
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.client.get(app.url("/healthz")).send().await.expect("healthz");
    }
    app.client.get(app.url("/api/v1/institutions/12345")).send().await.expect("api");

    let text = app.client.get(app.url("/metrics")).send().await.expect("metrics").text().await.expect("body");

    assert!(text.contains("liaison_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 3"), "{text}");
    assert!(text.contains("route=\"/api/v1/institutions/{id}\""), "templates, not raw paths: {text}");
    assert!(text.contains("liaison_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 3"), "{text}");
    assert!(text.contains("liaison_db_pool_connections"), "{text}");
}

#[tokio::test]
async fn openapi_document_is_3_1_and_describes_every_api_route_with_its_access() {
    let app = spawn_app().await;
    let token = app.token_for("root", &["admin"], None).await;

    let doc: serde_json::Value = app.client.get(app.url("/api/openapi.json")).send().await.expect("doc").json().await.expect("json");
    let routes: Vec<serde_json::Value> =
        app.client.get(app.url("/api/v1/meta/routes")).bearer_auth(&token).send().await.expect("routes").json().await.expect("json");

    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3.1"), "{}", doc["openapi"]);
    let api_routes: Vec<&serde_json::Value> = routes.iter().filter(|r| r["path"].as_str().unwrap_or("").starts_with("/api/v1/")).collect();
    assert!(api_routes.len() >= 15, "expected the whole API, got {}", api_routes.len());
    for r in api_routes {
        let (path, method) = (r["path"].as_str().unwrap_or(""), r["method"].as_str().unwrap_or("").to_lowercase());
        let op = &doc["paths"][path][&method];
        assert!(op.is_object(), "{method} {path} is missing from the OpenAPI document");
        assert_eq!(op["x-access"], r["access"], "{method} {path}");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

#[tokio::test]
async fn openapi_document_holds_only_routed_api_operations() {
    let app = spawn_app().await;
    let token = app.token_for("root", &["admin"], None).await;

    let doc = openapi_document(&app).await;
    let routes: Vec<Value> =
        app.client.get(app.url("/api/v1/meta/routes")).bearer_auth(&token).send().await.expect("routes").json().await.expect("json");

    let routed: BTreeSet<(String, String)> =
        routes.iter().map(|r| (r["method"].as_str().unwrap_or("").to_lowercase(), r["path"].as_str().unwrap_or("").to_string())).collect();
    let paths = doc["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    for (path, item) in paths {
        assert!(path.starts_with("/api/"), "{path} is not part of the JSON API");
        for (method, op) in item.as_object().expect("path item").iter().filter(|(k, _)| OPERATIONS.contains(&k.as_str())) {
            assert!(op.is_object(), "{method} {path} is {op}");
            assert!(routed.contains(&(method.clone(), path.clone())), "{method} {path} is documented but not routed");
            assert!(op["x-access"]["kind"].is_string(), "{method} {path} has no x-access");
            if op["x-access"]["kind"] != "public" {
                assert!(op["security"].is_array(), "{method} {path} has no security");
                assert!(op["responses"]["401"].is_object() && op["responses"]["403"].is_object(), "{method} {path}");
            }
        }
    }
}

/// The operation keys of an OpenAPI path item.
const OPERATIONS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// `GET /api/openapi.json`, anonymously.
async fn openapi_document(app: &TestApp) -> Value {
    let res = app.client.get(app.url("/api/openapi.json")).send().await.expect("doc");
    assert_eq!(res.status().as_u16(), 200);
    res.json().await.expect("json")
}

#[tokio::test]
async fn openapi_document_passes_openapi_spec_validator() {
    if !python_module_present("openapi_spec_validator") {
        assert!(std::env::var_os("CI").is_none(), "openapi-spec-validator is missing under CI: scripts/test-deps.sh installs it");
        eprintln!(
            "SKIPPED openapi_document_passes_openapi_spec_validator: python3 module openapi_spec_validator is missing; run scripts/test-deps.sh"
        );
        return;
    }
    let app = spawn_app().await;
    let doc = openapi_document(&app).await;
    let file = app.test_db.dir.join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).expect("serialise")).expect("write document");

    let out = Command::new("python3")
        .args(["-m", "openapi_spec_validator", "--schema", "3.1", "--validation-errors", "all"])
        .arg(&file)
        .output()
        .expect("python3 runs (scripts/test-deps.sh)");

    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "openapi-spec-validator rejects /api/openapi.json:\n{report}");
}

/// True when `python3 -c "import NAME"` succeeds.
fn python_module_present(name: &str) -> bool {
    Command::new("python3").args(["-c", &format!("import {name}")]).output().is_ok_and(|o| o.status.success())
}

/// The committed list of operations (method, path, access) and component schema names.
const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/snapshots/openapi-operations.txt");

#[tokio::test]
async fn openapi_operations_and_schema_names_match_the_snapshot() {
    let app = spawn_app().await;
    let doc = openapi_document(&app).await;

    let actual = snapshot_lines(&doc);
    let committed = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    let expected: BTreeSet<String> = committed.lines().filter(|l| !l.is_empty()).map(str::to_string).collect();

    if std::env::var("LIAISON_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        write_snapshot(Path::new(SNAPSHOT), &actual);
        return;
    }
    let diff = set_diff(&expected, &actual);
    assert!(
        diff.is_empty(),
        "the OpenAPI document differs from {SNAPSHOT} (- snapshot, + document):\n{diff}\n\
         If the change is intended, rewrite the snapshot: LIAISON_UPDATE_SNAPSHOTS=1 cargo test --test api openapi_operations"
    );
}

/// `METHOD /path access` per operation and `schema Name` per component schema, sorted.
fn snapshot_lines(doc: &Value) -> BTreeSet<String> {
    let mut lines = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten().filter(|(k, _)| OPERATIONS.contains(&k.as_str())) {
            lines.insert(format!("{} {path} {}", method.to_uppercase(), access_label(&op["x-access"])));
        }
    }
    for name in doc["components"]["schemas"].as_object().into_iter().flat_map(|s| s.keys()) {
        lines.insert(format!("schema {name}"));
    }
    lines
}

/// `public`, `authenticated`, `permission:NAME`, or the raw JSON for anything else.
fn access_label(access: &Value) -> String {
    match (access["kind"].as_str(), access["permission"].as_str()) {
        (Some("permission"), Some(p)) => format!("permission:{p}"),
        (Some(kind @ ("public" | "authenticated")), None) => kind.to_string(),
        _ => format!("x-access={access}"),
    }
}

/// Rewrites the snapshot file, one line each, sorted.
fn write_snapshot(file: &Path, lines: &BTreeSet<String>) {
    std::fs::create_dir_all(file.parent().expect("snapshot directory")).expect("create snapshot directory");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(file, text).expect("write snapshot");
    eprintln!("rewrote {}", file.display());
}

/// Lines only in `old` (`- `) and only in `new` (`+ `), in sorted order.
fn set_diff(old: &BTreeSet<String>, new: &BTreeSet<String>) -> String {
    old.union(new)
        .filter_map(|l| match (old.contains(l), new.contains(l)) {
            (true, false) => Some(format!("- {l}")),
            (false, true) => Some(format!("+ {l}")),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn api_docs_page_is_served_from_embedded_assets() {
    let app = spawn_app().await;

    let page = app.client.get(app.url("/api/docs")).send().await.expect("docs");
    let status = page.status().as_u16();
    let html = page.text().await.expect("body");
    let script = app.client.get(app.url("/static/api-docs.js")).send().await.expect("js");

    assert_eq!(status, 200);
    assert!(html.contains("/static/api-docs.js"));
    assert_eq!(script.status().as_u16(), 200);
    assert!(script.text().await.expect("js").contains("openapi.json"));
}

#[tokio::test]
async fn with_a_metrics_token_the_metrics_need_it() {
    let app = spawn_app_with(|s| s.metrics_token = Some("scrape-secret-1".into())).await;
    let get = |auth: Option<&'static str>| {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        async move { req.send().await.expect("metrics").status().as_u16() }
    };
    assert_eq!(get(None).await, 404, "no token, even from this machine");
    assert_eq!(get(Some("Bearer wrong")).await, 404);
    assert_eq!(get(Some("Bearer scrape-secret-1")).await, 200);
    assert_eq!(get(Some("bearer scrape-secret-1")).await, 200, "the scheme is case-insensitive");
}
