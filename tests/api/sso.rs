//! Single sign-on against real providers (see `sso_providers`): a full sign-in through
//! each, accounts made or linked as the rules say, and every refusal — a tampered token,
//! another application's token, an expired one, `none`, a replayed state, a reused CAS
//! ticket, an unverified e-mail matching an account, a provider that is down — with a
//! clear page and no session.

use crate::helpers::{PASSWORD, TestApp, client, spawn_app_with};
use crate::sso_providers::{
    Meddle, available, cas_sign_in, cas_url, interposer, location, oidc_expired_url, oidc_sign_in, oidc_url, set_claims, unique,
};

/// An app whose `[sso]` section is `toml`.
async fn app_with_sso(toml: &str) -> TestApp {
    let dir = std::env::temp_dir().join(unique("liaison-sso-config-"));
    std::fs::create_dir_all(&dir).expect("config dir");
    let file = dir.join("liaison.toml");
    std::fs::write(&file, toml).expect("config written");
    spawn_app_with(|raw| raw.config = Some(file)).await
}

fn oidc_toml(issuer: &str, extra: &str) -> String {
    format!(
        r#"[sso]
break_glass = ["root"]
{extra}
[[sso.oidc]]
id = "campus"
issuer = "{issuer}"
client_id = "{}"
client_secret = "not-checked-by-the-test-provider"
name_en = "Campus account"
name_zh = "校园账号"
roles = [{{ claim = "eduPersonAffiliation", value = "student", role = "student" }}, {{ claim = "groups", value = "intl-office", role = "staff" }}]
"#,
        unique("liaison-")
    )
}

async fn me(app: &TestApp, client: &reqwest::Client) -> (u16, serde_json::Value) {
    let res = client.get(app.url("/api/v1/me")).send().await.expect("me");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_new_student_signs_in_through_openid_connect_and_lands_on_their_applications() {
    if !available(&oidc_url()).await {
        return;
    }
    let app = app_with_sso(&oidc_toml(&oidc_url(), "")).await;
    let sub = unique("student-");
    set_claims(&oidc_url(), &sub, serde_json::json!({"name": "Li Hua", "eduPersonAffiliation": "student", "preferred_username": sub}))
        .await;
    let browser = client();

    let (_, res) = oidc_sign_in(&app, &browser, "campus", &sub).await;

    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap_or_default());
    assert_eq!(location(&res), "/my/applications");
    let (status, user) = me(&app, &browser).await;
    assert_eq!(status, 200);
    assert_eq!(user["display_name"], "Li Hua");
    assert_eq!(user["grants"][0]["role"], "student");
    let page = browser.get(app.url("/my/applications")).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(browser.get(app.url("/institutions")).send().await.expect("staff page").status().as_u16(), 403);
    assert_eq!(browser.get(app.url("/api/v1/institutions")).send().await.expect("staff API").status().as_u16(), 403);
}

#[tokio::test]
async fn the_same_identity_opens_the_same_account_and_a_replayed_state_is_refused() {
    if !available(&oidc_url()).await {
        return;
    }
    let app = app_with_sso(&oidc_toml(&oidc_url(), "")).await;
    let sub = unique("staff-");
    set_claims(&oidc_url(), &sub, serde_json::json!({"groups": ["intl-office"], "preferred_username": sub})).await;
    let browser = client();
    let (callback, first) = oidc_sign_in(&app, &browser, "campus", &sub).await;
    assert_eq!(first.status().as_u16(), 303);
    let (_, user) = me(&app, &browser).await;

    let replay = client();
    let replayed = replay.get(&callback).send().await.expect("replay");
    let again = client();
    let (_, second) = oidc_sign_in(&app, &again, "campus", &sub).await;

    assert_eq!(replayed.status().as_u16(), 400);
    assert!(replayed.text().await.unwrap_or_default().contains("already completed or has expired"));
    assert_eq!(me(&app, &replay).await.0, 401, "no session from a replayed state");
    assert_eq!(second.status().as_u16(), 303);
    assert_eq!(me(&app, &again).await.1["id"], user["id"], "the identity is the key");
    assert_eq!(user["grants"][0]["role"], "staff");
}

#[tokio::test]
async fn an_unverified_email_matching_an_account_is_refused_and_a_verified_one_links() {
    if !available(&oidc_url()).await {
        return;
    }
    let app = app_with_sso(&oidc_toml(&oidc_url(), "")).await;
    let email = format!("{}@example.edu", unique("owner"));
    let owner = app.add_user(&unique("owner-"), &["staff"], None).await;
    sqlx::query("UPDATE users SET email = $1 WHERE id = $2").bind(&email).bind(owner).execute(&app.db.pool).await.expect("email");
    let (intruder, rightful) = (unique("intruder-"), unique("rightful-"));
    set_claims(&oidc_url(), &intruder, serde_json::json!({"email": email, "email_verified": false})).await;
    set_claims(&oidc_url(), &rightful, serde_json::json!({"email": email.to_uppercase(), "email_verified": true})).await;
    let sessions_before = app.count("sessions").await;

    let browser = client();
    let (_, refused) = oidc_sign_in(&app, &browser, "campus", &intruder).await;

    assert_eq!(refused.status().as_u16(), 403);
    let page = refused.text().await.unwrap_or_default();
    assert!(page.contains("does not confirm the address is yours"), "{page}");
    assert_eq!(me(&app, &browser).await.0, 401);
    assert_eq!(app.count("sessions").await, sessions_before, "no session made");
    assert_eq!(app.count("identities").await, 0);

    let (_, linked) = oidc_sign_in(&app, &browser, "campus", &rightful).await;
    assert_eq!(linked.status().as_u16(), 303);
    assert_eq!(me(&app, &browser).await.1["id"], owner);
}

async fn refused_with(how: Meddle, expect: &str) {
    if !available(&oidc_url()).await {
        return;
    }
    let issuer = interposer(&oidc_url(), how).await;
    let app = app_with_sso(&oidc_toml(&issuer, "")).await;
    let browser = client();
    let sessions_before = app.count("sessions").await;

    let (_, res) = oidc_sign_in(&app, &browser, "campus", &unique("victim-")).await;

    assert_eq!(res.status().as_u16(), 400);
    let page = res.text().await.unwrap_or_default();
    assert!(page.contains(expect), "expected {expect:?} in\n{page}");
    assert_eq!(me(&app, &browser).await.0, 401);
    assert_eq!(app.count("sessions").await, sessions_before, "no session made");
    assert_eq!(app.count("users").await, 0, "no account made");
}

#[tokio::test]
async fn a_tampered_id_token_is_refused() {
    refused_with(Meddle::TamperPayload, "invalid signature").await;
}

#[tokio::test]
async fn an_id_token_for_another_application_is_refused() {
    refused_with(Meddle::OtherAudience, "issued for another application").await;
}

#[tokio::test]
async fn an_unsigned_id_token_is_refused() {
    refused_with(Meddle::AlgNone, "algorithm Liaison does not accept (none)").await;
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    if !available(&oidc_expired_url()).await {
        return;
    }
    let app = app_with_sso(&oidc_toml(&oidc_expired_url(), "clock_skew_seconds = 60")).await;
    let browser = client();

    let (_, res) = oidc_sign_in(&app, &browser, "campus", &unique("late-")).await;

    assert_eq!(res.status().as_u16(), 400);
    assert!(res.text().await.unwrap_or_default().contains("has expired"));
    assert_eq!(me(&app, &browser).await.0, 401);
}

#[tokio::test]
async fn a_provider_that_is_down_gives_a_clear_page_and_the_break_glass_admin_still_logs_in() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let app = app_with_sso(&oidc_toml(&format!("http://{closed}"), "password_login = false")).await;
    app.add_user("root", &["admin"], None).await;
    app.add_user("amy", &["staff"], None).await;
    let browser = client();

    let down = browser.get(app.url("/auth/campus/start")).send().await.expect("start");
    let amy = app.login(&client(), "amy", PASSWORD).await;
    let root = app.login(&browser, "root", PASSWORD).await;

    assert_eq!(down.status().as_u16(), 503);
    let page = down.text().await.unwrap_or_default();
    assert!(page.contains("cannot be reached right now") && page.contains("href=\"/login\""), "{page}");
    assert_eq!(amy.status().as_u16(), 403, "password login is off for everyone else");
    assert_eq!(root.status().as_u16(), 303);
    assert_eq!(me(&app, &browser).await.1["username"], "root");
}

fn cas_toml() -> String {
    format!(
        r#"[[sso.cas]]
id = "campus-cas"
url = "{}"
name_en = "Unified identity"
trust_email = true
default_role = "viewer"
roles = [{{ claim = "eduPersonAffiliation", value = "student", role = "student" }}]
"#,
        cas_url()
    )
}

#[tokio::test]
async fn a_student_signs_in_through_cas_and_a_ticket_is_used_once() {
    if !available(&format!("{}/login", cas_url())).await {
        return;
    }
    let app = app_with_sso(&format!("[sso]\n{}", cas_toml())).await;
    let student = unique("stu.");
    let browser = client();

    let (callback, res) = cas_sign_in(&app, &browser, "campus-cas", &student).await;

    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap_or_default());
    assert_eq!(location(&res), "/my/applications");
    let (_, user) = me(&app, &browser).await;
    assert_eq!(user["username"], student);
    assert_eq!(user["grants"][0]["role"], "student");

    // The same ticket with a fresh, valid sign-in of another browser.
    let other = client();
    let start = other.get(app.url("/auth/campus-cas/start")).send().await.expect("start");
    let service = location(&start).split("service=").nth(1).map(|s| s.to_string()).expect("service");
    let fresh_state = urlencoding_state(&service);
    let ticket = callback.split("ticket=").nth(1).expect("ticket");
    let reused = other.get(app.url(&format!("/auth/campus-cas/callback?state={fresh_state}&ticket={ticket}"))).send().await.expect("reuse");
    assert_eq!(reused.status().as_u16(), 400);
    assert!(reused.text().await.unwrap_or_default().contains("ticket was already used"));
    assert_eq!(me(&app, &other).await.0, 401);
}

/// The state inside a percent-encoded service address.
fn urlencoding_state(service: &str) -> String {
    let decoded = url::form_urlencoded::parse(format!("s={service}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default();
    decoded.split("state=").nth(1).map(|s| s.split('&').next().unwrap_or_default().to_string()).expect("state in service")
}

#[tokio::test]
async fn staff_from_cas_get_the_default_role_and_logout_goes_through_the_campus_logout() {
    if !available(&format!("{}/login", cas_url())).await {
        return;
    }
    let app = app_with_sso(&format!("[sso]\n{}", cas_toml())).await;
    let browser = client();
    let (_, res) = cas_sign_in(&app, &browser, "campus-cas", &unique("teacher.")).await;
    assert_eq!(location(&res), "/");
    let (_, user) = me(&app, &browser).await;
    assert_eq!(user["grants"][0]["role"], "viewer");
    let csrf = app.csrf_from(&browser, "/my/applications").await;

    let out = browser.post(app.url("/logout")).form(&[("_csrf", csrf.as_str())]).send().await.expect("logout");

    assert_eq!(out.status().as_u16(), 303);
    assert!(location(&out).starts_with(&format!("{}/logout?service=", cas_url())), "{}", location(&out));
    assert_eq!(me(&app, &browser).await.0, 401);
}
