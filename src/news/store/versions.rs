//! Language versions and their revisions: saves on top of the revision they started
//! from (optimistic concurrency), restores, and the history with diffs.

use serde::Serialize;
use similar::TextDiff;
use sqlx::{AnyConnection, Row};
use utoipa::ToSchema;

use super::articles::{head, touch};
use crate::{
    audit::{self, Action},
    error::{AppError, AppResult},
    news::{
        markdown,
        model::{self, Revision, Version, VersionInput},
        workflow::{self, Editor},
    },
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

pub(super) async fn insert_version(
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
    ed.require_any(workflow::editors(status), &format!("Editing an article in {status}"))?;
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
        touch(conn, id, &now_text()).await?;
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
    touch(conn, id, &now).await?;
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

/// Every version of an article, the original first.
pub(super) async fn versions_of(conn: &mut AnyConnection, id: i64, original: &str) -> AppResult<Vec<Version>> {
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {VERSION_COLUMNS} FROM article_versions WHERE article_id = $1 ORDER BY lang")))
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let mut versions = rows.iter().map(|r| version_from(r, original)).collect::<AppResult<Vec<_>>>()?;
    versions.sort_by_key(|v| !v.is_original);
    Ok(versions)
}

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
