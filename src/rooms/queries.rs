//! All SQL of rooms: buildings, rooms, bookings, and the room lock (small functions on
//! the caller's connection or transaction).

use sqlx::AnyConnection;

use super::model::{Booking, BookingStatus, Building, Room};
use crate::{
    error::{AppError, AppResult},
    status::Status,
    time::now_text,
};

const SELECT_ROOM: &str = "SELECT r.id, r.building_id, b.name_en, r.name, r.capacity, r.equipment, r.needs_approval FROM rooms r JOIN buildings b ON b.id = r.building_id";

const SELECT_BOOKING: &str = "SELECT id, room_id, title, starts_at, ends_at, status, attendees FROM bookings";

const SELECT_BUILDING: &str = "SELECT id, institution_id, name_en, name_zh, time_zone FROM buildings";

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
///
/// Confirmed bookings of one room never overlap (see the module comment of `rooms`), so
/// ordered by start they are also ordered by end: only the last one starting before `to`
/// can reach past `from`. One index seek per room on `bookings_room_time` instead of a
/// scan over every earlier booking of the room (p99 at 200 rooms and 100,000 bookings:
/// see docs/BENCHMARKS.md).
pub async fn free_rooms(conn: &mut AnyConnection, from: &str, to: &str, capacity: i64) -> AppResult<Vec<Room>> {
    let sql = format!(
        "{SELECT_ROOM} WHERE r.capacity >= $1 AND COALESCE((SELECT x.ends_at FROM bookings x WHERE x.room_id = r.id
         AND x.status = 'confirmed' AND x.starts_at < $3 ORDER BY x.starts_at DESC LIMIT 1), '') <= $2
         ORDER BY r.capacity, b.name_en, r.name"
    );
    let rows: Vec<RoomRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(capacity).bind(from).bind(to).fetch_all(conn).await?;
    Ok(rows.into_iter().map(room).collect())
}

/// Takes the room's lock for the rest of the transaction (see the module comment of `rooms`).
pub async fn lock_room(conn: &mut AnyConnection, room_id: i64) -> AppResult<()> {
    let n =
        sqlx::query("UPDATE rooms SET lock_version = lock_version + 1 WHERE id = $1").bind(room_id).execute(conn).await?.rows_affected();
    if n == 0 { Err(AppError::field("room_id", "no such room")) } else { Ok(()) }
}

/// The first confirmed booking of the room overlapping [start, end), other than `except`.
pub async fn conflicting(conn: &mut AnyConnection, room_id: i64, start: &str, end: &str, except: i64) -> AppResult<Option<Booking>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_BOOKING} WHERE room_id = $1 AND status = 'confirmed' AND starts_at < $3 AND ends_at > $2 AND id <> $4 ORDER BY starts_at LIMIT 1"
    )))
    .bind(room_id)
    .bind(start)
    .bind(end)
    .bind(except)
    .fetch_optional(conn)
    .await?)
}

/// One booking.
pub async fn get_booking(conn: &mut AnyConnection, id: i64) -> AppResult<Booking> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_BOOKING} WHERE id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// A booking's stored fields.
pub struct BookingRow<'a> {
    /// Room.
    pub room_id: i64,
    /// What for (trimmed).
    pub title: &'a str,
    /// Start, stored form.
    pub starts_at: &'a str,
    /// End, stored form.
    pub ends_at: &'a str,
    /// Status.
    pub status: BookingStatus,
    /// Expected attendees.
    pub attendees: Option<i64>,
    /// Who booked.
    pub booked_by: Option<i64>,
}

/// Stores a booking; returns its id.
pub async fn insert_booking(conn: &mut AnyConnection, b: &BookingRow<'_>) -> AppResult<i64> {
    let now = now_text();
    Ok(sqlx::query_scalar(
        "INSERT INTO bookings (room_id, title, starts_at, ends_at, status, attendees, booked_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(b.room_id)
    .bind(b.title)
    .bind(b.starts_at)
    .bind(b.ends_at)
    .bind(b.status.as_str())
    .bind(b.attendees)
    .bind(b.booked_by)
    .bind(&now)
    .fetch_one(conn)
    .await?)
}

/// Stores a booking's new status.
pub async fn update_booking_status(conn: &mut AnyConnection, id: i64, status: BookingStatus) -> AppResult<()> {
    sqlx::query("UPDATE bookings SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now_text())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores a building; returns its id (422 on `institution_id` when there is no such institution).
pub async fn insert_building(
    conn: &mut AnyConnection,
    institution_id: i64,
    name_en: &str,
    name_zh: Option<&str>,
    tz: &str,
) -> AppResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO buildings (institution_id, name_en, name_zh, time_zone, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(institution_id)
    .bind(name_en)
    .bind(name_zh)
    .bind(tz)
    .bind(now_text())
    .fetch_one(conn)
    .await
    .map_err(
        |e| {
            if crate::db::is_constraint_violation(&e) { AppError::field("institution_id", "no such institution") } else { e.into() }
        },
    )
}

/// One building.
pub async fn get_building(conn: &mut AnyConnection, id: i64) -> AppResult<Building> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_BUILDING} WHERE id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// A room's stored fields.
pub struct RoomRowIn<'a> {
    /// Building.
    pub building_id: i64,
    /// Name or number (trimmed).
    pub name: &'a str,
    /// Seats.
    pub capacity: i64,
    /// Equipment.
    pub equipment: &'a str,
    /// Bookings need approval.
    pub needs_approval: bool,
}

/// Stores a room; returns its id (409 for a name the building already has).
pub async fn insert_room(conn: &mut AnyConnection, r: &RoomRowIn<'_>) -> AppResult<i64> {
    sqlx::query_scalar("INSERT INTO rooms (building_id, name, capacity, equipment, needs_approval, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(r.building_id)
        .bind(r.name)
        .bind(r.capacity)
        .bind(r.equipment)
        .bind(i64::from(r.needs_approval))
        .bind(now_text())
        .fetch_one(conn)
        .await
        .map_err(|e| {
            if crate::db::is_unique_violation(&e) {
                AppError::Conflict(format!("The building already has a room {}.", r.name), None)
            } else if crate::db::is_constraint_violation(&e) {
                AppError::field("building_id", "no such building")
            } else {
                e.into()
            }
        })
}

/// All buildings, by English name.
pub async fn list_buildings(conn: &mut AnyConnection) -> AppResult<Vec<Building>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_BUILDING} ORDER BY name_en"))).fetch_all(conn).await?)
}

/// The IANA time zone of a room's building (bookings are shown and entered in it).
pub async fn room_time_zone(conn: &mut AnyConnection, room_id: i64) -> AppResult<String> {
    find_room_time_zone(conn, room_id).await?.ok_or(AppError::NotFound)
}

/// The IANA time zone of a room's building, if there is such a room.
pub async fn find_room_time_zone(conn: &mut AnyConnection, room_id: i64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT b.time_zone FROM rooms r JOIN buildings b ON b.id = r.building_id WHERE r.id = $1")
        .bind(room_id)
        .fetch_optional(conn)
        .await?)
}

/// Pending and confirmed bookings of one room overlapping [from, to), by start. Cancelled
/// bookings are history, not occupancy, so they are left out.
pub async fn room_bookings(conn: &mut AnyConnection, room_id: i64, from: &str, to: &str) -> AppResult<Vec<Booking>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_BOOKING} WHERE room_id = $1 AND status <> 'cancelled' AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at, id"
    )))
    .bind(room_id)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?)
}

/// Every booking (of one room, if given) overlapping [from, to), cancelled ones included, by start.
pub async fn bookings_in_window(conn: &mut AnyConnection, room_id: Option<i64>, from: &str, to: &str) -> AppResult<Vec<Booking>> {
    Ok(match room_id {
        Some(room) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT_BOOKING} WHERE room_id = $3 AND starts_at < $2 AND ends_at > $1 ORDER BY starts_at"
            )))
            .bind(from)
            .bind(to)
            .bind(room)
            .fetch_all(conn)
            .await?
        }
        None => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_BOOKING} WHERE starts_at < $2 AND ends_at > $1 ORDER BY starts_at")))
                .bind(from)
                .bind(to)
                .fetch_all(conn)
                .await?
        }
    })
}

/// Bookings waiting for a room manager, soonest first.
pub async fn pending_bookings(conn: &mut AnyConnection) -> AppResult<Vec<Booking>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_BOOKING} WHERE status = 'pending' ORDER BY starts_at, id")))
        .fetch_all(conn)
        .await?)
}
