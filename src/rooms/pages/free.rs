//! "Find a free room for N people at this time": rooms with enough seats and no
//! confirmed booking in the window, smallest first, each with a one-click booking.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::{Errors, error_in, week};
use crate::{
    error::AppResult,
    rooms::{self, Room},
    time::to_text,
    web::{AppState, context::Ctx, extract::ApiQuery, i18n::Tr, pages::Base, render},
};

/// What the finder sends (a GET form, so results can be bookmarked).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FreeQuery {
    #[serde(default)]
    date: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    people: String,
    #[serde(default)]
    title: String,
}

#[derive(Template)]
#[template(path = "rooms/free.html")]
struct FreePage {
    base: Base,
    q: FreeQuery,
    errors: Errors,
    searched: bool,
    rooms: Vec<Room>,
}

impl FreePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_in(&self.errors, field)
    }
}

/// `GET /rooms/free?date&from&to&people`.
pub async fn find_free_room(State(state): State<AppState>, ctx: Ctx, ApiQuery(q): ApiQuery<FreeQuery>) -> AppResult<Response> {
    let tr = Tr(ctx.locale);
    let base = Base::new(&ctx, tr.t("rooms.free.title"), "rooms");
    if q.date.is_empty() && q.from.is_empty() && q.to.is_empty() {
        let q = FreeQuery { from: "09:00".into(), to: "10:00".into(), people: "1".into(), ..q };
        return Ok(render(&FreePage { base, q, errors: Vec::new(), searched: false, rooms: Vec::new() }));
    }
    let mut errors: Errors = Vec::new();
    let mut err = |f: &str, key: &str| errors.push((f.to_string(), tr.t(key).to_string()));
    if jiff::civil::Date::strptime("%Y-%m-%d", q.date.trim()).is_err() {
        err("date", "rooms.error.date");
    }
    let (from, to) = (q.from.trim().parse::<jiff::civil::Time>().ok(), q.to.trim().parse::<jiff::civil::Time>().ok());
    if from.is_none() {
        err("from", "rooms.error.time");
    }
    match (from, to) {
        (_, None) => err("to", "rooms.error.time"),
        (Some(f), Some(t)) if t <= f => err("to", "rooms.error.end_before_start"),
        _ => {}
    }
    let people = match q.people.trim() {
        "" => Some(1),
        p => p.parse::<i64>().ok().filter(|n| *n >= 1),
    };
    if people.is_none() {
        err("people", "rooms.error.attendees");
    }
    if !errors.is_empty() {
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, render(&FreePage { base, q, errors, searched: false, rooms: Vec::new() })).into_response()
        );
    }
    let rooms = free_rooms(&state, &q, people.unwrap_or(1)).await?;
    Ok(render(&FreePage { base, q, errors, searched: true, rooms }))
}

/// Free rooms in every building, the window read in each building's own time zone.
async fn free_rooms(state: &AppState, q: &FreeQuery, people: i64) -> AppResult<Vec<Room>> {
    let mut conn = state.db.pool.acquire().await?;
    let buildings = rooms::list_buildings(&mut conn).await?;
    let mut zones: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for b in &buildings {
        zones.entry(b.time_zone.clone()).or_default().push(b.id);
    }
    let mut out = Vec::new();
    for (zone, ids) in zones {
        let tz = TimeZone::get(&zone).unwrap_or(TimeZone::UTC);
        let (Some(from), Some(to)) = (week::instant(&tz, &q.date, &q.from), week::instant(&tz, &q.date, &q.to)) else { continue };
        let found = rooms::free_rooms(&mut conn, &to_text(from), &to_text(to), people).await?;
        out.extend(found.into_iter().filter(|r| ids.contains(&r.building_id)));
    }
    out.sort_by(|a, b| a.capacity.cmp(&b.capacity).then_with(|| a.building.cmp(&b.building)).then_with(|| a.name.cmp(&b.name)));
    Ok(out)
}
