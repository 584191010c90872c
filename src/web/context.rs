//! Per-request context: who is calling (session cookie or API token), their language,
//! and the CSRF check for every state-changing request made with a cookie.
//!
//! CSRF uses the synchronizer pattern: the token lives in the session row and must come
//! back in the `_csrf` form field or the `X-CSRF-Token` header. Before login there is
//! no session, so the login and language forms use a double-submit cookie instead.
//! Requests with an API token carry no ambient credential and need no CSRF token.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    body::Body,
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, Method, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use super::{AppState, i18n::Locale};
use crate::{
    auth::{
        CurrentUser, random_token,
        session::{self, Lookup, PRE_CSRF_COOKIE, SESSION_COOKIE},
        users,
    },
    error::AppError,
};

/// Cookie remembering the language of visitors who are not logged in.
pub const LANG_COOKIE: &str = "liaison_lang";

/// What every handler may know about the request.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The logged-in user, if any.
    pub user: Option<Arc<CurrentUser>>,
    /// The CSRF token to embed in forms.
    pub csrf: String,
    /// UI language.
    pub locale: Locale,
    /// A session cookie was sent but the session has expired or ended.
    pub session_expired: bool,
    /// The caller authenticated with an API token.
    pub via_token: bool,
    /// Client address, for throttling and view counting: the TCP peer, or the address a
    /// trusted proxy (`LIAISON_TRUSTED_PROXIES`) forwarded.
    pub ip: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| AppError::Internal(anyhow::anyhow!("context middleware missing")))
    }
}

/// Extractor for handlers that need a logged-in user (the route's [`crate::auth::Access`]
/// has already checked permissions).
pub struct User(pub Arc<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, s).await?;
        ctx.user.map(User).ok_or(AppError::Unauthorized)
    }
}

/// Reads the cookies of a request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Builds a `Set-Cookie` value with the project's flags.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    // Names and values are our own hex tokens or fixed words: always valid header text.
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// The credentials of an `Authorization: Bearer <token>` header; the scheme name is
/// case-insensitive (RFC 9110, section 11.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn is_token_text(s: &str) -> bool {
    (16..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The context middleware: identifies the caller, picks the language, checks CSRF.
pub async fn context(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match build(&state, req).await {
        Ok((req, ctx, set_pre)) => {
            let expired = ctx.session_expired;
            let mut res = next.run(with_ctx(req, ctx.clone())).await;
            // The HTML error layer outside reads the caller's language and menu from here.
            res.extensions_mut().insert(ctx);
            let secure = state.settings.secure_cookies;
            if let Some(tok) = set_pre {
                res.headers_mut().append(header::SET_COOKIE, set_cookie(PRE_CSRF_COOKIE, &tok, None, secure));
            }
            if expired {
                res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0), secure));
            }
            res
        }
        Err(res) => res,
    }
}

fn with_ctx(mut req: Request, ctx: Ctx) -> Request {
    req.extensions_mut().insert(ctx);
    req
}

type Built = (Request, Ctx, Option<String>);

async fn build(state: &AppState, req: Request) -> Result<Built, Response> {
    let headers = req.headers();
    let path = req.uri().path();
    let is_api = path.starts_with("/api/");
    // Machine endpoints, assets and the public news site (cacheable pages without forms)
    // never need the pre-login CSRF cookie.
    let is_public_news = path == "/news" || path.starts_with("/news/") || path == "/sitemap.xml" || path == "/robots.txt";
    let is_machine = matches!(path, "/healthz" | "/readyz" | "/metrics");
    let is_page = !is_api && !is_public_news && !path.starts_with("/static/") && !is_machine;
    // Behind a trusted reverse proxy the client is named in X-Forwarded-For; otherwise
    // (and from anyone else) the TCP peer is the client.
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| state.settings.trusted_proxies.client(c.0.ip(), forwarded).to_string())
        .unwrap_or_else(|| "unknown".into());
    // The machine endpoints read no user; `/metrics` checks its own bearer token.
    let bearer = headers.get(header::AUTHORIZATION).filter(|_| !is_machine).and_then(|v| v.to_str().ok()).and_then(bearer_token);
    let db = &state.db;
    let internal = |e: anyhow::Error| AppError::Internal(e).into_response();
    let (mut user_id, mut session_csrf, mut expired, via_token) = (None, None, false, bearer.is_some());
    if let Some(token) = bearer {
        user_id = session::token_user(db, token).await.map_err(internal)?;
        if user_id.is_none() {
            return Err(AppError::Unauthorized.into_response());
        }
    } else if let Some(token) = cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty()) {
        match session::lookup(db, token).await.map_err(internal)? {
            Lookup::Valid(uid, csrf) => (user_id, session_csrf) = (Some(uid), Some(csrf)),
            Lookup::Expired | Lookup::Unknown => expired = true,
        }
    }
    let user = match user_id {
        Some(uid) => users::load_current(db, uid).await.map_err(internal)?.map(Arc::new),
        None => None,
    };
    if user_id.is_some() && user.is_none() {
        // Deactivated or deleted account: behave as logged out.
        expired = !via_token;
    }
    let mut set_pre = None;
    let has_session = session_csrf.is_some() && user.is_some();
    let csrf = match session_csrf.filter(|_| user.is_some()) {
        Some(c) => c,
        None => match cookie(headers, PRE_CSRF_COOKIE).filter(|t| is_token_text(t)) {
            Some(c) => c.to_string(),
            None => {
                let t = random_token(24);
                if is_page {
                    set_pre = Some(t.clone());
                }
                t
            }
        },
    };
    // An explicit `?lang=` (public pages, shared links) wins over everything else.
    let query_lang = req.uri().query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang="))).and_then(Locale::parse);
    let locale = query_lang
        .or_else(|| user.as_ref().and_then(|u| Locale::parse(&u.locale)))
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(Locale::parse))
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::from_accept_language))
        .unwrap_or(Locale::En);
    let ctx = Ctx { user, csrf, locale, session_expired: expired, via_token, ip };
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // An anonymous API call has no ambient credential to abuse; everything else with a
    // cookie (pages, or the API used from a logged-in browser) must prove its origin.
    let needs_csrf = unsafe_method && !via_token && (has_session || !is_api);
    if !needs_csrf {
        return Ok((req, ctx, set_pre));
    }
    if expired && !is_api {
        return Err(Redirect::to("/login?expired=1").into_response());
    }
    let (req, ok) = csrf_matches(req, &ctx.csrf, state.settings.max_body_bytes).await;
    if ok {
        Ok((req, ctx, set_pre))
    } else {
        Err(AppError::Forbidden(
            "This form has expired or did not come from Liaison (missing or wrong CSRF token). Reload the page and try again.".into(),
        )
        .into_response())
    }
}

/// Checks the header, or the `_csrf` field of a URL-encoded form (the body is read and
/// put back so the handler still sees it).
async fn csrf_matches(req: Request, expected: &str, limit: usize) -> (Request, bool) {
    if let Some(h) = req.headers().get("x-csrf-token") {
        let ok = constant_time_eq(h.as_bytes(), expected.as_bytes());
        return (req, ok);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (req, false);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return (Request::from_parts(parts, Body::empty()), false);
    };
    let ok = form_field(&bytes, "_csrf").is_some_and(|v| constant_time_eq(v.as_bytes(), expected.as_bytes()));
    (Request::from_parts(parts, Body::from(bytes)), ok)
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded_pairs(body);
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    body.split(|b| *b == b'&')
        .filter_map(|pair| {
            let mut it = pair.splitn(2, |b| *b == b'=');
            let k = percent_decode(it.next()?)?;
            let v = percent_decode(it.next().unwrap_or(b""))?;
            Some((k, v))
        })
        .collect()
}

fn percent_decode(s: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' => {
                if i + 2 >= s.len() {
                    return None;
                }
                let hex = std::str::from_utf8(&s[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("BEARER  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearerabc"), None);
    }

    #[test]
    fn form_fields_are_decoded() {
        assert_eq!(form_field(b"a=1&_csrf=ab%20c+d", "_csrf").as_deref(), Some("ab c d"));
        assert_eq!(form_field(b"_csrf=%zz", "_csrf"), None);
        assert_eq!(form_field(b"_csrf=%4", "_csrf"), None);
        assert_eq!(form_field(b"x=1", "_csrf"), None);
    }
}
