//! Rooms: buildings, rooms and bookings (pending / confirmed / cancelled).
//!
//! Two confirmed bookings of one room never overlap. Every booking change runs in one
//! transaction that starts by bumping the room's `lock_version`: on PostgreSQL that
//! takes the room row's lock, on SQLite the database write lock, so concurrent requests
//! on any number of instances check for overlaps one after another; the loser gets 409
//! with the booking it collided with. One code path for both engines.

pub mod api;
pub mod pages;

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use utoipa::ToSchema;

use crate::{
    audit::{self, Action, Actor},
    error::{AppError, AppResult, FieldError},
    time::{now_text, to_text},
};

/// A building.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Building {
    /// Id.
    pub id: i64,
    /// Institution it belongs to.
    pub institution_id: i64,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// IANA time zone of the venue, e.g. Asia/Shanghai.
    pub time_zone: String,
}

/// A room.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Room {
    /// Id.
    pub id: i64,
    /// Building.
    pub building_id: i64,
    /// Building's name.
    pub building: String,
    /// Room name or number, e.g. 1507.
    pub name: String,
    /// Seats.
    pub capacity: i64,
    /// Equipment, free text.
    pub equipment: String,
    /// Bookings start as pending and need confirming by room managers.
    pub needs_approval: bool,
}

/// A booking.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Booking {
    /// Id.
    pub id: i64,
    /// Room.
    pub room_id: i64,
    /// What for.
    pub title: String,
    /// Start (UTC).
    pub starts_at: String,
    /// End (UTC).
    pub ends_at: String,
    /// pending, confirmed or cancelled.
    pub status: String,
    /// Expected attendees.
    pub attendees: Option<i64>,
}

/// Input for a booking. Times are RFC 3339 with an offset, e.g. `2024-05-08T09:00:00+08:00`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewBooking {
    /// Room.
    pub room_id: i64,
    /// What for.
    pub title: String,
    /// Start.
    pub starts_at: String,
    /// End.
    pub ends_at: String,
    /// Expected attendees (a room too small is a warning, not an error).
    #[serde(default)]
    pub attendees: Option<i64>,
}

/// A stored booking and any warnings about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingResult {
    /// The booking.
    pub booking: Booking,
    /// Things to look at, e.g. a room smaller than the group.
    pub warnings: Vec<String>,
}

fn parse_instant(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<jiff::Timestamp> {
    match text.trim().parse::<jiff::Timestamp>() {
        Ok(t) => Some(t),
        Err(_) => {
            errors.push(FieldError::new(field, "use a date and time with its offset, e.g. 2024-05-08T09:00:00+08:00"));
            None
        }
    }
}

const SELECT_ROOM: &str = "SELECT r.id, r.building_id, b.name_en, r.name, r.capacity, r.equipment, r.needs_approval FROM rooms r JOIN buildings b ON b.id = r.building_id";

type RoomRow = (i64, i64, String, String, i64, String, i64);

fn room(r: RoomRow) -> Room {
    Room { id: r.0, building_id: r.1, building: r.2, name: r.3, capacity: r.4, equipment: r.5, needs_approval: r.6 == 1 }
}

/// One room.
pub async fn get_room(conn: &mut AnyConnection, id: i64) -> AppResult<Room> {
    let row: Option<RoomRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_ROOM} WHERE r.id = $1"))).bind(id).fetch_optional(conn).await?;
    row.map(room).ok_or(AppError::NotFound)
}

/// All rooms (optionally of one building), by building and name.
pub async fn list_rooms(conn: &mut AnyConnection, building: Option<i64>) -> AppResult<Vec<Room>> {
    let rows: Vec<RoomRow> = match building {
        Some(b) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_ROOM} WHERE r.building_id = $1 ORDER BY b.name_en, r.name")))
                .bind(b)
                .fetch_all(conn)
                .await?
        }
        None => sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_ROOM} ORDER BY b.name_en, r.name"))).fetch_all(conn).await?,
    };
    Ok(rows.into_iter().map(room).collect())
}

/// Rooms with at least `capacity` seats and no confirmed booking overlapping [from, to).
pub async fn free_rooms(conn: &mut AnyConnection, from: &str, to: &str, capacity: i64) -> AppResult<Vec<Room>> {
    let sql = format!(
        "{SELECT_ROOM} WHERE r.capacity >= $1 AND NOT EXISTS (SELECT 1 FROM bookings x WHERE x.room_id = r.id AND x.status = 'confirmed'
         AND x.starts_at < $3 AND x.ends_at > $2) ORDER BY r.capacity, b.name_en, r.name"
    );
    let rows: Vec<RoomRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(capacity).bind(from).bind(to).fetch_all(conn).await?;
    Ok(rows.into_iter().map(room).collect())
}

/// Takes the room's lock for the rest of the transaction (see the module comment).
async fn lock_room(conn: &mut AnyConnection, room_id: i64) -> AppResult<()> {
    let n =
        sqlx::query("UPDATE rooms SET lock_version = lock_version + 1 WHERE id = $1").bind(room_id).execute(conn).await?.rows_affected();
    if n == 0 { Err(AppError::field("room_id", "no such room")) } else { Ok(()) }
}

async fn conflicting(conn: &mut AnyConnection, room_id: i64, start: &str, end: &str, except: i64) -> AppResult<Option<Booking>> {
    Ok(sqlx::query_as(
        "SELECT id, room_id, title, starts_at, ends_at, status, attendees FROM bookings
         WHERE room_id = $1 AND status = 'confirmed' AND starts_at < $3 AND ends_at > $2 AND id <> $4 ORDER BY starts_at LIMIT 1",
    )
    .bind(room_id)
    .bind(start)
    .bind(end)
    .bind(except)
    .fetch_optional(conn)
    .await?)
}

fn conflict(b: Booking) -> AppError {
    let msg = format!("The room is already booked from {} to {} ({}).", b.starts_at, b.ends_at, b.title);
    AppError::Conflict(msg, Some(serde_json::json!({ "booking": b })))
}

/// One booking.
pub async fn get_booking(conn: &mut AnyConnection, id: i64) -> AppResult<Booking> {
    sqlx::query_as("SELECT id, room_id, title, starts_at, ends_at, status, attendees FROM bookings WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Books a room: validates, locks the room, refuses overlaps with confirmed bookings.
/// A time in the past is refused unless `allow_past` (an agenda session of a visit
/// being recorded after the fact is a record of what happened, not a request).
pub async fn book(conn: &mut AnyConnection, actor: &Actor, input: &NewBooking, allow_past: bool) -> AppResult<BookingResult> {
    let mut errors = Vec::new();
    if input.title.trim().is_empty() {
        errors.push(FieldError::new("title", "say what the room is for"));
    }
    let start = parse_instant("starts_at", &input.starts_at, &mut errors);
    let end = parse_instant("ends_at", &input.ends_at, &mut errors);
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            errors.push(FieldError::new("ends_at", "the booking ends before it starts"));
        } else if s < jiff::Timestamp::now() && !allow_past {
            errors.push(FieldError::new("starts_at", "this time is in the past"));
        }
    }
    if input.attendees.is_some_and(|a| a < 1) {
        errors.push(FieldError::new("attendees", "give at least 1, or leave it out"));
    }
    let (Some(start), Some(end), true) = (start, end, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let (start, end) = (to_text(start), to_text(end));
    lock_room(&mut *conn, input.room_id).await?;
    let r = get_room(&mut *conn, input.room_id).await?;
    let status = if r.needs_approval { "pending" } else { "confirmed" };
    if status == "confirmed"
        && let Some(b) = conflicting(&mut *conn, r.id, &start, &end, 0).await?
    {
        return Err(conflict(b));
    }
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO bookings (room_id, title, starts_at, ends_at, status, attendees, booked_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(r.id)
    .bind(input.title.trim())
    .bind(&start)
    .bind(&end)
    .bind(status)
    .bind(input.attendees)
    .bind(actor.id)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    let booking = get_booking(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Create, "booking", id, None, Some(&booking)).await?;
    let mut warnings = Vec::new();
    if let Some(a) = input.attendees.filter(|a| *a > r.capacity) {
        warnings.push(format!("Room {} seats {}; {a} people are expected.", r.name, r.capacity));
    }
    if status == "pending" {
        warnings.push("This room needs approval: the booking is pending until a room manager confirms it.".into());
    }
    Ok(BookingResult { booking, warnings })
}

/// Confirms or cancels a booking (confirming checks for overlaps under the room lock).
pub async fn set_status(conn: &mut AnyConnection, actor: &Actor, id: i64, status: &str) -> AppResult<Booking> {
    if !["confirmed", "cancelled"].contains(&status) {
        return Err(AppError::field("status", "use confirmed or cancelled"));
    }
    let before = get_booking(&mut *conn, id).await?;
    lock_room(&mut *conn, before.room_id).await?;
    if status == "confirmed" && before.status != "confirmed" {
        if before.status == "cancelled" {
            return Err(AppError::field("status", "a cancelled booking cannot be confirmed; book again"));
        }
        if let Some(b) = conflicting(&mut *conn, before.room_id, &before.starts_at, &before.ends_at, id).await? {
            return Err(conflict(b));
        }
    }
    sqlx::query("UPDATE bookings SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(now_text())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let after = get_booking(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "booking", id, Some(&before), Some(&after)).await?;
    Ok(after)
}

/// Creates a building.
pub async fn add_building(
    conn: &mut AnyConnection,
    actor: &Actor,
    institution_id: i64,
    name_en: &str,
    name_zh: Option<&str>,
    tz: &str,
) -> AppResult<i64> {
    if name_en.trim().is_empty() {
        return Err(AppError::field("name_en", "the building needs a name"));
    }
    if jiff::tz::TimeZone::get(tz).is_err() {
        return Err(AppError::field("time_zone", format!("'{tz}' is not an IANA time zone such as Asia/Shanghai")));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO buildings (institution_id, name_en, name_zh, time_zone, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(institution_id)
    .bind(name_en.trim())
    .bind(name_zh)
    .bind(tz)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if crate::db::is_constraint_violation(&e) { AppError::field("institution_id", "no such institution") } else { e.into() }
    })?;
    audit::record(conn, actor, Action::Create, "building", id, None, Some(&serde_json::json!({ "name_en": name_en, "time_zone": tz })))
        .await?;
    Ok(id)
}

/// Creates a room.
pub async fn add_room(
    conn: &mut AnyConnection,
    actor: &Actor,
    building_id: i64,
    name: &str,
    capacity: i64,
    equipment: &str,
    needs_approval: bool,
) -> AppResult<i64> {
    let mut errors = Vec::new();
    if name.trim().is_empty() {
        errors.push(FieldError::new("name", "the room needs a name or number"));
    }
    if capacity < 1 {
        errors.push(FieldError::new("capacity", "a room seats at least 1"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let id: i64 = sqlx::query_scalar("INSERT INTO rooms (building_id, name, capacity, equipment, needs_approval, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(building_id)
        .bind(name.trim())
        .bind(capacity)
        .bind(equipment)
        .bind(i64::from(needs_approval))
        .bind(now_text())
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| {
            if crate::db::is_unique_violation(&e) {
                AppError::Conflict(format!("The building already has a room {name}."), None)
            } else if crate::db::is_constraint_violation(&e) {
                AppError::field("building_id", "no such building")
            } else {
                e.into()
            }
        })?;
    audit::record(conn, actor, Action::Create, "room", id, None, Some(&serde_json::json!({ "name": name, "capacity": capacity }))).await?;
    Ok(id)
}
