//! Pages of visits: list, form, the visit with its delegation, agenda, outcomes and
//! actions, a day view of the office's agenda, the printable itinerary and "my actions".
//! Forms post to small handlers (in `changes`) that call the same domain functions as
//! the API; a form with problems re-renders the visit page with inline messages and the
//! input kept. The day view, itinerary and actions list are in `views`.

mod changes;
mod delegation;
mod session_edit;
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
        .get("/visits/{id}/edit", edit, get(edit_form))
        .post("/visits/{id}/edit", edit, post(save))
        .get("/visits/{id}/itinerary", view, get(views::itinerary))
        .post("/visits/{id}/status", edit, post(changes::change_status))
        .post("/visits/{id}/members", edit, post(delegation::add_members))
        .post("/visits/{id}/members/{person_id}/delete", edit, post(delegation::remove_member))
        .post("/visits/{id}/hosts", edit, post(delegation::add_host))
        .post("/visits/{id}/hosts/{host_id}/delete", edit, post(delegation::remove_host))
        .post("/visits/{id}/sessions", edit, post(changes::add_session))
        .post("/visits/{id}/sessions/{sid}/delete", edit, post(changes::delete_session))
        .get("/visits/{id}/sessions/{sid}/edit", edit, get(session_edit::edit_form))
        .post("/visits/{id}/sessions/{sid}/edit", edit, post(session_edit::save))
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
    from: String,
    to: String,
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
        from: q.from.map(|d| d.to_string()).unwrap_or_default(),
        to: q.to.map(|d| d.to_string()).unwrap_or_default(),
    }))
}

#[derive(Template)]
#[template(path = "visits/new.html")]
struct NewPage {
    base: Base,
    f: FormState,
    action: String,
    back: String,
    editing: bool,
}

impl NewPage {
    fn new(ctx: &Ctx, f: FormState) -> NewPage {
        let base = Base::new(ctx, Tr(ctx.locale).t("visits.new"), "visits");
        NewPage { base, f, action: "/visits/new".into(), back: "/visits".into(), editing: false }
    }

    fn edit(ctx: &Ctx, id: i64, f: FormState) -> NewPage {
        let base = Base::new(ctx, Tr(ctx.locale).t("visits.edit"), "visits");
        NewPage { base, f, action: format!("/visits/{id}/edit"), back: format!("/visits/{id}"), editing: true }
    }
}

async fn new_form(ctx: Ctx) -> Response {
    render(&NewPage::new(&ctx, FormState::default()))
}

/// `GET /visits/{id}/edit`: the visit's own fields (its delegation, hosts and agenda are
/// changed on its page).
async fn edit_form(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let v = queries::get_visit(&mut *state.db.pool.acquire().await?, id).await?;
    let fields = [
        ("title", v.title),
        ("purpose", v.purpose),
        ("start_date", v.start_date),
        ("end_date", v.end_date),
        ("time_zone", v.time_zone),
        ("head_count", v.head_count.to_string()),
    ];
    let f = FormState::filled("visit", fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
    Ok(render(&NewPage::edit(&ctx, id, f)))
}

/// `POST /visits/{id}/edit`: the same change as `PATCH /api/v1/visits/{id}`.
async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let text = |name: &str| Some(field(&fields, name).trim().to_string());
    let count_text = field(&fields, "head_count").trim().to_string();
    let head_count = count_text.parse::<i64>().ok();
    let u = super::model::UpdateVisit {
        title: text("title"),
        purpose: text("purpose"),
        start_date: text("start_date"),
        end_date: text("end_date"),
        time_zone: text("time_zone").filter(|t| !t.is_empty()),
        head_count,
    };
    let actor = Actor::from(&*user);
    crate::web::forms::apply(
        &state.db,
        async |c| {
            if !count_text.is_empty() && head_count.is_none() {
                let e = crate::error::FieldError::new("head_count", "Give the head count as a whole number, such as 4.");
                return Err(AppError::Validation(vec![e]));
            }
            queries::update_visit(c, &actor, id, &u).await
        },
        |_| format!("/visits/{id}"),
        async |e| {
            let f = FormState::failed("visit", fields, e, ctx.locale)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&NewPage::edit(&ctx, id, f))).into_response())
        },
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let actor = Actor::from(&*user);
    let (text, domain) = (field(&fields, "institution"), field(&fields, "institution_domain"));
    let institution = crate::institutions::partner_field::partner_from_form(&state, &actor, text, domain).await?;
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
            match queries::create_visit(&mut tx, &actor, &input).await {
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
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&NewPage::new(&ctx, f))).into_response())
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

/// What the session form (`_session_fields.html`) asks of the page it is on: labels,
/// the kinds, topics and the people who may take part.
trait AgendaForm {
    fn base(&self) -> &Base;
    fn visit(&self) -> &Visit;

    fn t_key(&self, prefix: &str, key: &str) -> String {
        self.base().t(&format!("{prefix}.{key}")).to_string()
    }

    fn area(&self, key: &str) -> String {
        crate::cooperation::area_name(key, self.base().lang_code()).to_string()
    }

    fn areas(&self) -> Vec<(&'static str, &'static str)> {
        crate::cooperation::AREAS.iter().map(|a| (a.key, a.name(self.base().lang_code()))).collect()
    }

    fn kinds(&self) -> &'static [&'static str] {
        super::model::SESSION_KINDS
    }

    fn roles(&self) -> &'static [&'static str] {
        super::model::MEMBER_ROLES
    }

    /// People who may take part in a session: the delegation and the host officials.
    fn participants(&self) -> Vec<(i64, String)> {
        let v = self.visit();
        let mut out: Vec<(i64, String)> = v.members.iter().map(|m| (m.person_id, m.name_en.clone())).collect();
        out.extend(v.hosts.iter().filter_map(|h| h.person_id.map(|p| (p, h.name.clone()))));
        out
    }

    fn session_default_date(&self) -> &str {
        &self.visit().start_date
    }

    /// The record's Chinese text on a Chinese page where it has one, else the English.
    fn pick<'a>(&self, en: &'a str, zh: &'a Option<String>) -> &'a str {
        match zh {
            Some(z) if self.base().is_zh() && !z.trim().is_empty() => z,
            _ => en,
        }
    }

    /// Titles in the page's language.
    fn titles_in<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        if self.base().is_zh() && !zh.is_empty() { zh } else { en }
    }
}

impl AgendaForm for DetailPage {
    fn base(&self) -> &Base {
        &self.base
    }
    fn visit(&self) -> &Visit {
        &self.v
    }
}

impl DetailPage {
    fn new_rows(&self) -> usize {
        delegation::NEW_ROWS
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
