//! One rule for shared caches: nothing personal is ever publicly cacheable.
//!
//! Handlers may mark a response `Cache-Control: public` (the partners page, the public
//! map, the news site). This layer, outside the request context, overrides that when
//! the response could hold something of one user:
//!
//! - the request carried a session cookie or an API token, or the page was rendered for
//!   a logged-in user: HTML becomes `private, no-store`, anything else `private` with
//!   the handler's other directives (a browser may still keep an image);
//! - the response sets a cookie: `private, no-store`;
//! - otherwise a public HTML page says `Vary: Cookie`, so a shared cache never hands the
//!   anonymous copy to a logged-in browser or the other way round.
//!
//! Embedded assets (`/static/`) are the same for everyone and keep their headers.

use axum::{
    extract::Request,
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::Response,
};

use super::context::{Ctx, cookie};
use crate::auth::session::SESSION_COOKIE;

/// The middleware: see the module documentation.
pub async fn private_when_personal(req: Request, next: Next) -> Response {
    let exempt = req.uri().path().starts_with("/static/");
    let credentials = carries_credentials(req.headers());
    let mut res = next.run(req).await;
    if exempt || !is_public(res.headers()) {
        return res;
    }
    let logged_in = res.extensions().get::<Ctx>().is_some_and(|c| c.user.is_some());
    let html = is_html(res.headers());
    let sets_cookie = res.headers().contains_key(header::SET_COOKIE);
    let h = res.headers_mut();
    if ((credentials || logged_in) && html) || sets_cookie {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    } else if credentials || logged_in {
        let rest = privately(h);
        if let Ok(v) = HeaderValue::from_str(&rest) {
            h.insert(header::CACHE_CONTROL, v);
        }
    } else if html {
        add_vary_cookie(h);
    }
    res
}

fn carries_credentials(h: &HeaderMap) -> bool {
    cookie(h, SESSION_COOKIE).is_some_and(|t| !t.is_empty()) || h.contains_key(header::AUTHORIZATION)
}

fn directives(h: &HeaderMap) -> impl Iterator<Item = String> + '_ {
    h.get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|d| d.trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty())
}

fn is_public(h: &HeaderMap) -> bool {
    directives(h).any(|d| d == "public" || d.starts_with("s-maxage"))
}

fn is_html(h: &HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
}

/// The handler's directives with `public` (and shared-cache ones) replaced by `private`.
fn privately(h: &HeaderMap) -> String {
    let kept = directives(h).filter(|d| d != "public" && !d.starts_with("s-maxage") && d != "immutable");
    std::iter::once("private".to_string()).chain(kept).collect::<Vec<_>>().join(", ")
}

fn add_vary_cookie(h: &mut HeaderMap) {
    let existing: Vec<String> = h.get_all(header::VARY).iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect();
    if existing.iter().flat_map(|v| v.split(',')).any(|n| n.trim().eq_ignore_ascii_case("cookie") || n.trim() == "*") {
        return;
    }
    let value = if existing.is_empty() { "Cookie".to_string() } else { format!("{}, Cookie", existing.join(", ")) };
    if let Ok(v) = HeaderValue::from_str(&value) {
        h.insert(header::VARY, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.clone(), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn public_directives_become_private() {
        let h = headers(&[(header::CACHE_CONTROL, "public, max-age=300")]);
        assert!(is_public(&h));
        assert_eq!(privately(&h), "private, max-age=300");
        assert!(!is_public(&headers(&[(header::CACHE_CONTROL, "private, no-store")])));
    }

    #[test]
    fn vary_gains_cookie_once() {
        let mut h = headers(&[(header::VARY, "Accept-Language")]);
        add_vary_cookie(&mut h);
        assert_eq!(h[header::VARY], "Accept-Language, Cookie");
        add_vary_cookie(&mut h);
        assert_eq!(h[header::VARY], "Accept-Language, Cookie");
        let mut empty = HeaderMap::new();
        add_vary_cookie(&mut empty);
        assert_eq!(empty[header::VARY], "Cookie");
    }
}
