//! Reading and writing articles: versions with revisions and optimistic concurrency,
//! links and tags, the editorial steps, and the list.

use serde::{Deserialize, Serialize};
use similar::TextDiff;
use sqlx::{AnyConnection, Row};
use utoipa::{IntoParams, ToSchema};

use super::{
    markdown,
    model::{self, Article, ArticleSummary, Link, NewArticle, Revision, Step, UpdateArticle, Version, VersionInput},
    photos,
    workflow::{self, Editor, StepAction},
};
use crate::{
    audit::{self, Action},
    auth::Role,
    error::{AppError, AppResult, FieldError},
    time::now_text,
};

/// A unified diff of two texts, line by line, with three lines of context.
pub fn diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    let mut old = old.to_string();
    let mut new = new.to_string();
    // A final newline on both sides keeps the last line from showing as changed.
    for s in [&mut old, &mut new] {
        if !s.is_empty() && !s.ends_with('\n') {
            s.push('\n');
        }
    }
    TextDiff::from_lines(&old, &new).unified_diff().context_radius(3).header(old_name, new_name).to_string()
}

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

async fn check_links(conn: &mut AnyConnection, links: &[Link]) -> Result<Vec<Link>, AppError> {
    let mut out: Vec<Link> = Vec::new();
    let mut errors = Vec::new();
    for (i, l) in links.iter().enumerate() {
        let table = match l.kind.as_str() {
            "visit" => "visits",
            "agreement" => "agreements",
            "institution" => "institutions",
            "person" => "people",
            other => {
                errors.push(FieldError::new(
                    format!("links[{i}].kind"),
                    format!("'{other}' cannot be linked; use one of {}", model::LINK_KINDS.join(", ")),
                ));
                continue;
            }
        };
        let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT id FROM {table} WHERE id = $1")))
            .bind(l.target_id)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            errors.push(FieldError::new(format!("links[{i}].target_id"), format!("there is no {} with id {}", l.kind, l.target_id)));
        } else if !out.iter().any(|o| o.kind == l.kind && o.target_id == l.target_id) {
            out.push(Link { kind: l.kind.clone(), target_id: l.target_id, label: String::new() });
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(AppError::Validation(errors)) }
}

async fn write_links(conn: &mut AnyConnection, id: i64, links: &[Link]) -> AppResult<()> {
    sqlx::query("DELETE FROM article_links WHERE article_id = $1").bind(id).execute(&mut *conn).await?;
    for l in links {
        sqlx::query("INSERT INTO article_links (article_id, kind, target_id) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(&l.kind)
            .bind(l.target_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn write_tags(conn: &mut AnyConnection, id: i64, tags: &[String]) -> AppResult<()> {
    sqlx::query("DELETE FROM article_tags WHERE article_id = $1").bind(id).execute(&mut *conn).await?;
    for t in tags {
        sqlx::query("INSERT INTO article_tags (article_id, tag) VALUES ($1, $2)").bind(id).bind(t).execute(&mut *conn).await?;
    }
    Ok(())
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
    let links = check_links(conn, &a.links).await?;
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
    write_links(conn, id, &links).await?;
    write_tags(conn, id, &tags).await?;
    insert_version(conn, ed, id, &lang, &a.original, None).await?;
    audit::record(conn, &ed.actor, Action::Create, "article", id, None, Some(&serde_json::json!({"slug": slug, "lang": lang}))).await?;
    Ok(id)
}

async fn insert_version(
    conn: &mut AnyConnection,
    ed: &Editor,
    id: i64,
    lang: &str,
    v: &VersionInput,
    restored_from: Option<i64>,
) -> AppResult<()> {
    let now = now_text();
    sqlx::query(
        "INSERT INTO article_versions (article_id, lang, title, summary, body, body_html, note, revision, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9)",
    )
    .bind(id)
    .bind(lang)
    .bind(v.title.trim())
    .bind(v.summary.trim())
    .bind(&v.body)
    .bind(markdown::render(&v.body))
    .bind(v.note.trim())
    .bind(&now)
    .bind(&ed.name)
    .execute(&mut *conn)
    .await?;
    insert_revision(conn, ed, id, lang, 1, v, restored_from, &now).await
}

#[allow(clippy::too_many_arguments)]
async fn insert_revision(
    conn: &mut AnyConnection,
    ed: &Editor,
    id: i64,
    lang: &str,
    revision: i64,
    v: &VersionInput,
    restored_from: Option<i64>,
    now: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO article_revisions (article_id, lang, revision, title, summary, body, note, restored_from, user_id, actor_name, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(lang)
    .bind(revision)
    .bind(v.title.trim())
    .bind(v.summary.trim())
    .bind(&v.body)
    .bind(v.note.trim())
    .bind(restored_from)
    .bind(ed.actor.id)
    .bind(&ed.name)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The article row's status, author and required languages (404 if unknown).
async fn head(conn: &mut AnyConnection, id: i64) -> AppResult<(String, Option<i64>, Vec<String>, String)> {
    let row = sqlx::query("SELECT status, author_id, required_langs, original_lang FROM articles WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let langs: String = row.try_get(2)?;
    Ok((row.try_get(0)?, row.try_get(1)?, langs.split(',').map(str::to_string).collect(), row.try_get(3)?))
}

/// What a stale save answers with: the text as it is now, the text the editor sent (so
/// nothing they wrote is lost), and what changed on each side since their base revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditConflict {
    /// The revision the save started from.
    pub base_revision: i64,
    /// The revision that is current.
    pub current_revision: i64,
    /// Who saved the current revision.
    pub current_by: String,
    /// The current title.
    pub current_title: String,
    /// The current summary.
    pub current_summary: String,
    /// The current body.
    pub current_body: String,
    /// The body the editor sent, unsaved.
    pub your_body: String,
    /// The title the editor sent.
    pub your_title: String,
    /// The summary the editor sent.
    pub your_summary: String,
    /// Base → current (the other person's changes).
    pub their_changes: String,
    /// Base → yours (your changes).
    pub your_changes: String,
}

/// Saves a language version: creates it (no base revision), or updates it on top of the
/// revision it started from — a save on top of an older revision is a 409 with an
/// [`EditConflict`] and changes nothing. An unchanged save makes no revision.
pub async fn save_version(
    conn: &mut AnyConnection,
    ed: &Editor,
    id: i64,
    lang: &str,
    v: &VersionInput,
    restored_from: Option<i64>,
) -> AppResult<Version> {
    let (status, _, _, _) = head(conn, id).await?;
    model::check_lang("lang", lang)?;
    ed.require_any(workflow::editors(&status), &format!("Editing an article in {status}"))?;
    v.check()?;
    let current =
        sqlx::query("SELECT revision, title, summary, body, note, updated_by FROM article_versions WHERE article_id = $1 AND lang = $2")
            .bind(id)
            .bind(lang)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(current) = current else {
        if v.base_revision.is_some_and(|b| b != 0) {
            return Err(AppError::field("base_revision", format!("there is no {lang} version yet; send no base_revision to create it")));
        }
        insert_version(conn, ed, id, lang, v, restored_from).await?;
        touch(conn, id).await?;
        audit::record(conn, &ed.actor, Action::Create, "article_version", id, None, Some(&serde_json::json!({"lang": lang}))).await?;
        return version(conn, id, lang).await;
    };
    let revision: i64 = current.try_get(0)?;
    let Some(base) = v.base_revision else {
        return Err(AppError::field(
            "base_revision",
            format!("the {lang} version exists: send the revision you started from (now {revision})"),
        ));
    };
    let (title, summary, body, note): (String, String, String, String) =
        (current.try_get(1)?, current.try_get(2)?, current.try_get(3)?, current.try_get(4)?);
    if base != revision {
        let base_row = sqlx::query("SELECT body FROM article_revisions WHERE article_id = $1 AND lang = $2 AND revision = $3")
            .bind(id)
            .bind(lang)
            .bind(base)
            .fetch_optional(&mut *conn)
            .await?;
        let base_body: String = match base_row {
            Some(r) => r.try_get(0)?,
            None => {
                return Err(AppError::field(
                    "base_revision",
                    format!("revision {base} of the {lang} version does not exist (now {revision})"),
                ));
            }
        };
        let conflict = EditConflict {
            base_revision: base,
            current_revision: revision,
            current_by: current.try_get(5)?,
            their_changes: diff(&base_body, &body, &format!("revision {base}"), &format!("revision {revision}")),
            your_changes: diff(&base_body, &v.body, &format!("revision {base}"), "your text"),
            current_title: title,
            current_summary: summary,
            current_body: body,
            your_title: v.title.clone(),
            your_summary: v.summary.clone(),
            your_body: v.body.clone(),
        };
        return Err(AppError::Conflict(
            format!(
                "Someone else saved the {lang} version while you were editing (your base is revision {base}, it is now {revision}, saved by {}). Nothing was overwritten: merge your changes into the current text and save on top of revision {revision}.",
                conflict.current_by
            ),
            Some(serde_json::to_value(&conflict).map_err(anyhow::Error::from)?),
        ));
    }
    if title == v.title.trim() && summary == v.summary.trim() && body == v.body && note == v.note.trim() && restored_from.is_none() {
        return version(conn, id, lang).await;
    }
    let now = now_text();
    let next = revision + 1;
    sqlx::query(
        "UPDATE article_versions SET title = $1, summary = $2, body = $3, body_html = $4, note = $5, revision = $6, updated_at = $7, updated_by = $8
         WHERE article_id = $9 AND lang = $10 AND revision = $11",
    )
    .bind(v.title.trim())
    .bind(v.summary.trim())
    .bind(&v.body)
    .bind(markdown::render(&v.body))
    .bind(v.note.trim())
    .bind(next)
    .bind(&now)
    .bind(&ed.name)
    .bind(id)
    .bind(lang)
    .bind(revision)
    .execute(&mut *conn)
    .await?;
    insert_revision(conn, ed, id, lang, next, v, restored_from, &now).await?;
    touch(conn, id).await?;
    let before = serde_json::json!({"lang": lang, "revision": revision, "title": title});
    let after = serde_json::json!({"lang": lang, "revision": next, "title": v.title.trim(), "restored_from": restored_from});
    audit::record(conn, &ed.actor, Action::Update, "article_version", id, Some(&before), Some(&after)).await?;
    version(conn, id, lang).await
}

/// Restores revision `revision` of a version as a new revision on top of `base_revision`.
pub async fn restore_revision(
    conn: &mut AnyConnection,
    ed: &Editor,
    id: i64,
    lang: &str,
    revision: i64,
    base_revision: i64,
) -> AppResult<Version> {
    let row = sqlx::query("SELECT title, summary, body, note FROM article_revisions WHERE article_id = $1 AND lang = $2 AND revision = $3")
        .bind(id)
        .bind(lang)
        .bind(revision)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = VersionInput {
        title: row.try_get(0)?,
        summary: row.try_get(1)?,
        body: row.try_get(2)?,
        note: row.try_get(3)?,
        base_revision: Some(base_revision),
    };
    save_version(conn, ed, id, lang, &v, Some(revision)).await
}

async fn touch(conn: &mut AnyConnection, id: i64) -> AppResult<()> {
    sqlx::query("UPDATE articles SET updated_at = $1 WHERE id = $2").bind(now_text()).bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Changes an article's own fields, links and tags.
pub async fn update_article(conn: &mut AnyConnection, ed: &Editor, id: i64, u: &UpdateArticle) -> AppResult<()> {
    let (status, _, required, original) = head(conn, id).await?;
    ed.require_any(workflow::editors(&status), &format!("Changing an article in {status}"))?;
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
        let links = check_links(conn, links).await?;
        write_links(conn, id, &links).await?;
    }
    if let Some(tags) = &u.tags {
        let tags = model::check_tags(tags)?;
        write_tags(conn, id, &tags).await?;
    }
    if u.institution_id.is_some() {
        let inst = check_institution(conn, u.institution_id).await?;
        sqlx::query("UPDATE articles SET institution_id = $1 WHERE id = $2").bind(inst).bind(id).execute(&mut *conn).await?;
    }
    touch(conn, id).await?;
    let after = serde_json::json!({"slug": u.slug, "required_langs": u.required_langs, "tags": u.tags, "links": u.links, "institution_id": u.institution_id});
    audit::record(conn, &ed.actor, Action::Update, "article", id, None, Some(&after)).await?;
    Ok(())
}

/// A step in the editorial chain, as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StepRequest {
    /// submit, send_back, publish or withdraw.
    pub action: StepAction,
    /// For send_back: the earlier status to return to (default: the one before).
    #[serde(default)]
    pub to: Option<String>,
    /// Comments (required to send back or withdraw).
    #[serde(default)]
    pub comment: String,
    /// For publish: when it goes public (RFC 3339, or YYYY-MM-DD; default now).
    #[serde(default)]
    pub publish_at: Option<String>,
}

fn parse_instant(field: &str, s: &str) -> Result<String, AppError> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(crate::time::to_text(ts));
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>()
        && let Ok(z) = d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
    {
        return Ok(crate::time::to_text(z.timestamp()));
    }
    Err(AppError::field(field, format!("'{s}' is not a time; use e.g. 2024-05-24T09:00:00+08:00 or 2024-05-24")))
}

/// Takes a step in the editorial chain; the step is recorded with who, when and the comment.
pub async fn take_step(conn: &mut AnyConnection, ed: &Editor, id: i64, req: &StepRequest) -> AppResult<()> {
    let (status, author_id, required, _) = head(conn, id).await?;
    let needs_translation = required.len() > 1;
    let target = workflow::plan(&status, req.action, req.to.as_deref(), needs_translation, ed)?;
    let comment = req.comment.trim();
    if matches!(req.action, StepAction::SendBack | StepAction::Withdraw) && comment.is_empty() {
        return Err(AppError::field("comment", "say what needs to change: a comment is required to send an article back or withdraw it"));
    }
    if req.action == StepAction::Submit && status == "review" && author_id.is_some() && author_id == ed.actor.id {
        return Err(AppError::Forbidden("A reviewer may not approve an article they wrote; ask another reviewer.".into()));
    }
    if (req.action == StepAction::Submit && status == "translation") || req.action == StepAction::Publish {
        let article = get_article(conn, id).await?;
        let missing = article.missing_langs();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|l| if l == "zh" { "Chinese (zh)" } else { "English (en)" }).collect();
            return Err(AppError::field(
                "versions",
                format!(
                    "this article must appear in {} as well: the {} version needs a title and a body before it can {}",
                    names.join(" and "),
                    names.join(" and "),
                    if req.action == StepAction::Publish { "be published" } else { "go to proofreading" }
                ),
            ));
        }
    }
    let now = now_text();
    let publish_at = match (req.action, req.publish_at.as_deref().filter(|s| !s.trim().is_empty())) {
        (StepAction::Publish, Some(at)) => Some(parse_instant("publish_at", at)?),
        (StepAction::Publish, None) => Some(now.clone()),
        _ => None,
    };
    sqlx::query(
        "INSERT INTO article_steps (article_id, action, from_status, to_status, role, user_id, actor_name, comment, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(req.action.as_str())
    .bind(&status)
    .bind(target)
    .bind(workflow::owner(&status).as_str())
    .bind(ed.actor.id)
    .bind(&ed.name)
    .bind(comment)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    let changed = match req.action {
        StepAction::Publish => {
            sqlx::query("UPDATE articles SET status = $1, published_at = $2, updated_at = $3 WHERE id = $4 AND status = $5")
                .bind(target)
                .bind(&publish_at)
                .bind(&now)
                .bind(id)
                .bind(&status)
                .execute(&mut *conn)
                .await?
        }
        _ => {
            sqlx::query("UPDATE articles SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
                .bind(target)
                .bind(&now)
                .bind(id)
                .bind(&status)
                .execute(&mut *conn)
                .await?
        }
    };
    if changed.rows_affected() != 1 {
        return Err(AppError::Conflict("the article moved on while you were deciding; reload it".into(), None));
    }
    let before = serde_json::json!({"status": status});
    let after = serde_json::json!({"status": target, "action": req.action.as_str(), "comment": comment, "published_at": publish_at});
    audit::record(conn, &ed.actor, Action::Update, "article", id, Some(&before), Some(&after)).await?;
    Ok(())
}

fn version_from(row: &sqlx::any::AnyRow, original: &str) -> AppResult<Version> {
    let lang: String = row.try_get("lang")?;
    Ok(Version {
        is_original: lang == original,
        lang,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        body: row.try_get("body")?,
        body_html: row.try_get("body_html")?,
        note: row.try_get("note")?,
        revision: row.try_get("revision")?,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

const VERSION_COLUMNS: &str = "lang, title, summary, body, body_html, note, revision, updated_at, updated_by";

async fn version(conn: &mut AnyConnection, id: i64, lang: &str) -> AppResult<Version> {
    let original: String = sqlx::query_scalar("SELECT original_lang FROM articles WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
    let row =
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {VERSION_COLUMNS} FROM article_versions WHERE article_id = $1 AND lang = $2")))
            .bind(id)
            .bind(lang)
            .fetch_one(&mut *conn)
            .await?;
    version_from(&row, &original)
}

/// Everything about an article (404 if unknown).
pub async fn get_article(conn: &mut AnyConnection, id: i64) -> AppResult<Article> {
    let row = sqlx::query(
        "SELECT a.id, a.slug, a.original_lang, a.required_langs, a.status, a.author_id, a.author_name, a.institution_id,
                i.name_en, i.name_zh, a.published_at, a.view_count, a.is_demo, a.created_at, a.updated_at
         FROM articles a LEFT JOIN institutions i ON i.id = a.institution_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let original: String = row.try_get(2)?;
    let required: String = row.try_get(3)?;
    let name_en: Option<String> = row.try_get(8)?;
    let name_zh: Option<String> = row.try_get(9)?;
    let mut versions = Vec::new();
    for r in sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {VERSION_COLUMNS} FROM article_versions WHERE article_id = $1 ORDER BY lang")))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
    {
        versions.push(version_from(&r, &original)?);
    }
    versions.sort_by_key(|v| !v.is_original);
    let links = links_of(conn, id).await?;
    let tags: Vec<String> =
        sqlx::query_scalar("SELECT tag FROM article_tags WHERE article_id = $1 ORDER BY tag").bind(id).fetch_all(&mut *conn).await?;
    let photos = photos::list(conn, id).await?;
    let steps = steps_of(conn, id).await?;
    let author_name: String = row.try_get(6)?;
    let credits = workflow::credits(&author_name, &steps, &photos);
    let is_demo: i64 = row.try_get(12)?;
    Ok(Article {
        id: row.try_get(0)?,
        slug: row.try_get(1)?,
        original_lang: original,
        required_langs: required.split(',').map(str::to_string).collect(),
        status: row.try_get(4)?,
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

async fn links_of(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<Link>> {
    let rows = sqlx::query(
        "SELECT l.kind, l.target_id,
                COALESCE(v.title, ag.title, i.name_en, p.name_en, '') AS label
         FROM article_links l
         LEFT JOIN visits v ON l.kind = 'visit' AND v.id = l.target_id
         LEFT JOIN agreements ag ON l.kind = 'agreement' AND ag.id = l.target_id
         LEFT JOIN institutions i ON l.kind = 'institution' AND i.id = l.target_id
         LEFT JOIN people p ON l.kind = 'person' AND p.id = l.target_id
         WHERE l.article_id = $1 ORDER BY l.kind, l.target_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok(Link { kind: r.try_get(0)?, target_id: r.try_get(1)?, label: r.try_get(2)? })).collect()
}

async fn steps_of(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<Step>> {
    let rows = sqlx::query(
        "SELECT action, from_status, to_status, role, user_id, actor_name, comment, at FROM article_steps WHERE article_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Step {
                action: r.try_get(0)?,
                from_status: r.try_get(1)?,
                to_status: r.try_get(2)?,
                role: r.try_get(3)?,
                user_id: r.try_get(4)?,
                actor_name: r.try_get(5)?,
                comment: r.try_get(6)?,
                at: r.try_get(7)?,
            })
        })
        .collect()
}

/// The revisions of a version, newest first, each with its diff against the one before.
pub async fn list_revisions(conn: &mut AnyConnection, id: i64, lang: &str) -> AppResult<Vec<Revision>> {
    head(conn, id).await?;
    model::check_lang("lang", lang)?;
    let rows = sqlx::query(
        "SELECT revision, title, summary, body, note, restored_from, actor_name, at FROM article_revisions
         WHERE article_id = $1 AND lang = $2 ORDER BY revision",
    )
    .bind(id)
    .bind(lang)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<Revision> = Vec::with_capacity(rows.len());
    let mut previous = String::new();
    let mut previous_n = 0;
    for r in &rows {
        let n: i64 = r.try_get(0)?;
        let body: String = r.try_get(3)?;
        out.push(Revision {
            revision: n,
            title: r.try_get(1)?,
            summary: r.try_get(2)?,
            diff: diff(&previous, &body, &format!("revision {previous_n}"), &format!("revision {n}")),
            body: body.clone(),
            note: r.try_get(4)?,
            restored_from: r.try_get(5)?,
            actor_name: r.try_get(6)?,
            at: r.try_get(7)?,
        });
        previous = body;
        previous_n = n;
    }
    out.reverse();
    Ok(out)
}

/// Filters of the article list.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ArticleQuery {
    /// Only this status (draft, translation, proofreading, review, approved, published).
    pub status: Option<String>,
    /// Words in a title.
    pub q: Option<String>,
    /// Page, from 1.
    pub page: Option<i64>,
    /// Rows per page (default 25, at most 100).
    pub per_page: Option<i64>,
}

impl ArticleQuery {
    /// The page and its size.
    pub fn paging(&self) -> (i64, i64) {
        (self.page.unwrap_or(1).max(1), self.per_page.unwrap_or(25).clamp(1, 100))
    }
}

/// Articles, most recently changed first.
pub async fn list_articles(conn: &mut AnyConnection, q: &ArticleQuery) -> AppResult<(Vec<ArticleSummary>, i64)> {
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty())
        && !model::STATUSES.contains(&s)
    {
        return Err(AppError::field("status", format!("'{s}' is not a status; use one of {}", model::STATUSES.join(", "))));
    }
    let status = q.status.clone().filter(|s| !s.is_empty());
    let like = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| format!("%{}%", s.to_lowercase()));
    let filter = "($1 IS NULL OR a.status = $1)
        AND ($2 IS NULL OR EXISTS (SELECT 1 FROM article_versions w WHERE w.article_id = a.id AND lower(w.title) LIKE $2))";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM articles a WHERE {filter}")))
        .bind(&status)
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
    .bind(&status)
    .bind(&like)
    .bind(per_page)
    .bind((page - 1) * per_page)
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
                status: r.try_get(2)?,
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

#[cfg(test)]
mod tests {
    use super::diff;

    #[test]
    fn diffs_are_unified_and_line_based() {
        let d = diff("one\ntwo\nthree", "one\n2\nthree", "a", "b");
        assert!(d.contains("--- a") && d.contains("+++ b"), "{d}");
        assert!(d.contains("-two\n") && d.contains("+2\n"), "{d}");
        assert_eq!(diff("same", "same", "a", "b"), "");
    }
}
