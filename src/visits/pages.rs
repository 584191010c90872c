//! Pages of visits: list, form, the visit with its delegation, agenda, outcomes and
//! actions, a day view of the office's agenda, the printable itinerary and "my actions".
//! Forms post to small handlers that call the same domain functions as the API; a form
//! with problems re-renders the visit page with inline messages and the input kept.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};

use super::{
    model::{Action, HostInput, MemberInput, NewAction, NewOutcome, NewSession, Session, UpdateAction, Visit, VisitSummary},
    queries::{self, ActionFilter, VisitQuery},
    sessions,
};
use crate::{
    audit::{self, Actor, AuditEvent},
    auth::{Access, Permission},
    error::{AppError, AppResult},
    rooms::Room,
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, ApiQuery, FormData},
        forms::{FormState, field, ids, opt_id},
        i18n::Tr,
        pages::Base,
        render,
        routes::{Routes, urlencode},
    },
};

/// Routes of the pages.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let edit = Access::Permission(Permission::EditVisits);
    Routes::new()
        .get("/visits", view, get(list))
        .get("/visits/new", edit, get(new_form))
        .post("/visits/new", edit, post(create))
        .get("/visits/{id}", view, get(detail))
        .get("/visits/{id}/itinerary", view, get(itinerary))
        .post("/visits/{id}/status", edit, post(change_status))
        .post("/visits/{id}/members", edit, post(add_member))
        .post("/visits/{id}/hosts", edit, post(add_host))
        .post("/visits/{id}/sessions", edit, post(add_session))
        .post("/visits/{id}/sessions/{sid}/delete", edit, post(delete_session))
        .post("/visits/{id}/outcomes", edit, post(add_outcome))
        .post("/visits/{id}/actions", edit, post(add_action))
        .post("/actions/{id}/status", Access::Authenticated, post(action_status))
        .get("/agenda", view, get(day_view))
        .get("/actions", Access::Authenticated, get(my_actions))
}

#[derive(Template)]
#[template(path = "visits/list.html")]
struct ListPage {
    base: Base,
    visits: Vec<VisitSummary>,
    total: i64,
    status: String,
    direction: String,
    year: String,
}

impl ListPage {
    fn t_status(&self, s: &str) -> String {
        self.base.t(&format!("visits.status.{s}")).to_string()
    }
}

async fn list(State(state): State<AppState>, ctx: Ctx, ApiQuery(q): ApiQuery<VisitQuery>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let (visits, total) = queries::list_visits(&mut conn, &q).await?;
    Ok(render(&ListPage {
        base: Base::new(&ctx, Tr(ctx.locale).t("visits.title"), "visits"),
        visits,
        total,
        status: q.status.unwrap_or_default(),
        direction: q.direction.unwrap_or_default(),
        year: q.year.map(|y| y.to_string()).unwrap_or_default(),
    }))
}

#[derive(Template)]
#[template(path = "visits/new.html")]
struct NewPage {
    base: Base,
    f: FormState,
}

async fn new_form(ctx: Ctx) -> Response {
    render(&NewPage { base: Base::new(&ctx, Tr(ctx.locale).t("visits.new"), "visits"), f: FormState::default() })
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let institution = crate::institutions::partner_field::partner_from_text(&state, field(&fields, "institution")).await?;
    let result = match institution {
        Err(e) => Err(AppError::Validation(vec![e])),
        Ok(inst) => {
            let input = super::model::NewVisit {
                direction: field(&fields, "direction").to_string(),
                title: field(&fields, "title").to_string(),
                purpose: field(&fields, "purpose").to_string(),
                start_date: field(&fields, "start_date").to_string(),
                end_date: field(&fields, "end_date").to_string(),
                time_zone: Some(field(&fields, "time_zone").to_string()).filter(|t| !t.is_empty()),
                institution_ids: inst.into_iter().collect(),
                head_count: field(&fields, "head_count").parse().ok(),
                members: Vec::new(),
                leader_person_id: None,
                hosts: Vec::new(),
            };
            let mut tx = state.db.begin().await?;
            match queries::create_visit(&mut tx, &Actor::from(&*user), &input).await {
                Ok(id) => {
                    tx.commit().await?;
                    Ok(id)
                }
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/visits/{id}")).into_response()),
        Err(e) => {
            let f = FormState::failed("visit", fields, e)?.localized(ctx.locale);
            let page = NewPage { base: Base::new(&ctx, Tr(ctx.locale).t("visits.new"), "visits"), f };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "visits/detail.html")]
struct DetailPage {
    base: Base,
    v: Visit,
    f: FormState,
    notice: String,
    rooms: Vec<Room>,
    guests: Vec<(i64, String)>,
    home_people: Vec<(i64, String)>,
    home_units: Vec<(i64, String)>,
    users: Vec<(i64, String)>,
    history: Vec<AuditEvent>,
    today: String,
    feed: Option<String>,
    feed_kind: &'static str,
    feed_subject: i64,
    agreements: Vec<(i64, String, String)>,
}

impl DetailPage {
    fn t_key(&self, prefix: &str, key: &str) -> String {
        self.base.t(&format!("{prefix}.{key}")).to_string()
    }

    fn area(&self, key: &str) -> String {
        crate::cooperation::area_name(key, if self.base.is_zh() { "zh" } else { "en" }).to_string()
    }

    fn areas(&self) -> Vec<(&'static str, &'static str)> {
        crate::cooperation::AREAS.iter().map(|a| (a.key, if self.base.is_zh() { a.zh } else { a.en })).collect()
    }

    fn kinds(&self) -> &'static [&'static str] {
        super::model::SESSION_KINDS
    }

    fn roles(&self) -> &'static [&'static str] {
        super::model::MEMBER_ROLES
    }

    /// People who may take part in a session: the delegation and the host officials.
    fn participants(&self) -> Vec<(i64, String)> {
        let mut out: Vec<(i64, String)> = self.v.members.iter().map(|m| (m.person_id, m.name_en.clone())).collect();
        out.extend(self.v.hosts.iter().filter_map(|h| h.person_id.map(|p| (p, h.name.clone()))));
        out
    }

    fn session_default_date(&self) -> &str {
        &self.v.start_date
    }
}

async fn names(state: &AppState, sql: &'static str, arg: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(sql).bind(arg).fetch_all(&state.db.pool).await?)
}

async fn detail_page(state: &AppState, ctx: &Ctx, id: i64, f: FormState, notice: String) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let v = queries::get_visit(&mut conn, id).await?;
    let rooms = crate::rooms::list_rooms(&mut conn, None).await?;
    let mut home_units = Vec::new();
    let home: Option<i64> = sqlx::query_scalar("SELECT id FROM institutions WHERE is_home = 1").fetch_optional(&mut *conn).await?;
    for (uid,) in sqlx::query_as::<_, (i64,)>("SELECT id FROM units WHERE institution_id = $1 ORDER BY id")
        .bind(home.unwrap_or(0))
        .fetch_all(&mut *conn)
        .await?
    {
        home_units.push((uid, queries::unit_label(&mut conn, uid).await?));
    }
    let feed = crate::feeds::feed_path(&mut conn, crate::feeds::FeedKind::Visit, id).await?;
    let agreements =
        sqlx::query_as("SELECT id, title, status FROM agreements WHERE visit_id = $1 ORDER BY id").bind(id).fetch_all(&mut *conn).await?;
    drop(conn);
    let mut guests = Vec::new();
    for i in &v.institutions {
        guests.extend(names(state, "SELECT id, name_en FROM people WHERE merged_into IS NULL AND (institution_id = $1 OR id IN (SELECT person_id FROM positions WHERE institution_id = $1)) ORDER BY name_en", i.id).await?);
    }
    guests.dedup();
    let home_people = names(state, "SELECT id, name_en FROM people WHERE merged_into IS NULL AND (institution_id = $1 OR id IN (SELECT person_id FROM positions WHERE institution_id = $1)) ORDER BY name_en", home.unwrap_or(0)).await?;
    let users = names(state, "SELECT id, display_name FROM users WHERE active = $1 ORDER BY display_name", 1).await?;
    let history = audit::history(&state.db, "visit", id).await?;
    let status = if f.form.is_empty() {
        StatusCode::OK
    } else if f.is_conflict() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = DetailPage {
        base: Base::new(ctx, v.title.clone(), "visits"),
        v,
        f,
        notice,
        rooms,
        guests,
        home_people,
        home_units,
        users,
        history,
        today: crate::time::today(),
        feed,
        feed_kind: "visit",
        feed_subject: id,
        agreements,
    };
    Ok((status, render(&page)).into_response())
}

/// Query of the visit page: a notice to show after a change (e.g. a warning).
#[derive(Debug, Default, serde::Deserialize)]
struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> AppResult<Response> {
    detail_page(&state, &ctx, id, FormState::default(), q.notice).await
}

/// Runs a change in one transaction; then back to the visit (with any warnings as a
/// notice), or the visit page again with the form's messages.
async fn apply<F>(state: &AppState, ctx: &Ctx, id: i64, form: &'static str, fields: Vec<(String, String)>, change: F) -> AppResult<Response>
where
    F: AsyncFnOnce(&mut sqlx::AnyConnection) -> AppResult<Vec<String>>,
{
    let mut tx = state.db.begin().await?;
    match change(&mut tx).await {
        Ok(warnings) => {
            tx.commit().await?;
            let notice = if warnings.is_empty() { String::new() } else { format!("?notice={}", urlencode(&warnings.join(" "))) };
            Ok(Redirect::to(&format!("/visits/{id}{notice}#{form}")).into_response())
        }
        Err(e) => {
            drop(tx);
            let f = FormState::failed(form, fields, e)?.localized(ctx.locale);
            detail_page(state, ctx, id, f, String::new()).await
        }
    }
}

async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (to, reason) = (field(&fields, "status").to_string(), field(&fields, "reason").to_string());
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "status", fields, async |c| queries::set_status(c, &actor, id, &to, Some(&reason)).await.map(|_| Vec::new()))
        .await
}

async fn add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let m = MemberInput { person_id: opt_id(&fields, "person_id").unwrap_or(0), role: field(&fields, "role").to_string() };
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "members", fields, async |c| queries::add_member(c, &actor, id, &m).await).await
}

async fn add_host(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let h = HostInput { person_id: opt_id(&fields, "person_id"), unit_id: opt_id(&fields, "unit_id") };
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "hosts", fields, async |c| queries::add_host(c, &actor, id, &h).await.map(|_| Vec::new())).await
}

/// Turns the form's local date and times into instants in the venue's time zone.
async fn session_input(conn: &mut sqlx::AnyConnection, visit_tz: &str, fields: &[(String, String)]) -> AppResult<NewSession> {
    let room_id = opt_id(fields, "room_id");
    let tz = match room_id {
        Some(r) => sqlx::query_scalar("SELECT b.time_zone FROM rooms r JOIN buildings b ON b.id = r.building_id WHERE r.id = $1")
            .bind(r)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or_else(|| visit_tz.to_string()),
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

async fn add_session(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let actor = Actor::from(&*user);
    let kept = fields.clone();
    apply(&state, &ctx, id, "sessions", kept, async |c| {
        let tz: String = sqlx::query_scalar("SELECT time_zone FROM visits WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
            .ok_or(AppError::NotFound)?;
        let input = session_input(&mut *c, &tz, &fields).await?;
        sessions::add(c, &actor, id, &input).await.map(|(_, w)| w)
    })
    .await
}

async fn delete_session(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath((id, sid)): ApiPath<(i64, i64)>,
) -> AppResult<Response> {
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "sessions", Vec::new(), async |c| {
        let s = sessions::get(&mut *c, sid).await?;
        if s.visit_id != id {
            return Err(AppError::NotFound);
        }
        sessions::delete(c, &actor, sid).await.map(|_| Vec::new())
    })
    .await
}

async fn add_outcome(
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

async fn add_action(
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
async fn action_status(
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

#[derive(Template)]
#[template(path = "visits/itinerary.html")]
struct ItineraryPage {
    base: Base,
    v: Visit,
    home: String,
}

impl ItineraryPage {
    fn t_key(&self, prefix: &str, key: &str) -> String {
        self.base.t(&format!("{prefix}.{key}")).to_string()
    }

    fn area(&self, key: &str) -> String {
        crate::cooperation::area_name(key, if self.base.is_zh() { "zh" } else { "en" }).to_string()
    }
}

async fn itinerary(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let v = queries::get_visit(&mut conn, id).await?;
    let home: Option<String> = sqlx::query_scalar("SELECT name_en FROM institutions WHERE is_home = 1").fetch_optional(&mut *conn).await?;
    Ok(render(&ItineraryPage { base: Base::new(&ctx, v.title.clone(), "visits"), v, home: home.unwrap_or_default() }))
}

#[derive(Template)]
#[template(path = "visits/day.html")]
struct DayPage {
    base: Base,
    date: String,
    prev: String,
    next: String,
    sessions: Vec<(Session, String)>,
}

impl DayPage {
    fn t_key(&self, prefix: &str, key: &str) -> String {
        self.base.t(&format!("{prefix}.{key}")).to_string()
    }
}

/// Which day the agenda shows.
#[derive(Debug, Default, serde::Deserialize)]
struct DayQuery {
    #[serde(default)]
    date: String,
}

/// `GET /agenda?date=`: every session of every visit on one day (office time zone).
async fn day_view(State(state): State<AppState>, ctx: Ctx, ApiQuery(q): ApiQuery<DayQuery>) -> AppResult<Response> {
    let date: jiff::civil::Date = if q.date.is_empty() {
        crate::time::today().parse().map_err(|_| AppError::field("date", "bad date"))?
    } else {
        q.date.parse().map_err(|_| AppError::field("date", "use a date such as 2024-05-08"))?
    };
    let mut conn = state.db.pool.acquire().await?;
    let sessions = sessions::on_day(&mut conn, &date.to_string(), "Asia/Shanghai").await?;
    let step = |d: Result<jiff::civil::Date, jiff::Error>| d.map(|d| d.to_string()).unwrap_or_default();
    Ok(render(&DayPage {
        base: Base::new(&ctx, Tr(ctx.locale).t("visits.agenda"), "visits"),
        date: date.to_string(),
        prev: step(date.yesterday()),
        next: step(date.tomorrow()),
        sessions,
    }))
}

#[derive(Template)]
#[template(path = "visits/actions.html")]
struct ActionsPage {
    base: Base,
    mine: Vec<Action>,
    overdue: Vec<Action>,
    today: String,
}

/// `GET /actions`: the caller's actions and everyone's overdue ones.
async fn my_actions(State(state): State<AppState>, ctx: Ctx, User(user): User) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let mine =
        queries::list_actions(&mut conn, &ActionFilter { owner_id: Some(user.id), status: Some("open".into()), ..Default::default() })
            .await?;
    let overdue = queries::list_actions(&mut conn, &ActionFilter { overdue: Some(true), ..Default::default() }).await?;
    Ok(render(&ActionsPage {
        base: Base::new(&ctx, Tr(ctx.locale).t("visits.actions"), "visits"),
        mine,
        overdue,
        today: crate::time::today(),
    }))
}
