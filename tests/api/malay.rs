//! Malay, the third interface language: pages asked for with `?lang=ms` or
//! `Accept-Language: ms-MY`, the choice remembered for the user (stored as `ms`), problem
//! documents and field messages in Malay, and the invitation letter with its Malay side
//! dated as CLDR writes Malay dates.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, client, seed, spawn_app};

async fn html(app: &TestApp, c: &reqwest::Client, path: &str) -> (u16, String) {
    let res = c.get(app.url(path)).send().await.expect("request");
    (res.status().as_u16(), res.text().await.expect("body"))
}

#[tokio::test]
async fn a_page_asked_for_in_malay_is_in_malay() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("office", &["staff"]).await;

    let (status, page) = html(&app, &app.client, &format!("/visits/{}?lang=ms", ids.visit)).await;

    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<html lang=\"ms\">"), "{page}");
    assert!(page.contains("Delegasi") && page.contains("Tindakan susulan") && page.contains("Log keluar"), "{page}");
    assert!(!page.contains("Follow-up actions") && !page.contains(">Log out<"), "{page}");
    assert!(page.contains("lang=\"ms\" aria-pressed=\"true\">Bahasa Melayu</button>"), "the switch marks Malay: {page}");
}

#[tokio::test]
async fn a_malay_browser_gets_the_login_page_in_malay() {
    let app = spawn_app().await;

    let res = app.client.get(app.url("/login")).header("accept-language", "ms-MY,ms;q=0.9,en;q=0.5").send().await.expect("login");
    let page = res.text().await.expect("html");

    assert!(page.contains("<html lang=\"ms\">"), "{page}");
    assert!(page.contains("Nama pengguna") && page.contains("Kata laluan"), "{page}");
}

#[tokio::test]
async fn malay_chosen_on_the_switch_is_stored_and_remembered_in_another_browser() {
    let app = spawn_app().await;
    let id = app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/").await;

    let switch =
        app.client.post(app.url("/settings/language")).form(&[("_csrf", csrf.as_str()), ("lang", "ms")]).send().await.expect("switch");
    let other_browser = client();
    app.login(&other_browser, "mei", PASSWORD).await;
    let (_, home) = html(&app, &other_browser, "/").await;
    let stored: String = sqlx::query_scalar("SELECT locale FROM users WHERE id = $1").bind(id).fetch_one(&app.db.pool).await.expect("user");

    assert_eq!(switch.status().as_u16(), 303);
    assert_eq!(stored, "ms");
    assert!(home.contains("<html lang=\"ms\">") && home.contains("Institusi rakan kongsi"), "{home}");
}

#[tokio::test]
async fn the_database_refuses_a_language_it_does_not_know() {
    let app = spawn_app().await;
    let id = app.add_user("mei", &["staff"], None).await;

    let refused = sqlx::query("UPDATE users SET locale = 'fr' WHERE id = $1").bind(id).execute(&app.db.pool).await;

    assert!(refused.is_err(), "the CHECK constraint still guards the column");
}

/// Posts a visit in Malay: (status, Content-Language, body).
async fn post_visit(app: &TestApp, token: &str, body: &Value) -> (u16, Option<String>, Value) {
    let res = app
        .client
        .request(Method::POST, app.url("/api/v1/visits"))
        .bearer_auth(token)
        .header("accept-language", "ms-MY")
        .json(body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let language = res.headers().get("content-language").and_then(|v| v.to_str().ok()).map(str::to_string);
    (status, language, res.json().await.unwrap_or(Value::Null))
}

fn message_of<'a>(problem: &'a Value, field: &str) -> &'a str {
    problem["errors"].as_array().and_then(|a| a.iter().find(|e| e["field"] == field)).and_then(|e| e["message"].as_str()).unwrap_or("")
}

#[tokio::test]
async fn a_malay_api_request_gets_a_malay_problem_document() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;
    let visit = |title: &str| {
        json!({
            "direction": "inbound", "title": title, "purpose": "Talks",
            "start_date": "2024-05-08", "end_date": "2024-05-08", "institution_ids": [987654]
        })
    };

    let (status, language, problem) = post_visit(&app, &token, &visit("")).await;
    let (_, _, numbered) = post_visit(&app, &token, &visit("Talks")).await;

    assert_eq!(status, 422, "{problem}");
    assert_eq!(language.as_deref(), Some("ms"));
    assert_eq!(problem["title"], "Beberapa medan perlu diperbetulkan");
    assert_eq!(message_of(&problem, "title"), "berikan tajuk kepada lawatan", "{problem}");
    assert_eq!(message_of(&numbered, "institution_ids[0]"), "tiada institusi 987654", "{numbered}");
}

#[tokio::test]
async fn a_form_refused_for_a_malay_user_shows_malay_messages() {
    let app = spawn_app().await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/").await;
    app.client.post(app.url("/settings/language")).form(&[("_csrf", csrf.as_str()), ("lang", "ms")]).send().await.expect("switch");

    let res = app
        .client
        .post(app.url("/settings/language"))
        .header("accept", "text/html")
        .form(&[("_csrf", csrf.as_str()), ("lang", "fr")])
        .send()
        .await
        .expect("bad switch");
    let status = res.status().as_u16();
    let page = res.text().await.expect("html");

    assert_eq!(status, 422, "{page}");
    assert!(page.contains("<html lang=\"ms\">") && page.contains("pilih en, zh atau ms"), "{page}");
}

#[tokio::test]
async fn the_invitation_letter_has_a_malay_side_with_malay_dates_for_a_malay_reader() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("office", &["staff"]).await;

    let (status, letter) = html(&app, &app.client, &format!("/visits/{}/invitation?lang=ms", ids.visit)).await;
    let (_, english) = html(&app, &app.client, &format!("/visits/{}/invitation?lang=en", ids.visit)).await;

    assert_eq!(status, 200, "{letter}");
    assert!(letter.contains("<article class=\"letter\" lang=\"ms\">"), "{letter}");
    assert!(letter.contains("Surat Jemputan") && letter.contains("delegasi seramai 4 orang"), "{letter}");
    assert!(letter.contains("pada 8 Mei 2024") && letter.contains("<h3>8 Mei 2024</h3>"), "Malay dates: {letter}");
    assert!(letter.contains("Letter of Invitation") && letter.contains("邀请函"), "the Chinese and English sides stay");
    assert_eq!(english.matches("<article class=\"letter\"").count(), 2, "an English reader gets the two sides only");
}
