//! JSON API of programmes (quotas, coordinators), mobilities and exchange balances.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    changes, mobilities,
    model::{
        BalanceRow, Coordinator, CoordinatorInput, Mobility, MobilityQuery, MobilityStatus, MobilityStatusChange, NewMobility,
        NewProgramme, Programme, ProgrammeQuery, ProgrammeSummary, Quota, UpdateProgramme,
    },
    queries,
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

/// `GET /api/v1/programmes`: programmes, filtered by agreement, area and status.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programmes", params(ProgrammeQuery), responses((status = 200, body = Vec<ProgrammeSummary>)))]
pub async fn list_programmes(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ProgrammeQuery>,
) -> AppResult<Json<Vec<ProgrammeSummary>>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::list_programmes(&mut conn, &q).await?))
}

/// `POST /api/v1/programmes`: a programme under an agreement.
#[utoipa::path(post, path = "/api/v1/programmes", tag = "programmes", request_body = NewProgramme,
    responses((status = 201, body = Programme), (status = 422, body = Problem)))]
pub async fn create_programme(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(p): ApiJson<NewProgramme>,
) -> AppResult<(StatusCode, Json<Programme>)> {
    let mut tx = state.db.begin().await?;
    let id = changes::create_programme(&mut tx, &Actor::from(&*user), &p).await?;
    let programme = queries::get_programme(&mut tx, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(programme)))
}

/// `GET /api/v1/programmes/{id}`: a programme with its quotas and coordinators.
#[utoipa::path(get, path = "/api/v1/programmes/{id}", tag = "programmes", params(("id" = i64, Path, description = "Programme id")),
    responses((status = 200, body = Programme), (status = 404, body = Problem)))]
pub async fn get_programme(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Programme>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::get_programme(&mut conn, id).await?))
}

/// `PATCH /api/v1/programmes/{id}`: changes the fields given.
#[utoipa::path(patch, path = "/api/v1/programmes/{id}", tag = "programmes", request_body = UpdateProgramme,
    params(("id" = i64, Path, description = "Programme id")),
    responses((status = 200, body = Programme), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_programme(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(u): ApiJson<UpdateProgramme>,
) -> AppResult<Json<Programme>> {
    let mut tx = state.db.begin().await?;
    changes::update_programme(&mut tx, &Actor::from(&*user), id, &u).await?;
    let programme = queries::get_programme(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(programme))
}

/// `PUT /api/v1/programmes/{id}/quotas`: replaces the quotas (per academic year and direction).
#[utoipa::path(put, path = "/api/v1/programmes/{id}/quotas", tag = "programmes", request_body = Vec<Quota>,
    params(("id" = i64, Path, description = "Programme id")),
    responses((status = 200, body = Vec<Quota>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_quotas(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(q): ApiJson<Vec<Quota>>,
) -> AppResult<Json<Vec<Quota>>> {
    let mut tx = state.db.begin().await?;
    let quotas = changes::set_quotas(&mut tx, &Actor::from(&*user), id, &q).await?;
    tx.commit().await?;
    Ok(Json(quotas))
}

/// `POST /api/v1/programmes/{id}/coordinators`: adds a coordinator (home or partner side).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/coordinators", tag = "programmes", request_body = CoordinatorInput,
    params(("id" = i64, Path, description = "Programme id")),
    responses((status = 201, body = Vec<Coordinator>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_coordinator(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(c): ApiJson<CoordinatorInput>,
) -> AppResult<(StatusCode, Json<Vec<Coordinator>>)> {
    let mut tx = state.db.begin().await?;
    let list = changes::add_coordinator(&mut tx, &Actor::from(&*user), id, &c).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(list)))
}

/// `GET /api/v1/mobilities`: a page of mobilities.
#[utoipa::path(get, path = "/api/v1/mobilities", tag = "programmes", params(MobilityQuery), responses((status = 200, body = Page<Mobility>)))]
pub async fn list_mobilities(State(state): State<AppState>, ApiQuery(q): ApiQuery<MobilityQuery>) -> AppResult<Json<Page<Mobility>>> {
    let mut conn = state.db.pool.acquire().await?;
    let (items, total) = queries::list_mobilities(&mut conn, &q).await?;
    let (page, per_page) = q.paging();
    Ok(Json(Page { items, page, per_page, total }))
}

/// `POST /api/v1/mobilities`: records a mobility. Over quota or outside the programme's
/// period: 409 with the warnings, unless `"override": true` with an `override_note`.
#[utoipa::path(post, path = "/api/v1/mobilities", tag = "programmes", request_body = NewMobility,
    responses((status = 201, body = Mobility), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_mobility(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(m): ApiJson<NewMobility>,
) -> AppResult<(StatusCode, Json<Mobility>)> {
    let mut tx = state.db.begin().await?;
    if let Ok(unit) = queries::programme_unit(&mut tx, m.programme_id).await {
        mobilities::may_record(&user, unit)?;
    }
    let id = mobilities::create_mobility(&mut tx, &Actor::from(&*user), &m).await?;
    let mobility = queries::get_mobility(&mut tx, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(mobility)))
}

/// `GET /api/v1/mobilities/{id}`.
#[utoipa::path(get, path = "/api/v1/mobilities/{id}", tag = "programmes", params(("id" = i64, Path, description = "Mobility id")),
    responses((status = 200, body = Mobility), (status = 404, body = Problem)))]
pub async fn get_mobility(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Mobility>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::get_mobility(&mut conn, id).await?))
}

/// `POST /api/v1/mobilities/{id}/status`: nominated → accepted → in_progress → completed,
/// or withdrawn from any step before completed.
#[utoipa::path(post, path = "/api/v1/mobilities/{id}/status", tag = "programmes", request_body = MobilityStatusChange,
    params(("id" = i64, Path, description = "Mobility id")),
    responses((status = 200, body = Mobility), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_mobility_status(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(c): ApiJson<MobilityStatusChange>,
) -> AppResult<Json<Mobility>> {
    let mut tx = state.db.begin().await?;
    mobilities::may_record(&user, queries::mobility_unit(&mut tx, id).await?)?;
    let to = MobilityStatus::parse_field("status", c.status.trim())?;
    let mobility = mobilities::set_status(&mut tx, &Actor::from(&*user), id, to).await?;
    tx.commit().await?;
    Ok(Json(mobility))
}

/// `DELETE /api/v1/mobilities/{id}`: removes a mobility recorded by mistake.
#[utoipa::path(delete, path = "/api/v1/mobilities/{id}", tag = "programmes", params(("id" = i64, Path, description = "Mobility id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_mobility(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    mobilities::may_record(&user, queries::mobility_unit(&mut tx, id).await?)?;
    mobilities::delete_mobility(&mut tx, &Actor::from(&*user), id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of the balance.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct BalanceQuery {
    /// One academic year (e.g. `2024-2025`); all years if omitted.
    pub academic_year: Option<String>,
}

/// `GET /api/v1/agreements/{id}/balance`: inbound vs outbound vs quota per academic year.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/balance", tag = "programmes",
    params(("id" = i64, Path, description = "Agreement id"), BalanceQuery),
    responses((status = 200, body = Vec<BalanceRow>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn get_balance(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<BalanceQuery>,
) -> AppResult<Json<Vec<BalanceRow>>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(mobilities::balance(&mut conn, id, q.academic_year.as_deref()).await?))
}
