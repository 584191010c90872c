//! Booking a room and changing a booking's status, each under the room's lock so two
//! confirmed bookings of one room never overlap (see the module comment of `rooms`).

use sqlx::AnyConnection;

use super::{
    model::{
        Booking, BookingResult, BookingStatus, NewBooking, booking_warnings, check_booking, check_booking_move, check_booking_target,
        conflict,
    },
    queries::{self, BookingRow},
};
use crate::{
    audit::{self, Action, Actor},
    error::AppResult,
};

/// Books a room: validates, locks the room, refuses overlaps with confirmed bookings.
/// A time in the past is refused unless `allow_past` (an agenda session of a visit
/// being recorded after the fact is a record of what happened, not a request).
pub async fn book(conn: &mut AnyConnection, actor: &Actor, input: &NewBooking, allow_past: bool) -> AppResult<BookingResult> {
    let (start, end) = check_booking(input, allow_past)?;
    queries::lock_room(&mut *conn, input.room_id).await?;
    let r = queries::get_room(&mut *conn, input.room_id).await?;
    let status = r.first_status();
    if status == BookingStatus::Confirmed
        && let Some(b) = queries::conflicting(&mut *conn, r.id, &start, &end, 0).await?
    {
        return Err(conflict(b));
    }
    let row = BookingRow {
        room_id: r.id,
        title: input.title.trim(),
        starts_at: &start,
        ends_at: &end,
        status,
        attendees: input.attendees,
        booked_by: actor.id,
    };
    let id = queries::insert_booking(&mut *conn, &row).await?;
    let booking = queries::get_booking(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Create, "booking", id, None, Some(&booking)).await?;
    let warnings = booking_warnings(&r, input.attendees, status);
    Ok(BookingResult { booking, warnings })
}

/// Confirms or cancels a booking (confirming checks for overlaps under the room lock).
pub async fn set_status(conn: &mut AnyConnection, actor: &Actor, id: i64, to: BookingStatus) -> AppResult<Booking> {
    check_booking_target(to)?;
    let before = queries::get_booking(&mut *conn, id).await?;
    queries::lock_room(&mut *conn, before.room_id).await?;
    check_booking_move(before.status, to)?;
    if to == BookingStatus::Confirmed
        && before.status != BookingStatus::Confirmed
        && let Some(b) = queries::conflicting(&mut *conn, before.room_id, &before.starts_at, &before.ends_at, id).await?
    {
        return Err(conflict(b));
    }
    queries::update_booking_status(&mut *conn, id, to).await?;
    let after = queries::get_booking(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "booking", id, Some(&before), Some(&after)).await?;
    Ok(after)
}
