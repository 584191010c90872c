//! `/search` (the results page: the office's layout for staff, the public site's for
//! everyone else) and `/search/suggest` (the header's as-you-type list, an htmx fragment).

use askama::Template;
use axum::{
    extract::{RawQuery, State},
    response::{IntoResponse, Response},
};

use super::{
    KINDS,
    api::{check_query, parse_kinds},
    query::{self, Hit, Results, Search},
};
use crate::{
    auth::Permission,
    error::AppResult,
    news::public::layout::Layout,
    reference,
    web::{
        AppState,
        context::Ctx,
        i18n::{Locale, Tr},
        pages::Base,
        render,
    },
};

/// Hits on the results page and in the suggestions.
const PAGE_HITS: usize = 50;
const SUGGESTIONS: usize = 8;

/// A hit as shown: the name in the reader's language first.
pub struct Shown {
    hit: Hit,
    name: String,
    other_name: Option<String>,
    kind: &'static str,
    place: String,
}

fn shown(tr: Tr, hit: Hit) -> Shown {
    let zh = tr.0 == Locale::Zh;
    // The other language's name is shown for names (of places and people), not for titles.
    let names = matches!(hit.kind.as_str(), "institution" | "person" | "mobility");
    let (name, other_name) = match (&hit.title_zh, zh) {
        (Some(z), true) if !names => (z.clone(), None),
        (Some(z), true) => (z.clone(), Some(hit.title.clone())),
        (Some(z), false) if *z != hit.title && names => (hit.title.clone(), Some(z.clone())),
        _ => (hit.title.clone(), None),
    };
    let place = hit.country.as_deref().map(|c| reference::country_name(c, tr.0.code())).unwrap_or_default();
    Shown { kind: tr.t(kind_key(&hit.kind)), name, other_name, place, hit }
}

fn kind_key(kind: &str) -> &'static str {
    match kind {
        "institution" => "search.kind.institution",
        "person" => "search.kind.person",
        "visit" => "search.kind.visit",
        "agreement" => "search.kind.agreement",
        "programme" => "search.kind.programme",
        "mobility" => "search.kind.mobility",
        "article" => "search.kind.article",
        _ => "search.kind.room",
    }
}

/// `q`, `kind` and `lang` of a page's query string.
struct Params {
    q: String,
    kind: Option<String>,
    lang: Option<Locale>,
}

fn params(raw: Option<&str>) -> Params {
    let mut p = Params { q: String::new(), kind: None, lang: None };
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "q" => p.q = v.into_owned(),
            "kind" => p.kind = Some(v.into_owned()).filter(|v| !v.is_empty()),
            "lang" => p.lang = Locale::parse(&v),
            _ => {}
        }
    }
    p
}

#[derive(Template)]
#[template(path = "search/results.html")]
struct ResultsPage {
    base: Base,
    q: String,
    kind: Option<String>,
    kinds: Vec<(&'static str, &'static str)>,
    corrected: Option<String>,
    hits: Vec<Shown>,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "search/public.html")]
struct PublicPage {
    site: Layout,
    q: String,
    corrected: Option<String>,
    hits: Vec<Shown>,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "search/_suggest.html")]
struct Suggestions {
    tr: Tr,
    lang: &'static str,
    q: String,
    hits: Vec<Shown>,
}

impl Suggestions {
    fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }
}

async fn run(state: &AppState, staff: bool, q: &str, kind: Option<&str>, limit: usize) -> AppResult<Result<Results, String>> {
    if q.trim().is_empty() {
        return Ok(Ok(Results { query: String::new(), corrected: None, hits: Vec::new() }));
    }
    let checked = check_query(q).and_then(|_| parse_kinds(kind));
    let kinds = match checked {
        Ok(k) => k,
        Err(crate::error::AppError::Validation(errors)) => {
            return Ok(Err(errors.into_iter().next().map(|e| e.message).unwrap_or_default()));
        }
        Err(e) => return Err(e),
    };
    Ok(Ok(query::search(&state.db, &Search { q, kinds: &kinds, staff, limit }).await?))
}

/// `GET /search?q=&kind=`.
pub async fn search_page(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let p = params(raw.as_deref());
    let staff = ctx.user.as_ref().is_some_and(|u| u.can(Permission::ViewRecords));
    let locale = p.lang.unwrap_or(ctx.locale);
    let tr = Tr(locale);
    let (results, problem) = match run(&state, staff, &p.q, p.kind.as_deref().filter(|_| staff), PAGE_HITS).await? {
        Ok(r) => (r, None),
        Err(msg) => (Results { query: p.q.clone(), corrected: None, hits: Vec::new() }, Some(tr.message(&msg).into_owned())),
    };
    let hits = results.hits.into_iter().map(|h| shown(tr, h)).collect();
    if staff {
        let mut base = Base::new(&ctx, tr.t("search.title"), "search");
        base.tr = tr;
        let kinds = KINDS.iter().map(|k| (*k, tr.t(kind_key(k)))).collect();
        return Ok(render(&ResultsPage { base, q: p.q, kind: p.kind, kinds, corrected: results.corrected, hits, problem }));
    }
    let base_url = &state.service::<crate::news::public::NewsSite>().base_url;
    let path = format!("/search?q={}", url::form_urlencoded::byte_serialize(p.q.as_bytes()).collect::<String>());
    let site = Layout::new(locale, tr.t("search.title").to_string(), tr.t("search.public_intro").to_string()).with_languages(
        base_url,
        &path,
        &["zh", "en", "ms"],
    );
    Ok(render(&PublicPage { site, q: p.q, corrected: results.corrected, hits, problem }))
}

/// `GET /search/suggest?q=`: the first hits as links, for the header's search box.
pub async fn suggest(State(state): State<AppState>, ctx: Ctx, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let p = params(raw.as_deref());
    let staff = ctx.user.as_ref().is_some_and(|u| u.can(Permission::ViewRecords));
    let tr = Tr(p.lang.unwrap_or(ctx.locale));
    let hits = match run(&state, staff, &p.q, None, SUGGESTIONS).await? {
        Ok(r) => r.hits.into_iter().map(|h| shown(tr, h)).collect(),
        Err(_) => Vec::new(),
    };
    Ok(render(&Suggestions { tr, lang: tr.0.code(), q: p.q, hits }).into_response())
}
