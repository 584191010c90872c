//! JSON API of rooms and bookings.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    routing::{get, patch, post},
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    model::{Booking, BookingResult, BookingStatus, Building, NewBooking, Room},
    queries,
};
use crate::{
    audit::Actor,
    auth::{Access, Permission},
    error::{AppError, AppResult, FieldError, Problem},
    status::Status,
    web::{
        AppState,
        context::User,
        extract::{ApiJson, ApiPath, ApiQuery},
        routes::Routes,
    },
};

/// Routes of this module.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let book = Access::Permission(Permission::BookRooms);
    let manage = Access::Permission(Permission::ManageRooms);
    Routes::new()
        .get("/api/v1/buildings", view, get(list_buildings))
        .post("/api/v1/buildings", manage, post(create_building))
        .get("/api/v1/rooms", view, get(list_rooms))
        .post("/api/v1/rooms", manage, post(create_room))
        .get("/api/v1/rooms/free", view, get(free_rooms))
        .get("/api/v1/rooms/{id}", view, get(get_room))
        .get("/api/v1/bookings", view, get(list_bookings))
        .post("/api/v1/bookings", book, post(create_booking))
        .patch("/api/v1/bookings/{id}", book, patch(update_booking))
}

/// `GET /api/v1/buildings`.
#[utoipa::path(get, path = "/api/v1/buildings", tag = "rooms", responses((status = 200, body = Vec<Building>)))]
pub async fn list_buildings(State(state): State<AppState>) -> AppResult<Json<Vec<Building>>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::list_buildings(&mut conn).await?))
}

/// A new building.
#[derive(Deserialize, ToSchema)]
pub struct NewBuilding {
    /// Institution (usually the home institution).
    pub institution_id: i64,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    #[serde(default)]
    pub name_zh: Option<String>,
    /// IANA time zone (default Asia/Shanghai).
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// `POST /api/v1/buildings`.
#[utoipa::path(post, path = "/api/v1/buildings", tag = "rooms", request_body = NewBuilding, responses((status = 201, body = Building), (status = 422, body = Problem)))]
pub async fn create_building(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(b): ApiJson<NewBuilding>,
) -> AppResult<(StatusCode, Json<Building>)> {
    let tz = b.time_zone.unwrap_or_else(|| "Asia/Shanghai".into());
    let mut tx = state.db.begin().await?;
    let id = super::add_building(&mut tx, &Actor::from(&*user), b.institution_id, &b.name_en, b.name_zh.as_deref(), &tz).await?;
    let building = queries::get_building(&mut tx, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(building)))
}

/// Filter of the room list.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct RoomQuery {
    /// Only this building's rooms.
    pub building_id: Option<i64>,
}

/// `GET /api/v1/rooms`.
#[utoipa::path(get, path = "/api/v1/rooms", tag = "rooms", params(RoomQuery), responses((status = 200, body = Vec<Room>)))]
pub async fn list_rooms(State(state): State<AppState>, ApiQuery(q): ApiQuery<RoomQuery>) -> AppResult<Json<Vec<Room>>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::list_rooms(&mut conn, q.building_id).await?))
}

/// `GET /api/v1/rooms/{id}`.
#[utoipa::path(get, path = "/api/v1/rooms/{id}", tag = "rooms", params(("id" = i64, Path, description = "Room id")), responses((status = 200, body = Room), (status = 404, body = Problem)))]
pub async fn get_room(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Room>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::get_room(&mut conn, id).await?))
}

/// A new room.
#[derive(Deserialize, ToSchema)]
pub struct NewRoom {
    /// Building.
    pub building_id: i64,
    /// Name or number.
    pub name: String,
    /// Seats.
    pub capacity: i64,
    /// Equipment.
    #[serde(default)]
    pub equipment: String,
    /// Bookings need a room manager's confirmation.
    #[serde(default)]
    pub needs_approval: bool,
}

/// `POST /api/v1/rooms`.
#[utoipa::path(post, path = "/api/v1/rooms", tag = "rooms", request_body = NewRoom, responses((status = 201, body = Room), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_room(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(r): ApiJson<NewRoom>,
) -> AppResult<(StatusCode, Json<Room>)> {
    let mut tx = state.db.begin().await?;
    let id = super::add_room(&mut tx, &Actor::from(&*user), r.building_id, &r.name, r.capacity, &r.equipment, r.needs_approval).await?;
    let room = queries::get_room(&mut tx, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(room)))
}

/// A time window, RFC 3339 with offsets.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct Window {
    /// From (inclusive).
    pub from: String,
    /// To (exclusive).
    pub to: String,
    /// Seats needed (default 1).
    pub capacity: Option<i64>,
    /// Only this room (bookings list).
    pub room_id: Option<i64>,
}

fn window(w: &Window) -> AppResult<(String, String)> {
    let mut errors = Vec::new();
    let parse = |f: &str, t: &str, errors: &mut Vec<FieldError>| {
        t.parse::<jiff::Timestamp>()
            .map_err(|_| errors.push(FieldError::new(f, "use a date and time with its offset, e.g. 2024-05-08T09:00:00+08:00")))
            .ok()
    };
    let (from, to) = (parse("from", &w.from, &mut errors), parse("to", &w.to, &mut errors));
    match (from, to) {
        (Some(f), Some(t)) if t > f => Ok((crate::time::to_text(f), crate::time::to_text(t))),
        (Some(_), Some(_)) => Err(AppError::field("to", "the window ends before it starts")),
        _ => Err(AppError::Validation(errors)),
    }
}

/// `GET /api/v1/rooms/free?from&to&capacity`: rooms with enough seats and no confirmed
/// booking in the window, smallest first.
#[utoipa::path(get, path = "/api/v1/rooms/free", tag = "rooms", params(Window), responses((status = 200, body = Vec<Room>), (status = 422, body = Problem)))]
pub async fn free_rooms(State(state): State<AppState>, ApiQuery(w): ApiQuery<Window>) -> AppResult<Json<Vec<Room>>> {
    let (from, to) = window(&w)?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::free_rooms(&mut conn, &from, &to, w.capacity.unwrap_or(1).max(1)).await?))
}

/// `GET /api/v1/bookings?from&to[&room_id]`: bookings overlapping the window.
#[utoipa::path(get, path = "/api/v1/bookings", tag = "rooms", params(Window), responses((status = 200, body = Vec<Booking>), (status = 422, body = Problem)))]
pub async fn list_bookings(State(state): State<AppState>, ApiQuery(w): ApiQuery<Window>) -> AppResult<Json<Vec<Booking>>> {
    let (from, to) = window(&w)?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::bookings_in_window(&mut conn, w.room_id, &from, &to).await?))
}

/// `POST /api/v1/bookings`: 201 with warnings (a room too small), 409 with the
/// conflicting booking when the slot is taken.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "rooms", request_body = NewBooking,
    responses((status = 201, body = BookingResult), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_booking(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(b): ApiJson<NewBooking>,
) -> AppResult<(StatusCode, Json<BookingResult>)> {
    let mut tx = state.db.begin().await?;
    let result = super::book(&mut tx, &Actor::from(&*user), &b, false).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(result)))
}

/// A status change.
#[derive(Deserialize, ToSchema)]
#[schema(as = BookingStatusChange)]
pub struct StatusChange {
    /// confirmed or cancelled.
    #[schema(value_type = BookingStatus)]
    pub status: String,
}

/// `PATCH /api/v1/bookings/{id}`: cancel (anyone who may book) or confirm (room managers).
#[utoipa::path(patch, path = "/api/v1/bookings/{id}", tag = "rooms", request_body = StatusChange, params(("id" = i64, Path, description = "Booking id")),
    responses((status = 200, body = Booking), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_booking(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(c): ApiJson<StatusChange>,
) -> AppResult<Json<Booking>> {
    let to = BookingStatus::parse_field("status", &c.status)?;
    if to == BookingStatus::Confirmed {
        user.require(Permission::ManageRooms)?;
    }
    let mut tx = state.db.begin().await?;
    let b = super::set_status(&mut tx, &Actor::from(&*user), id, to).await?;
    tx.commit().await?;
    Ok(Json(b))
}
