//! JSON API of visits: the visit, its delegation and hosts, agenda, outcomes and actions.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    model::{
        Action, HostInput, MemberInput, NewAction, NewOutcome, NewSession, Outcome, Session, UpdateAction, UpdateSession, UpdateVisit,
        Visit, VisitStatus, VisitSummary,
    },
    queries::{self, ActionFilter, VisitQuery},
    sessions,
};
use crate::{
    audit::Actor,
    error::{AppResult, Problem},
    status::Status,
    web::paging::Page,
    web::{
        AppState,
        context::User,
        extract::{ApiJson, ApiPath, ApiQuery},
    },
};

/// `GET /api/v1/visits`: visits, latest first.
#[utoipa::path(get, path = "/api/v1/visits", tag = "visits", params(VisitQuery), responses((status = 200, body = Page<VisitSummary>)))]
pub async fn list_visits(State(state): State<AppState>, ApiQuery(q): ApiQuery<VisitQuery>) -> AppResult<Json<Page<VisitSummary>>> {
    let mut conn = state.db.pool.acquire().await?;
    let (items, total) = queries::list_visits(&mut conn, &q).await?;
    Ok(Json(Page { items, page: q.page.unwrap_or(1).max(1), per_page: q.per_page.unwrap_or(50).clamp(1, 200), total }))
}

/// `GET /api/v1/visits/{id}`: a visit with its delegation, hosts, agenda, outcomes, actions and history.
#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "visits", params(("id" = i64, Path, description = "Visit id")),
    responses((status = 200, body = Visit), (status = 404, body = Problem)))]
pub async fn get_visit(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Visit>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::get_visit(&mut conn, id).await?))
}

/// `POST /api/v1/visits`: records a visit with its institutions, delegation and hosts, all or nothing.
#[utoipa::path(post, path = "/api/v1/visits", tag = "visits", request_body = super::model::NewVisit,
    responses((status = 201, body = Visit), (status = 422, body = Problem)))]
pub async fn create_visit(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(v): ApiJson<super::model::NewVisit>,
) -> AppResult<(StatusCode, Json<Visit>)> {
    let mut tx = state.db.begin().await?;
    let id = queries::create_visit(&mut tx, &Actor::from(&*user), &v).await?;
    let visit = queries::get_visit(&mut tx, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(visit)))
}

/// `PATCH /api/v1/visits/{id}`: title, purpose, dates, time zone, head count.
#[utoipa::path(patch, path = "/api/v1/visits/{id}", tag = "visits", request_body = UpdateVisit, params(("id" = i64, Path, description = "Visit id")),
    responses((status = 200, body = Visit), (status = 422, body = Problem)))]
pub async fn update_visit(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(u): ApiJson<UpdateVisit>,
) -> AppResult<Json<Visit>> {
    let mut tx = state.db.begin().await?;
    queries::update_visit(&mut tx, &Actor::from(&*user), id, &u).await?;
    let visit = queries::get_visit(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(visit))
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusChange {
    /// confirmed, completed or cancelled (one step at a time).
    #[schema(value_type = VisitStatus)]
    pub status: String,
    /// Why (required when cancelling).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /api/v1/visits/{id}/status`: planned → confirmed → completed, or cancelled with a reason.
#[utoipa::path(post, path = "/api/v1/visits/{id}/status", tag = "visits", request_body = StatusChange, params(("id" = i64, Path, description = "Visit id")),
    responses((status = 200, body = Visit), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change_status(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(c): ApiJson<StatusChange>,
) -> AppResult<Json<Visit>> {
    let to = VisitStatus::parse_field("status", c.status.trim())?;
    let mut tx = state.db.begin().await?;
    queries::set_status(&mut tx, &Actor::from(&*user), id, to, c.reason.as_deref()).await?;
    let visit = queries::get_visit(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(visit))
}

/// What a change answers with when there is something to look at.
#[derive(Debug, Serialize, ToSchema)]
pub struct Warnings {
    /// Things to look at, e.g. a head count raised to the named members.
    pub warnings: Vec<String>,
}

/// `POST /api/v1/visits/{id}/members`: adds a named member of the delegation.
#[utoipa::path(post, path = "/api/v1/visits/{id}/members", tag = "visits", request_body = MemberInput, params(("id" = i64, Path, description = "Visit id")),
    responses((status = 201, body = Warnings), (status = 422, body = Problem)))]
pub async fn add_member(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(m): ApiJson<MemberInput>,
) -> AppResult<(StatusCode, Json<Warnings>)> {
    let mut tx = state.db.begin().await?;
    let warnings = queries::add_member(&mut tx, &Actor::from(&*user), id, &m).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Warnings { warnings })))
}

/// `DELETE /api/v1/visits/{id}/members/{person_id}`.
#[utoipa::path(delete, path = "/api/v1/visits/{id}/members/{person_id}", tag = "visits",
    params(("id" = i64, Path, description = "Visit id"), ("person_id" = i64, Path, description = "Person id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn remove_member(
    State(state): State<AppState>,
    User(user): User,
    ApiPath((id, person)): ApiPath<(i64, i64)>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    queries::remove_member(&mut tx, &Actor::from(&*user), id, person).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/visits/{id}/hosts`: adds a host official or unit.
#[utoipa::path(post, path = "/api/v1/visits/{id}/hosts", tag = "visits", request_body = HostInput, params(("id" = i64, Path, description = "Visit id")),
    responses((status = 201), (status = 422, body = Problem)))]
pub async fn add_host(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(h): ApiJson<HostInput>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    queries::add_host(&mut tx, &Actor::from(&*user), id, &h).await?;
    tx.commit().await?;
    Ok(StatusCode::CREATED)
}

/// `DELETE /api/v1/visits/{id}/hosts/{host_id}`.
#[utoipa::path(delete, path = "/api/v1/visits/{id}/hosts/{host_id}", tag = "visits",
    params(("id" = i64, Path, description = "Visit id"), ("host_id" = i64, Path, description = "Host row id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn remove_host(
    State(state): State<AppState>,
    User(user): User,
    ApiPath((id, host)): ApiPath<(i64, i64)>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    queries::remove_host(&mut tx, &Actor::from(&*user), id, host).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A session and what to look at.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResult {
    /// The session.
    pub session: Session,
    /// E.g. a room smaller than the group, or a booking pending approval.
    pub warnings: Vec<String>,
}

/// `POST /api/v1/visits/{id}/sessions`: adds an agenda session, booking its room (409
/// with the conflicting booking when the room is taken).
#[utoipa::path(post, path = "/api/v1/visits/{id}/sessions", tag = "visits", request_body = NewSession, params(("id" = i64, Path, description = "Visit id")),
    responses((status = 201, body = SessionResult), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_session(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(s): ApiJson<NewSession>,
) -> AppResult<(StatusCode, Json<SessionResult>)> {
    let mut tx = state.db.begin().await?;
    let (session, warnings) = sessions::add(&mut tx, &Actor::from(&*user), id, &s).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(SessionResult { session, warnings })))
}

/// `PATCH /api/v1/sessions/{id}`: changes only the fields given.
#[utoipa::path(patch, path = "/api/v1/sessions/{id}", tag = "visits", request_body = UpdateSession, params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, body = SessionResult), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_session(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(u): ApiJson<UpdateSession>,
) -> AppResult<Json<SessionResult>> {
    let mut tx = state.db.begin().await?;
    let (session, warnings) = sessions::update(&mut tx, &Actor::from(&*user), id, &u).await?;
    tx.commit().await?;
    Ok(Json(SessionResult { session, warnings }))
}

/// `DELETE /api/v1/sessions/{id}`: removes the session and frees its room.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "visits", params(("id" = i64, Path, description = "Session id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_session(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    sessions::delete(&mut tx, &Actor::from(&*user), id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/visits/{id}/outcomes`: records a consensus or decision.
#[utoipa::path(post, path = "/api/v1/visits/{id}/outcomes", tag = "visits", request_body = NewOutcome, params(("id" = i64, Path, description = "Visit id")),
    responses((status = 201, body = Outcome), (status = 422, body = Problem)))]
pub async fn create_outcome(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(o): ApiJson<NewOutcome>,
) -> AppResult<(StatusCode, Json<Outcome>)> {
    let mut tx = state.db.begin().await?;
    let outcome = queries::add_outcome(&mut tx, &Actor::from(&*user), id, &o).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// `POST /api/v1/visits/{id}/actions`: adds a follow-up action with an owner and a due date.
#[utoipa::path(post, path = "/api/v1/visits/{id}/actions", tag = "visits", request_body = NewAction, params(("id" = i64, Path, description = "Visit id")),
    responses((status = 201, body = Action), (status = 422, body = Problem)))]
pub async fn create_action(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(a): ApiJson<NewAction>,
) -> AppResult<(StatusCode, Json<Action>)> {
    let mut tx = state.db.begin().await?;
    let action = queries::add_action(&mut tx, &Actor::from(&*user), id, &a).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(action)))
}

/// `PATCH /api/v1/actions/{id}`: status, due date, owner. Owners may change their own
/// actions; everyone else needs the visits permission.
#[utoipa::path(patch, path = "/api/v1/actions/{id}", tag = "visits", request_body = UpdateAction, params(("id" = i64, Path, description = "Action id")),
    responses((status = 200, body = Action), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn update_action(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(u): ApiJson<UpdateAction>,
) -> AppResult<Json<Action>> {
    let mut tx = state.db.begin().await?;
    let current = queries::get_action(&mut tx, id).await?;
    if current.owner_id != Some(user.id) {
        user.require(crate::auth::Permission::EditVisits)?;
    }
    let action = queries::update_action(&mut tx, &Actor::from(&*user), id, &u).await?;
    tx.commit().await?;
    Ok(Json(action))
}

/// `GET /api/v1/actions`: follow-up actions by due date (`mine=true`, `overdue=true`, `status`, `visit_id`).
#[utoipa::path(get, path = "/api/v1/actions", tag = "visits", params(ActionFilter), responses((status = 200, body = Vec<Action>)))]
pub async fn list_actions(
    State(state): State<AppState>,
    User(user): User,
    ApiQuery(mut f): ApiQuery<ActionFilter>,
) -> AppResult<Json<Vec<Action>>> {
    if f.mine.unwrap_or(false) {
        f.owner_id = Some(user.id);
    }
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::list_actions(&mut conn, &f).await?))
}
