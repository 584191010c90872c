//! `/api/v1/calls`: open calls (public), opening one, and the office's steps over a whole
//! call: screening, the ranking and allocation, publishing, nominating, and incoming
//! nominees.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    applications::{
        PublicBase, calls,
        model::{CallDetail, NewCall, allocation::Outcome},
        nomination::{self, Nominated, Nominee},
        office::{self, Screened},
        queries,
    },
    audit::Actor,
    error::{AppResult, Problem},
    web::{
        AppState,
        context::User,
        extract::{ApiJson, ApiPath, ApiQuery},
    },
};

/// Filters of the call list.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct CallQuery {
    /// `open` for the calls open now only.
    pub phase: Option<String>,
}

/// `GET /api/v1/calls`: every call with its partners (`?phase=open`: open now).
#[utoipa::path(get, path = "/api/v1/calls", tag = "applications", params(CallQuery), responses((status = 200, body = Vec<CallDetail>)))]
pub async fn list_calls(State(state): State<AppState>, ApiQuery(q): ApiQuery<CallQuery>) -> AppResult<Json<Vec<CallDetail>>> {
    let mut conn = state.db.pool.acquire().await?;
    let now = crate::time::now_text();
    let open = q.phase.as_deref() == Some("open");
    let mut out = Vec::new();
    for c in queries::list_calls(&mut conn, open.then_some(now.as_str())).await? {
        out.push(calls::detail(&mut conn, c.id).await?);
    }
    Ok(Json(out))
}

/// `POST /api/v1/calls`: opens a call. Partners default to the programme agreement's,
/// places to the programme's quota for the year and direction.
#[utoipa::path(post, path = "/api/v1/calls", tag = "applications", request_body = NewCall,
    responses((status = 201, body = CallDetail), (status = 422, body = Problem)))]
pub async fn create_call(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(c): ApiJson<NewCall>,
) -> AppResult<(StatusCode, Json<CallDetail>)> {
    let mut tx = state.db.begin().await?;
    let id = calls::create_call(&mut tx, &Actor::from(&*user), &c).await?;
    let detail = calls::detail(&mut tx, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// `GET /api/v1/calls/{id}`: a call with its partners and places.
#[utoipa::path(get, path = "/api/v1/calls/{id}", tag = "applications", params(("id" = i64, Path, description = "Call id")),
    responses((status = 200, body = CallDetail), (status = 404, body = Problem)))]
pub async fn get_call(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<CallDetail>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(calls::detail(&mut conn, id).await?))
}

/// `POST /api/v1/calls/{id}/close`: closes an open call now, before its closing time.
#[utoipa::path(post, path = "/api/v1/calls/{id}/close", tag = "applications", params(("id" = i64, Path, description = "Call id")),
    responses((status = 200, body = CallDetail), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn close_call(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<Json<CallDetail>> {
    let mut tx = state.db.begin().await?;
    let detail = calls::close_now(&mut tx, &Actor::from(&*user), id).await?;
    tx.commit().await?;
    Ok(Json(detail))
}

/// `POST /api/v1/calls/{id}/screen`: marks each submitted application of a closed call
/// eligible or not by the call's conditions (level, GPA, language certificate).
#[utoipa::path(post, path = "/api/v1/calls/{id}/screen", tag = "applications", params(("id" = i64, Path, description = "Call id")),
    responses((status = 200, body = Screened), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn screen(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Screened>> {
    let mut tx = state.db.begin().await?;
    let out = office::screen(&mut tx, &Actor::from(&*user), id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

/// One student's allocation, with the reason in words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Explained {
    /// The outcome.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Why, in the caller's language.
    pub explanation: String,
}

/// `POST /api/v1/calls/{id}/allocate`: ranks the eligible applications of a closed call
/// and allocates the places (results stay with the office until published). Manual
/// allocations are kept.
#[utoipa::path(post, path = "/api/v1/calls/{id}/allocate", tag = "applications", params(("id" = i64, Path, description = "Call id")),
    responses((status = 200, body = Vec<Explained>), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn allocate(
    State(state): State<AppState>,
    ctx: crate::web::context::Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<Explained>>> {
    let mut tx = state.db.begin().await?;
    let outcomes = office::allocate(&mut tx, &Actor::from(&*user), id).await?;
    let partners = queries::call_partners(&mut tx, id).await?;
    tx.commit().await?;
    let name = |p: i64| partners.iter().find(|c| c.id == p).map(|c| c.name.clone()).unwrap_or_default();
    let zh = ctx.locale == crate::web::i18n::Locale::Zh;
    let out = outcomes
        .into_iter()
        .map(|o| Explained { explanation: crate::applications::model::allocation::explain(&o, &name, zh), outcome: o })
        .collect();
    Ok(Json(out))
}

/// `POST /api/v1/calls/{id}/publish`: tells every eligible student their result: a place
/// to accept or decline within the call's days, or the waiting list.
#[utoipa::path(post, path = "/api/v1/calls/{id}/publish", tag = "applications", params(("id" = i64, Path, description = "Call id")),
    responses((status = 200, body = CallDetail), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn publish(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<Json<CallDetail>> {
    let mut tx = state.db.begin().await?;
    office::publish(&mut tx, &Actor::from(&*user), id).await?;
    let detail = calls::detail(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(detail))
}

/// `POST /api/v1/calls/{id}/nominate`: nominates every student who accepted a place:
/// each gets a nominated mobility, and each partner's coordinator a signed link.
#[utoipa::path(post, path = "/api/v1/calls/{id}/nominate", tag = "applications", params(("id" = i64, Path, description = "Call id")),
    responses((status = 200, body = Nominated), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn nominate(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Nominated>> {
    let base = state.service::<PublicBase>().0.clone();
    let mut tx = state.db.begin().await?;
    let out = nomination::nominate(&mut tx, &Actor::from(&*user), id, &base).await?;
    tx.commit().await?;
    Ok(Json(out))
}

/// The mobility made for an incoming nominee.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncomingResult {
    /// The inbound mobility (status nominated).
    pub mobility_id: i64,
}

/// `POST /api/v1/calls/{id}/incoming`: records a partner's nominee to an incoming call:
/// a person at the partner and an inbound mobility.
#[utoipa::path(post, path = "/api/v1/calls/{id}/incoming", tag = "applications", params(("id" = i64, Path, description = "Call id")),
    request_body = Nominee, responses((status = 201, body = IncomingResult), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn incoming(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(n): ApiJson<Nominee>,
) -> AppResult<(StatusCode, Json<IncomingResult>)> {
    let mut tx = state.db.begin().await?;
    let mobility_id = nomination::incoming(&mut tx, &Actor::from(&*user), id, &n).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(IncomingResult { mobility_id })))
}

/// A link for a partner's coordinator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerLink {
    /// The absolute address to send them (valid 30 days, no account needed).
    pub url: String,
}

/// `POST /api/v1/calls/{id}/partners/{partner_id}/link`: a signed link for the partner's
/// coordinator: to review nominees (outgoing call) or nominate students (incoming call).
#[utoipa::path(post, path = "/api/v1/calls/{id}/partners/{partner_id}/link", tag = "applications",
    params(("id" = i64, Path, description = "Call id"), ("partner_id" = i64, Path, description = "The call's partner row")),
    responses((status = 200, body = PartnerLink), (status = 404, body = Problem)))]
pub async fn partner_link(State(state): State<AppState>, ApiPath((id, partner_id)): ApiPath<(i64, i64)>) -> AppResult<Json<PartnerLink>> {
    let base = state.service::<PublicBase>().0.clone();
    let mut conn = state.db.pool.acquire().await?;
    let call = queries::get_call(&mut conn, id).await?;
    if queries::call_of_partner(&mut conn, partner_id).await? != id {
        return Err(crate::error::AppError::NotFound);
    }
    let (purpose, path) = if call.direction == "inbound" {
        (crate::applications::links::Purpose::Nominate, "nominate")
    } else {
        (crate::applications::links::Purpose::Review, "review")
    };
    let token = crate::applications::links::sign(&mut conn, purpose, partner_id).await?;
    Ok(Json(PartnerLink { url: format!("{base}/partner/{path}/{token}") }))
}
