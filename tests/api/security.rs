//! Hardening: redirects stay on the site, private pages stay private, throttling cannot
//! lock an account from afar, and bad input is a 4xx, never a 500.

use crate::helpers::{PASSWORD, client, extract_csrf, spawn_app};

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
    let _ = extract_csrf;
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
    assert!(staff.text().await.expect("html").contains("mei"), "the page is the user's own");

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
