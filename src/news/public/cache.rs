//! Rendered public pages kept for a few seconds, and the HTTP validators on them.
//!
//! **Staleness rule:** a page is rendered at most once per [`TTL`] per instance and key
//! (path, language, query); requests in between get the same bytes, and requests that
//! arrive while it renders wait for that one rendering instead of starting their own.
//! [`PageCache::invalidate`] (called after every news write on this instance) drops
//! everything at once; another instance shows a change at most [`TTL`] later. View
//! counts on a cached page are as old as the page.

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    body::{Body, Bytes},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::Response,
};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::error::AppResult;

/// How long a rendered page is served before it is rendered again.
pub const TTL: Duration = Duration::from_secs(5);
/// Keys kept at most (filters are free text, so the key space is not bounded); when full,
/// expired entries go, and if none has expired the page is rendered without being kept.
const MAX_ENTRIES: usize = 1_000;
/// What browsers and shared caches may reuse without asking.
pub const CACHE_CONTROL: &str = "public, max-age=60";

/// One rendered response body with its validators.
#[derive(Debug)]
pub struct Page {
    /// 200, or 404 for the not-found page.
    pub status: StatusCode,
    /// Content-Type.
    pub content_type: &'static str,
    /// The bytes sent.
    pub body: Bytes,
    /// Strong validator: a hash of the body, quoted.
    pub etag: String,
    /// Last change of what the page shows, whole seconds.
    pub last_modified: Option<jiff::Timestamp>,
    /// The article the page shows (its views are counted).
    pub article_id: Option<i64>,
}

impl Page {
    /// A page with its ETag computed; `last_modified` is a stored instant
    /// (`crate::time` text) or `None`.
    pub fn new(status: StatusCode, content_type: &'static str, body: String, last_modified: Option<&str>) -> Page {
        let digest = Sha256::digest(body.as_bytes());
        let etag = format!("\"{}\"", crate::secret::hex(&digest[..10]));
        let last_modified =
            last_modified.and_then(|t| t.parse::<jiff::Timestamp>().ok()).and_then(|t| jiff::Timestamp::from_second(t.as_second()).ok());
        Page { status, content_type, body: Bytes::from(body), etag, last_modified, article_id: None }
    }

    /// The same page, counting views for `article_id`.
    pub fn for_article(mut self, article_id: i64) -> Page {
        self.article_id = Some(article_id);
        self
    }

    /// True when the request's validators match: `If-None-Match` when present (it wins
    /// over the date, RFC 9110 §13.2.2), else `If-Modified-Since`.
    fn not_modified(&self, req: &HeaderMap) -> bool {
        if self.status != StatusCode::OK {
            return false;
        }
        if let Some(inm) = req.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
            return inm.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == "*" || t == self.etag);
        }
        let since = req
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(v).ok());
        matches!((self.last_modified, since), (Some(lm), Some(since)) if lm <= since)
    }

    /// The response to a request with `req` headers: 304 when its validators match.
    /// `vary` names request headers the page was chosen by (the language, when the URL
    /// did not say it).
    pub fn respond(&self, req: &HeaderMap, vary: Option<&'static str>) -> Response {
        let not_modified = self.not_modified(req);
        let mut res = if not_modified { Response::new(Body::empty()) } else { Response::new(Body::from(self.body.clone())) };
        *res.status_mut() = if not_modified { StatusCode::NOT_MODIFIED } else { self.status };
        let h = res.headers_mut();
        if !not_modified {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
        if self.status == StatusCode::OK {
            if let Ok(v) = HeaderValue::from_str(&self.etag) {
                h.insert(header::ETAG, v);
            }
            let printed = self.last_modified.and_then(|t| jiff::fmt::rfc2822::DateTimePrinter::new().timestamp_to_rfc9110_string(&t).ok());
            if let Some(v) = printed.and_then(|p| HeaderValue::from_str(&p).ok()) {
                h.insert(header::LAST_MODIFIED, v);
            }
        }
        if let Some(v) = vary {
            h.insert(header::VARY, HeaderValue::from_static(v));
        }
        res
    }
}

struct Slot {
    born: Instant,
    page: OnceCell<Arc<Page>>,
}

/// Rendered pages by key, each for [`TTL`].
#[derive(Default)]
pub struct PageCache {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

impl PageCache {
    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Slot>>> {
        // The map holds only finished or pending renderings; a poisoned lock leaves it usable.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops every kept page: the next request of each renders it again. Call after any
    /// change to the news (articles, versions, photos, tags, publishing).
    pub fn invalidate(&self) {
        self.slots().clear();
    }

    /// The page kept under `key`, or the one `render` makes (kept for [`TTL`]).
    pub async fn get_or_render<F, Fut>(&self, key: String, render: F) -> AppResult<Arc<Page>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<Page>>,
    {
        let slot = {
            let mut slots = self.slots();
            match slots.get(&key) {
                Some(s) if s.born.elapsed() < TTL => Some(s.clone()),
                _ => {
                    if slots.len() >= MAX_ENTRIES {
                        slots.retain(|_, s| s.born.elapsed() < TTL);
                    }
                    (slots.len() < MAX_ENTRIES).then(|| {
                        let s = Arc::new(Slot { born: Instant::now(), page: OnceCell::new() });
                        slots.insert(key, s.clone());
                        s
                    })
                }
            }
        };
        match slot {
            Some(s) => Ok(s.page.get_or_try_init(|| async { render().await.map(Arc::new) }).await?.clone()),
            None => Ok(Arc::new(render().await?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).expect("header"));
        h
    }

    #[test]
    fn validators_answer_304() {
        let page = Page::new(StatusCode::OK, "text/html", "<p>x</p>".into(), Some("2024-05-24T02:00:00.500000Z"));
        assert_eq!(page.respond(&headers(header::IF_NONE_MATCH, &page.etag), None).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(page.respond(&headers(header::IF_NONE_MATCH, "\"other\""), None).status(), StatusCode::OK);
        let since = headers(header::IF_MODIFIED_SINCE, "Fri, 24 May 2024 02:00:00 GMT");
        assert_eq!(page.respond(&since, None).status(), StatusCode::NOT_MODIFIED);
        let before = headers(header::IF_MODIFIED_SINCE, "Fri, 24 May 2024 01:59:59 GMT");
        assert_eq!(page.respond(&before, None).status(), StatusCode::OK);
        let res = page.respond(&HeaderMap::new(), Some("Accept-Language"));
        assert_eq!(res.headers()[header::LAST_MODIFIED], "Fri, 24 May 2024 02:00:00 GMT");
        assert_eq!(res.headers()[header::VARY], "Accept-Language");
    }

    #[tokio::test]
    async fn a_kept_page_is_rendered_once_until_invalidated() {
        let cache = PageCache::default();
        let render = || async { Ok(Page::new(StatusCode::OK, "text/plain", "a".into(), None)) };
        let a = cache.get_or_render("k".into(), render).await.expect("page");
        let b = cache.get_or_render("k".into(), || async { Ok(Page::new(StatusCode::OK, "text/plain", "b".into(), None)) }).await;
        assert_eq!(b.expect("page").body, a.body);
        cache.invalidate();
        let c = cache.get_or_render("k".into(), || async { Ok(Page::new(StatusCode::OK, "text/plain", "c".into(), None)) }).await;
        assert_eq!(&c.expect("page").body[..], b"c");
    }
}
