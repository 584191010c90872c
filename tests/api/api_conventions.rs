use serde_json::Value;

use crate::helpers::spawn_app;

async fn problem(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    assert_eq!(res.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"), "status {status}");
    (status, res.json().await.expect("problem json"))
}

#[tokio::test]
async fn unknown_api_routes_answer_404_problem_details_and_pages_a_friendly_page() {
    let app = spawn_app().await;

    let (status, body) = problem(app.client.get(app.url("/api/v1/nothing-here")).send().await.expect("get")).await;
    let page = app.client.get(app.url("/nothing-here")).header("accept", "text/html").send().await.expect("get");

    assert_eq!(status, 404);
    assert_eq!(body["status"], 404);
    assert_eq!(body["type"], "/problems/not-found");
    assert_eq!(page.status().as_u16(), 404);
    assert!(page.headers()["content-type"].to_str().unwrap_or("").starts_with("text/html"));
    assert!(page.text().await.expect("html").contains("Page not found"));
}

#[tokio::test]
async fn malformed_bodies_get_clear_4xx_answers_and_write_nothing() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;
    let post = |body: Vec<u8>, ct: &'static str| {
        app.client.post(app.url("/api/v1/institutions")).bearer_auth(&token).header("content-type", ct).body(body).send()
    };

    let (syntax, _) = problem(post(b"{\"name_en\": ".to_vec(), "application/json").await.expect("post")).await;
    let (wrong_type, _) = problem(post(b"name_en=x".to_vec(), "text/plain").await.expect("post")).await;
    let (bad_utf8, _) =
        problem(post(b"{\"name_en\": \"\xff\xfe\", \"country\": \"MY\"}".to_vec(), "application/json").await.expect("post")).await;
    let (wrong_shape, shape) =
        problem(post(b"{\"name_en\": 5, \"country\": \"MY\"}".to_vec(), "application/json").await.expect("post")).await;
    let mut big = b"{\"name_en\": \"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 3 * 1024 * 1024));
    big.extend(b"\", \"country\": \"MY\"}");
    let (too_large, _) = problem(post(big, "application/json").await.expect("post")).await;

    assert_eq!(syntax, 400);
    assert_eq!(wrong_type, 415);
    assert_eq!(bad_utf8, 400);
    assert_eq!(wrong_shape, 422);
    assert_eq!(shape["errors"][0]["field"], "name_en");
    assert_eq!(too_large, 413);
    assert_eq!(app.count("institutions").await, 0);
}

#[tokio::test]
async fn bad_path_and_query_values_are_rejected_without_a_500() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;

    let (path_status, _) =
        problem(app.client.get(app.url("/api/v1/institutions/not-a-number")).bearer_auth(&token).send().await.expect("get")).await;
    let (query_status, q) =
        problem(app.client.get(app.url("/api/v1/institutions?page=many")).bearer_auth(&token).send().await.expect("get")).await;
    let (status_status, _) =
        problem(app.client.get(app.url("/api/v1/institutions?status=friends")).bearer_auth(&token).send().await.expect("get")).await;

    assert_eq!(path_status, 404);
    assert_eq!(query_status, 422);
    assert_eq!(q["errors"][0]["field"], "query");
    assert_eq!(status_status, 422);
}

#[tokio::test]
async fn a_forbidden_call_explains_which_permission_is_missing() {
    let app = spawn_app().await;
    let token = app.token_for("reader", &["viewer"], None).await;

    let (status, body) = problem(
        app.client
            .post(app.url("/api/v1/institutions"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name_en": "X", "country": "MY"}))
            .send()
            .await
            .expect("post"),
    )
    .await;

    assert_eq!(status, 403);
    let detail = body["detail"].as_str().unwrap_or("");
    assert!(detail.contains("edit_partners") && detail.contains("viewer"), "{detail}");
}

#[tokio::test]
async fn an_unknown_api_token_is_refused() {
    let app = spawn_app().await;

    let (status, _) = problem(app.client.get(app.url("/api/v1/institutions")).bearer_auth("lia_0000").send().await.expect("get")).await;

    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_bearer_scheme_is_read_in_any_case() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;

    for scheme in ["Bearer", "bearer", "BEARER"] {
        let res = app.client.get(app.url("/api/v1/me")).header("authorization", format!("{scheme} {token}")).send().await.expect("me");
        assert_eq!(res.status().as_u16(), 200, "{scheme}");
    }
}

#[tokio::test]
async fn an_array_is_refused_where_an_object_is_documented() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;
    let (_, created) = crate::helpers::post(
        &app,
        &token,
        "/api/v1/institutions",
        serde_json::json!({"name_en": "Array Test University", "country": "MY"}),
    )
    .await;
    let id = created["id"].as_i64().expect("id");

    let (status, body) = problem(
        app.client
            .patch(app.url(&format!("/api/v1/institutions/{id}")))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body("[null]")
            .send()
            .await
            .expect("patch"),
    )
    .await;

    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "body");
}
