//! The three feeds: a visit's agenda, a room's bookings, a person's sessions. Each is
//! three or four queries whatever its size (sessions, then their topics and
//! participants for the same filter), rendered by [`crate::feeds::ics`].

use std::collections::HashMap;

use axum::{extract::State, response::Response};
use jiff::{Timestamp, civil::Date};
use sqlx::AnyConnection;

use crate::feeds::{
    FeedKind, FeedQuery, authorize,
    ics::{self, Event, When},
    ics_response,
};
use crate::{
    auth::Permission,
    error::{AppError, AppResult},
    web::{
        AppState,
        context::Ctx,
        extract::{ApiPath, ApiQuery},
        i18n::{Locale, Tr},
    },
};

fn instant(text: &str) -> AppResult<Timestamp> {
    text.parse().map_err(|e| AppError::Internal(anyhow::anyhow!("stored instant {text:?}: {e}")))
}

fn date(text: &str) -> AppResult<Date> {
    text.parse().map_err(|e| AppError::Internal(anyhow::anyhow!("stored date {text:?}: {e}")))
}

/// The English name, or the Chinese one when the reader reads Chinese and there is one.
fn pick(tr: Tr, en: &str, zh: Option<&str>) -> String {
    match zh.filter(|z| tr.locale() == Locale::Zh && !z.trim().is_empty()) {
        Some(z) => z.to_string(),
        None => en.to_string(),
    }
}

fn place(tr: Tr, room: &str, building_en: &str, building_zh: Option<&str>) -> String {
    let building = pick(tr, building_en, building_zh);
    if tr.locale() == Locale::Zh { format!("{building} {room}") } else { format!("{room}, {building}") }
}

/// Each session's topics in the taxonomy's order, named in the reader's language.
fn topic_names(tr: Tr, topics: &[(i64, String)]) -> HashMap<i64, Vec<&str>> {
    let rank = |key: &str| crate::cooperation::AREAS.iter().position(|a| a.key == key).unwrap_or(usize::MAX);
    let mut keys_of: HashMap<i64, Vec<&str>> = HashMap::new();
    for (sid, area) in topics {
        keys_of.entry(*sid).or_default().push(area);
    }
    keys_of
        .into_iter()
        .map(|(sid, mut keys)| {
            keys.sort_by_key(|k| rank(k));
            (sid, keys.into_iter().map(|k| crate::cooperation::area_name(k, tr.locale().code())).collect())
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    kind: String,
    title: String,
    starts_at: String,
    ends_at: String,
    venue: String,
    sequence: i64,
    updated_at: String,
    visit_title: String,
    visit_tz: String,
    visit_status: String,
    room: Option<String>,
    building_en: Option<String>,
    building_zh: Option<String>,
    building_tz: Option<String>,
}

/// Agenda sessions matching `filter` (SQL over `s`, the session, with `$1`), as events.
pub(super) async fn session_events(conn: &mut AnyConnection, tr: Tr, filter: &str, subject: i64) -> AppResult<Vec<Event>> {
    let sql = format!(
        "SELECT s.id, s.kind, s.title, s.starts_at, s.ends_at, s.venue, s.sequence, s.updated_at,
                v.title AS visit_title, v.time_zone AS visit_tz, v.status AS visit_status,
                r.name AS room, b.name_en AS building_en, b.name_zh AS building_zh, b.time_zone AS building_tz
         FROM visit_sessions s JOIN visits v ON v.id = s.visit_id
         LEFT JOIN rooms r ON r.id = s.room_id LEFT JOIN buildings b ON b.id = r.building_id
         WHERE {filter} ORDER BY s.starts_at, s.id"
    );
    let rows: Vec<SessionRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(subject).fetch_all(&mut *conn).await?;
    let topics: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT t.session_id, t.area FROM session_topics t JOIN visit_sessions s ON s.id = t.session_id WHERE {filter}"
    )))
    .bind(subject)
    .fetch_all(&mut *conn)
    .await?;
    let people: Vec<(i64, String, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT sp.session_id, p.name_en, p.name_zh FROM session_participants sp JOIN people p ON p.id = sp.person_id
         JOIN visit_sessions s ON s.id = sp.session_id WHERE {filter} ORDER BY p.name_en"
    )))
    .bind(subject)
    .fetch_all(&mut *conn)
    .await?;
    let mut topics_of = topic_names(tr, &topics);
    let mut people_of: HashMap<i64, Vec<String>> = HashMap::new();
    for (sid, en, zh) in &people {
        people_of.entry(*sid).or_default().push(pick(tr, en, zh.as_deref()));
    }
    rows.into_iter()
        .map(|r| {
            let topics = topics_of.remove(&r.id).unwrap_or_default();
            session_event(tr, r, topics, &people_of)
        })
        .collect()
}

fn session_event(tr: Tr, r: SessionRow, topics: Vec<&str>, people_of: &HashMap<i64, Vec<String>>) -> AppResult<Event> {
    let mut description = vec![
        format!("{}: {}", tr.t("calendar.kind"), tr.t(&format!("calendar.kind.{}", r.kind))),
        format!("{}: {}", tr.t("calendar.visit"), r.visit_title),
    ];
    if !topics.is_empty() {
        description.push(format!("{}: {}", tr.t("calendar.topics"), topics.join(", ")));
    }
    if let Some(p) = people_of.get(&r.id).filter(|p| !p.is_empty()) {
        description.push(format!("{}: {}", tr.t("calendar.participants"), p.join(", ")));
    }
    let location = match (&r.room, &r.building_en) {
        (Some(room), Some(b)) => place(tr, room, b, r.building_zh.as_deref()),
        _ => r.venue.clone(),
    };
    let status = match r.visit_status.as_str() {
        "cancelled" => "CANCELLED",
        "planned" => "TENTATIVE",
        _ => "CONFIRMED",
    };
    // The venue's zone: the room's building when the session is in one of our rooms.
    let tz = r.building_tz.clone().unwrap_or_else(|| r.visit_tz.clone());
    Ok(Event {
        uid: format!("session-{}@liaison", r.id),
        sequence: r.sequence,
        modified: instant(&r.updated_at)?,
        summary: r.title,
        location,
        description: description.join("\n"),
        status,
        when: When::Timed { start: instant(&r.starts_at)?, end: instant(&r.ends_at)?, tz },
    })
}

/// The all-day event of the visit itself. Its SEQUENCE counts the visit's recorded
/// changes (status events and audited updates), which only ever grow.
async fn visit_event(conn: &mut AnyConnection, id: i64) -> AppResult<(String, Event)> {
    let row: Option<(String, String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT v.title, v.purpose, v.start_date, v.end_date, v.status, v.updated_at,
                (SELECT COUNT(*) FROM visit_status_events e WHERE e.visit_id = v.id)
                + (SELECT COUNT(*) FROM audit_events a WHERE a.entity = 'visit' AND a.entity_id = v.id AND a.action = 'update')
         FROM visits v WHERE v.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    let (title, purpose, start, end, status, updated, sequence) = row.ok_or(AppError::NotFound)?;
    let status = match status.as_str() {
        "cancelled" => "CANCELLED",
        "planned" => "TENTATIVE",
        _ => "CONFIRMED",
    };
    let event = Event {
        uid: format!("visit-{id}@liaison"),
        sequence,
        modified: instant(&updated)?,
        summary: title.clone(),
        location: String::new(),
        description: purpose,
        status,
        when: When::AllDay { first: date(&start)?, last: date(&end)? },
    };
    Ok((title, event))
}

/// `GET /visits/{id}/calendar.ics`: the visit (all day) and its agenda sessions.
#[utoipa::path(get, path = "/visits/{id}/calendar.ics", tag = "calendar", params(("id" = i64, Path, description = "Visit id"), FeedQuery),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, description = "No such visit, or wrong token")))]
pub async fn visit_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    authorize(&mut conn, &ctx, FeedKind::Visit, id, q.token.as_deref(), |u| u.can(Permission::ViewRecords)).await?;
    let tr = Tr(ctx.locale);
    let (title, visit) = visit_event(&mut conn, id).await?;
    let mut events = vec![visit];
    events.extend(session_events(&mut conn, tr, "s.visit_id = $1", id).await?);
    Ok(ics_response(ics::calendar(&title, &events), &format!("visit-{id}")))
}

/// Sessions a person takes part in, is a delegation member of, or hosts.
const PERSON_SESSIONS: &str = "(EXISTS (SELECT 1 FROM session_participants sp0 WHERE sp0.session_id = s.id AND sp0.person_id = $1)
     OR EXISTS (SELECT 1 FROM visit_members m WHERE m.visit_id = s.visit_id AND m.person_id = $1)
     OR EXISTS (SELECT 1 FROM visit_hosts h WHERE h.visit_id = s.visit_id AND h.person_id = $1))";

/// `GET /people/{id}/calendar.ics`: the sessions a person attends, visits with or hosts.
#[utoipa::path(get, path = "/people/{id}/calendar.ics", tag = "calendar", params(("id" = i64, Path, description = "Person id"), FeedQuery),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, description = "No such person, or wrong token")))]
pub async fn person_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    authorize(&mut conn, &ctx, FeedKind::Person, id, q.token.as_deref(), |u| u.can(Permission::ViewRecords)).await?;
    let tr = Tr(ctx.locale);
    let name: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT name_en, name_zh FROM people WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    let (en, zh) = name.ok_or(AppError::NotFound)?;
    let events = session_events(&mut conn, tr, PERSON_SESSIONS, id).await?;
    Ok(ics_response(ics::calendar(&pick(tr, &en, zh.as_deref()), &events), &format!("person-{id}")))
}

type BookingRow = (i64, String, String, String, String, String, i64);

/// `GET /rooms/{id}/calendar.ics`: the room's bookings, cancelled ones included so that
/// clients remove them.
#[utoipa::path(get, path = "/rooms/{id}/calendar.ics", tag = "calendar", params(("id" = i64, Path, description = "Room id"), FeedQuery),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, description = "No such room, or wrong token")))]
pub async fn room_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    authorize(&mut conn, &ctx, FeedKind::Room, id, q.token.as_deref(), |u| u.can(Permission::ViewRecords)).await?;
    let tr = Tr(ctx.locale);
    let room: Option<(String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT r.name, b.name_en, b.name_zh, b.time_zone FROM rooms r JOIN buildings b ON b.id = r.building_id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let (room, b_en, b_zh, tz) = room.ok_or(AppError::NotFound)?;
    let location = place(tr, &room, &b_en, b_zh.as_deref());
    // A booking's SEQUENCE counts its audited updates (status changes), which only grow.
    let rows: Vec<BookingRow> = sqlx::query_as(
        "SELECT bk.id, bk.title, bk.starts_at, bk.ends_at, bk.status, bk.updated_at,
                (SELECT COUNT(*) FROM audit_events a WHERE a.entity = 'booking' AND a.entity_id = bk.id AND a.action = 'update')
         FROM bookings bk WHERE bk.room_id = $1 ORDER BY bk.starts_at, bk.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let events = rows
        .into_iter()
        .map(|(bid, title, starts, ends, status, updated, sequence)| {
            Ok(Event {
                uid: format!("booking-{bid}@liaison"),
                sequence,
                modified: instant(&updated)?,
                summary: title,
                location: location.clone(),
                description: String::new(),
                status: match status.as_str() {
                    "pending" => "TENTATIVE",
                    "cancelled" => "CANCELLED",
                    _ => "CONFIRMED",
                },
                when: When::Timed { start: instant(&starts)?, end: instant(&ends)?, tz: tz.clone() },
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(ics_response(ics::calendar(&location, &events), &format!("room-{id}")))
}
