//! Hardening: redirects stay on the site, private pages stay private, throttling cannot
//! lock an account from afar, and bad input is a 4xx, never a 500.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{PASSWORD, client, post, send, spawn_app};

/// Logs `client` in with `next` as the login form's hidden field.
async fn login_with_next(app: &crate::helpers::TestApp, client: &reqwest::Client, next: &str) -> reqwest::Response {
    let csrf = app.csrf_from(client, "/login").await;
    client
        .post(app.url("/login"))
        .form(&[("_csrf", csrf.as_str()), ("username", "mei"), ("password", PASSWORD), ("next", next)])
        .send()
        .await
        .expect("login post")
}

#[tokio::test]
async fn login_never_redirects_off_site() {
    let app = spawn_app().await;
    app.add_user("mei", &["staff"], None).await;

    // The form does not reflect a path browsers would read as another host.
    let html = client().get(app.url("/login?next=/%09/evil.example")).send().await.expect("get").text().await.expect("html");
    assert!(html.contains("name=\"next\" value=\"/\""), "{html}");
    assert!(!html.contains("evil.example"));

    // A CR/LF in `next` is not a 500 after the cookie was set.
    let c = client();
    let res = login_with_next(&app, &c, "/\r\nX-Injected: 1").await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/");

    // Tabs, backslashes and double slashes fall back to the home page.
    for next in ["/\t/evil.example", "/\\evil.example", "//evil.example", "/ /evil.example"] {
        let c = client();
        let res = login_with_next(&app, &c, next).await;
        assert_eq!(res.status().as_u16(), 303, "{next:?}");
        assert_eq!(res.headers()["location"], "/", "{next:?}");
    }

    // Logged in already: the login page sends the user on, but only to our own paths.
    let res = c.get(app.url("/login?next=/%09/evil.example")).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/");
    let res = c.get(app.url("/login?next=/%0d%0aX")).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/");
    let res = c.get(app.url("/login?next=/partners")).send().await.expect("get");
    assert_eq!(res.headers()["location"], "/partners");
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn a_page_with_a_session_is_never_publicly_cacheable() {
    let app = spawn_app().await;
    app.logged_in("mei", &["staff"]).await;

    let staff = app.client.get(app.url("/partners")).send().await.expect("get");
    assert_eq!(staff.status().as_u16(), 200);
    assert_eq!(header(&staff, "cache-control"), "private, no-store");

    // An anonymous visitor's first request sets the pre-login CSRF cookie: not shared.
    let anonymous = client();
    let first = anonymous.get(app.url("/partners")).send().await.expect("get");
    assert!(first.headers().contains_key("set-cookie"));
    assert!(!header(&first, "cache-control").contains("public"), "{}", header(&first, "cache-control"));
    // Afterwards the anonymous page may be shared, keyed by the cookie.
    let again = anonymous.get(app.url("/partners")).send().await.expect("get");
    assert_eq!(header(&again, "cache-control"), "public, max-age=60");
    assert!(header(&again, "vary").contains("Cookie"), "{:?}", again.headers());
    assert!(!again.text().await.expect("html").contains("logout"));

    // Not only HTML: the public map with a session is kept by the browser only.
    let map = app.client.get(app.url("/partners/map.svg")).send().await.expect("get");
    assert_eq!(header(&map, "cache-control"), "private, max-age=300");
}

/// A browser-like client whose connections come from another loopback address.
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    liaison::net::install_tls();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(std::net::IpAddr::from(ip))
        .build()
        .expect("client")
}

#[tokio::test]
async fn failures_from_one_address_do_not_lock_the_owner_out_elsewhere() {
    let app = spawn_app().await;
    app.add_user("admin", &["admin"], None).await;
    let attacker = client_from([127, 0, 0, 2]);

    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(app.login(&attacker, "admin", "not the password").await.status().as_u16());
    }
    assert_eq!(&statuses[..5], &[401; 5]);
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");

    // The owner, from their own address, logs in.
    let owner = client();
    assert_eq!(app.login(&owner, "admin", PASSWORD).await.status().as_u16(), 303);

    // The attacking pair stays refused, even with the right password, and is told when to retry.
    let res = app.login(&attacker, "admin", PASSWORD).await;
    assert_eq!(res.status().as_u16(), 429);
    let wait: u64 = header(&res, "retry-after").parse().expect("Retry-After in seconds");
    assert!((1..=30).contains(&wait), "{wait}");
}

#[tokio::test]
async fn one_address_is_still_capped_across_usernames() {
    let app = spawn_app().await;
    app.add_user("mei", &["staff"], None).await;
    let attacker = client_from([127, 0, 0, 3]);
    for i in 0..30 {
        let res = app.login(&attacker, &format!("user{i}"), "not the password").await;
        assert_eq!(res.status().as_u16(), 401);
    }
    let res = app.login(&attacker, "mei", PASSWORD).await;
    assert_eq!(res.status().as_u16(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(app.login(&client(), "mei", PASSWORD).await.status().as_u16(), 303);
}

async fn scalar(app: &crate::helpers::TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.db.pool).await.expect(sql)
}

#[tokio::test]
async fn deleting_a_referenced_person_or_unit_is_a_conflict_naming_the_references() {
    let app = spawn_app().await;
    crate::helpers::seed(&app).await;
    let token = app.token_for("mei", &["staff"], None).await;
    let member = scalar(&app, "SELECT person_id FROM visit_members ORDER BY id LIMIT 1").await;
    let unit = scalar(
        &app,
        "SELECT u.id FROM units u WHERE NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_id = u.id)
         AND (EXISTS (SELECT 1 FROM visit_hosts h WHERE h.unit_id = u.id)
              OR EXISTS (SELECT 1 FROM agreement_parties p WHERE p.unit_id = u.id)) ORDER BY u.id LIMIT 1",
    )
    .await;

    let (status, body) = send(&app, &token, Method::DELETE, &format!("/api/v1/people/{member}"), None).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap_or("").contains("visit_members"), "{body}");
    let (status, body) = send(&app, &token, Method::DELETE, &format!("/api/v1/units/{unit}"), None).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap_or("").contains("still referred to by"), "{body}");

    // Nothing went, and the store still answers.
    let (status, _) = send(&app, &token, Method::GET, &format!("/api/v1/people/{member}"), None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn nul_characters_are_refused_everywhere_and_never_stored() {
    let app = spawn_app().await;
    let ids = crate::helpers::seed(&app).await;
    let token = app.token_for("mei", &["staff"], None).await;
    let programmes = app.count("programmes").await;

    let (status, body) = post(
        &app,
        &token,
        "/api/v1/programmes",
        json!({"agreement_id": ids.agreement, "area": "student_exchange", "title": "\u{0}", "start_date": "2024-09-01", "end_date": "2025-08-31"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("NUL"), "{body}");
    let (status, body) = post(&app, &token, "/api/v1/people", json!({"name_en": "Lee\u{0}Wei"})).await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = post(&app, &token, "/api/v1/people", json!({"name_en": "Lee Wei", "tags": [{"x\u{0}": 1}]})).await;
    assert_eq!(status, 422);
    let (status, body) = send(&app, &token, Method::GET, "/api/v1/institutions?q=a%00b", None).await;
    assert_eq!(status, 422, "{body}");

    // A form field.
    app.logged_in("lin", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/").await;
    let res =
        app.client.post(app.url("/settings/language")).form(&[("_csrf", csrf.as_str()), ("lang", "en\u{0}")]).send().await.expect("post");
    assert!(res.status().is_client_error(), "{}", res.status());

    // Escaped backslashes are text, not NUL.
    let (status, body) = post(&app, &token, "/api/v1/people", json!({"name_en": "Lee \\u0000 Wei"})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(app.count("programmes").await, programmes);
}

#[tokio::test]
async fn huge_page_numbers_are_clamped_on_every_list() {
    let app = spawn_app().await;
    crate::helpers::seed(&app).await;
    let token = app.token_for("mei", &["staff"], None).await;
    for list in ["institutions", "people", "visits", "agreements", "programmes", "mobilities", "articles", "trips", "directory", "actions"]
    {
        let (status, body) = send(&app, &token, Method::GET, &format!("/api/v1/{list}?page=9223372036854775807"), None).await;
        assert_eq!(status, 200, "{list}: {body}");
        if let Some(items) = body.get("items") {
            assert_eq!(items.as_array().map(Vec::len), Some(0), "{list}");
        }
    }
    let res = reqwest::get(app.url("/news?page=9223372036854775807&lang=en")).await.expect("get");
    assert!(res.status().as_u16() < 500, "{}", res.status());
}

#[tokio::test]
async fn granting_a_role_twice_is_idempotent() {
    let app = spawn_app().await;
    let admin = app.token_for("root", &["admin"], None).await;
    let user = app.add_user("mei", &["viewer"], None).await;
    let path = format!("/api/v1/users/{user}/grants");
    let (first, _) = post(&app, &admin, &path, json!({"role": "staff"})).await;
    let (second, body) = post(&app, &admin, &path, json!({"role": "staff"})).await;
    assert_eq!(first, 204);
    assert_eq!(second, 204, "{body}");
    let grants = scalar(&app, "SELECT COUNT(*) FROM role_grants WHERE role = 'staff'").await;
    assert_eq!(grants, 1);
}

#[tokio::test]
async fn a_visit_in_year_zero_is_refused() {
    let app = spawn_app().await;
    let token = app.token_for("mei", &["staff"], None).await;
    let (status, body) = post(
        &app,
        &token,
        "/api/v1/visits",
        json!({"direction": "outbound", "title": "Typo", "start_date": "0000-05-08", "end_date": "0000-05-09"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(app.count("visits").await, 0);
}

fn cookie_value(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(|v| v.split(';').next().unwrap_or("").to_string()))
}

#[tokio::test]
async fn the_csrf_cookie_rotates_at_login() {
    let app = spawn_app().await;
    app.add_user("mei", &["staff"], None).await;
    let c = client();
    let before = cookie_value(&c.get(app.url("/login")).send().await.expect("get"), "liaison_csrf").expect("pre-login cookie");

    let res = app.login(&c, "mei", PASSWORD).await;

    assert_eq!(res.status().as_u16(), 303);
    let after = cookie_value(&res, "liaison_csrf").expect("a new CSRF cookie at login");
    assert_ne!(after, before);
    assert_eq!(after.len(), before.len());
}

#[tokio::test]
async fn a_password_change_ends_sessions_and_revokes_api_tokens() {
    let app = spawn_app().await;
    let token = app.token_for("mei", &["staff"], None).await;
    assert_eq!(app.login(&app.client, "mei", PASSWORD).await.status().as_u16(), 303);
    assert_eq!(app.client.get(app.url("/")).send().await.expect("get").status().as_u16(), 200);

    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_liaison"));
    cmd.env_remove("LIAISON_DATABASE_URL").env_remove("LIAISON_ADDR").env_remove("LIAISON_CONFIG");
    for (k, v) in app.test_db.env() {
        cmd.env(k, v);
    }
    let mut p = cmd.args(["user", "passwd", "mei", "--password-stdin"]).stdin(std::process::Stdio::piped()).spawn().expect("spawn");
    std::io::Write::write_all(&mut p.stdin.take().expect("stdin"), b"a much longer secret\n").expect("write");
    assert_eq!(p.wait().expect("wait").code(), Some(0));

    let (status, _) = send(&app, &token, Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, 401, "the API token is revoked");
    let page = app.client.get(app.url("/")).send().await.expect("get");
    assert_eq!(page.status().as_u16(), 303, "the session has ended");
}

/// Five failed logins of `user` sent with `X-Forwarded-For: forwarded`, then a correct
/// one from `then`: its status.
async fn throttled_after_failures(app: &crate::helpers::TestApp, user: &str, forwarded: &str, then: &str) -> u16 {
    for _ in 0..5 {
        let c = crate::helpers::client();
        let csrf = app.csrf_from(&c, "/login").await;
        let form = [("_csrf", csrf.as_str()), ("username", user), ("password", "wrong password 1"), ("next", "/")];
        c.post(app.url("/login")).header("x-forwarded-for", forwarded).form(&form).send().await.expect("login");
    }
    let c = crate::helpers::client();
    let csrf = app.csrf_from(&c, "/login").await;
    let form = [("_csrf", csrf.as_str()), ("username", user), ("password", crate::helpers::PASSWORD), ("next", "/")];
    c.post(app.url("/login")).header("x-forwarded-for", then).form(&form).send().await.expect("login").status().as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_throttled_and_no_one_else() {
    let app = crate::helpers::spawn_app_with(|r| r.trusted_proxies = Some("127.0.0.1, ::1".into())).await;
    app.add_user("tang.mei", &["staff"], None).await;
    let plain = crate::helpers::spawn_app().await;
    plain.add_user("tang.mei", &["staff"], None).await;

    let other_client = throttled_after_failures(&app, "tang.mei", "203.0.113.7", "198.51.100.1").await;
    let same_client = throttled_after_failures(&app, "tang.mei", "203.0.113.7", "203.0.113.7").await;
    // Without the setting the header is ignored: a forged address does not escape throttling.
    let forged = throttled_after_failures(&plain, "tang.mei", "203.0.113.7", "198.51.100.1").await;

    assert_eq!(other_client, 303, "another client behind the same proxy logs in");
    assert_eq!(same_client, 429, "the client that failed is throttled, not the proxy");
    assert_eq!(forged, 429, "an untrusted X-Forwarded-For changes nothing");
}
