//! The three feeds: a visit's agenda, a room's bookings, a person's sessions. Each is
//! three or four queries whatever its size (sessions, then their topics and
//! participants for the same filter; all in [`super::queries`]), rendered by
//! [`crate::feeds::ics`].

use std::collections::HashMap;

use axum::{extract::State, response::Response};
use jiff::{Timestamp, civil::Date};
use sqlx::AnyConnection;

use super::queries::{self, BookingRow, SessionRow, SessionTopic, Sessions, VisitEventRow};
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
fn topic_names(tr: Tr, topics: &[SessionTopic]) -> HashMap<i64, Vec<&str>> {
    let rank = |key: &str| crate::cooperation::AREAS.iter().position(|a| a.key == key).unwrap_or(usize::MAX);
    let mut keys_of: HashMap<i64, Vec<&str>> = HashMap::new();
    for t in topics {
        keys_of.entry(t.session_id).or_default().push(&t.area);
    }
    keys_of
        .into_iter()
        .map(|(sid, mut keys)| {
            keys.sort_by_key(|k| rank(k));
            (sid, keys.into_iter().map(|k| crate::cooperation::area_name(k, tr.locale().code())).collect())
        })
        .collect()
}

/// The sessions `which` selects for `subject`, as events: three queries whatever their
/// number (sessions, then their topics and participants).
pub(super) async fn session_events(conn: &mut AnyConnection, tr: Tr, which: Sessions, subject: i64) -> AppResult<Vec<Event>> {
    let rows = queries::sessions(&mut *conn, which, subject).await?;
    let topics = queries::session_topics(&mut *conn, which, subject).await?;
    let people = queries::session_people(&mut *conn, which, subject).await?;
    let mut topics_of = topic_names(tr, &topics);
    let mut people_of: HashMap<i64, Vec<String>> = HashMap::new();
    for p in &people {
        people_of.entry(p.session_id).or_default().push(pick(tr, &p.name_en, p.name_zh.as_deref()));
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
    let row = queries::visit_event(conn, id).await?.ok_or(AppError::NotFound)?;
    let VisitEventRow { title, purpose, start_date: start, end_date: end, status, updated_at: updated, sequence } = row;
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
    events.extend(session_events(&mut conn, tr, Sessions::OfVisit, id).await?);
    Ok(ics_response(ics::calendar(&title, &events), &format!("visit-{id}")))
}

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
    let (en, zh) = queries::person_names(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let events = session_events(&mut conn, tr, Sessions::OfPerson, id).await?;
    Ok(ics_response(ics::calendar(&pick(tr, &en, zh.as_deref()), &events), &format!("person-{id}")))
}

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
    let room = queries::room(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let location = place(tr, &room.name, &room.building_en, room.building_zh.as_deref());
    let events = queries::bookings(&mut conn, id)
        .await?
        .into_iter()
        .map(|b| booking_event(b, &location, &room.time_zone))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(ics_response(ics::calendar(&location, &events), &format!("room-{id}")))
}

/// A booking as an event; its SEQUENCE counts its audited updates (status changes).
fn booking_event(b: BookingRow, location: &str, tz: &str) -> AppResult<Event> {
    Ok(Event {
        uid: format!("booking-{}@liaison", b.id),
        sequence: b.sequence,
        modified: instant(&b.updated_at)?,
        summary: b.title,
        location: location.to_string(),
        description: String::new(),
        status: match b.status.as_str() {
            "pending" => "TENTATIVE",
            "cancelled" => "CANCELLED",
            _ => "CONFIRMED",
        },
        when: When::Timed { start: instant(&b.starts_at)?, end: instant(&b.ends_at)?, tz: tz.to_string() },
    })
}
