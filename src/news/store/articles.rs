//! Articles: creating, changing, reading whole, and the list.

use serde::Deserialize;
use sqlx::{AnyConnection, Row};
use utoipa::IntoParams;

use super::{links, steps, versions};
use crate::{
    audit::{self, Action},
    auth::Role,
    error::{AppError, AppResult},
    news::{
        model::{self, Article, ArticleStatus, ArticleSummary, NewArticle, UpdateArticle},
        workflow::{self, Editor},
    },
    status::Status,
    time::now_text,
};

fn check_langs(field: &str, langs: &[String], original: &str) -> Result<Vec<String>, AppError> {
    let mut out = vec![original.to_string()];
    for l in langs {
        let l = l.trim().to_ascii_lowercase();
        model::check_lang(field, &l)?;
        if !out.contains(&l) {
            out.push(l);
        }
    }
    Ok(out)
}

async fn check_institution(conn: &mut AnyConnection, id: Option<i64>) -> AppResult<Option<i64>> {
    let Some(id) = id.filter(|i| *i != 0) else { return Ok(None) };
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM institutions WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    found.map(Some).ok_or_else(|| AppError::field("institution_id", format!("there is no institution with id {id}")))
}

/// A free slug: `base`, else `base-2`, `base-3`, ….
async fn free_slug(conn: &mut AnyConnection, base: &str, except: Option<i64>) -> AppResult<String> {
    for n in 1..1000 {
        let candidate = if n == 1 { base.to_string() } else { format!("{base}-{n}") };
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM articles WHERE slug = $1").bind(&candidate).fetch_optional(&mut *conn).await?;
        if taken.is_none() || taken == except {
            return Ok(candidate);
        }
    }
    Err(AppError::field("slug", "no free address near this one; give a slug"))
}

/// Creates an article (a draft) with its original version; the editor is its author.
pub async fn create_article(conn: &mut AnyConnection, ed: &Editor, a: &NewArticle) -> AppResult<i64> {
    ed.require_any(&[Role::Author], "Starting an article")?;
    let lang = a.original_lang.trim().to_ascii_lowercase();
    model::check_lang("original_lang", &lang)?;
    a.original.check()?;
    let required = check_langs("required_langs", a.required_langs.as_deref().unwrap_or(&["zh".into(), "en".into()]), &lang)?;
    let tags = model::check_tags(&a.tags)?;
    let links = links::check_links(conn, &a.links).await?;
    let institution = match a.institution_id {
        Some(_) => check_institution(conn, a.institution_id).await?,
        None => links.iter().find(|l| l.kind == "institution").map(|l| l.target_id),
    };
    let base = match a.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => model::check_slug(s)?,
        None => model::slugify(&a.original.title).unwrap_or_else(|| format!("news-{}", crate::time::today())),
    };
    let slug = if a.slug.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM articles WHERE slug = $1").bind(&base).fetch_optional(&mut *conn).await?;
        if taken.is_some() {
            return Err(AppError::field("slug", format!("the address '{base}' is taken by another article")));
        }
        base
    } else {
        free_slug(conn, &base, None).await?
    };
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO articles (slug, original_lang, required_langs, status, author_id, author_name, institution_id, created_at, updated_at)
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(&slug)
    .bind(&lang)
    .bind(required.join(","))
    .bind(ed.actor.id)
    .bind(&ed.name)
    .bind(institution)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::Conflict(format!("the address '{slug}' was just taken; save again"), None)
        } else {
            e.into()
        }
    })?;
    links::write_links(conn, id, &links).await?;
    links::write_tags(conn, id, &tags).await?;
    versions::insert_version(conn, ed, id, &lang, &a.original, None).await?;
    audit::record(conn, &ed.actor, Action::Create, "article", id, None, Some(&serde_json::json!({"slug": slug, "lang": lang}))).await?;
    Ok(id)
}

/// The article row's status, author, required languages and original language (404 if unknown).
pub(super) async fn head(conn: &mut AnyConnection, id: i64) -> AppResult<(ArticleStatus, Option<i64>, Vec<String>, String)> {
    let row = sqlx::query("SELECT status, author_id, required_langs, original_lang FROM articles WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let langs: String = row.try_get(2)?;
    let status: String = row.try_get(0)?;
    Ok((ArticleStatus::from_stored(&status)?, row.try_get(1)?, langs.split(',').map(str::to_string).collect(), row.try_get(3)?))
}

/// Marks an article changed (public pages and feeds follow `updated_at`).
pub async fn touch(conn: &mut AnyConnection, id: i64, now: &str) -> AppResult<()> {
    sqlx::query("UPDATE articles SET updated_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Changes an article's own fields, links and tags.
pub async fn update_article(conn: &mut AnyConnection, ed: &Editor, id: i64, u: &UpdateArticle) -> AppResult<()> {
    let (status, _, required, original) = head(conn, id).await?;
    ed.require_any(workflow::editors(status), &format!("Changing an article in {status}"))?;
    if let Some(slug) = &u.slug {
        let slug = model::check_slug(slug)?;
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM articles WHERE slug = $1").bind(&slug).fetch_optional(&mut *conn).await?;
        if taken.is_some_and(|t| t != id) {
            return Err(AppError::field("slug", format!("the address '{slug}' is taken by another article")));
        }
        sqlx::query("UPDATE articles SET slug = $1 WHERE id = $2").bind(&slug).bind(id).execute(&mut *conn).await?;
    }
    if let Some(langs) = &u.required_langs {
        let langs = check_langs("required_langs", langs, &original)?;
        if langs != required {
            sqlx::query("UPDATE articles SET required_langs = $1 WHERE id = $2").bind(langs.join(",")).bind(id).execute(&mut *conn).await?;
        }
    }
    if let Some(links) = &u.links {
        let links = links::check_links(conn, links).await?;
        links::write_links(conn, id, &links).await?;
    }
    if let Some(tags) = &u.tags {
        let tags = model::check_tags(tags)?;
        links::write_tags(conn, id, &tags).await?;
    }
    if u.institution_id.is_some() {
        let inst = check_institution(conn, u.institution_id).await?;
        sqlx::query("UPDATE articles SET institution_id = $1 WHERE id = $2").bind(inst).bind(id).execute(&mut *conn).await?;
    }
    touch(conn, id, &now_text()).await?;
    let after = serde_json::json!({"slug": u.slug, "required_langs": u.required_langs, "tags": u.tags, "links": u.links, "institution_id": u.institution_id});
    audit::record(conn, &ed.actor, Action::Update, "article", id, None, Some(&after)).await?;
    Ok(())
}

/// Everything about an article (404 if unknown).
pub async fn get_article(conn: &mut AnyConnection, id: i64) -> AppResult<Article> {
    let row = sqlx::query(
        "SELECT a.id, a.slug, a.original_lang, a.required_langs, a.status, a.author_id,
                COALESCE(NULLIF(u.display_name, ''), a.author_name), a.institution_id,
                i.name_en, i.name_zh, a.published_at, a.view_count, a.is_demo, a.created_at, a.updated_at
         FROM articles a LEFT JOIN institutions i ON i.id = a.institution_id LEFT JOIN users u ON u.id = a.author_id
         WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let original: String = row.try_get(2)?;
    let required: String = row.try_get(3)?;
    let name_en: Option<String> = row.try_get(8)?;
    let name_zh: Option<String> = row.try_get(9)?;
    let versions = versions::versions_of(conn, id, &original).await?;
    let links = links::links_of(conn, id).await?;
    let tags = links::tags_of(conn, id).await?;
    let photos = crate::news::photos::list(conn, id).await?;
    let steps = steps::steps_of(conn, id).await?;
    let author_name: String = row.try_get(6)?;
    let status: String = row.try_get(4)?;
    let credits = workflow::credits(&author_name, &steps, &photos);
    let is_demo: i64 = row.try_get(12)?;
    Ok(Article {
        id: row.try_get(0)?,
        slug: row.try_get(1)?,
        original_lang: original,
        required_langs: required.split(',').map(str::to_string).collect(),
        status: ArticleStatus::from_stored(&status)?,
        author_id: row.try_get(5)?,
        author_name,
        institution_id: row.try_get(7)?,
        institution_name: name_en.or(name_zh),
        published_at: row.try_get(10)?,
        view_count: row.try_get(11)?,
        is_demo: is_demo != 0,
        created_at: row.try_get(13)?,
        updated_at: row.try_get(14)?,
        versions,
        links,
        tags,
        photos,
        steps,
        credits,
    })
}

/// Filters of the article list.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ArticleQuery {
    /// Only this status.
    #[param(value_type = Option<ArticleStatus>)]
    pub status: Option<String>,
    /// Words in a title.
    pub q: Option<String>,
    /// Page, from 1.
    pub page: Option<i64>,
    /// Rows per page (default 25, at most 100).
    pub per_page: Option<i64>,
}

impl ArticleQuery {
    /// The status asked for, if any (422 naming the statuses for an unknown one).
    pub fn status(&self) -> AppResult<Option<ArticleStatus>> {
        self.status.as_deref().filter(|s| !s.is_empty()).map(|s| ArticleStatus::parse_field("status", s)).transpose()
    }

    /// The page and its size.
    pub fn paging(&self) -> (i64, i64) {
        crate::web::paging::paging(self.page, self.per_page, 25, 100)
    }
}

/// Articles, most recently changed first.
pub async fn list_articles(conn: &mut AnyConnection, q: &ArticleQuery) -> AppResult<(Vec<ArticleSummary>, i64)> {
    let status = q.status()?.map(ArticleStatus::as_str);
    let like = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| format!("%{}%", s.to_lowercase()));
    let filter = "($1 IS NULL OR a.status = $1)
        AND ($2 IS NULL OR EXISTS (SELECT 1 FROM article_versions w WHERE w.article_id = a.id AND lower(w.title) LIKE $2))";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM articles a WHERE {filter}")))
        .bind(status)
        .bind(&like)
        .fetch_one(&mut *conn)
        .await?;
    let (page, per_page) = q.paging();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT a.id, a.slug, a.status, COALESCE(o.title, ''), a.author_name, a.published_at, a.updated_at, a.view_count,
                (SELECT COUNT(*) FROM article_versions x WHERE x.article_id = a.id AND x.lang = 'zh'),
                (SELECT COUNT(*) FROM article_versions x WHERE x.article_id = a.id AND x.lang = 'en')
         FROM articles a LEFT JOIN article_versions o ON o.article_id = a.id AND o.lang = a.original_lang
         WHERE {filter} ORDER BY a.updated_at DESC, a.id DESC LIMIT $3 OFFSET $4"
    )))
    .bind(status)
    .bind(&like)
    .bind(per_page)
    .bind(crate::web::paging::offset(page, per_page))
    .fetch_all(&mut *conn)
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            let zh: i64 = r.try_get(8)?;
            let en: i64 = r.try_get(9)?;
            let langs = [("zh", zh), ("en", en)].iter().filter(|(_, n)| *n > 0).map(|(l, _)| l.to_string()).collect();
            Ok(ArticleSummary {
                id: r.try_get(0)?,
                slug: r.try_get(1)?,
                status: ArticleStatus::from_stored(&r.try_get::<String, _>(2)?)?,
                title: r.try_get(3)?,
                langs,
                author_name: r.try_get(4)?,
                published_at: r.try_get(5)?,
                updated_at: r.try_get(6)?,
                view_count: r.try_get(7)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok((items, total))
}
