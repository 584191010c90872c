//! Agenda sessions: kind, time in the venue's zone, a room booking or a venue in words,
//! participants, topics and minutes. A session in one of our rooms holds a booking of
//! that room, made and changed under the room's lock like any other booking, so an
//! agenda can never double-book a room.

use sqlx::AnyConnection;

use super::{
    model::{NewSession, Session, UpdateSession, check_session},
    queries::{get_visit, people_refs, touch},
};
use crate::{
    audit::{self, Action as AuditAction, Actor},
    error::{AppError, AppResult, FieldError},
    rooms::{self, NewBooking},
    time::{now_text, to_text},
};

type SessionRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const SELECT_SESSION: &str =
    "SELECT s.id, s.visit_id, s.kind, s.title, s.starts_at, s.ends_at, s.room_id, s.booking_id, s.venue, s.minutes, s.sequence,
    r.name, bu.name_en, bu.time_zone, bk.status
    FROM visit_sessions s LEFT JOIN rooms r ON r.id = s.room_id LEFT JOIN buildings bu ON bu.id = r.building_id
    LEFT JOIN bookings bk ON bk.id = s.booking_id";

fn local(ts: &str, tz: &str, fmt: &str) -> String {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    ts.parse::<jiff::Timestamp>().map(|t| t.to_zoned_datetime(zone).strftime(fmt).to_string()).unwrap_or_default()
}

async fn hydrate(conn: &mut AnyConnection, r: SessionRow, visit_tz: &str) -> AppResult<Session> {
    let participants = sqlx::query_as(
        "SELECT p.id, p.name_en FROM session_participants sp JOIN people p ON p.id = sp.person_id WHERE sp.session_id = $1 ORDER BY p.name_en",
    )
    .bind(r.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut topics: Vec<String> =
        sqlx::query_scalar("SELECT area FROM session_topics WHERE session_id = $1").bind(r.0).fetch_all(&mut *conn).await?;
    // Taxonomy order, not alphabetical.
    topics.sort_by_key(|t| crate::cooperation::AREAS.iter().position(|a| a.key == t));
    let tz = r.13.clone().unwrap_or_else(|| visit_tz.to_string());
    Ok(Session {
        id: r.0,
        visit_id: r.1,
        kind: r.2,
        title: r.3,
        local_start: local(&r.4, &tz, "%Y-%m-%d %H:%M"),
        local_end: local(&r.5, &tz, "%H:%M"),
        starts_at: r.4,
        ends_at: r.5,
        time_zone: tz,
        room_id: r.6,
        room: r.11.map(|room| format!("Conference room {room}, {}", r.12.unwrap_or_default())),
        booking_id: r.7,
        booking_status: r.14,
        venue: r.8,
        participants,
        topics,
        minutes: r.9,
        sequence: r.10,
    })
}

/// A visit's sessions in time order.
pub async fn list(conn: &mut AnyConnection, visit_id: i64, visit_tz: &str) -> AppResult<Vec<Session>> {
    let rows: Vec<SessionRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_SESSION} WHERE s.visit_id = $1 ORDER BY s.starts_at, s.id")))
            .bind(visit_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(hydrate(&mut *conn, r, visit_tz).await?);
    }
    Ok(out)
}

/// One session.
pub async fn get(conn: &mut AnyConnection, id: i64) -> AppResult<Session> {
    let row: Option<SessionRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_SESSION} WHERE s.id = $1"))).bind(id).fetch_optional(&mut *conn).await?;
    let r = row.ok_or(AppError::NotFound)?;
    let tz: String = sqlx::query_scalar("SELECT time_zone FROM visits WHERE id = $1").bind(r.1).fetch_one(&mut *conn).await?;
    hydrate(conn, r, &tz).await
}

/// Sessions on one local day across all visits (the office's day view), in time order.
pub async fn on_day(conn: &mut AnyConnection, day: &str, tz: &str) -> AppResult<Vec<(Session, String)>> {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let date: jiff::civil::Date = day.parse().map_err(|_| AppError::field("date", "use a date such as 2024-05-08"))?;
    let from = date.to_zoned_datetime(zone.clone()).map_err(|e| AppError::Internal(e.into()))?.timestamp();
    let to = date.tomorrow().and_then(|d| d.to_zoned_datetime(zone)).map_err(|e| AppError::Internal(e.into()))?.timestamp();
    let rows: Vec<SessionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_SESSION} WHERE s.starts_at < $2 AND s.ends_at > $1 ORDER BY s.starts_at, s.id"
    )))
    .bind(to_text(from))
    .bind(to_text(to))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let (vtz, title): (String, String) =
            sqlx::query_as("SELECT time_zone, title FROM visits WHERE id = $1").bind(r.1).fetch_one(&mut *conn).await?;
        out.push((hydrate(&mut *conn, r, &vtz).await?, title));
    }
    Ok(out)
}

/// The venue's time zone: the room's building's, else the visit's.
async fn venue_zone(conn: &mut AnyConnection, room_id: Option<i64>, visit_tz: &str) -> AppResult<String> {
    if let Some(r) = room_id {
        let tz: Option<String> =
            sqlx::query_scalar("SELECT b.time_zone FROM rooms r JOIN buildings b ON b.id = r.building_id WHERE r.id = $1")
                .bind(r)
                .fetch_optional(conn)
                .await?;
        return tz.ok_or_else(|| AppError::field("room_id", format!("there is no room {r}")));
    }
    Ok(visit_tz.to_string())
}

async fn default_attendees(conn: &mut AnyConnection, visit_id: i64) -> AppResult<i64> {
    let (head, hosts): (i64, i64) = sqlx::query_as(
        "SELECT v.head_count, (SELECT COUNT(*) FROM visit_hosts h WHERE h.visit_id = v.id AND h.person_id IS NOT NULL) FROM visits v WHERE v.id = $1",
    )
    .bind(visit_id)
    .fetch_one(conn)
    .await?;
    Ok((head + hosts).max(1))
}

/// Validates a session against its visit and books its room; returns the booking id and warnings.
async fn place(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, s: &NewSession) -> AppResult<(Option<i64>, Vec<String>)> {
    let visit = get_visit(&mut *conn, visit_id).await?;
    if visit.status == "cancelled" {
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

async fn write_links(conn: &mut AnyConnection, id: i64, s: &NewSession) -> AppResult<()> {
    sqlx::query("DELETE FROM session_participants WHERE session_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM session_topics WHERE session_id = $1").bind(id).execute(&mut *conn).await?;
    let mut seen = Vec::new();
    for p in &s.participant_ids {
        if !seen.contains(p) {
            seen.push(*p);
            sqlx::query("INSERT INTO session_participants (session_id, person_id) VALUES ($1, $2)")
                .bind(id)
                .bind(p)
                .execute(&mut *conn)
                .await?;
        }
    }
    for t in &s.topics {
        sqlx::query("INSERT INTO session_topics (session_id, area) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(t)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Adds a session to a visit's agenda (booking its room); returns it with warnings such
/// as a room smaller than the group.
pub async fn add(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, s: &NewSession) -> AppResult<(Session, Vec<String>)> {
    let (booking_id, warnings) = place(&mut *conn, actor, visit_id, s).await?;
    let now = now_text();
    let start: jiff::Timestamp = s.starts_at.trim().parse().map_err(|_| AppError::field("starts_at", "not a time"))?;
    let end: jiff::Timestamp = s.ends_at.trim().parse().map_err(|_| AppError::field("ends_at", "not a time"))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO visit_sessions (visit_id, kind, title, starts_at, ends_at, room_id, booking_id, venue, minutes, sequence, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10) RETURNING id",
    )
    .bind(visit_id)
    .bind(&s.kind)
    .bind(s.title.trim())
    .bind(to_text(start))
    .bind(to_text(end))
    .bind(s.room_id)
    .bind(booking_id)
    .bind(s.venue.trim())
    .bind(s.minutes.trim())
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    write_links(&mut *conn, id, s).await?;
    touch(&mut *conn, visit_id).await?;
    let session = get(&mut *conn, id).await?;
    audit::record(conn, actor, AuditAction::Create, "visit_session", id, None, Some(&session)).await?;
    Ok((session, warnings))
}

/// Changes a session: only the fields given. A new time or room cancels the old booking
/// and books again (409 if the new slot is taken, and then nothing changes). The
/// sequence goes up so calendar clients replace the event.
pub async fn update(conn: &mut AnyConnection, actor: &Actor, id: i64, u: &UpdateSession) -> AppResult<(Session, Vec<String>)> {
    let before = get(&mut *conn, id).await?;
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
            rooms::set_status(&mut *conn, actor, b, "cancelled").await?;
        }
        let placed = place(&mut *conn, actor, before.visit_id, &merged).await?;
        booking_id = placed.0;
        warnings = placed.1;
    } else {
        let visit = get_visit(&mut *conn, before.visit_id).await?;
        check_session(&merged, &visit.start_date, &visit.end_date, &before.time_zone)?;
        people_refs(&mut *conn, &merged.participant_ids).await?;
    }
    sqlx::query(
        "UPDATE visit_sessions SET kind = $1, title = $2, starts_at = $3, ends_at = $4, room_id = $5, booking_id = $6, venue = $7, minutes = $8,
         sequence = sequence + 1, updated_at = $9 WHERE id = $10",
    )
    .bind(&merged.kind)
    .bind(merged.title.trim())
    .bind(to_text(start))
    .bind(to_text(end))
    .bind(room_id)
    .bind(booking_id)
    .bind(merged.venue.trim())
    .bind(merged.minutes.trim())
    .bind(now_text())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    write_links(&mut *conn, id, &merged).await?;
    touch(&mut *conn, before.visit_id).await?;
    let after = get(&mut *conn, id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit_session", id, Some(&before), Some(&after)).await?;
    Ok((after, warnings))
}

/// Removes a session and frees its room.
pub async fn delete(conn: &mut AnyConnection, actor: &Actor, id: i64) -> AppResult<i64> {
    let before = get(&mut *conn, id).await?;
    if let Some(b) = before.booking_id {
        rooms::set_status(&mut *conn, actor, b, "cancelled").await?;
    }
    sqlx::query("DELETE FROM visit_sessions WHERE id = $1").bind(id).execute(&mut *conn).await?;
    touch(&mut *conn, before.visit_id).await?;
    audit::record(conn, actor, AuditAction::Delete, "visit_session", id, Some(&before), None::<&Session>).await?;
    Ok(before.visit_id)
}
