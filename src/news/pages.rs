//! The news desk's staff pages, under `/articles` (`/news` is the public site): the list
//! with "waiting for me", a new article and a draft from a visit, the article with its
//! versions, editorial chain, steps, credits, photos and the proofreading aid, the
//! version editor that answers a stale save with both texts and both diffs, and the
//! revision history with restore. Every form calls the same store functions as the API
//! and re-renders with inline messages and the input kept.

mod article;
mod edit;
mod list;
mod revisions;

use axum::routing::{get, post};
use jiff::{Timestamp, civil::DateTime, tz::TimeZone};

use super::{
    model::{self, ArticleStatus},
    workflow::Editor,
};
use crate::{
    auth::{Access, Permission},
    status::Status,
    web::{i18n::Tr, routes::Routes},
};

/// Routes of the pages.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let edit = Access::Permission(Permission::EditNews);
    Routes::new()
        .get("/articles", view, get(list::list_articles))
        .get("/articles/new", edit, get(list::new_article_form))
        .post("/articles/new", edit, post(list::create_article))
        .post("/visits/{id}/draft-article", edit, post(list::draft_from_visit))
        .get("/articles/{id}", view, get(article::show_article))
        .post("/articles/{id}/steps", edit, post(article::take_step))
        .get("/articles/{id}/edit/{lang}", edit, get(edit::edit_version))
        .post("/articles/{id}/edit/{lang}", edit, post(edit::save_version))
        .get("/articles/{id}/revisions/{lang}", view, get(revisions::list_revisions))
        .post("/articles/{id}/revisions/{lang}/restore", edit, post(revisions::restore_revision))
}

/// Translated labels of the news desk's words (statuses, roles, actions, languages,
/// finding kinds) and times in the office's zone, for templates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Labels(pub Tr);

impl Labels {
    fn key(&self, prefix: &str, k: &str) -> String {
        let key = format!("{prefix}.{k}");
        match self.0.t(&key) {
            t if t == key => k.to_string(),
            t => t.to_string(),
        }
    }

    /// An article status.
    pub fn status(&self, s: &ArticleStatus) -> String {
        self.key("news.status", s.as_str())
    }

    /// An editorial role.
    pub fn role(&self, r: &str) -> String {
        self.key("news.role", r)
    }

    /// A step's action.
    pub fn action(&self, a: &str) -> String {
        self.key("news.action", a)
    }

    /// A language of the news (zh, en).
    pub fn lang(&self, l: &str) -> String {
        self.key("news.lang", l)
    }

    /// A kind of proofreading finding.
    pub fn kind(&self, k: &str) -> String {
        self.key("news.kind", k)
    }

    /// A kind of linked record (visit, agreement, institution, person).
    pub fn link(&self, k: &str) -> String {
        self.key("news.link", k)
    }

    /// A field of a version (title, summary, body).
    pub fn field(&self, f: &str) -> String {
        self.key("news.field", f)
    }

    /// `<… lang>` of text in a news language.
    pub fn html_lang(&self, l: &str) -> &'static str {
        if l == "zh" { "zh-Hans" } else { "en" }
    }

    /// A stored instant in the office's time zone, `YYYY-MM-DD HH:MM`.
    pub fn time(&self, at: &str) -> String {
        local_time(at)
    }
}

/// The office's time zone (times on the pages and "publish at" are read in it).
fn office_zone() -> TimeZone {
    TimeZone::get(crate::time::OFFICE_TIME_ZONE).unwrap_or(TimeZone::UTC)
}

/// A stored instant shown in the office's time zone (as stored if it cannot be read).
pub(crate) fn local_time(at: &str) -> String {
    match at.parse::<Timestamp>() {
        Ok(ts) => ts.to_zoned_datetime(office_zone()).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => at.to_string(),
    }
}

/// A `datetime-local` value (`2024-05-24T10:00`) read in the office's time zone as
/// RFC 3339; anything else is passed on for the store to judge and explain.
pub(crate) fn publish_instant(local: &str) -> String {
    let local = local.trim();
    match local.parse::<DateTime>().ok().and_then(|dt| dt.to_zoned_datetime(office_zone()).ok()) {
        Some(z) => z.timestamp().to_string(),
        None => local.to_string(),
    }
}

/// True if the editor may change the text of an article in `status`.
pub(crate) fn may_edit(ed: &Editor, status: ArticleStatus) -> bool {
    super::workflow::editors(status).iter().any(|r| ed.has(*r))
}

/// The language from a page's path, or 404.
pub(crate) fn path_lang(lang: &str) -> Result<String, crate::error::AppError> {
    let l = lang.trim().to_ascii_lowercase();
    if model::LANGS.contains(&l.as_str()) { Ok(l) } else { Err(crate::error::AppError::NotFound) }
}

/// Text from a textarea: browsers send CRLF line ends; the store keeps LF.
pub(crate) fn textarea(fields: &[(String, String)], name: &str) -> String {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.replace("\r\n", "\n")).unwrap_or_default()
}

/// One line of a unified diff with the class that styles it.
#[derive(Debug, Clone)]
pub(crate) struct DiffLine {
    /// head, hunk, add, del or ctx.
    pub class: &'static str,
    /// The line as in the diff.
    pub text: String,
}

/// Splits a unified diff into classed lines.
pub(crate) fn diff_lines(diff: &str) -> Vec<DiffLine> {
    diff.lines()
        .map(|line| {
            let class = if line.starts_with("+++") || line.starts_with("---") {
                "head"
            } else if line.starts_with("@@") {
                "hunk"
            } else if line.starts_with('+') {
                "add"
            } else if line.starts_with('-') {
                "del"
            } else {
                "ctx"
            };
            DiffLine { class, text: line.to_string() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_are_classed_by_line() {
        let classes: Vec<&str> = diff_lines("--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n same").iter().map(|l| l.class).collect();
        assert_eq!(classes, ["head", "head", "hunk", "del", "add", "ctx"]);
    }

    #[test]
    fn times_are_shown_and_read_in_the_office_zone() {
        assert_eq!(local_time("2024-05-24T02:00:00.000000Z"), "2024-05-24 10:00");
        assert_eq!(publish_instant("2024-05-24T10:00"), "2024-05-24T02:00:00Z");
        assert_eq!(publish_instant("soon"), "soon");
        assert_eq!(local_time("x"), "x");
    }
}
