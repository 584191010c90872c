//! The identity providers the sign-on tests talk to, started by `scripts/test-deps.sh`:
//! `oidc-provider-mock` (OpenID Connect, any client id; claims per subject through
//! `PUT /users/{sub}`), a second one whose tokens are born expired, and
//! `django-cas-server` (CAS 3.0; any user with the password `cas-password`, students'
//! names start with "stu"). Also an interposer: a reverse proxy in front of the OIDC
//! provider that alters what passes (to test tampered tokens), and the browser steps
//! of each sign-in.

use std::net::SocketAddr;

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};

use crate::helpers::TestApp;

/// The OIDC provider's address.
pub fn oidc_url() -> String {
    std::env::var("LIAISON_TEST_OIDC_URL").unwrap_or_else(|_| "http://127.0.0.1:9410".into())
}

/// The OIDC provider that issues tokens already expired.
pub fn oidc_expired_url() -> String {
    std::env::var("LIAISON_TEST_OIDC_EXPIRED_URL").unwrap_or_else(|_| "http://127.0.0.1:9411".into())
}

/// The CAS server's base URL.
pub fn cas_url() -> String {
    std::env::var("LIAISON_TEST_CAS_URL").unwrap_or_else(|_| "http://127.0.0.1:9412/cas".into())
}

/// True if `url` answers. When it does not: in CI (`CI` set) the test fails, elsewhere
/// it is skipped with a loud message naming the fix.
pub async fn available(url: &str) -> bool {
    liaison::net::install_tls();
    let up = reqwest::Client::new().get(url).send().await.is_ok_and(|r| r.status().as_u16() < 500);
    if !up {
        let msg = format!("identity provider {url} does not answer: run scripts/test-deps.sh (it installs and starts the test providers)");
        assert!(std::env::var_os("CI").is_none(), "{msg}");
        eprintln!("\n!!!!!!!! SKIPPED: {msg} !!!!!!!!\n");
    }
    up
}

/// A fresh random name for subjects, clients and users of one test.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", &liaison::auth::random_token(4))
}

/// Sets the claims the OIDC provider gives `sub`.
pub async fn set_claims(provider: &str, sub: &str, claims: serde_json::Value) {
    let res = reqwest::Client::new().put(format!("{provider}/users/{sub}")).json(&claims).send().await.expect("provider answers");
    assert_eq!(res.status().as_u16(), 204, "set claims");
}

/// The `Location` of a redirect.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no Location ({})", res.status()))
}

/// Absolute URL of a Location that may be relative to the app.
fn absolute(app: &TestApp, loc: &str) -> String {
    if loc.starts_with("http") { loc.to_string() } else { app.url(loc) }
}

/// Signs in through an OIDC provider as `sub`: start at the app, authorize at the
/// provider's form, come back. Returns the provider's redirect (the callback URL) and
/// the app's answer to it.
pub async fn oidc_sign_in(app: &TestApp, client: &reqwest::Client, provider_id: &str, sub: &str) -> (String, reqwest::Response) {
    let start = client.get(app.url(&format!("/auth/{provider_id}/start"))).send().await.expect("start");
    if start.status().as_u16() != 303 {
        panic!("start should redirect to the provider: {} {}", start.status(), start.text().await.unwrap_or_default());
    }
    let authorize = location(&start);
    let form = client.post(&authorize).form(&[("sub", sub)]).send().await.expect("authorize");
    assert_eq!(form.status().as_u16(), 302, "the provider redirects back: {}", form.text().await.unwrap_or_default());
    let callback = location(&form);
    let res = client.get(absolute(app, &callback)).send().await.expect("callback");
    (callback, res)
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("no {name} field"));
    html[start..].split('"').next().unwrap_or_default().to_string()
}

/// Signs in through the CAS server as `user`; returns the callback URL (with the ticket)
/// and the app's answer.
pub async fn cas_sign_in(app: &TestApp, client: &reqwest::Client, provider_id: &str, user: &str) -> (String, reqwest::Response) {
    let start = client.get(app.url(&format!("/auth/{provider_id}/start"))).send().await.expect("start");
    assert_eq!(start.status().as_u16(), 303, "start redirects to CAS");
    let login = location(&start);
    let html = client.get(&login).send().await.expect("CAS login page").text().await.expect("html");
    let service = hidden(&html, "service");
    let fields = [
        ("csrfmiddlewaretoken", hidden(&html, "csrfmiddlewaretoken")),
        ("lt", hidden(&html, "lt")),
        ("service", service),
        ("renew", "False".into()),
        ("username", user.into()),
        ("password", "cas-password".into()),
    ];
    let post_to = login.split('?').next().unwrap_or_default().to_string();
    let res = client.post(&post_to).header("referer", &login).form(&fields).send().await.expect("CAS login");
    assert_eq!(res.status().as_u16(), 302, "CAS redirects back: {}", res.text().await.unwrap_or_default());
    let callback = location(&res);
    let answer = client.get(&callback).send().await.expect("callback");
    (callback, answer)
}

/// What the interposer does to the provider's answers.
#[derive(Clone, Copy, PartialEq)]
pub enum Meddle {
    /// Changes one character of the ID token's payload (the signature no longer fits).
    TamperPayload,
    /// Asks the provider for a token for another client (a real token, wrong audience).
    OtherAudience,
    /// Replaces the signature algorithm with `none` and drops the signature.
    AlgNone,
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    meddle: Meddle,
}

const OTHER_CLIENT: &str = "someone-else";

async fn forward(State(p): State<Proxy>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let mut target = format!("{}{}", p.upstream, uri.path());
    if let Some(q) = uri.query() {
        let q = if p.meddle == Meddle::OtherAudience && uri.path().ends_with("/authorize") {
            q.split('&')
                .map(|kv| if kv.starts_with("client_id=") { format!("client_id={OTHER_CLIENT}") } else { kv.to_string() })
                .collect::<Vec<_>>()
                .join("&")
        } else {
            q.to_string()
        };
        target = format!("{target}?{q}");
    }
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let mut req = http.request(method, &target).body(body);
    for (k, v) in &headers {
        if k == "authorization" && p.meddle == Meddle::OtherAudience {
            req = req.basic_auth(OTHER_CLIENT, Some("x"));
        } else if k != "content-length" {
            // The Host header goes through: the provider names itself after it, so the
            // interposer is the issuer as far as the app can tell.
            req = req.header(k, v);
        }
    }
    let Ok(res) = req.send().await else { return StatusCode::BAD_GATEWAY.into_response() };
    let status = res.status();
    let mut out_headers = HeaderMap::new();
    for (k, v) in res.headers() {
        if k != "content-length" && k != "transfer-encoding" {
            out_headers.insert(k.clone(), v.clone());
        }
    }
    let bytes = res.bytes().await.unwrap_or_default();
    let body = if uri.path().ends_with("/token") { meddle(&bytes, p.meddle) } else { bytes.to_vec() };
    let mut response = (status, body).into_response();
    response.headers_mut().extend(out_headers);
    response
}

fn meddle(body: &[u8], how: Meddle) -> Vec<u8> {
    let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(body) else { return body.to_vec() };
    let Some(token) = json["id_token"].as_str().map(str::to_string) else { return body.to_vec() };
    let parts: Vec<&str> = token.split('.').collect();
    let changed = match how {
        Meddle::TamperPayload => {
            let mut claims: serde_json::Value = serde_json::from_slice(&B64.decode(parts[1]).expect("payload")).expect("claims");
            claims["sub"] = serde_json::json!("admin");
            format!("{}.{}.{}", parts[0], B64.encode(claims.to_string()), parts[2])
        }
        Meddle::AlgNone => format!("{}.{}.", B64.encode(r#"{"alg":"none","typ":"JWT"}"#), parts[1]),
        Meddle::OtherAudience => token.clone(),
    };
    json["id_token"] = serde_json::json!(changed);
    json.to_string().into_bytes()
}

/// Starts an interposer in front of `upstream`; returns its base URL (which becomes the
/// issuer the app is configured with).
pub async fn interposer(upstream: &str, how: Meddle) -> String {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new().fallback(forward).with_state(Proxy { upstream: upstream.to_string(), meddle: how });
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}
