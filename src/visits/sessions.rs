//! Agenda sessions: kind, time in the venue's zone, a room booking or a venue in words,
//! participants, topics and minutes. A session in one of our rooms holds a booking of
//! that room, made and changed under the room's lock like any other booking, so an
//! agenda can never double-book a room.

use sqlx::AnyConnection;

use super::{
    model::{NewSession, Session, UpdateSession, VisitStatus, check_session},
    queries::{
        SessionRowIn, default_attendees, delete_session_row, get_session, get_visit, insert_session, people_refs, touch,
        update_session_row, venue_zone, write_links,
    },
};
use crate::{
    audit::{self, Action as AuditAction, Actor},
    error::{AppError, AppResult, FieldError},
    rooms::{self, BookingStatus, NewBooking},
    time::to_text,
};

/// Validates a session against its visit and books its room; returns the booking id and warnings.
async fn place(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, s: &NewSession) -> AppResult<(Option<i64>, Vec<String>)> {
    let visit = get_visit(&mut *conn, visit_id).await?;
    if visit.status == VisitStatus::Cancelled {
        return Err(AppError::field("visit", "the visit is cancelled; its agenda no longer changes"));
    }
    let tz = venue_zone(&mut *conn, s.room_id, &visit.time_zone).await?;
    let times = check_session(s, &visit.start_date, &visit.end_date, &tz)?;
    people_refs(&mut *conn, &s.participant_ids).await?;
    if s.room_id.is_none() && s.venue.trim().is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "room_id",
            "choose one of our rooms, or say where the session takes place",
        )]));
    }
    let Some(room_id) = s.room_id else { return Ok((None, Vec::new())) };
    let attendees = match s.attendees {
        Some(a) => a,
        None => default_attendees(&mut *conn, visit_id).await?,
    };
    let booking = NewBooking {
        room_id,
        title: format!("{} — {}", s.title.trim(), visit.title),
        starts_at: to_text(times.start),
        ends_at: to_text(times.end),
        attendees: Some(attendees),
    };
    let result = rooms::book(&mut *conn, actor, &booking, true).await?;
    Ok((Some(result.booking.id), result.warnings))
}

/// Adds a session to a visit's agenda (booking its room); returns it with warnings such
/// as a room smaller than the group.
pub async fn add(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, s: &NewSession) -> AppResult<(Session, Vec<String>)> {
    let (booking_id, warnings) = place(&mut *conn, actor, visit_id, s).await?;
    let start: jiff::Timestamp = s.starts_at.trim().parse().map_err(|_| AppError::field("starts_at", "not a time"))?;
    let end: jiff::Timestamp = s.ends_at.trim().parse().map_err(|_| AppError::field("ends_at", "not a time"))?;
    let (starts_at, ends_at) = (to_text(start), to_text(end));
    let row = SessionRowIn { s, starts_at: &starts_at, ends_at: &ends_at, room_id: s.room_id, booking_id };
    let id = insert_session(&mut *conn, visit_id, &row).await?;
    write_links(&mut *conn, id, s).await?;
    touch(&mut *conn, visit_id).await?;
    let session = get_session(&mut *conn, id).await?;
    audit::record(conn, actor, AuditAction::Create, "visit_session", id, None, Some(&session)).await?;
    Ok((session, warnings))
}

/// Changes a session: only the fields given. A new time or room cancels the old booking
/// and books again (409 if the new slot is taken, and then nothing changes). The
/// sequence goes up so calendar clients replace the event.
pub async fn update(conn: &mut AnyConnection, actor: &Actor, id: i64, u: &UpdateSession) -> AppResult<(Session, Vec<String>)> {
    let before = get_session(&mut *conn, id).await?;
    let room_id = match u.room_id {
        Some(0) => None,
        Some(r) => Some(r),
        None => before.room_id,
    };
    let merged = NewSession {
        kind: u.kind.clone().unwrap_or_else(|| before.kind.clone()),
        title: u.title.clone().unwrap_or_else(|| before.title.clone()),
        starts_at: u.starts_at.clone().unwrap_or_else(|| before.starts_at.clone()),
        ends_at: u.ends_at.clone().unwrap_or_else(|| before.ends_at.clone()),
        room_id,
        venue: u.venue.clone().unwrap_or_else(|| before.venue.clone()),
        participant_ids: u.participant_ids.clone().unwrap_or_else(|| before.participants.iter().map(|p| p.id).collect()),
        topics: u.topics.clone().unwrap_or_else(|| before.topics.clone()),
        minutes: u.minutes.clone().unwrap_or_else(|| before.minutes.clone()),
        attendees: u.attendees,
    };
    let start: jiff::Timestamp =
        merged.starts_at.trim().parse().map_err(|_| AppError::field("starts_at", "use a date and time with its offset"))?;
    let end: jiff::Timestamp =
        merged.ends_at.trim().parse().map_err(|_| AppError::field("ends_at", "use a date and time with its offset"))?;
    let moved = to_text(start) != before.starts_at || to_text(end) != before.ends_at || room_id != before.room_id;
    let mut warnings = Vec::new();
    let mut booking_id = before.booking_id;
    if moved {
        if let Some(b) = before.booking_id {
            rooms::set_status(&mut *conn, actor, b, BookingStatus::Cancelled).await?;
        }
        let placed = place(&mut *conn, actor, before.visit_id, &merged).await?;
        booking_id = placed.0;
        warnings = placed.1;
    } else {
        let visit = get_visit(&mut *conn, before.visit_id).await?;
        check_session(&merged, &visit.start_date, &visit.end_date, &before.time_zone)?;
        people_refs(&mut *conn, &merged.participant_ids).await?;
    }
    let (starts_at, ends_at) = (to_text(start), to_text(end));
    let row = SessionRowIn { s: &merged, starts_at: &starts_at, ends_at: &ends_at, room_id, booking_id };
    update_session_row(&mut *conn, id, &row).await?;
    write_links(&mut *conn, id, &merged).await?;
    touch(&mut *conn, before.visit_id).await?;
    let after = get_session(&mut *conn, id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit_session", id, Some(&before), Some(&after)).await?;
    Ok((after, warnings))
}

/// Removes a session and frees its room.
pub async fn delete(conn: &mut AnyConnection, actor: &Actor, id: i64) -> AppResult<i64> {
    let before = get_session(&mut *conn, id).await?;
    if let Some(b) = before.booking_id {
        rooms::set_status(&mut *conn, actor, b, BookingStatus::Cancelled).await?;
    }
    delete_session_row(&mut *conn, id).await?;
    touch(&mut *conn, before.visit_id).await?;
    audit::record(conn, actor, AuditAction::Delete, "visit_session", id, Some(&before), None::<&Session>).await?;
    Ok(before.visit_id)
}
