//! iCalendar (RFC 5545) feeds of a visit, a room and a person's sessions, at stable
//! subscribable URLs protected by a secret token; and the bilingual invitation letter of
//! an inbound delegation.
//!
//! Calendar clients subscribe without a session, so the feed routes are public and
//! check the feed's token themselves: the token in `?token=` must equal the one stored
//! for (kind, subject) in `calendar_feeds` (compared in constant time), or the caller
//! must be logged in with `view_records`. Anything else is a 404, so a guessed URL does
//! not even reveal that the visit exists. Tokens are kept readable so the subscribe
//! link can be shown again; resetting replaces a leaked one.

pub mod api;
pub mod feeds;
pub mod ics;
pub mod letter;

use sqlx::AnyConnection;

use crate::{
    audit::{self, Action, Actor},
    auth::{Access, Permission, random_token},
    error::{AppError, AppResult},
    web::routes::Routes,
};

/// This module's part of the OpenAPI document (merged in `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::create_feed, api::reset_feed, feeds::visit_feed, feeds::room_feed, feeds::person_feed),
    tags((name = "calendar", description = "iCalendar feeds"))
)]
pub struct ApiDoc;

/// Routes of this module.
pub fn routes() -> Routes {
    use axum::routing::{get, post};
    let view = Access::Permission(Permission::ViewRecords);
    Routes::new()
        .post("/api/v1/calendar-feeds", view, post(api::create_feed))
        .post("/api/v1/calendar-feeds/reset", view, post(api::reset_feed))
        .get("/visits/{id}/calendar.ics", Access::Public, get(feeds::visit_feed))
        .get("/rooms/{id}/calendar.ics", Access::Public, get(feeds::room_feed))
        .get("/people/{id}/calendar.ics", Access::Public, get(feeds::person_feed))
        .get("/visits/{id}/invitation", view, get(letter::invitation))
        .post("/calendar-links", view, post(make_link))
}

/// The subscribe path of a subject's feed, if one was made (for pages).
pub async fn feed_path(conn: &mut AnyConnection, kind: FeedKind, id: i64) -> AppResult<Option<String>> {
    Ok(stored_token(conn, kind, id).await?.map(|t| format!("{}?token={t}", kind.path(id))))
}

/// What the "make a calendar link" button posts.
#[derive(Debug, serde::Deserialize)]
struct LinkForm {
    kind: String,
    subject_id: i64,
}

/// `POST /calendar-links`: makes a subject's feed link, then back to its page.
async fn make_link(
    axum::extract::State(state): axum::extract::State<crate::web::AppState>,
    crate::web::context::User(user): crate::web::context::User,
    crate::web::extract::FormData(f): crate::web::extract::FormData<LinkForm>,
) -> AppResult<axum::response::Redirect> {
    let kind = FeedKind::parse(&f.kind).ok_or_else(|| crate::error::AppError::field("kind", "use visit, room, person or expiry"))?;
    kind.may_manage(&user, f.subject_id)?;
    let mut tx = state.db.begin().await?;
    ensure_token(&mut tx, &Actor::from(&*user), kind, f.subject_id).await?;
    tx.commit().await?;
    let page = kind.page(f.subject_id);
    Ok(axum::response::Redirect::to(&format!("{page}#calendar")))
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

    /// The table the subject lives in.
    fn table(self) -> &'static str {
        match self {
            FeedKind::Visit => "visits",
            FeedKind::Room => "rooms",
            FeedKind::Person => "people",
            FeedKind::Expiry => "users",
        }
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
    pub fn may_manage(self, user: &crate::auth::CurrentUser, subject_id: i64) -> AppResult<()> {
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
    let sql = format!("SELECT COUNT(*) FROM {} WHERE id = $1", kind.table());
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(conn).await?;
    if n == 0 { Err(AppError::field("subject_id", format!("there is no {} with id {id}", kind.as_str()))) } else { Ok(()) }
}

/// The stored token of a feed, if one was ever made.
pub async fn stored_token(conn: &mut AnyConnection, kind: FeedKind, id: i64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT token FROM calendar_feeds WHERE kind = $1 AND subject_id = $2")
        .bind(kind.as_str())
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// The feed's token, made on the first call. Two concurrent first calls agree: the
/// unique key lets one insert win and both read the winner's token.
pub async fn ensure_token(conn: &mut AnyConnection, actor: &Actor, kind: FeedKind, id: i64) -> AppResult<FeedToken> {
    subject_exists(&mut *conn, kind, id).await?;
    let inserted = sqlx::query(
        "INSERT INTO calendar_feeds (kind, subject_id, token, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, subject_id) DO NOTHING",
    )
    .bind(kind.as_str())
    .bind(id)
    .bind(random_token(32))
    .bind(crate::time::now_text())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let token = stored_token(&mut *conn, kind, id).await?.ok_or(AppError::NotFound)?;
    if inserted > 0 {
        audit_feed(conn, actor, Action::Create, kind, id).await?;
    }
    Ok(FeedToken { token, created: inserted > 0 })
}

/// Replaces the feed's token (the old URL stops working); makes one if there was none.
pub async fn reset_token(conn: &mut AnyConnection, actor: &Actor, kind: FeedKind, id: i64) -> AppResult<String> {
    subject_exists(&mut *conn, kind, id).await?;
    let token = random_token(32);
    sqlx::query(
        "INSERT INTO calendar_feeds (kind, subject_id, token, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, subject_id) DO UPDATE SET token = excluded.token, created_at = excluded.created_at",
    )
    .bind(kind.as_str())
    .bind(id)
    .bind(&token)
    .bind(crate::time::now_text())
    .execute(&mut *conn)
    .await?;
    audit_feed(conn, actor, Action::Update, kind, id).await?;
    Ok(token)
}

/// The audit trail says who made or reset which feed, never the token itself.
async fn audit_feed(conn: &mut AnyConnection, actor: &Actor, action: Action, kind: FeedKind, id: i64) -> AppResult<()> {
    let what = serde_json::json!({ "kind": kind.as_str(), "subject_id": id });
    audit::record(conn, actor, action, "calendar_feed", id, None, Some(&what)).await?;
    Ok(())
}

/// Compares two secrets in time that depends only on their lengths.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(same_secret("abc123", "abc123"));
        assert!(!same_secret("abc123", "abc124"));
        assert!(!same_secret("abc123", "abc1234"));
        assert!(!same_secret("", "a"));
    }

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
