//! A booking as a line of a list, and the booking form: what the room page, the
//! approvals list and the free-room finder share.

use jiff::{Timestamp, tz::TimeZone};
use serde::Deserialize;

use super::{Errors, week};
use crate::{
    rooms::{Booking, BookingStatus, NewBooking, Room},
    status::Status,
    web::i18n::Tr,
};

/// A booking as a line of a list, in its building's time zone.
#[derive(Debug, Clone)]
pub struct BookingLine {
    /// Booking id.
    pub id: i64,
    /// Room id.
    pub room_id: i64,
    /// "Shixun Building 1507".
    pub room: String,
    /// Title.
    pub title: String,
    /// Local date of the start.
    pub date: String,
    /// Local times.
    pub times: String,
    /// pending, confirmed or cancelled.
    pub status: BookingStatus,
    /// Expected attendees.
    pub attendees: Option<i64>,
}

impl BookingLine {
    /// The line of booking `b` of `room`, in `tz`.
    pub fn new(b: &Booking, room: &Room, tz: &TimeZone) -> BookingLine {
        let (date, _) = week::local(tz, &b.starts_at);
        let times = match (b.starts_at.parse::<Timestamp>(), b.ends_at.parse::<Timestamp>()) {
            (Ok(s), Ok(e)) => week::times(tz, s, e),
            _ => format!("{}–{}", b.starts_at, b.ends_at),
        };
        BookingLine {
            id: b.id,
            room_id: room.id,
            room: format!("{} {}", room.building, room.name),
            title: b.title.clone(),
            date,
            times,
            status: b.status,
            attendees: b.attendees,
        }
    }
}

/// What the booking form sends (also the free-room finder's "book this room").
#[derive(Debug, Default, Clone, Deserialize)]
pub struct BookingForm {
    #[serde(default)]
    pub(super) date: String,
    #[serde(default)]
    pub(super) start: String,
    #[serde(default)]
    pub(super) end: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) attendees: String,
}

impl BookingLine {
    /// Whether a room manager may confirm it.
    pub fn can_confirm(&self) -> bool {
        self.status.can_move_to(BookingStatus::Confirmed)
    }

    /// Whether it may be cancelled.
    pub fn can_cancel(&self) -> bool {
        self.status.can_move_to(BookingStatus::Cancelled)
    }

    /// Waiting for a room manager.
    pub fn is_pending(&self) -> bool {
        self.status == BookingStatus::Pending
    }
}

impl BookingForm {
    /// Checks the form in the room's time zone and builds the booking, with translated
    /// messages for what a person typically gets wrong.
    pub(super) fn to_booking(&self, room_id: i64, tz: &TimeZone, tr: Tr) -> Result<NewBooking, Errors> {
        let mut errors: Errors = Vec::new();
        let mut err = |f: &str, key: &str| errors.push((f.to_string(), tr.t(key).to_string()));
        if self.title.trim().is_empty() {
            err("title", "rooms.error.title");
        }
        let day_ok = jiff::civil::Date::strptime("%Y-%m-%d", self.date.trim()).is_ok();
        if !day_ok {
            err("date", "rooms.error.date");
        }
        let start = week::instant(tz, &self.date, &self.start);
        let end = week::instant(tz, &self.date, &self.end);
        if day_ok && start.is_none() {
            err("start", "rooms.error.time");
        }
        if day_ok && end.is_none() {
            err("end", "rooms.error.time");
        }
        if let (Some(s), Some(e)) = (start, end) {
            if e <= s {
                err("end", "rooms.error.end_before_start");
            } else if s < Timestamp::now() {
                err("start", "rooms.error.past");
            }
        }
        let attendees = match self.attendees.trim() {
            "" => None,
            a => match a.parse::<i64>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    err("attendees", "rooms.error.attendees");
                    None
                }
            },
        };
        match (start, end, errors.is_empty()) {
            (Some(s), Some(e), true) => Ok(NewBooking {
                room_id,
                title: self.title.trim().to_string(),
                starts_at: s.to_string(),
                ends_at: e.to_string(),
                attendees,
            }),
            _ => Err(errors),
        }
    }
}

/// The form field a domain error is about.
pub(super) fn field_of(domain_field: &str) -> String {
    match domain_field {
        "starts_at" => "start".into(),
        "ends_at" => "end".into(),
        other => other.into(),
    }
}

/// The booking carried by a 409 problem.
pub(super) fn booking_of(v: &serde_json::Value) -> Option<Booking> {
    Some(Booking {
        id: v["id"].as_i64()?,
        room_id: v["room_id"].as_i64()?,
        title: v["title"].as_str()?.to_string(),
        starts_at: v["starts_at"].as_str()?.to_string(),
        ends_at: v["ends_at"].as_str()?.to_string(),
        status: BookingStatus::parse(v["status"].as_str()?)?,
        attendees: v["attendees"].as_i64(),
    })
}
