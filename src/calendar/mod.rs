//! iCalendar (RFC 5545) feeds of a visit, a room and a person's sessions, at stable
//! subscribable URLs protected by a secret token; and the bilingual invitation letter of
//! an inbound delegation.
//!
//! The feeds' tokens, the token check and the iCalendar writer are in `crate::feeds`,
//! shared with the expiry feed.

pub mod api;
pub mod feeds;
pub mod letter;
pub mod queries;

use crate::{
    audit::Actor,
    auth::{Access, Permission},
    error::AppResult,
    feeds::{FeedKind, ensure_token},
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
