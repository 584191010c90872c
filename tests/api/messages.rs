//! Validation messages in the caller's language: problem documents for Chinese API
//! requests, and forms re-rendered for Chinese users.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// A visit that fails validation twice: no title, and it ends before it starts.
fn bad_visit() -> Value {
    json!({
        "direction": "inbound", "title": "", "purpose": "Talks",
        "start_date": "2024-05-10", "end_date": "2024-05-08", "institution_ids": []
    })
}

async fn post_in(app: &TestApp, token: &str, lang: &str, body: Value) -> (u16, Option<String>, Value) {
    let res = app
        .client
        .request(Method::POST, app.url("/api/v1/visits"))
        .bearer_auth(token)
        .header("accept-language", lang)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    (status, content_type, res.json().await.unwrap_or(Value::Null))
}

fn message_of<'a>(problem: &'a Value, field: &str) -> &'a str {
    problem["errors"].as_array().and_then(|a| a.iter().find(|e| e["field"] == field)).and_then(|e| e["message"].as_str()).unwrap_or("")
}

#[tokio::test]
async fn a_chinese_api_request_gets_its_field_messages_in_chinese() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;

    let (status, content_type, problem) = post_in(&app, &token, "zh-CN,zh;q=0.9,en;q=0.5", bad_visit()).await;

    assert_eq!(status, 422, "{problem}");
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    assert_eq!(problem["title"], "部分字段需要修改");
    assert_eq!(message_of(&problem, "title"), "请填写来访标题", "{problem}");
    assert_eq!(message_of(&problem, "end_date"), "来访的结束日期早于开始日期", "{problem}");
    assert_eq!(problem["errors"][0]["field"], "title", "field names stay as sent");
}

#[tokio::test]
async fn an_english_api_request_keeps_the_english_messages() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;

    let (status, _, problem) = post_in(&app, &token, "en", bad_visit()).await;

    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["title"], "Some fields need attention");
    assert_eq!(message_of(&problem, "title"), "give the visit a title");
    assert_eq!(message_of(&problem, "end_date"), "the visit ends before it starts");
}

#[tokio::test]
async fn messages_with_numbers_are_translated_around_them() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;
    let mut body = bad_visit();
    body["title"] = json!("Talks");
    body["end_date"] = json!("2024-05-10");
    body["institution_ids"] = json!([987654]);

    let (status, _, problem) = post_in(&app, &token, "zh", body).await;

    assert_eq!(status, 422, "{problem}");
    assert_eq!(message_of(&problem, "institution_ids[0]"), "不存在编号为 987654 的院校", "{problem}");
}

#[tokio::test]
async fn a_form_re_rendered_for_a_chinese_user_shows_chinese_messages() {
    let app = spawn_app().await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/").await;
    app.client.post(app.url("/settings/language")).form(&[("_csrf", csrf.as_str()), ("lang", "zh")]).send().await.expect("switch");
    let csrf = app.csrf_from(&app.client, "/visits/new").await;

    let res = app
        .client
        .post(app.url("/visits/new"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("direction", "inbound"),
            ("title", ""),
            ("start_date", "2024-05-10"),
            ("end_date", "2024-05-08"),
            ("institution", ""),
        ])
        .send()
        .await
        .expect("post");
    let status = res.status().as_u16();
    let html = res.text().await.expect("html");

    assert_eq!(status, 422);
    assert!(html.contains("请填写来访标题"), "{html}");
    assert!(html.contains("来访的结束日期早于开始日期"), "{html}");
    assert!(!html.contains("give the visit a title"));
}
