//! JSON API of trips: list, request, read, and one endpoint for every step of the chain.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    routing::{get, post},
};

use super::{StepInput, Trip, TripDetail, TripQuery, request::NewTrip, workflow};
use crate::{
    auth::{Access, Permission},
    error::{AppResult, Problem},
    web::{
        AppState,
        context::User,
        extract::{ApiJson, ApiPath, ApiQuery},
        routes::Routes,
    },
};

/// Routes of the API. Reading is for everyone who reads office records; requesting and
/// acting need RequestTrips, and each step then checks who the caller is for this trip.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let act = Access::Permission(Permission::RequestTrips);
    Routes::new()
        .get("/api/v1/trips", view, get(list_trips))
        .post("/api/v1/trips", act, post(create_trip))
        .get("/api/v1/trips/{id}", view, get(get_trip))
        .post("/api/v1/trips/{id}/steps", act, post(take_step))
}

/// `GET /api/v1/trips?status&mine&waiting`: trips, newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/trips", tag = "trips", params(TripQuery),
    responses((status = 200, body = Vec<Trip>), (status = 422, body = Problem)))]
pub async fn list_trips(State(state): State<AppState>, User(user): User, ApiQuery(q): ApiQuery<TripQuery>) -> AppResult<Json<Vec<Trip>>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(workflow::list(&mut conn, &user, &q).await?))
}

/// `POST /api/v1/trips`: requests a trip (status `submitted`).
#[utoipa::path(post, path = "/api/v1/trips", tag = "trips", request_body = NewTrip,
    responses((status = 201, body = TripDetail), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_trip(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(input): ApiJson<NewTrip>,
) -> AppResult<(StatusCode, Json<TripDetail>)> {
    let mut tx = state.db.begin().await?;
    let id = workflow::request(&mut tx, &user, &input).await?;
    let detail = workflow::detail(&mut tx, id, &user).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// `GET /api/v1/trips/{id}`: the trip with travellers, history and the caller's next steps.
#[utoipa::path(get, path = "/api/v1/trips/{id}", tag = "trips", params(("id" = i64, Path, description = "Trip id")),
    responses((status = 200, body = TripDetail), (status = 404, body = Problem)))]
pub async fn get_trip(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<Json<TripDetail>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(workflow::detail(&mut conn, id, &user).await?))
}

/// `POST /api/v1/trips/{id}/steps`: approve, reject (with a comment), cancel, report
/// (with the report) or close. 403 names who may take the step; 422 names the step that
/// must come first; 409 if someone else acted on the trip at the same moment.
#[utoipa::path(post, path = "/api/v1/trips/{id}/steps", tag = "trips", request_body = StepInput,
    params(("id" = i64, Path, description = "Trip id")),
    responses((status = 200, body = TripDetail), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn take_step(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<StepInput>,
) -> AppResult<Json<TripDetail>> {
    let mut tx = state.db.begin().await?;
    workflow::take_step(&mut tx, &user, id, &input).await?;
    let detail = workflow::detail(&mut tx, id, &user).await?;
    tx.commit().await?;
    Ok(Json(detail))
}
