use crate::helpers::{PASSWORD, client, extract_csrf, spawn_app};

#[tokio::test]
async fn logging_in_sets_a_protected_session_cookie_and_opens_the_dashboard() {
    let app = spawn_app().await;
    app.add_user("mei", &["staff"], None).await;

    let res = app.login(&app.client, "mei", PASSWORD).await;

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("liaison_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let dash = app.client.get(app.url("/")).send().await.expect("dashboard");
    assert_eq!(dash.status().as_u16(), 200);
    assert!(dash.text().await.expect("html").contains("<nav"));
}

#[tokio::test]
async fn a_wrong_password_rerenders_the_form_with_a_message_and_keeps_the_username() {
    let app = spawn_app().await;
    app.add_user("mei", &["staff"], None).await;

    let res = app.login(&app.client, "mei", "not the password").await;

    assert_eq!(res.status().as_u16(), 401);
    let html = res.text().await.expect("html");
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("value=\"mei\""));
    assert_eq!(app.client.get(app.url("/")).send().await.expect("get").status().as_u16(), 303);
}

#[tokio::test]
async fn repeated_failures_throttle_logins_even_with_the_right_password() {
    let app = spawn_app().await;
    app.add_user("mei", &["staff"], None).await;
    for _ in 0..5 {
        assert_eq!(app.login(&app.client, "mei", "wrong password!").await.status().as_u16(), 401);
    }

    let res = app.login(&app.client, "mei", PASSWORD).await;

    assert_eq!(res.status().as_u16(), 429);
    assert!(res.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn a_login_without_the_csrf_token_is_refused_with_a_friendly_page() {
    let app = spawn_app().await;
    app.add_user("mei", &["staff"], None).await;

    let res = app.client.post(app.url("/login")).form(&[("username", "mei"), ("password", PASSWORD)]).send().await.expect("post");

    assert_eq!(res.status().as_u16(), 403);
    assert!(res.headers()["content-type"].to_str().unwrap_or("").starts_with("text/html"));
    assert!(res.text().await.expect("html").contains("CSRF"));
}

#[tokio::test]
async fn a_state_change_with_a_session_but_no_csrf_token_writes_nothing() {
    let app = spawn_app().await;
    app.logged_in("mei", &["staff"]).await;
    let before = app.count("institutions").await;

    let form = app
        .client
        .post(app.url("/institutions/new"))
        .form(&[("name_en", "Forged University"), ("country", "MY")])
        .send()
        .await
        .expect("post");
    let api = app
        .client
        .post(app.url("/api/v1/institutions"))
        .json(&serde_json::json!({"name_en": "Forged", "country": "MY"}))
        .send()
        .await
        .expect("post");

    assert_eq!(form.status().as_u16(), 403);
    assert_eq!(api.status().as_u16(), 403);
    assert_eq!(app.count("institutions").await, before);
}

#[tokio::test]
async fn logging_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/").await;

    let out = app.client.post(app.url("/logout")).form(&[("_csrf", csrf.as_str())]).send().await.expect("logout");

    assert_eq!(out.status().as_u16(), 303);
    assert_eq!(app.count("sessions").await, 0);
    assert_eq!(app.client.get(app.url("/api/v1/me")).send().await.expect("me").status().as_u16(), 401);
}

#[tokio::test]
async fn an_expired_session_sends_pages_to_login_and_api_calls_get_401() {
    let app = spawn_app().await;
    app.logged_in("mei", &["staff"]).await;
    let api_client = client();
    app.login(&api_client, "mei", PASSWORD).await;
    sqlx::query("UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000000Z'").execute(&app.db.pool).await.expect("expire");

    let page = app.client.get(app.url("/institutions")).send().await.expect("page");
    let api = api_client.get(app.url("/api/v1/me")).send().await.expect("api");

    assert_eq!(page.status().as_u16(), 303);
    let location = page.headers()["location"].to_str().unwrap_or("").to_string();
    assert!(location.starts_with("/login?next=/institutions") && location.contains("expired=1"), "{location}");
    assert_eq!(api.status().as_u16(), 401);
    assert_eq!(api.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = api.json().await.expect("json");
    assert_eq!(problem["type"], "/problems/session-expired");
}

#[tokio::test]
async fn api_tokens_work_until_revoked() {
    let app = spawn_app().await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/").await;
    let issued: serde_json::Value = app
        .client
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"name": "script"}))
        .send()
        .await
        .expect("issue")
        .json()
        .await
        .expect("json");
    let token = issued["token"].as_str().expect("token").to_string();
    let anonymous = client();

    let me: serde_json::Value =
        anonymous.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.expect("me").json().await.expect("json");
    let revoke =
        app.client.delete(app.url(&format!("/api/v1/tokens/{}", issued["id"]))).header("x-csrf-token", &csrf).send().await.expect("revoke");
    let after = anonymous.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.expect("me");

    assert_eq!(me["username"], "mei");
    assert_eq!(revoke.status().as_u16(), 204);
    assert_eq!(after.status().as_u16(), 401);
}

#[tokio::test]
async fn the_language_choice_is_remembered_for_the_user_across_sessions() {
    let app = spawn_app().await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/").await;

    let switch = app
        .client
        .post(app.url("/settings/language"))
        .header("referer", app.url("/institutions"))
        .form(&[("_csrf", csrf.as_str()), ("lang", "zh")])
        .send()
        .await
        .expect("switch");
    let other_browser = client();
    app.login(&other_browser, "mei", PASSWORD).await;
    let html = other_browser.get(app.url("/")).send().await.expect("dash").text().await.expect("html");

    assert_eq!(switch.status().as_u16(), 303);
    assert_eq!(switch.headers()["location"], "/institutions");
    assert!(html.contains("<html lang=\"zh-Hans\">"), "{html}");
    assert!(html.contains("合作院校"));
}

#[tokio::test]
async fn anonymous_visitors_can_switch_the_login_page_language() {
    let app = spawn_app().await;
    let csrf = extract_csrf(&app.client.get(app.url("/login")).send().await.expect("login").text().await.expect("html"));

    app.client.post(app.url("/settings/language")).form(&[("_csrf", csrf.as_str()), ("lang", "zh")]).send().await.expect("switch");
    let html = app.client.get(app.url("/login")).send().await.expect("login").text().await.expect("html");

    assert!(html.contains("<html lang=\"zh-Hans\">"));
    assert!(html.contains("用户名"));
}

#[tokio::test]
async fn a_session_started_on_one_instance_is_valid_on_another() {
    let app = spawn_app().await;
    let other = app.second_instance().await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/").await;

    let me = app.client.get(format!("{other}/api/v1/me")).send().await.expect("me");
    let create = app
        .client
        .post(format!("{other}/api/v1/institutions"))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"name_en": "Universiti Malaya", "country": "MY"}))
        .send()
        .await
        .expect("create");

    assert_eq!(me.status().as_u16(), 200);
    assert_eq!(create.status().as_u16(), 201, "the CSRF token of the shared session is valid on both");
}
