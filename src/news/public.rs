//! The public news site: `/news` (list per language, by tag or partner), `/news/{slug}`
//! (the article), `/news/feed.atom` (RFC 4287) and `/sitemap.xml`. No login; nothing on
//! these pages depends on who asks, so each rendered page is kept for a few seconds
//! ([`cache`]) and answered with ETag, Last-Modified and `Cache-Control: public`.
//! Article views are counted by [`super::views`].

pub mod cache;
pub mod feed;
pub mod layout;
pub mod pages;
pub mod partners;
pub mod queries;

use std::sync::Arc;

use axum::{
    extract::{Path, RawQuery, State},
    http::{HeaderMap, Method, header},
    response::Response,
    routing::get,
};

use super::views::{self, Views};
use crate::{
    auth::Access,
    error::AppResult,
    web::{AppState, context::Ctx, i18n::Locale, routes::Routes},
};
use cache::{Page, PageCache};

/// The public site's shared parts on one instance: kept pages, the view counter and the
/// absolute base URL.
pub struct NewsSite {
    /// Rendered pages, a few seconds each.
    pub pages: PageCache,
    /// View counter (flushed by the scheduler, `crate::jobs`).
    pub views: Arc<Views>,
    /// Absolute base of public links, e.g. `https://www.example.edu` (no trailing slash).
    pub base_url: String,
}

impl NewsSite {
    /// A site whose links start with `base_url`.
    pub fn new(base_url: impl Into<String>) -> NewsSite {
        NewsSite { pages: PageCache::default(), views: Arc::default(), base_url: base_url.into().trim_end_matches('/').to_string() }
    }

    /// Forgets every kept page; call after any change to the news.
    pub fn invalidate(&self) {
        self.pages.invalidate();
    }
}

/// Forgets the kept public pages after a news write (this instance; others within
/// [`cache::TTL`]).
pub fn invalidate(state: &AppState) {
    state.service::<NewsSite>().invalidate();
}

/// Routes of the public site.
pub fn routes() -> Routes {
    Routes::new()
        .get("/news", Access::Public, get(list_news))
        .get("/news/feed.atom", Access::Public, get(news_feed))
        .get("/news/{slug}", Access::Public, get(show_article))
        .get("/sitemap.xml", Access::Public, get(sitemap))
        .get("/partners", Access::Public, get(partners::public_partners))
}

/// The query of a public page, read leniently (unknown keys ignored).
#[derive(Debug, Default)]
struct Params {
    lang: Option<Locale>,
    page: Option<String>,
    tag: Option<String>,
    partner: Option<String>,
}

impl Params {
    fn parse(raw: Option<&str>) -> Params {
        let mut p = Params::default();
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let v = v.trim().to_string();
            match k.as_ref() {
                "lang" => p.lang = Locale::parse(&v),
                "page" if !v.is_empty() => p.page = Some(v),
                "tag" if !v.is_empty() => p.tag = Some(v.to_lowercase()),
                "partner" if !v.is_empty() => p.partner = Some(v),
                _ => {}
            }
        }
        p
    }

    /// The page's language: `?lang=`, else the caller's (then the response varies by it).
    fn locale(&self, ctx: &Ctx) -> (Locale, Option<&'static str>) {
        match self.lang {
            Some(l) => (l, None),
            None => (ctx.locale, Some("Accept-Language, Cookie")),
        }
    }
}

/// The current instant as stored.
fn now() -> String {
    crate::time::now_text()
}

/// Counts a view of the page's article when the request is a person's view.
fn count_view(site: &NewsSite, page: &Page, method: &Method, headers: &HeaderMap, ctx: &Ctx) {
    if let Some(id) = page.article_id
        && views::is_countable(method, headers)
    {
        let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        site.views.record(id, &ctx.ip, ua);
    }
}

/// `GET /news?lang=&page=&tag=&partner=`: public articles, newest first, ten a page.
async fn list_news(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let p = Params::parse(raw.as_deref());
    let (locale, vary) = p.locale(&ctx);
    let page_no = match p.page.as_deref().map(str::parse::<i64>) {
        None => Some(1),
        Some(Ok(n)) if (1..=100_000).contains(&n) => Some(n),
        Some(_) => None,
    };
    let partner = match p.partner.as_deref().map(str::parse::<i64>) {
        None => Some(None),
        Some(Ok(id)) if id > 0 => Some(Some(id)),
        Some(_) => None,
    };
    let (Some(page_no), Some(partner)) = (page_no, partner) else {
        return Ok(pages::not_found(locale).respond(&headers, vary));
    };
    let filter = queries::ListFilter { tag: p.tag.filter(|t| t.chars().count() <= 40), partner };
    let key = format!("list|{}|{page_no}|{}|{}", locale.code(), filter.tag.as_deref().unwrap_or(""), partner.unwrap_or(0));
    let site = state.service_arc::<NewsSite>();
    let page = site.pages.get_or_render(key, || pages::list_page(&state, locale, filter, page_no)).await?;
    Ok(page.respond(&headers, vary))
}

/// `GET /news/{slug}?lang=`: one public article; anything else at that address is the
/// not-found page.
async fn show_article(
    State(state): State<AppState>,
    ctx: Ctx,
    method: Method,
    headers: HeaderMap,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let (locale, vary) = Params::parse(raw.as_deref()).locale(&ctx);
    let plausible =
        !slug.is_empty() && slug.len() <= 100 && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !plausible {
        return Ok(pages::not_found(locale).respond(&headers, vary));
    }
    let key = format!("article|{}|{slug}", locale.code());
    let site = state.service_arc::<NewsSite>();
    let page = site.pages.get_or_render(key, || pages::article_page(&state, locale, &slug)).await?;
    count_view(&site, &page, &method, &headers, &ctx);
    Ok(page.respond(&headers, vary))
}

/// `GET /news/feed.atom?lang=`: the newest public articles as an Atom feed.
async fn news_feed(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let (locale, vary) = Params::parse(raw.as_deref()).locale(&ctx);
    let key = format!("feed|{}", locale.code());
    let site = state.service_arc::<NewsSite>();
    let page = site.pages.get_or_render(key, || feed::atom_page(&state, locale)).await?;
    Ok(page.respond(&headers, vary))
}

/// `GET /sitemap.xml`: the news list and every public article in each language, and the
/// partner page.
async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let site = state.service_arc::<NewsSite>();
    let page = site.pages.get_or_render("sitemap".into(), || feed::sitemap_page(&state)).await?;
    Ok(page.respond(&headers, None))
}
