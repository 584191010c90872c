//! JSON API of calendar feeds: get (or make) a feed's subscribe URL, and reset it.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::feeds::FeedKind;
use crate::{
    audit::Actor,
    error::{AppError, AppResult, Problem},
    web::{AppState, context::User, extract::ApiJson},
};

/// Which feed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FeedRequest {
    /// `visit`, `room`, `person` or `expiry` (a user's agreement expiry feed: their own).
    pub kind: String,
    /// The visit's, room's, person's or user's id.
    pub subject_id: i64,
}

/// A feed's subscribe link.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedResponse {
    /// Absolute URL to subscribe to (contains the token).
    pub url: String,
    /// The same, relative to this server.
    pub path: String,
    /// The secret token.
    pub token: String,
    /// `visit`, `room` or `person`.
    pub kind: String,
    /// The subject's id.
    pub subject_id: i64,
}

impl FeedRequest {
    fn kind(&self) -> AppResult<FeedKind> {
        FeedKind::parse(&self.kind).ok_or_else(|| AppError::field("kind", "use visit, room, person or expiry"))
    }
}

/// `scheme://host` as the caller reached us (behind a proxy: its forwarded scheme).
fn origin(headers: &HeaderMap, secure: bool) -> String {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let host = get(header::HOST.as_str()).unwrap_or("localhost");
    let scheme = get("x-forwarded-proto").unwrap_or(if secure { "https" } else { "http" });
    format!("{scheme}://{host}")
}

fn response(headers: &HeaderMap, secure: bool, kind: FeedKind, id: i64, token: String) -> FeedResponse {
    let path = format!("{}?token={token}", kind.path(id));
    FeedResponse { url: format!("{}{path}", origin(headers, secure)), path, token, kind: kind.as_str().into(), subject_id: id }
}

/// `POST /api/v1/calendar-feeds`: the feed's subscribe URL, made on the first call.
#[utoipa::path(post, path = "/api/v1/calendar-feeds", tag = "calendar", request_body = FeedRequest,
    responses((status = 201, description = "Made now", body = FeedResponse), (status = 200, description = "Made before", body = FeedResponse), (status = 422, body = Problem)))]
pub async fn create_feed(
    State(state): State<AppState>,
    User(user): User,
    headers: HeaderMap,
    ApiJson(req): ApiJson<FeedRequest>,
) -> AppResult<(StatusCode, Json<FeedResponse>)> {
    let kind = req.kind()?;
    kind.may_manage(&user, req.subject_id)?;
    let mut tx = state.db.begin().await?;
    let t = crate::feeds::ensure_token(&mut tx, &Actor::from(&*user), kind, req.subject_id).await?;
    tx.commit().await?;
    let status = if t.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(response(&headers, state.settings.secure_cookies, kind, req.subject_id, t.token))))
}

/// `POST /api/v1/calendar-feeds/reset`: a new token; the old URL stops working.
#[utoipa::path(post, path = "/api/v1/calendar-feeds/reset", tag = "calendar", request_body = FeedRequest,
    responses((status = 200, body = FeedResponse), (status = 422, body = Problem)))]
pub async fn reset_feed(
    State(state): State<AppState>,
    User(user): User,
    headers: HeaderMap,
    ApiJson(req): ApiJson<FeedRequest>,
) -> AppResult<Json<FeedResponse>> {
    let kind = req.kind()?;
    kind.may_manage(&user, req.subject_id)?;
    let mut tx = state.db.begin().await?;
    let token = crate::feeds::reset_token(&mut tx, &Actor::from(&*user), kind, req.subject_id).await?;
    tx.commit().await?;
    Ok(Json(response(&headers, state.settings.secure_cookies, kind, req.subject_id, token)))
}
