use crate::helpers::spawn_app;

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
