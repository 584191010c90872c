//! Administrators manage accounts at `/users` and through the users API: create, grant
//! and revoke roles, deactivate, reset a password, link and unlink sign-on identities —
//! each audited, none of it open to anyone else.

use crate::helpers::{PASSWORD, TestApp, client, extract_csrf, post, send, spawn_app, spawn_app_with};
use crate::sso_providers::{available, location, oidc_sign_in, oidc_url, set_claims, unique};

async fn form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let csrf = app.csrf_from(&app.client, path).await;
    let mut all = vec![("_csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    app.client.post(app.url(path)).form(&all).send().await.expect("post")
}

async fn audit_rows(app: &TestApp, user_id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE entity = 'user' AND entity_id = $1")
        .bind(user_id)
        .fetch_one(&app.db.pool)
        .await
        .expect("audit")
}

#[tokio::test]
async fn an_administrator_manages_an_account_through_the_users_pages() {
    let app = spawn_app().await;
    app.logged_in("boss", &["admin"]).await;
    let list = app.client.get(app.url("/users")).send().await.expect("list");
    assert_eq!(list.status().as_u16(), 200);
    assert!(list.text().await.unwrap_or_default().contains("boss"));

    let created =
        form(&app, "/users", &[("username", "amy"), ("display_name", "Amy Author"), ("password", PASSWORD), ("role", "author")]).await;
    assert_eq!(created.status().as_u16(), 303);
    let page = location(&created);
    let id: i64 = page.trim_start_matches("/users/").split('?').next().and_then(|s| s.parse().ok()).expect("id");
    let path = format!("/users/{id}");
    assert!(
        app.client.get(app.url(&page)).send().await.expect("detail").text().await.unwrap_or_default().contains("The account was created.")
    );

    assert_eq!(form(&app, &path, &[("action", "grant"), ("role", "reviewer")]).await.status().as_u16(), 303);
    assert_eq!(form(&app, &path, &[("action", "revoke"), ("role", "author")]).await.status().as_u16(), 303);
    let roles: Vec<String> =
        sqlx::query_scalar("SELECT role FROM role_grants WHERE user_id = $1").bind(id).fetch_all(&app.db.pool).await.expect("roles");
    assert_eq!(roles, ["reviewer"]);

    let amy = client();
    assert_eq!(app.login(&amy, "amy", PASSWORD).await.status().as_u16(), 303);
    assert_eq!(form(&app, &path, &[("action", "deactivate")]).await.status().as_u16(), 303);
    assert_eq!(amy.get(app.url("/api/v1/me")).send().await.expect("me").status().as_u16(), 401, "the session ended");
    assert_eq!(app.login(&client(), "amy", PASSWORD).await.status().as_u16(), 401);

    assert_eq!(form(&app, &path, &[("action", "activate")]).await.status().as_u16(), 303);
    assert_eq!(form(&app, &path, &[("action", "password"), ("password", "a brand new secret")]).await.status().as_u16(), 303);
    assert_eq!(app.login(&client(), "amy", PASSWORD).await.status().as_u16(), 401);
    assert_eq!(app.login(&client(), "amy", "a brand new secret").await.status().as_u16(), 303);
    assert_eq!(audit_rows(&app, id).await, 6, "create, grant, revoke, deactivate, activate and password: each audited");
}

#[tokio::test]
async fn a_refused_users_form_explains_itself_on_a_page_that_reloads() {
    let app = spawn_app().await;
    let me = app.logged_in("boss", &["admin"]).await;
    let path = format!("/users/{me}");

    let short = form(&app, "/users", &[("username", "bob"), ("password", "short")]).await;
    let coordinator = form(&app, &path, &[("action", "grant"), ("role", "coordinator")]).await;
    let myself = form(&app, &path, &[("action", "revoke"), ("role", "admin")]).await;
    let zh = app.client.get(app.url(&format!("{path}?lang=zh"))).header("accept-language", "zh-CN").send().await.expect("zh");

    assert_eq!(short.status().as_u16(), 422);
    assert!(short.text().await.unwrap_or_default().contains("Use at least 10 characters."));
    assert_eq!(coordinator.status().as_u16(), 422);
    assert!(coordinator.text().await.unwrap_or_default().contains("coordinator grant needs a unit"));
    assert_eq!(myself.status().as_u16(), 409);
    assert!(myself.text().await.unwrap_or_default().contains("ask another administrator"));
    assert_eq!(app.count("users").await, 1, "nothing created");
    assert_eq!(zh.status().as_u16(), 200, "the address of a refused form is a page");
}

#[tokio::test]
async fn the_users_api_deactivates_revokes_and_resets() {
    let app = spawn_app().await;
    let admin = app.token_for("boss", &["admin"], None).await;
    let id = app.add_user("amy", &["author", "viewer"], None).await;
    let amy_token = liaison::auth::session::issue_token(&app.db, id, "t").await.expect("token").token;

    let (revoked, _) = send(&app, &admin, reqwest::Method::DELETE, &format!("/api/v1/users/{id}/grants/author"), None).await;
    let (again, _) = send(&app, &admin, reqwest::Method::DELETE, &format!("/api/v1/users/{id}/grants/author"), None).await;
    let (bad_role, problem) = send(&app, &admin, reqwest::Method::DELETE, &format!("/api/v1/users/{id}/grants/root"), None).await;
    let (off, _) =
        send(&app, &admin, reqwest::Method::PATCH, &format!("/api/v1/users/{id}"), Some(serde_json::json!({"active": false}))).await;
    let (reset, _) =
        post(&app, &admin, &format!("/api/v1/users/{id}/password"), serde_json::json!({"password": "another long secret"})).await;
    let (_, user) = send(&app, &admin, reqwest::Method::GET, &format!("/api/v1/users/{id}"), None).await;

    assert_eq!((revoked, again, bad_role, off, reset), (204, 404, 422, 204, 204));
    assert!(problem["errors"][0]["message"].as_str().unwrap_or_default().contains("unknown role 'root'"));
    assert_eq!(user["active"], false);
    assert_eq!(user["grants"].as_array().map(Vec::len), Some(1));
    let (status, _) = send(&app, &amy_token, reqwest::Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, 401, "a deactivated account's tokens are revoked");
}

#[tokio::test]
async fn an_identity_linked_by_an_administrator_opens_that_account_until_unlinked() {
    if !available(&oidc_url()).await {
        return;
    }
    let dir = std::env::temp_dir().join(unique("liaison-users-sso-"));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("liaison.toml");
    let toml = format!(
        "[[sso.oidc]]\nid = \"campus\"\nissuer = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"s\"\n",
        oidc_url(),
        unique("liaison-")
    );
    std::fs::write(&file, toml).expect("config");
    let app = spawn_app_with(|raw| raw.config = Some(file)).await;
    let admin = app.token_for("boss", &["admin"], None).await;
    let amy = app.add_user("amy", &["staff"], None).await;
    let sub = unique("amy-at-campus-");
    set_claims(&oidc_url(), &sub, serde_json::json!({"email": "not-amys@example.edu"})).await;

    let (linked, body) =
        post(&app, &admin, &format!("/api/v1/users/{amy}/identities"), serde_json::json!({"provider": "campus", "subject": sub})).await;
    let (twice, _) = post(&app, &admin, "/api/v1/users/1/identities", serde_json::json!({"provider": "campus", "subject": sub})).await;
    let (unknown, _) =
        post(&app, &admin, &format!("/api/v1/users/{amy}/identities"), serde_json::json!({"provider": "nope", "subject": "x"})).await;
    let browser = client();
    let (_, res) = oidc_sign_in(&app, &browser, "campus", &sub).await;

    assert_eq!((linked, twice, unknown), (201, 409, 422));
    assert_eq!(res.status().as_u16(), 303);
    let me: serde_json::Value = browser.get(app.url("/api/v1/me")).send().await.expect("me").json().await.expect("json");
    assert_eq!(me["id"], amy);
    let listed: serde_json::Value = crate::helpers::get(&app, &admin, "/api/v1/identities").await;
    assert_eq!(listed[0]["username"], "amy");
    assert!(listed[0]["last_login_at"].is_string());

    // Unlinked on the page: the next sign-in makes a new account instead.
    app.logged_in("root", &["admin"]).await;
    let html = app.client.get(app.url(&format!("/users/{amy}"))).send().await.expect("page").text().await.expect("html");
    assert!(html.contains(&sub));
    let csrf = extract_csrf(&html);
    let identity = body["id"].as_i64().expect("identity id").to_string();
    let unlinked = app
        .client
        .post(app.url(&format!("/users/{amy}")))
        .form(&[("_csrf", csrf.as_str()), ("action", "unlink"), ("identity_id", identity.as_str())])
        .send()
        .await
        .expect("unlink");
    assert_eq!(unlinked.status().as_u16(), 303);
    let fresh = client();
    oidc_sign_in(&app, &fresh, "campus", &sub).await;
    let other: serde_json::Value = fresh.get(app.url("/api/v1/me")).send().await.expect("me").json().await.expect("json");
    assert_ne!(other["id"], amy);
}
