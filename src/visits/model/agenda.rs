//! Agenda sessions: their types, input and checks.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    error::{AppError, FieldError},
    rooms::BookingStatus,
};

/// Kinds of agenda session.
pub const SESSION_KINDS: &[&str] = &["courtesy_meeting", "symposium", "signing_ceremony", "campus_tour", "banquet", "other"];

/// An agenda session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Session {
    /// Id.
    pub id: i64,
    /// Visit.
    pub visit_id: i64,
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Start (UTC).
    pub starts_at: String,
    /// End (UTC).
    pub ends_at: String,
    /// The venue's time zone (the room's building's, else the visit's).
    pub time_zone: String,
    /// Local start, `YYYY-MM-DD HH:MM`.
    pub local_start: String,
    /// Local end, `HH:MM`.
    pub local_end: String,
    /// Room.
    pub room_id: Option<i64>,
    /// Room and building, e.g. "Conference room 1508, Shixun Building".
    pub room: Option<String>,
    /// The same in Chinese, e.g. "实训楼1508会议室".
    pub room_zh: Option<String>,
    /// The room booking.
    pub booking_id: Option<i64>,
    /// Its status.
    pub booking_status: Option<BookingStatus>,
    /// Venue text when not in one of our rooms.
    pub venue: String,
    /// Participants.
    pub participants: Vec<PersonRef>,
    /// Cooperation-area keys.
    pub topics: Vec<String>,
    /// Minutes.
    pub minutes: String,
    /// Goes up with each change (calendar clients replace the event).
    pub sequence: i64,
}

impl Session {
    /// The local day, `YYYY-MM-DD`.
    pub fn day(&self) -> &str {
        self.local_start.get(..10).unwrap_or("")
    }

    /// Local start time, `HH:MM`.
    pub fn start_time(&self) -> &str {
        self.local_start.get(11..).unwrap_or("")
    }

    /// Where, in words.
    pub fn place(&self) -> &str {
        self.room.as_deref().unwrap_or(&self.venue)
    }

    /// Where, in a language (`zh` uses the Chinese room and building names).
    pub fn place_in(&self, zh: bool) -> &str {
        match (zh, &self.room_zh) {
            (true, Some(z)) => z,
            _ => self.place(),
        }
    }
}

/// A person, briefly.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct PersonRef {
    /// Id.
    pub id: i64,
    /// English name.
    pub name_en: String,
}

/// A session, as sent. Times are RFC 3339 with an offset.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewSession {
    /// Kind (courtesy_meeting, symposium, signing_ceremony, campus_tour, banquet, other).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Start.
    pub starts_at: String,
    /// End.
    pub ends_at: String,
    /// A room to book (one of ours).
    #[serde(default)]
    pub room_id: Option<i64>,
    /// Or a venue in words.
    #[serde(default)]
    pub venue: String,
    /// People taking part.
    #[serde(default)]
    pub participant_ids: Vec<i64>,
    /// Cooperation-area keys.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Minutes.
    #[serde(default)]
    pub minutes: String,
    /// Expected attendees for the booking (default: head count plus host officials).
    #[serde(default)]
    pub attendees: Option<i64>,
}

/// Changes to a session: only the fields given change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateSession {
    /// Kind.
    pub kind: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Start.
    pub starts_at: Option<String>,
    /// End.
    pub ends_at: Option<String>,
    /// Room (0 removes the room).
    pub room_id: Option<i64>,
    /// Venue.
    pub venue: Option<String>,
    /// Participants (replaces the list).
    pub participant_ids: Option<Vec<i64>>,
    /// Topics (replaces the list).
    pub topics: Option<Vec<String>>,
    /// Minutes.
    pub minutes: Option<String>,
    /// Attendees for a new booking.
    pub attendees: Option<i64>,
}

/// A session's checked times.
#[derive(Debug, Clone)]
pub struct SessionTimes {
    /// Start.
    pub start: jiff::Timestamp,
    /// End.
    pub end: jiff::Timestamp,
}

/// Checks a session's own fields against its visit: kind, title, times (end after start,
/// inside the visit's dates in the venue's time zone), topics.
pub fn check_session(s: &NewSession, start_date: &str, end_date: &str, tz: &str) -> Result<SessionTimes, AppError> {
    let mut errors = Vec::new();
    if !SESSION_KINDS.contains(&s.kind.as_str()) {
        errors.push(FieldError::new("kind", "use courtesy_meeting, symposium, signing_ceremony, campus_tour, banquet or other"));
    }
    if s.title.trim().is_empty() {
        errors.push(FieldError::new("title", "give the session a title"));
    }
    let parse = |field: &str, t: &str, errors: &mut Vec<FieldError>| {
        t.trim()
            .parse::<jiff::Timestamp>()
            .map_err(|_| errors.push(FieldError::new(field, "use a date and time with its offset, e.g. 2024-05-08T09:30:00+08:00")))
            .ok()
    };
    let start = parse("starts_at", &s.starts_at, &mut errors);
    let end = parse("ends_at", &s.ends_at, &mut errors);
    if let (Some(a), Some(b)) = (start, end) {
        if b <= a {
            errors.push(FieldError::new("ends_at", "the session ends before it starts"));
        }
        let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
        let day = |t: jiff::Timestamp| t.to_zoned_datetime(zone.clone()).date().to_string();
        let last = day(b.checked_sub(jiff::SignedDuration::from_secs(1)).unwrap_or(b));
        if day(a).as_str() < start_date || last.as_str() > end_date {
            errors.push(FieldError::new(
                "starts_at",
                format!(
                    "the session falls outside the visit's dates ({start_date} to {end_date}, {tz}); change the time or the visit's dates"
                ),
            ));
        }
    }
    for (i, t) in s.topics.iter().enumerate() {
        if crate::cooperation::area(t).is_none() {
            let keys: Vec<&str> = crate::cooperation::AREAS.iter().map(|a| a.key).collect();
            errors
                .push(FieldError::new(format!("topics[{i}]"), format!("'{t}' is not a cooperation area; use one of {}", keys.join(", "))));
        }
    }
    if s.attendees.is_some_and(|a| a < 1) {
        errors.push(FieldError::new("attendees", "give at least 1, or leave it out"));
    }
    match (start, end, errors.is_empty()) {
        (Some(start), Some(end), true) => Ok(SessionTimes { start, end }),
        _ => Err(AppError::Validation(errors)),
    }
}
