//! One room's page (week grid, this week's bookings, the booking form), cancelling and
//! confirming bookings, and the room managers' list of pending bookings.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::{
    Errors,
    booking::{BookingForm, BookingLine, booking_of, field_of},
    error_in,
    week::{Block, Week},
};
use crate::{
    audit::Actor,
    error::{AppError, AppResult},
    rooms::{self, Booking, BookingStatus, Room},
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, ApiQuery, FormData},
        i18n::Tr,
        pages::Base,
        render,
    },
};

/// Query of the room page.
#[derive(Debug, Default, Deserialize)]
pub struct RoomQuery {
    /// Any day of the week to show.
    week: Option<String>,
    /// A booking just made (its warnings are shown).
    booked: Option<i64>,
}

#[derive(Template)]
#[template(path = "rooms/room.html")]
struct RoomPage {
    base: Base,
    room: Room,
    time_zone: String,
    week: Week,
    hours: Vec<(i64, String)>,
    blocks: Vec<Block>,
    lines: Vec<BookingLine>,
    form: BookingForm,
    errors: Errors,
    conflict: Option<BookingLine>,
    notices: Vec<String>,
    feed: Option<String>,
    feed_kind: &'static str,
    feed_subject: i64,
}

impl RoomPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_in(&self.errors, field)
    }
}

/// Everything the room page needs besides the form.
struct Shown {
    room: Room,
    tz: TimeZone,
    tz_name: String,
}

async fn load_room(state: &AppState, id: i64) -> AppResult<Shown> {
    let mut conn = state.db.pool.acquire().await?;
    let room = rooms::get_room(&mut conn, id).await?;
    let tz_name = rooms::room_time_zone(&mut conn, id).await?;
    let tz = TimeZone::get(&tz_name).unwrap_or(TimeZone::UTC);
    Ok(Shown { room, tz, tz_name })
}

use crate::time::today_in as today;

struct Outcome {
    form: BookingForm,
    errors: Errors,
    conflict: Option<BookingLine>,
    notices: Vec<String>,
}

async fn room_page(state: &AppState, ctx: &Ctx, shown: Shown, day: jiff::civil::Date, outcome: Outcome) -> AppResult<Response> {
    let Shown { room, tz, tz_name } = shown;
    let week = Week::containing(day);
    let (from, to) = week.window(&tz).ok_or_else(|| AppError::field("week", "no such week"))?;
    let mut conn = state.db.pool.acquire().await?;
    let bookings = rooms::room_bookings(&mut conn, room.id, &crate::time::to_text(from), &crate::time::to_text(to)).await?;
    let blocks = week.blocks(&tz, &bookings);
    let lines = bookings.iter().map(|b| BookingLine::new(b, &room, &tz)).collect();
    let feed = crate::feeds::feed_path(&mut conn, crate::feeds::FeedKind::Room, room.id).await?;
    let status = match (&outcome.conflict, outcome.errors.is_empty()) {
        (Some(_), _) => StatusCode::CONFLICT,
        (None, false) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, true) => StatusCode::OK,
    };
    let base = Base::new(ctx, format!("{} {}", room.building, room.name), "rooms");
    let hours = week.hours();
    let Outcome { form, errors, conflict, notices } = outcome;
    let errors = base.tr.field_messages(errors);
    let feed_subject = room.id;
    let page = RoomPage {
        base,
        room,
        time_zone: tz_name,
        week,
        hours,
        blocks,
        lines,
        form,
        errors,
        conflict,
        notices,
        feed,
        feed_kind: "room",
        feed_subject,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /rooms/{id}?week=YYYY-MM-DD[&booked=ID]`: the week grid and the booking form.
pub async fn show_room(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<RoomQuery>,
) -> AppResult<Response> {
    let shown = load_room(&state, id).await?;
    let day = match q.week.as_deref().filter(|w| !w.is_empty()) {
        Some(w) => w.parse().map_err(|_| AppError::field("week", "use a date such as 2024-05-08"))?,
        None => today(&shown.tz),
    };
    let notices = match q.booked {
        Some(b) => after_booking(&state, &shown.room, b, Tr(ctx.locale)).await?,
        None => Vec::new(),
    };
    let form = BookingForm { date: day.to_string(), ..BookingForm::default() };
    room_page(&state, &ctx, shown, day, Outcome { form, errors: Vec::new(), conflict: None, notices }).await
}

/// What to tell the person who has just booked: saved, and any warnings.
async fn after_booking(state: &AppState, room: &Room, id: i64, tr: Tr) -> AppResult<Vec<String>> {
    let mut conn = state.db.pool.acquire().await?;
    let Ok(b) = rooms::get_booking(&mut conn, id).await else { return Ok(Vec::new()) };
    if b.room_id != room.id {
        return Ok(Vec::new());
    }
    let mut out = vec![tr.t("rooms.booked").replace("{title}", &b.title)];
    if let Some(a) = b.attendees.filter(|a| *a > room.capacity) {
        out.push(tr.t("rooms.warn.too_small").replace("{capacity}", &room.capacity.to_string()).replace("{people}", &a.to_string()));
    }
    if b.status == BookingStatus::Pending {
        out.push(tr.t("rooms.warn.pending").to_string());
    }
    Ok(out)
}

/// `POST /rooms/{id}/book`.
pub async fn book_room(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(form): FormData<BookingForm>,
) -> AppResult<Response> {
    let tr = Tr(ctx.locale);
    let shown = load_room(&state, id).await?;
    let day = form.date.trim().parse().unwrap_or_else(|_| today(&shown.tz));
    let (mut errors, mut conflict) = (Vec::new(), None);
    match form.to_booking(id, &shown.tz, tr) {
        Err(e) => errors = e,
        Ok(input) => {
            let mut tx = state.db.begin().await?;
            match rooms::book(&mut tx, &Actor::from(&*user), &input, false).await {
                Ok(result) => {
                    tx.commit().await?;
                    return Ok(Redirect::to(&format!("/rooms/{id}?week={day}&booked={}", result.booking.id)).into_response());
                }
                Err(AppError::Validation(v)) => errors = v.into_iter().map(|e| (field_of(&e.field), e.message)).collect(),
                Err(AppError::Conflict(_, Some(c))) => {
                    let taken: Booking =
                        booking_of(&c["booking"]).ok_or_else(|| AppError::Internal(anyhow::anyhow!("conflict without booking")))?;
                    let line = BookingLine::new(&taken, &shown.room, &shown.tz);
                    errors.push((
                        "start".into(),
                        tr.t("rooms.error.taken")
                            .replace("{title}", &line.title)
                            .replace("{times}", &format!("{} {}", line.date, line.times)),
                    ));
                    conflict = Some(line);
                }
                Err(e) => return Err(e),
            }
        }
    }
    room_page(&state, &ctx, shown, day, Outcome { form, errors, conflict, notices: Vec::new() }).await
}

/// Where to go back to after a cancel or confirm.
#[derive(Debug, Default, Deserialize)]
pub struct Back {
    #[serde(default)]
    next: String,
}

fn back_to(next: &str, fallback: String) -> Redirect {
    // Only our own room pages: never an open redirect.
    let next = crate::web::redirect::same_site_path(Some(next));
    if next.starts_with("/rooms") { Redirect::to(&next) } else { Redirect::to(&fallback) }
}

/// `POST /rooms/bookings/{id}/cancel`.
pub async fn cancel_booking(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(back): FormData<Back>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let b = rooms::set_status(&mut tx, &Actor::from(&*user), id, BookingStatus::Cancelled).await?;
    tx.commit().await?;
    Ok(back_to(&back.next, format!("/rooms/{}", b.room_id)).into_response())
}

#[derive(Template)]
#[template(path = "rooms/approvals.html")]
struct ApprovalsPage {
    base: Base,
    lines: Vec<BookingLine>,
    error: Option<String>,
}

async fn approvals_page(state: &AppState, ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let pending = rooms::pending_bookings(&mut conn).await?;
    let all = rooms::list_rooms(&mut conn, None).await?;
    let mut lines = Vec::new();
    for b in &pending {
        let Some(room) = all.iter().find(|r| r.id == b.room_id) else { continue };
        let tz = TimeZone::get(&rooms::room_time_zone(&mut conn, room.id).await?).unwrap_or(TimeZone::UTC);
        lines.push(BookingLine::new(b, room, &tz));
    }
    let status = if error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    let base = Base::new(ctx, Tr(ctx.locale).t("rooms.approvals"), "rooms");
    Ok((status, render(&ApprovalsPage { base, lines, error })).into_response())
}

/// `GET /rooms/approvals`: bookings waiting for a room manager.
pub async fn list_approvals(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    approvals_page(&state, &ctx, None).await
}

/// `POST /rooms/bookings/{id}/confirm`: a room manager confirms a pending booking.
pub async fn confirm_booking(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(back): FormData<Back>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    match rooms::set_status(&mut tx, &Actor::from(&*user), id, BookingStatus::Confirmed).await {
        Ok(b) => {
            tx.commit().await?;
            Ok(back_to(&back.next, format!("/rooms/{}", b.room_id)).into_response())
        }
        Err(AppError::Conflict(_, Some(c))) => {
            drop(tx);
            let tr = Tr(ctx.locale);
            let taken = booking_of(&c["booking"]).ok_or_else(|| AppError::Internal(anyhow::anyhow!("conflict without booking")))?;
            let shown = load_room(&state, taken.room_id).await?;
            let line = BookingLine::new(&taken, &shown.room, &shown.tz);
            let msg =
                tr.t("rooms.error.taken").replace("{title}", &line.title).replace("{times}", &format!("{} {}", line.date, line.times));
            approvals_page(&state, &ctx, Some(msg)).await
        }
        Err(e) => Err(e),
    }
}
