//! Machine-readable forms of the news: the Atom feed (RFC 4287), the sitemap (with
//! `xhtml:link` language alternates) and the JSON-LD `NewsArticle` of an article page.

use std::fmt::Write;

use axum::http::StatusCode;
use serde_json::json;

use super::{
    cache::Page,
    pages::{html_lang, rfc3339},
    queries::{self, Item},
};
use crate::{
    error::AppResult,
    news::model::{Article, Version},
    web::{
        AppState,
        i18n::{Locale, Tr},
    },
};

/// XML escaping is the reports' (one function for every XML the app writes).
pub use crate::xml::escape as xml_escape;

/// The host of a base URL, for `tag:` URIs.
fn authority(base: &str) -> &str {
    let rest = base.split_once("://").map(|(_, r)| r).unwrap_or(base);
    let host = rest.split('/').next().unwrap_or(rest);
    host.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map(|(h, _)| h).unwrap_or(host)
}

/// A permanent entry id: `tag:{host},{published date}:news/{id}/{lang}` (RFC 4151), which
/// survives a changed slug.
fn entry_id(base: &str, item: &Item, lang: &str) -> String {
    let date = item.published_at.get(..10).unwrap_or("2024-01-01");
    format!("tag:{},{date}:news/{}/{lang}", authority(base), item.id)
}

/// Renders the feed of the newest public articles in `locale`.
pub async fn atom_page(state: &AppState, locale: Locale) -> AppResult<Page> {
    let lang = locale.code();
    let now = super::now();
    let base = &state.service::<crate::news::public::NewsSite>().base_url;
    let mut conn = state.db.pool.acquire().await?;
    let items = queries::latest(&mut conn, &now, lang).await?;
    let publisher = queries::publisher(&mut conn, lang).await?.unwrap_or_else(|| "Liaison".into());
    let changed = queries::last_change(&mut conn, &now).await?;
    let tr = Tr(locale);
    let updated = items.iter().map(|i| i.updated_at.as_str().max(i.published_at.as_str())).max().or(changed.as_deref()).unwrap_or("");
    let updated = if updated.is_empty() { "1970-01-01T00:00:00Z".to_string() } else { rfc3339(updated) };
    let mut x = String::with_capacity(4096 + items.len() * 4096);
    let _ = write!(
        x,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n\
         <id>{}</id>\n<title>{}</title>\n<subtitle>{}</subtitle>\n<updated>{updated}</updated>\n\
         <author><name>{}</name></author>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" hreflang=\"{}\" href=\"{}\"/>\n",
        html_lang(lang),
        xml_escape(&format!("{base}/news/feed.atom?lang={lang}")),
        xml_escape(&format!("{} · {publisher}", tr.t("np.list_title"))),
        xml_escape(tr.t("np.list_description")),
        xml_escape(&publisher),
        xml_escape(&format!("{base}/news/feed.atom?lang={lang}")),
        html_lang(lang),
        xml_escape(&format!("{base}/news?lang={lang}")),
    );
    for i in &items {
        entry(&mut x, base, i, lang);
    }
    x.push_str("</feed>\n");
    Ok(Page::new(StatusCode::OK, "application/atom+xml; charset=utf-8", x, changed.as_deref()))
}

fn entry(x: &mut String, base: &str, i: &Item, lang: &str) {
    let href = format!("{base}/news/{}?lang={lang}", i.slug);
    let mut content = i.body_html.clone();
    for p in &i.photos {
        let _ = write!(
            content,
            "<figure><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
            xml_escape(&format!("{base}{}", p.url(p.largest()))),
            p.width,
            p.height,
            xml_escape(p.caption(lang)),
            xml_escape(p.caption(lang)),
        );
    }
    let _ = write!(
        x,
        "<entry xml:lang=\"{}\">\n<id>{}</id>\n<title>{}</title>\n<published>{}</published>\n<updated>{}</updated>\n\
         <author><name>{}</name></author>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
         <summary>{}</summary>\n<content type=\"html\" xml:base=\"{}/\">{}</content>\n</entry>\n",
        html_lang(&i.lang),
        xml_escape(&entry_id(base, i, &i.lang)),
        xml_escape(&i.title),
        rfc3339(&i.published_at),
        rfc3339(i.updated_at.as_str().max(i.published_at.as_str())),
        xml_escape(&i.author_name),
        xml_escape(&href),
        xml_escape(&i.summary),
        xml_escape(base),
        xml_escape(&content),
    );
}

/// Renders the sitemap: the news list in each language, every public article in each
/// language it has (with `xhtml:link` alternates), and the partner page.
pub async fn sitemap_page(state: &AppState) -> AppResult<Page> {
    let now = super::now();
    let base = &state.service::<crate::news::public::NewsSite>().base_url;
    let mut conn = state.db.pool.acquire().await?;
    let items = queries::all_public(&mut conn, &now).await?;
    let changed = queries::last_change(&mut conn, &now).await?;
    let mut x = String::with_capacity(1024 + items.len() * 800);
    x.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    let langs = super::layout::SITE_LANGS;
    url(&mut x, &format!("{base}/news"), &langs, changed.as_deref());
    for i in &items {
        let langs: Vec<&str> = i.langs.iter().map(String::as_str).collect();
        url(&mut x, &format!("{base}/news/{}", i.slug), &langs, Some(i.updated_at.as_str().max(i.published_at.as_str())));
    }
    url(&mut x, &format!("{base}/partners"), &langs, None);
    x.push_str("</urlset>\n");
    Ok(Page::new(StatusCode::OK, "application/xml; charset=utf-8", x, changed.as_deref()))
}

/// One `<url>` per language of `page`, each listing all of them as alternates.
fn url(x: &mut String, page: &str, langs: &[&str], lastmod: Option<&str>) {
    for l in langs {
        let _ = write!(x, "<url><loc>{}</loc>", xml_escape(&format!("{page}?lang={l}")));
        if let Some(m) = lastmod {
            let _ = write!(x, "<lastmod>{}</lastmod>", rfc3339(m));
        }
        for other in langs {
            let _ = write!(
                x,
                "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                html_lang(other),
                xml_escape(&format!("{page}?lang={other}"))
            );
        }
        x.push_str("</url>\n");
    }
}

/// The JSON-LD `NewsArticle` of an article page, safe inside `<script>`: `<`, `>` and `&`
/// are written as JSON escapes, so no `</script>` or `<!--` can appear.
pub fn json_ld(a: &Article, v: &Version, canonical: &str, base: &str, publisher: Option<&str>, partner: Option<&str>) -> String {
    let people = |role: &str| -> Vec<serde_json::Value> {
        a.credits.iter().filter(|c| c.role == role).flat_map(|c| c.names.iter()).map(|n| json!({"@type": "Person", "name": n})).collect()
    };
    let mut authors = people("author");
    if authors.is_empty() && !a.author_name.is_empty() {
        authors.push(json!({"@type": "Person", "name": a.author_name}));
    }
    let contributors: Vec<serde_json::Value> = ["photographer", "proofreader", "reviewer"].iter().flat_map(|r| people(r)).collect();
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": v.title,
        "description": v.summary,
        "inLanguage": html_lang(&v.lang),
        "url": canonical,
        "mainEntityOfPage": canonical,
        "datePublished": a.published_at.as_deref().map(rfc3339),
        "dateModified": rfc3339(&a.updated_at),
        "author": authors,
        "image": a.photos.iter().map(|p| format!("{base}{}", p.url(p.largest()))).collect::<Vec<_>>(),
        "keywords": a.tags,
        "interactionStatistic": {
            "@type": "InteractionCounter",
            "interactionType": "https://schema.org/ReadAction",
            "userInteractionCount": a.view_count,
        },
    });
    let translators = people("translator");
    if !translators.is_empty() {
        doc["translator"] = json!(translators);
    }
    if !contributors.is_empty() {
        doc["contributor"] = json!(contributors);
    }
    if let Some(p) = publisher {
        doc["publisher"] = json!({"@type": "Organization", "name": p});
    }
    if let Some(p) = partner {
        doc["about"] = json!({"@type": "CollegeOrUniversity", "name": p});
    }
    doc.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped_and_control_characters_dropped() {
        assert_eq!(xml_escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot; ");
    }

    #[test]
    fn tag_uris_use_the_host_without_port() {
        assert_eq!(authority("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(authority("https://news.example.edu/site"), "news.example.edu");
    }
}
