//! The public HTML pages: the layout shared by them, the list, the article and the
//! bilingual not-found page.

use askama::Template;
use axum::http::StatusCode;

use super::layout::Layout;
pub use super::layout::html_lang;
use super::{
    cache::Page,
    feed::json_ld,
    queries::{self, Item, ListFilter, PER_PAGE},
};
use crate::{
    error::{AppError, AppResult},
    news::model::{Article, Photo},
    web::{
        AppState,
        i18n::{Locale, Tr},
        routes::urlencode,
    },
};

const HTML: &str = "text/html; charset=utf-8";
/// The credits' roles, in the order the chain runs.
const ROLES: [&str; 5] = ["author", "translator", "photographer", "proofreader", "reviewer"];

/// A stored instant as RFC 3339 (`2024-05-24T02:00:00Z`).
pub fn rfc3339(instant: &str) -> String {
    instant.parse::<jiff::Timestamp>().map(|t| t.to_string()).unwrap_or_default()
}

/// A stored instant as a date in the office's time zone, written for `lang` by CLDR's
/// long pattern ("May 8, 2024", "2024年5月8日", "8 Mei 2024").
pub fn display_date(instant: &str, lang: &str) -> String {
    let Ok(ts) = instant.parse::<jiff::Timestamp>() else { return String::new() };
    let tz = jiff::tz::TimeZone::get(crate::time::OFFICE_TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
    Tr(Locale::parse(lang).unwrap_or(Locale::En)).long_date(ts.to_zoned_datetime(tz).date())
}

/// `/news` with filters and page, `lang` last so callers can append it.
pub fn list_path(tag: Option<&str>, partner: Option<i64>, page: i64) -> String {
    let mut q = Vec::new();
    if let Some(t) = tag {
        q.push(format!("tag={}", urlencode(t)));
    }
    if let Some(p) = partner {
        q.push(format!("partner={p}"));
    }
    if page > 1 {
        q.push(format!("page={page}"));
    }
    if q.is_empty() { "/news".into() } else { format!("/news?{}", q.join("&")) }
}

fn with_lang(path: &str, lang: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}lang={lang}")
}

fn render<T: Template>(t: &T) -> AppResult<String> {
    t.render().map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))
}

/// A thumbnail: the smallest variant with its own size.
pub struct Thumb {
    /// URL.
    pub src: String,
    /// Pixels.
    pub width: i64,
    /// Pixels.
    pub height: i64,
    /// Alternative text (the caption).
    pub alt: String,
}

impl Thumb {
    fn of(p: &Photo, lang: &str, fallback_alt: &str) -> Thumb {
        let w = p.widths.first().copied().unwrap_or(p.width).max(1);
        let h = if p.width > 0 { (p.height * w + p.width / 2) / p.width } else { p.height };
        let alt = if p.caption(lang).is_empty() { fallback_alt } else { p.caption(lang) };
        Thumb { src: p.url(w), width: w, height: h, alt: alt.to_string() }
    }
}

/// One article in the list.
pub struct ListItem {
    /// The article page in the list's language.
    pub href: String,
    /// Title.
    pub title: String,
    /// `lang` of the title and summary when they are not in the page's language.
    pub text_lang: Option<&'static str>,
    /// Summary.
    pub summary: String,
    /// RFC 3339.
    pub date_iso: String,
    /// Written date.
    pub date_text: String,
    /// First photo.
    pub thumb: Option<Thumb>,
    /// The related partner: (id, name in the list's language).
    pub partner: Option<(i64, String)>,
}

/// An active filter with the link that removes it.
pub struct Chip {
    /// "Tag" or "Partner".
    pub label: String,
    /// Its value.
    pub value: String,
    /// The list without it.
    pub remove: String,
}

#[derive(Template)]
#[template(path = "news/public_list.html")]
struct ListPage {
    site: Layout,
    items: Vec<ListItem>,
    chips: Vec<Chip>,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

/// Renders one list page.
pub async fn list_page(state: &AppState, locale: Locale, filter: ListFilter, page_no: i64) -> AppResult<Page> {
    let lang = locale.code();
    let now = super::now();
    let mut conn = state.db.pool.acquire().await?;
    let (items, total) = queries::list(&mut conn, &now, &filter, lang, page_no).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    if page_no > pages {
        return Ok(not_found(locale));
    }
    let last_change = queries::last_change(&mut conn, &now).await?;
    let tr = Tr(locale);
    let mut chips = Vec::new();
    if let Some(t) = &filter.tag {
        chips.push(Chip { label: tr.t("np.tag").into(), value: t.clone(), remove: with_lang(&list_path(None, filter.partner, 1), lang) });
    }
    if let Some(p) = filter.partner {
        let name = queries::partner(&mut conn, p, lang).await?.map(|(n, ..)| n).unwrap_or_else(|| format!("#{p}"));
        chips.push(Chip {
            label: tr.t("np.partner").into(),
            value: name,
            remove: with_lang(&list_path(filter.tag.as_deref(), None, 1), lang),
        });
    }
    let link = |n: i64| with_lang(&list_path(filter.tag.as_deref(), filter.partner, n), lang);
    let path = list_path(filter.tag.as_deref(), filter.partner, page_no);
    let title =
        if page_no > 1 { format!("{} · {} {page_no}", tr.t("np.list_title"), tr.t("np.page")) } else { tr.t("np.list_title").into() };
    let site = Layout::new(locale, title, tr.t("np.list_description").into()).with_languages(
        &state.service::<crate::news::public::NewsSite>().base_url,
        &path,
        &super::layout::SITE_LANGS,
    );
    let items = items.iter().map(|i| list_item(i, lang)).collect();
    let page = ListPage {
        site,
        items,
        chips,
        page: page_no,
        pages,
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no < pages).then(|| link(page_no + 1)),
    };
    Ok(Page::new(StatusCode::OK, HTML, render(&page)?, last_change.as_deref()))
}

fn list_item(i: &Item, lang: &str) -> ListItem {
    ListItem {
        href: with_lang(&format!("/news/{}", i.slug), lang),
        title: i.title.clone(),
        text_lang: (i.lang != lang).then(|| html_lang(&i.lang)),
        summary: i.summary.clone(),
        date_iso: rfc3339(&i.published_at),
        date_text: display_date(&i.published_at, lang),
        thumb: i.photos.first().map(|p| Thumb::of(p, lang, &i.title)),
        partner: i.partner.clone(),
    }
}

/// A photo as a figure.
pub struct Figure {
    /// Fallback source.
    pub src: String,
    /// Every variant with its width.
    pub srcset: String,
    /// Largest variant's pixels (the aspect ratio for layout).
    pub width: i64,
    /// Pixels.
    pub height: i64,
    /// Caption in the page's language (else the other).
    pub caption: String,
    /// Photographer.
    pub photographer: String,
}

impl Figure {
    fn of(p: &Photo, lang: &str) -> Figure {
        let src_width = p.widths.iter().copied().find(|w| *w >= 960).unwrap_or_else(|| p.largest());
        Figure {
            src: p.url(src_width),
            srcset: p.widths.iter().map(|w| format!("{} {w}w", p.url(*w))).collect::<Vec<_>>().join(", "),
            width: p.width,
            height: p.height,
            caption: p.caption(lang).to_string(),
            photographer: p.photographer_name.clone(),
        }
    }
}

/// The related partner.
pub struct PartnerLink {
    /// Name in the page's language.
    pub name: String,
    /// Its place on the public partner page, when it is shown there.
    pub href: Option<String>,
    /// Other news about it.
    pub news: String,
}

#[derive(Template)]
#[template(path = "news/public_article.html")]
struct ArticlePage {
    site: Layout,
    title: String,
    text_lang: Option<&'static str>,
    fallback: bool,
    /// The version's own note (e.g. that it is a translation, or written for the demo).
    note: String,
    date_iso: String,
    date_text: String,
    body_html: String,
    figures: Vec<Figure>,
    partner: Option<PartnerLink>,
    tags: Vec<(String, String)>,
    credits: Vec<(String, String)>,
    views: i64,
    json_ld: String,
    meta: Vec<(&'static str, String)>,
}

/// Renders the article at `slug`, or the not-found page when no public one is there.
pub async fn article_page(state: &AppState, locale: Locale, slug: &str) -> AppResult<Page> {
    let now = super::now();
    let mut conn = state.db.pool.acquire().await?;
    let Some(id) = queries::published_id(&mut conn, slug, &now).await? else {
        return Ok(not_found(locale));
    };
    let article = crate::news::store::get_article(&mut conn, id).await?;
    let lang = locale.code();
    let Some(version) = article.version_or_original(lang) else {
        return Ok(not_found(locale));
    };
    let base = &state.service::<crate::news::public::NewsSite>().base_url;
    let published = article.published_at.clone().unwrap_or_default();
    let partner = match article.institution_id {
        Some(pid) => queries::partner(&mut conn, pid, lang).await?.map(|(name, country, public)| PartnerLink {
            name,
            href: public.then(|| format!("/partners?lang={lang}#country-{country}")),
            news: with_lang(&list_path(None, Some(pid), 1), lang),
        }),
        None => None,
    };
    let publisher = queries::publisher(&mut conn, lang).await?;
    let tr = Tr(locale);
    let joiner = if lang == "zh" { "、" } else { ", " };
    let mut credits: Vec<(String, String)> = Vec::new();
    for role in ROLES {
        let names: Vec<&str> = article.credits.iter().filter(|c| c.role == role).flat_map(|c| c.names.iter().map(String::as_str)).collect();
        let names = if names.is_empty() && role == "author" && !article.author_name.is_empty() {
            vec![article.author_name.as_str()]
        } else {
            names
        };
        if !names.is_empty() {
            credits.push((tr.t(&format!("np.role.{role}")).to_string(), names.join(joiner)));
        }
    }
    let langs: Vec<&str> = article.versions.iter().map(|v| v.lang.as_str()).collect();
    let path = format!("/news/{}", article.slug);
    let site = Layout::new(locale, version.title.clone(), version.summary.clone()).with_languages(base, &path, &langs);
    let canonical = site.canonical.clone().unwrap_or_default();
    let figures: Vec<Figure> = article.photos.iter().map(|p| Figure::of(p, lang)).collect();
    let json_ld = json_ld(&article, version, &canonical, base, publisher.as_deref(), partner.as_ref().map(|p| p.name.as_str()));
    let meta = open_graph(&article, version, &canonical, base, lang, publisher.as_deref());
    let page = ArticlePage {
        title: version.title.clone(),
        text_lang: (version.lang != lang).then(|| html_lang(&version.lang)),
        fallback: version.lang != lang,
        note: version.note.clone(),
        date_iso: rfc3339(&published),
        date_text: display_date(&published, lang),
        body_html: version.body_html.clone(),
        figures,
        partner,
        tags: article.tags.iter().map(|t| (t.clone(), with_lang(&list_path(Some(t), None, 1), lang))).collect(),
        credits,
        views: article.view_count,
        json_ld,
        meta,
        site,
    };
    let changed = article.updated_at.clone().max(published);
    Ok(Page::new(StatusCode::OK, HTML, render(&page)?, Some(&changed)).for_article(article.id))
}

/// Open Graph and `article:*` properties.
fn open_graph(
    a: &Article,
    v: &crate::news::model::Version,
    canonical: &str,
    base: &str,
    lang: &str,
    publisher: Option<&str>,
) -> Vec<(&'static str, String)> {
    let og_locale = |l: &str| match l {
        "zh" => "zh_CN",
        "ms" => "ms_MY",
        _ => "en_US",
    };
    let mut m = vec![
        ("og:type", "article".to_string()),
        ("og:title", v.title.clone()),
        ("og:description", v.summary.clone()),
        ("og:url", canonical.to_string()),
        ("og:locale", og_locale(lang).to_string()),
    ];
    if let Some(p) = publisher {
        m.push(("og:site_name", p.to_string()));
    }
    for other in a.versions.iter().filter(|x| x.lang != lang) {
        m.push(("og:locale:alternate", og_locale(&other.lang).to_string()));
    }
    if let Some(p) = a.photos.first() {
        m.push(("og:image", format!("{base}{}", p.url(p.largest()))));
        m.push(("og:image:width", p.width.to_string()));
        m.push(("og:image:height", p.height.to_string()));
        m.push(("og:image:alt", p.caption(lang).to_string()));
    }
    if let Some(p) = &a.published_at {
        m.push(("article:published_time", rfc3339(p)));
    }
    m.push(("article:modified_time", rfc3339(&a.updated_at)));
    for t in &a.tags {
        m.push(("article:tag", t.clone()));
    }
    m
}

#[derive(Template)]
#[template(path = "news/public_not_found.html")]
struct NotFoundPage {
    site: Layout,
    /// Both languages, the asked-for one first.
    langs: Vec<(Tr, &'static str)>,
}

/// The not-found page, in every language (the asked-for one first), status 404.
pub fn not_found(locale: Locale) -> Page {
    let title = format!(
        "{} · {}",
        Tr(locale).t("np.not_found_title"),
        Tr(if locale == Locale::Zh { Locale::En } else { Locale::Zh }).t("np.not_found_title")
    );
    let mut site = Layout::new(locale, title, String::new()).with_languages("", "/news", &[]);
    site.canonical = None;
    site.noindex = true;
    let order = std::iter::once(locale).chain(Locale::ALL.into_iter().filter(|l| *l != locale));
    let langs = order.map(|l| (Tr(l), l.html_lang())).collect();
    let html = render(&NotFoundPage { site, langs }).unwrap_or_else(|_| "<!doctype html><title>404</title><h1>404</h1>".into());
    Page::new(StatusCode::NOT_FOUND, HTML, html, None)
}
