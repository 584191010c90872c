//! Pages of visits: list, form, the visit with its delegation, agenda, outcomes and
//! actions, a day view of the office's agenda, the printable itinerary and "my actions".
//! Forms post to small handlers (in `changes`) that call the same domain functions as
//! the API; a form with problems re-renders the visit page with inline messages and the
//! input kept. The day view, itinerary and actions list are in `views`.

mod changes;
mod views;

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};

use super::{
    model::{Visit, VisitStatus, VisitSummary},
    queries::{self, VisitQuery},
};
use crate::{
    audit::{self, Actor, AuditEvent},
    auth::{Access, Permission},
    error::{AppError, AppResult},
    rooms::Room,
    status::Status,
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, ApiQuery, FormData},
        forms::{FormState, field},
        i18n::Tr,
        pages::Base,
        render,
        routes::Routes,
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
        .get("/visits/{id}/itinerary", view, get(views::itinerary))
        .post("/visits/{id}/status", edit, post(changes::change_status))
        .post("/visits/{id}/members", edit, post(changes::add_member))
        .post("/visits/{id}/hosts", edit, post(changes::add_host))
        .post("/visits/{id}/sessions", edit, post(changes::add_session))
        .post("/visits/{id}/sessions/{sid}/delete", edit, post(changes::delete_session))
        .post("/visits/{id}/outcomes", edit, post(changes::add_outcome))
        .post("/visits/{id}/actions", edit, post(changes::add_action))
        .post("/actions/{id}/status", view, post(changes::action_status))
        .get("/agenda", view, get(views::day_view))
        .get("/actions", view, get(views::my_actions))
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

    fn statuses(&self) -> &'static [VisitStatus] {
        VisitStatus::ALL
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
            let f = FormState::failed("visit", fields, e, ctx.locale)?;
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

async fn detail_page(state: &AppState, ctx: &Ctx, id: i64, f: FormState, notice: String) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let v = queries::get_visit(&mut conn, id).await?;
    let rooms = crate::rooms::queries::list_rooms(&mut conn, None).await?;
    let home = crate::institutions::lookup::home(&mut conn).await?.map(|h| h.0).unwrap_or(0);
    let home_units = queries::units_of(&mut conn, home).await?;
    let feed = crate::feeds::feed_path(&mut conn, crate::feeds::FeedKind::Visit, id).await?;
    let agreements = queries::agreements_of(&mut conn, id).await?;
    let mut guests = Vec::new();
    for i in &v.institutions {
        guests.extend(queries::people_of(&mut conn, i.id).await?);
    }
    guests.dedup();
    let home_people = queries::people_of(&mut conn, home).await?;
    let users = queries::active_users(&mut conn).await?;
    drop(conn);
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
