//! Room types, booking input and its checks, and the booking status machine.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    error::{AppError, AppResult, FieldError},
    status::Status,
    time::to_text,
};

crate::status_machine! {
    /// A booking's status. A booking of a room that needs approval starts pending and a
    /// room manager confirms it; any booking may be cancelled; a cancelled one stays so.
    pub enum BookingStatus {
        /// Waiting for a room manager.
        Pending = "pending" => [Confirmed, Cancelled],
        /// Holds the room.
        Confirmed = "confirmed" => [Cancelled],
        /// History, not occupancy.
        Cancelled = "cancelled" => [],
    }
}

impl TryFrom<String> for BookingStatus {
    type Error = AppError;

    fn try_from(s: String) -> AppResult<Self> {
        Self::from_stored(&s)
    }
}

/// Refuses a target nobody may ask for: a booking is never sent back to pending.
pub fn check_booking_target(to: BookingStatus) -> AppResult<()> {
    if to == BookingStatus::Pending { Err(AppError::field("status", "use confirmed or cancelled")) } else { Ok(()) }
}

/// Whether a booking may go from `from` to `to`. Asking again for the status it already
/// has is accepted (a repeated cancel or confirm changes nothing).
pub fn check_booking_move(from: BookingStatus, to: BookingStatus) -> AppResult<()> {
    check_booking_target(to)?;
    if from == to || from.can_move_to(to) {
        return Ok(());
    }
    Err(AppError::field("status", "a cancelled booking cannot be confirmed; book again"))
}

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

impl Room {
    /// The status a new booking of this room starts in.
    pub fn first_status(&self) -> BookingStatus {
        if self.needs_approval { BookingStatus::Pending } else { BookingStatus::Confirmed }
    }
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
    #[sqlx(try_from = "String")]
    pub status: BookingStatus,
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

/// Checks a booking's input; returns its start and end as stored text. A time in the
/// past is refused unless `allow_past`.
pub fn check_booking(input: &NewBooking, allow_past: bool) -> AppResult<(String, String)> {
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
    match (start, end, errors.is_empty()) {
        (Some(start), Some(end), true) => Ok((to_text(start), to_text(end))),
        _ => Err(AppError::Validation(errors)),
    }
}

/// The 409 answer to a booking that collides with `b`.
pub fn conflict(b: Booking) -> AppError {
    let (from, to) = (crate::time::local_display(&b.starts_at), crate::time::local_display(&b.ends_at));
    // The same day: "2026-12-15 10:00 to 12:00".
    let to = match (from.split_once(' '), to.split_once(' ')) {
        (Some((d1, _)), Some((d2, t2))) if d1 == d2 => t2.to_string(),
        _ => to,
    };
    let msg = format!("The room is already booked from {from} to {to} ({}).", b.title);
    AppError::Conflict(msg, Some(serde_json::json!({ "booking": b })))
}

/// What to tell whoever booked `room`: a room too small, a booking awaiting approval.
pub fn booking_warnings(room: &Room, attendees: Option<i64>, status: BookingStatus) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(a) = attendees.filter(|a| *a > room.capacity) {
        warnings.push(format!("Room {} seats {}; {a} people are expected.", room.name, room.capacity));
    }
    if status == BookingStatus::Pending {
        warnings.push("This room needs approval: the booking is pending until a room manager confirms it.".into());
    }
    warnings
}

/// Checks a new building's name and time zone.
pub fn check_building(name_en: &str, tz: &str) -> AppResult<()> {
    if name_en.trim().is_empty() {
        return Err(AppError::field("name_en", "the building needs a name"));
    }
    if jiff::tz::TimeZone::get(tz).is_err() {
        return Err(AppError::field("time_zone", format!("'{tz}' is not an IANA time zone such as Asia/Shanghai")));
    }
    Ok(())
}

/// Checks a new room's name and seats.
pub fn check_room(name: &str, capacity: i64) -> AppResult<()> {
    let mut errors = Vec::new();
    if name.trim().is_empty() {
        errors.push(FieldError::new("name", "the room needs a name or number"));
    }
    if capacity < 1 {
        errors.push(FieldError::new("capacity", "a room seats at least 1"));
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookings_are_confirmed_or_cancelled_and_a_cancelled_one_stays_so() {
        use BookingStatus::*;
        assert!(check_booking_move(Pending, Confirmed).is_ok());
        assert!(check_booking_move(Pending, Cancelled).is_ok());
        assert!(check_booking_move(Confirmed, Cancelled).is_ok());
        assert!(check_booking_move(Confirmed, Confirmed).is_ok());
        assert!(check_booking_move(Cancelled, Cancelled).is_ok());
        assert!(check_booking_move(Cancelled, Confirmed).is_err());
        assert!(check_booking_move(Pending, Pending).is_err());
        assert_eq!(BookingStatus::names(), "pending, confirmed, cancelled");
    }

    #[test]
    fn the_openapi_document_lists_the_booking_statuses() {
        use utoipa::OpenApi;
        #[derive(OpenApi)]
        #[openapi(paths(crate::rooms::api::update_booking, crate::rooms::api::list_bookings))]
        struct Doc;
        let doc = serde_json::to_value(Doc::openapi()).expect("document");
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["BookingStatus"]["enum"], serde_json::json!(["pending", "confirmed", "cancelled"]));
        assert_eq!(schemas["BookingStatusChange"]["properties"]["status"]["$ref"], "#/components/schemas/BookingStatus");
        assert_eq!(schemas["Booking"]["properties"]["status"]["$ref"], "#/components/schemas/BookingStatus");
    }
}
