//! The visit page's forms: each runs one change in a transaction, then goes back to the
//! visit (with any warnings as a notice) or shows the page again with the form's messages.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};

use crate::{
    audit::Actor,
    auth::Permission,
    error::{AppError, AppResult},
    rooms::queries::find_room_time_zone,
    status::Status,
    visits::{
        model::{NewAction, NewOutcome, NewSession, UpdateAction, VisitStatus},
        queries, sessions,
    },
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, FormData},
        forms::{self, FormState, field, ids, opt_id},
        routes::urlencode,
    },
};

/// Runs a change in one transaction; then back to the visit (with any warnings as a
/// notice), or the visit page again with the form's messages.
pub(super) async fn apply<F>(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: &'static str,
    fields: Vec<(String, String)>,
    change: F,
) -> AppResult<Response>
where
    F: AsyncFnOnce(&mut sqlx::AnyConnection) -> AppResult<Vec<String>>,
{
    let done = |warnings: Vec<String>| {
        let notice = if warnings.is_empty() { String::new() } else { format!("?notice={}", urlencode(&warnings.join(" "))) };
        format!("/visits/{id}{notice}#{form}")
    };
    forms::apply(&state.db, change, done, async |e| {
        let f = FormState::failed(form, fields, e, ctx.locale)?;
        super::detail_page(state, ctx, id, f, String::new()).await
    })
    .await
}

pub(super) async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (to, reason) = (field(&fields, "status").to_string(), field(&fields, "reason").to_string());
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "status", fields, async |c| {
        let to = VisitStatus::parse_field("status", &to)?;
        queries::set_status(c, &actor, id, to, Some(&reason)).await.map(|_| Vec::new())
    })
    .await
}

/// Turns the form's local date and times into instants in the venue's time zone.
pub(super) async fn session_input(conn: &mut sqlx::AnyConnection, visit_tz: &str, fields: &[(String, String)]) -> AppResult<NewSession> {
    let room_id = opt_id(fields, "room_id");
    let tz = match room_id {
        Some(r) => find_room_time_zone(&mut *conn, r).await?.unwrap_or_else(|| visit_tz.to_string()),
        None => visit_tz.to_string(),
    };
    let zone = jiff::tz::TimeZone::get(&tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut errors = Vec::new();
    let date = field(fields, "date");
    let mut at = |name: &str| -> String {
        let text = format!("{date}T{}", field(fields, name));
        match text.parse::<jiff::civil::DateTime>().ok().and_then(|dt| dt.to_zoned_datetime(zone.clone()).ok()) {
            Some(z) => z.timestamp().to_string(),
            None => {
                errors.push(crate::error::FieldError::new(
                    if date.is_empty() { "date" } else { name },
                    "give the date and a time such as 09:30",
                ));
                String::new()
            }
        }
    };
    let (starts_at, ends_at) = (at("start"), at("end"));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(NewSession {
        kind: field(fields, "kind").to_string(),
        title: field(fields, "title").to_string(),
        starts_at,
        ends_at,
        room_id,
        venue: field(fields, "venue").to_string(),
        participant_ids: ids(fields, "participant_ids"),
        topics: fields.iter().filter(|(k, _)| k == "topics").map(|(_, v)| v.clone()).collect(),
        minutes: field(fields, "minutes").to_string(),
        attendees: field(fields, "attendees").parse().ok(),
    })
}

pub(super) async fn add_session(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let actor = Actor::from(&*user);
    let kept = fields.clone();
    apply(&state, &ctx, id, "sessions", kept, async |c| {
        let tz = queries::visit_time_zone(&mut *c, id).await?.ok_or(AppError::NotFound)?;
        let input = session_input(&mut *c, &tz, &fields).await?;
        sessions::add(c, &actor, id, &input).await.map(|(_, w)| w)
    })
    .await
}

pub(super) async fn delete_session(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath((id, sid)): ApiPath<(i64, i64)>,
) -> AppResult<Response> {
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "sessions", Vec::new(), async |c| {
        let s = queries::get_session(&mut *c, sid).await?;
        if s.visit_id != id {
            return Err(AppError::NotFound);
        }
        sessions::delete(c, &actor, sid).await.map(|_| Vec::new())
    })
    .await
}

pub(super) async fn add_outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let o = NewOutcome { kind: field(&fields, "kind").to_string(), text: field(&fields, "text").to_string() };
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "outcomes", fields, async |c| queries::add_outcome(c, &actor, id, &o).await.map(|_| Vec::new())).await
}

pub(super) async fn add_action(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let a = NewAction {
        title: field(&fields, "title").to_string(),
        owner_id: opt_id(&fields, "owner_id"),
        due_date: field(&fields, "due_date").to_string(),
        outcome_id: opt_id(&fields, "outcome_id"),
    };
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "actions", fields, async |c| queries::add_action(c, &actor, id, &a).await.map(|_| Vec::new())).await
}

/// `POST /actions/{id}/status`: owners close their own actions; others need the visits permission.
pub(super) async fn action_status(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let current = queries::get_action(&mut tx, id).await?;
    if current.owner_id != Some(user.id) {
        user.require(Permission::EditVisits)?;
    }
    let u = UpdateAction { status: Some(field(&fields, "status").to_string()), ..Default::default() };
    queries::update_action(&mut tx, &Actor::from(&*user), id, &u).await?;
    tx.commit().await?;
    let back = if field(&fields, "back") == "actions" { "/actions".to_string() } else { format!("/visits/{}#actions", current.visit_id) };
    Ok(Redirect::to(&back).into_response())
}
