//! The public site's own reads: which articles are public, the list page's rows, and
//! what the feed and sitemap need. Published means `status = 'published'` and
//! `published_at <= now`; a scheduled article is not public before its time.

use sqlx::{AnyConnection, Row};

use crate::{error::AppResult, news::model::Photo};

/// Articles per list page.
pub const PER_PAGE: i64 = 10;
/// Entries in the feed.
pub const FEED_ENTRIES: i64 = 20;

const PUBLISHED: &str = "a.status = 'published' AND a.published_at IS NOT NULL AND a.published_at <= $1";

/// Filters of the list page.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only articles with this tag.
    pub tag: Option<String>,
    /// Only articles whose related partner is this institution.
    pub partner: Option<i64>,
}

/// An article as a list, feed or sitemap shows it, in one language.
#[derive(Debug, Clone)]
pub struct Item {
    /// Id.
    pub id: i64,
    /// Public address.
    pub slug: String,
    /// When it became public.
    pub published_at: String,
    /// Last change.
    pub updated_at: String,
    /// The author's name.
    pub author_name: String,
    /// The related partner institution: (id, its name in the page's language).
    pub partner: Option<(i64, String)>,
    /// Language of the text below (the one asked for, else the original).
    pub lang: String,
    /// Languages that have a version.
    pub langs: Vec<String>,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Sanitised body HTML (filled for the feed only).
    pub body_html: String,
    /// Photos in order (the list shows the first).
    pub photos: Vec<Photo>,
}

/// The id of the public article at `slug`.
pub async fn published_id(conn: &mut AnyConnection, slug: &str, now: &str) -> AppResult<Option<i64>> {
    let sql = format!("SELECT a.id FROM articles a WHERE a.slug = $2 AND {PUBLISHED}");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(now).bind(slug).fetch_optional(conn).await?)
}

/// One page of public articles, newest first, and how many there are in all.
pub async fn list(conn: &mut AnyConnection, now: &str, f: &ListFilter, lang: &str, page: i64) -> AppResult<(Vec<Item>, i64)> {
    let mut filter = String::new();
    let mut n = 1;
    if f.partner.is_some() {
        n += 1;
        filter.push_str(&format!(" AND a.institution_id = ${n}"));
    }
    if f.tag.is_some() {
        n += 1;
        filter.push_str(&format!(" AND EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ${n})"));
    }
    let count_sql = format!("SELECT COUNT(*) FROM articles a WHERE {PUBLISHED}{filter}");
    let mut count = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql)).bind(now);
    let ids_sql = format!(
        "SELECT a.id FROM articles a WHERE {PUBLISHED}{filter} ORDER BY a.published_at DESC, a.id DESC LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut ids = sqlx::query_scalar(sqlx::AssertSqlSafe(ids_sql)).bind(now);
    if let Some(p) = f.partner {
        count = count.bind(p);
        ids = ids.bind(p);
    }
    if let Some(t) = &f.tag {
        count = count.bind(t.clone());
        ids = ids.bind(t.clone());
    }
    let total: i64 = count.fetch_one(&mut *conn).await?;
    let ids: Vec<i64> = ids.bind(PER_PAGE).bind(crate::web::paging::offset(page, PER_PAGE)).fetch_all(&mut *conn).await?;
    Ok((items(conn, &ids, lang, false).await?, total))
}

/// The newest public articles for the feed, with their bodies.
pub async fn latest(conn: &mut AnyConnection, now: &str, lang: &str) -> AppResult<Vec<Item>> {
    let sql = format!("SELECT a.id FROM articles a WHERE {PUBLISHED} ORDER BY a.published_at DESC, a.id DESC LIMIT $2");
    let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(now).bind(FEED_ENTRIES).fetch_all(&mut *conn).await?;
    items(conn, &ids, lang, true).await
}

/// Every public article (for the sitemap), newest first, text in its original language.
pub async fn all_public(conn: &mut AnyConnection, now: &str) -> AppResult<Vec<Item>> {
    let sql = format!("SELECT a.id FROM articles a WHERE {PUBLISHED} ORDER BY a.published_at DESC, a.id DESC");
    let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(now).fetch_all(&mut *conn).await?;
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        out.extend(items(conn, chunk, "", false).await?);
    }
    Ok(out)
}

/// The latest change the news list, feed and sitemap can show: the newest `updated_at`
/// of any article (a withdrawal changes it too) or `published_at` of a public one.
pub async fn last_change(conn: &mut AnyConnection, now: &str) -> AppResult<Option<String>> {
    let row = sqlx::query(
        "SELECT MAX(updated_at), MAX(CASE WHEN status = 'published' AND published_at <= $1 THEN published_at END) FROM articles",
    )
    .bind(now)
    .fetch_one(conn)
    .await?;
    let (a, b): (Option<String>, Option<String>) = (row.try_get(0)?, row.try_get(1)?);
    Ok(a.max(b))
}

/// A partner's name in `lang` (English when it has no Chinese name), its country and
/// whether it is on the public partner page.
pub async fn partner(conn: &mut AnyConnection, id: i64, lang: &str) -> AppResult<Option<(String, String, bool)>> {
    let row: Option<(String, Option<String>, String, i64)> =
        sqlx::query_as("SELECT name_en, name_zh, country, is_public FROM institutions WHERE id = $1 AND is_home = 0")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(en, zh, country, public)| {
        let name = zh.filter(|z| lang == "zh" && !z.trim().is_empty()).unwrap_or(en);
        (name, country, public == 1)
    }))
}

/// The home institution's name in `lang`, the publisher of the news.
pub async fn publisher(conn: &mut AnyConnection, lang: &str) -> AppResult<Option<String>> {
    let row = crate::institutions::lookup::home_names(conn).await?;
    Ok(row.map(|(en, zh)| zh.filter(|z| lang == "zh" && !z.trim().is_empty()).unwrap_or(en)))
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The rows of `ids` (in that order) with their text in `lang` (else the original) and
/// photos.
async fn items(conn: &mut AnyConnection, ids: &[i64], lang: &str, with_body: bool) -> AppResult<Vec<Item>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let body = if with_body { "v.body_html" } else { "''" };
    let sql = format!(
        "SELECT a.id, a.slug, a.published_at, a.updated_at, a.author_name, a.original_lang, v.lang, v.title, v.summary, {body},
                i.id, i.name_en, i.name_zh
         FROM articles a JOIN article_versions v ON v.article_id = a.id
         LEFT JOIN institutions i ON i.id = a.institution_id AND i.is_public = 1 AND i.is_home = 0
         WHERE a.id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut photos = photos_of(conn, ids).await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let versions: Vec<&sqlx::any::AnyRow> = rows.iter().filter(|r| r.try_get::<i64, _>(0).is_ok_and(|v| v == *id)).collect();
        let Some(first) = versions.first() else { continue };
        let original: String = first.try_get(5)?;
        let pick = |l: &str| versions.iter().find(|r| r.try_get::<String, _>(6).is_ok_and(|v| v == l)).copied();
        let fallback = crate::news::model::reader_fallback(lang).and_then(pick);
        let Some(row) = pick(lang).or(fallback).or_else(|| pick(&original)).or(Some(first)) else { continue };
        let mut langs: Vec<String> = versions.iter().filter_map(|r| r.try_get::<String, _>(6).ok()).collect();
        langs.sort();
        out.push(Item {
            id: *id,
            slug: row.try_get(1)?,
            published_at: row.try_get::<Option<String>, _>(2)?.unwrap_or_default(),
            updated_at: row.try_get(3)?,
            author_name: row.try_get(4)?,
            partner: match row.try_get::<Option<i64>, _>(10)? {
                Some(pid) => {
                    let (en, zh): (String, Option<String>) = (row.try_get(11)?, row.try_get(12)?);
                    Some((pid, zh.filter(|z| lang == "zh" && !z.trim().is_empty()).unwrap_or(en)))
                }
                None => None,
            },
            lang: row.try_get(6)?,
            langs,
            title: row.try_get(7)?,
            summary: row.try_get(8)?,
            body_html: row.try_get(9)?,
            photos: photos.remove(id).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Photos of the articles `ids`, in order.
async fn photos_of(conn: &mut AnyConnection, ids: &[i64]) -> AppResult<std::collections::HashMap<i64, Vec<Photo>>> {
    let sql = format!(
        "SELECT article_id, id, position, content_type, width, height, widths, photographer_id, photographer_name, caption_zh, caption_en
         FROM article_photos WHERE article_id IN ({}) ORDER BY article_id, position, id",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    let mut out: std::collections::HashMap<i64, Vec<Photo>> = std::collections::HashMap::new();
    for r in q.fetch_all(conn).await? {
        let widths: String = r.try_get(6)?;
        let photo = Photo {
            id: r.try_get(1)?,
            position: r.try_get(2)?,
            content_type: r.try_get(3)?,
            width: r.try_get(4)?,
            height: r.try_get(5)?,
            widths: widths.split(',').filter_map(|w| w.trim().parse().ok()).collect(),
            photographer_id: r.try_get(7)?,
            photographer_name: r.try_get(8)?,
            caption_zh: r.try_get(9)?,
            caption_en: r.try_get(10)?,
        };
        out.entry(r.try_get(0)?).or_default().push(photo);
    }
    Ok(out)
}
