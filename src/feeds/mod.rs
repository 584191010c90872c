//! Subscribable feeds (iCalendar) at stable URLs protected by a secret token, shared by
//! the calendar feeds (a visit, a room, a person) and the expiry feed (a user's
//! agreements): the tokens, the check, the `.ics` response and the writer ([`ics`]).
//!
//! Calendar clients subscribe without a session, so the feed routes are public and
//! check the feed's token themselves: the token in `?token=` must equal the one stored
//! for (kind, subject) in `calendar_feeds` (compared in constant time), or the caller
//! must be logged in and allowed to read the subject. Anything else is a 404, so a
//! guessed URL does not even reveal that the subject exists. Tokens are kept readable so
//! the subscribe link can be shown again; resetting replaces a leaked one.

pub mod ics;
pub mod store;

use axum::{
    http::header,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use sqlx::AnyConnection;

use crate::{
    audit::{self, Action, Actor},
    auth::{CurrentUser, Permission},
    error::{AppError, AppResult},
    secret::{random_token, same_secret},
    web::context::Ctx,
};

/// The feed's secret, as in the subscribe URL.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FeedQuery {
    /// The feed's token (not needed when logged in with the right to read the subject).
    pub token: Option<String>,
}

/// Lets the caller in with the feed's token, or as a logged-in user `may_read` accepts;
/// 404 otherwise.
pub async fn authorize(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    kind: FeedKind,
    id: i64,
    token: Option<&str>,
    may_read: impl Fn(&CurrentUser) -> bool,
) -> AppResult<()> {
    if ctx.user.as_deref().is_some_and(may_read) {
        return Ok(());
    }
    match (stored_token(conn, kind, id).await?, token) {
        (Some(stored), Some(given)) if same_secret(&stored, given) => Ok(()),
        _ => Err(AppError::NotFound),
    }
}

/// A feed's body as `text/calendar`, shown inline under `{name}.ics`, never cached by
/// shared caches.
pub fn ics_response(body: String, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CACHE_CONTROL, "private, no-cache".to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}.ics\"")),
        ],
        body,
    )
        .into_response()
}

/// The subscribe path of a subject's feed, if one was made (for pages).
pub async fn feed_path(conn: &mut AnyConnection, kind: FeedKind, id: i64) -> AppResult<Option<String>> {
    Ok(stored_token(conn, kind, id).await?.map(|t| format!("{}?token={t}", kind.path(id))))
}

/// What a feed is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    /// A visit's agenda.
    Visit,
    /// A room's bookings.
    Room,
    /// The sessions a person takes part in.
    Person,
    /// A user's agreement expiry and notice dates (subject: the user; see `crate::expiry::feed`).
    Expiry,
}

impl FeedKind {
    /// Parses the stored and API name.
    pub fn parse(s: &str) -> Option<FeedKind> {
        match s.trim() {
            "visit" => Some(FeedKind::Visit),
            "room" => Some(FeedKind::Room),
            "person" => Some(FeedKind::Person),
            "expiry" => Some(FeedKind::Expiry),
            _ => None,
        }
    }

    /// Stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Visit => "visit",
            FeedKind::Room => "room",
            FeedKind::Person => "person",
            FeedKind::Expiry => "expiry",
        }
    }

    /// The feed's path (without the token).
    pub fn path(self, subject_id: i64) -> String {
        let area = match self {
            FeedKind::Expiry => return format!("/users/{subject_id}/expiry.ics"),
            FeedKind::Visit => "visits",
            FeedKind::Room => "rooms",
            FeedKind::Person => "people",
        };
        format!("/{area}/{subject_id}/calendar.ics")
    }

    /// The page that shows the feed's link (where "make a calendar link" returns to).
    pub fn page(self, subject_id: i64) -> String {
        match self {
            FeedKind::Expiry => "/agreements/expiring".to_string(),
            _ => self.path(subject_id).trim_end_matches("/calendar.ics").to_string(),
        }
    }

    /// Whether `user` may make or reset this feed: a user's expiry feed is theirs alone
    /// (and admins'); the other feeds, anyone who reads records.
    pub fn may_manage(self, user: &CurrentUser, subject_id: i64) -> AppResult<()> {
        if self == FeedKind::Expiry && user.id != subject_id && !user.can(Permission::ManageUsers) {
            return Err(AppError::Forbidden("an expiry feed can only be made by its own user".into()));
        }
        Ok(())
    }
}

/// A feed's subscribe token and whether this call created it.
#[derive(Debug)]
pub struct FeedToken {
    /// The secret.
    pub token: String,
    /// True on the first call for this subject.
    pub created: bool,
}

async fn subject_exists(conn: &mut AnyConnection, kind: FeedKind, id: i64) -> AppResult<()> {
    if store::subject_exists(conn, kind, id).await? {
        Ok(())
    } else {
        Err(AppError::field("subject_id", format!("there is no {} with id {id}", kind.as_str())))
    }
}

/// The stored token of a feed, if one was ever made.
pub async fn stored_token(conn: &mut AnyConnection, kind: FeedKind, id: i64) -> AppResult<Option<String>> {
    store::token(conn, kind, id).await
}

/// The feed's token, made on the first call. Two concurrent first calls agree: the
/// unique key lets one insert win and both read the winner's token.
pub async fn ensure_token(conn: &mut AnyConnection, actor: &Actor, kind: FeedKind, id: i64) -> AppResult<FeedToken> {
    subject_exists(&mut *conn, kind, id).await?;
    let created = store::insert_token(&mut *conn, kind, id, &random_token(32)).await?;
    let token = stored_token(&mut *conn, kind, id).await?.ok_or(AppError::NotFound)?;
    if created {
        audit_feed(conn, actor, Action::Create, kind, id).await?;
    }
    Ok(FeedToken { token, created })
}

/// Replaces the feed's token (the old URL stops working); makes one if there was none.
pub async fn reset_token(conn: &mut AnyConnection, actor: &Actor, kind: FeedKind, id: i64) -> AppResult<String> {
    subject_exists(&mut *conn, kind, id).await?;
    let token = random_token(32);
    store::replace_token(&mut *conn, kind, id, &token).await?;
    audit_feed(conn, actor, Action::Update, kind, id).await?;
    Ok(token)
}

/// The audit trail says who made or reset which feed, never the token itself.
async fn audit_feed(conn: &mut AnyConnection, actor: &Actor, action: Action, kind: FeedKind, id: i64) -> AppResult<()> {
    let what = serde_json::json!({ "kind": kind.as_str(), "subject_id": id });
    audit::record(conn, actor, action, "calendar_feed", id, None, Some(&what)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_kinds_parse_and_name_their_paths() {
        assert_eq!(FeedKind::parse("visit"), Some(FeedKind::Visit));
        assert_eq!(FeedKind::parse("building"), None);
        assert_eq!(FeedKind::Person.path(7), "/people/7/calendar.ics");
        assert_eq!(FeedKind::parse("expiry"), Some(FeedKind::Expiry));
        assert_eq!(FeedKind::Expiry.path(3), "/users/3/expiry.ics");
        assert_eq!(FeedKind::Visit.page(5), "/visits/5");
    }
}
