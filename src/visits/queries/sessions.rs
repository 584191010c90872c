//! SQL of agenda sessions: reading them (with room, booking, participants and topics)
//! and writing their rows.

use sqlx::AnyConnection;

use super::visits::{visit_time_zone, visit_zone_and_title};
use crate::{
    error::{AppError, AppResult},
    rooms::{BookingStatus, queries::find_room_time_zone},
    status::Status,
    time::to_text,
    visits::model::{NewSession, Session},
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
    Option<String>,
);

const SELECT_SESSION: &str =
    "SELECT s.id, s.visit_id, s.kind, s.title, s.starts_at, s.ends_at, s.room_id, s.booking_id, s.venue, s.minutes, s.sequence,
    r.name, bu.name_en, bu.time_zone, bk.status, bu.name_zh
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
        room_zh: r
            .11
            .as_ref()
            .map(|room| format!("{}{room}会议室", r.15.clone().filter(|z| !z.is_empty()).or(r.12.clone()).unwrap_or_default())),
        room: r.11.map(|room| format!("Conference room {room}, {}", r.12.unwrap_or_default())),
        booking_id: r.7,
        booking_status: r.14.as_deref().map(BookingStatus::from_stored).transpose()?,
        venue: r.8,
        participants,
        topics,
        minutes: r.9,
        sequence: r.10,
    })
}

/// A visit's sessions in time order.
pub async fn list_sessions(conn: &mut AnyConnection, visit_id: i64, visit_tz: &str) -> AppResult<Vec<Session>> {
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
pub async fn get_session(conn: &mut AnyConnection, id: i64) -> AppResult<Session> {
    let row: Option<SessionRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_SESSION} WHERE s.id = $1"))).bind(id).fetch_optional(&mut *conn).await?;
    let r = row.ok_or(AppError::NotFound)?;
    let tz = visit_time_zone(&mut *conn, r.1).await?.ok_or(AppError::NotFound)?;
    hydrate(conn, r, &tz).await
}

/// Sessions on one local day across all visits (the office's day view), in time order.
pub async fn sessions_on_day(conn: &mut AnyConnection, day: &str, tz: &str) -> AppResult<Vec<(Session, String)>> {
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
        let (vtz, title) = visit_zone_and_title(&mut *conn, r.1).await?;
        out.push((hydrate(&mut *conn, r, &vtz).await?, title));
    }
    Ok(out)
}

/// The venue's time zone: the room's building's, else the visit's.
pub async fn venue_zone(conn: &mut AnyConnection, room_id: Option<i64>, visit_tz: &str) -> AppResult<String> {
    if let Some(r) = room_id {
        let tz = find_room_time_zone(conn, r).await?;
        return tz.ok_or_else(|| AppError::field("room_id", format!("there is no room {r}")));
    }
    Ok(visit_tz.to_string())
}

/// The default attendees of a session's booking: the head count plus the host officials.
pub async fn default_attendees(conn: &mut AnyConnection, visit_id: i64) -> AppResult<i64> {
    let (head, hosts): (i64, i64) = sqlx::query_as(
        "SELECT v.head_count, (SELECT COUNT(*) FROM visit_hosts h WHERE h.visit_id = v.id AND h.person_id IS NOT NULL) FROM visits v WHERE v.id = $1",
    )
    .bind(visit_id)
    .fetch_one(conn)
    .await?;
    Ok((head + hosts).max(1))
}

/// Replaces a session's participants and topics.
pub async fn write_links(conn: &mut AnyConnection, id: i64, s: &NewSession) -> AppResult<()> {
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

/// A session's stored fields.
pub struct SessionRowIn<'a> {
    /// The session as checked (kind, title, venue, minutes).
    pub s: &'a NewSession,
    /// Start, stored form.
    pub starts_at: &'a str,
    /// End, stored form.
    pub ends_at: &'a str,
    /// Room.
    pub room_id: Option<i64>,
    /// The room booking.
    pub booking_id: Option<i64>,
}

/// Stores a new session of a visit; returns its id.
pub async fn insert_session(conn: &mut AnyConnection, visit_id: i64, row: &SessionRowIn<'_>) -> AppResult<i64> {
    let now = crate::time::now_text();
    Ok(sqlx::query_scalar(
        "INSERT INTO visit_sessions (visit_id, kind, title, starts_at, ends_at, room_id, booking_id, venue, minutes, sequence, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10) RETURNING id",
    )
    .bind(visit_id)
    .bind(&row.s.kind)
    .bind(row.s.title.trim())
    .bind(row.starts_at)
    .bind(row.ends_at)
    .bind(row.room_id)
    .bind(row.booking_id)
    .bind(row.s.venue.trim())
    .bind(row.s.minutes.trim())
    .bind(&now)
    .fetch_one(conn)
    .await?)
}

/// Stores a session's changed fields and raises its sequence.
pub async fn update_session_row(conn: &mut AnyConnection, id: i64, row: &SessionRowIn<'_>) -> AppResult<()> {
    sqlx::query(
        "UPDATE visit_sessions SET kind = $1, title = $2, starts_at = $3, ends_at = $4, room_id = $5, booking_id = $6, venue = $7, minutes = $8,
         sequence = sequence + 1, updated_at = $9 WHERE id = $10",
    )
    .bind(&row.s.kind)
    .bind(row.s.title.trim())
    .bind(row.starts_at)
    .bind(row.ends_at)
    .bind(row.room_id)
    .bind(row.booking_id)
    .bind(row.s.venue.trim())
    .bind(row.s.minutes.trim())
    .bind(crate::time::now_text())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes a session row.
pub async fn delete_session_row(conn: &mut AnyConnection, id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM visit_sessions WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}
