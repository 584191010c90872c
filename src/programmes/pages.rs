//! Pages of programmes and mobilities: the programme list, the new-programme form (with
//! the fields of progression and research programmes), the mobility list with filters,
//! and status buttons. The programme page and its forms are in `detail`.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::{
    changes, detail, mobilities,
    model::{Mobility, MobilityQuery, MobilityStatus, NewProgramme, ProgrammeQuery, ProgrammeStatus, ProgrammeSummary},
    queries,
};
use crate::{
    audit::Actor,
    auth::{Access, Permission},
    error::{AppError, AppResult},
    status::Status,
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, ApiQuery, FormData},
        i18n::Tr,
        pages::Base,
        render,
        routes::{Routes, urlencode},
    },
};

/// Routes of the pages.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let edit = Access::Permission(Permission::EditAgreements);
    let record = Access::Permission(Permission::EditMobilities);
    Routes::new()
        .get("/programmes", view, get(list))
        .get("/programmes/new", edit, get(new_form))
        .post("/programmes/new", edit, post(create))
        .get("/mobilities", view, get(mobility_list))
        .post("/mobilities/{id}/status", record, post(mobility_status))
        .get("/programmes/{id}/edit", edit, get(super::edit_page::edit_form))
        .post("/programmes/{id}/edit", edit, post(super::edit_page::save))
        .merge(detail::routes())
}

pub use crate::web::forms::{FormState, field, opt_text as opt};

/// Translations of keys with a prefix, and area names, shared by the templates.
pub trait Words {
    /// The page's base.
    fn base(&self) -> &Base;

    /// `programmes.<prefix>.<key>` in the reader's language.
    fn tk(&self, prefix: &str, key: &str) -> String {
        self.base().t(&format!("programmes.{prefix}.{key}")).to_string()
    }

    /// A cooperation area's name in the reader's language.
    fn area(&self, key: &str) -> String {
        crate::cooperation::area_name(key, self.base().lang_code()).to_string()
    }

    /// Every area (key, name).
    fn areas(&self) -> Vec<(&'static str, &'static str)> {
        crate::cooperation::AREAS.iter().map(|a| (a.key, a.name(self.base().lang_code()))).collect()
    }

    /// Every programme status, for filters and forms.
    fn programme_statuses(&self) -> &'static [ProgrammeStatus] {
        ProgrammeStatus::ALL
    }

    /// Every mobility status, for filters.
    fn mobility_statuses(&self) -> &'static [MobilityStatus] {
        MobilityStatus::ALL
    }

    /// The status buttons of a mobility: the steps its status machine allows.
    fn next(&self, status: &MobilityStatus) -> &'static [MobilityStatus] {
        status.allowed_next()
    }
}

#[derive(Template)]
#[template(path = "programmes/list.html")]
struct ListPage {
    base: Base,
    programmes: Vec<ProgrammeSummary>,
    area: String,
    status: String,
    agreement_id: String,
}

impl Words for ListPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

async fn list(State(state): State<AppState>, ctx: Ctx, ApiQuery(q): ApiQuery<ProgrammeQuery>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let programmes = queries::list_programmes(&mut conn, &q).await?;
    Ok(render(&ListPage {
        base: Base::new(&ctx, Tr(ctx.locale).t("programmes.title"), "programmes"),
        programmes,
        area: q.area.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        agreement_id: q.agreement_id.map(|a| a.to_string()).unwrap_or_default(),
    }))
}

#[derive(Template)]
#[template(path = "programmes/new.html")]
pub(super) struct NewPage {
    pub(super) base: Base,
    pub(super) f: FormState,
    pub(super) agreements: Vec<(i64, String)>,
    pub(super) agreement_id: String,
    /// Where the form posts (`/programmes/new` or `/programmes/{id}/edit`).
    pub(super) action: String,
    /// Editing: the agreement and area stay (a programme moves to no other agreement).
    pub(super) editing: bool,
}

impl Words for NewPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

/// Query of the new-programme form.
#[derive(Debug, Default, Deserialize)]
struct NewQuery {
    agreement_id: Option<i64>,
}

async fn new_page(state: &AppState, ctx: &Ctx, f: FormState, agreement_id: String) -> AppResult<NewPage> {
    let mut conn = state.db.pool.acquire().await?;
    let agreements = queries::agreement_choices(&mut conn).await?;
    let base = Base::new(ctx, Tr(ctx.locale).t("programmes.new"), "programmes");
    Ok(NewPage { base, f, agreements, agreement_id, action: "/programmes/new".into(), editing: false })
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, ApiQuery(q): ApiQuery<NewQuery>) -> AppResult<Response> {
    let page = new_page(&state, &ctx, FormState::default(), q.agreement_id.map(|a| a.to_string()).unwrap_or_default()).await?;
    Ok(render(&page))
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let input = NewProgramme {
        agreement_id: field(&fields, "agreement_id").parse().unwrap_or(0),
        area: field(&fields, "area").to_string(),
        title: field(&fields, "title").to_string(),
        status: opt(&fields, "status"),
        start_date: opt(&fields, "start_date"),
        end_date: opt(&fields, "end_date"),
        structure: opt(&fields, "structure"),
        structure_notes: field(&fields, "structure_notes").to_string(),
        project_title: opt(&fields, "project_title"),
        investigators: field(&fields, "investigators").to_string(),
        funding: field(&fields, "funding").to_string(),
    };
    let mut tx = state.db.begin().await?;
    match changes::create_programme(&mut tx, &Actor::from(&*user), &input).await {
        Ok(id) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/programmes/{id}")).into_response())
        }
        Err(e) => {
            drop(tx);
            let agreement_id = field(&fields, "agreement_id").to_string();
            let page = new_page(&state, &ctx, FormState::failed("programme", fields, e, ctx.locale)?, agreement_id).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "programmes/mobilities.html")]
struct MobilitiesPage {
    base: Base,
    items: Vec<Mobility>,
    total: i64,
    page: i64,
    pages: i64,
    q: MobilityQuery,
    query: String,
    notice: String,
}

impl Words for MobilitiesPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

impl MobilitiesPage {
    /// Where a status button returns to: this page with its filters.
    fn back(&self) -> String {
        format!("/mobilities?page={}{}", self.page, self.query)
    }

    fn text(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }
}

/// A notice to show after a change.
#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    /// The text.
    #[serde(default)]
    pub notice: String,
}

async fn mobility_list(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<MobilityQuery>,
    ApiQuery(n): ApiQuery<NoticeQuery>,
) -> AppResult<Response> {
    let notice = n.notice;
    let mut conn = state.db.pool.acquire().await?;
    let (items, total) = queries::list_mobilities(&mut conn, &q).await?;
    let (page, per_page) = q.paging();
    let mut query = String::new();
    for (k, v) in [
        ("programme_id", q.programme_id.map(|v| v.to_string())),
        ("academic_year", q.academic_year.clone()),
        ("direction", q.direction.clone()),
        ("status", q.status.clone()),
        ("person_id", q.person_id.map(|v| v.to_string())),
    ] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            query.push_str(&format!("&{k}={}", urlencode(&v)));
        }
    }
    Ok(render(&MobilitiesPage {
        base: Base::new(&ctx, Tr(ctx.locale).t("programmes.mobilities"), "programmes"),
        items,
        total,
        page,
        pages: ((total + per_page - 1) / per_page).max(1),
        q,
        query,
        notice,
    }))
}

async fn mobility_status(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let back = match field(&fields, "back") {
        b if b.starts_with('/') && !b.starts_with("//") => b.to_string(),
        _ => "/mobilities".to_string(),
    };
    let mut tx = state.db.begin().await?;
    let result = match queries::mobility_unit(&mut tx, id).await.and_then(|u| mobilities::may_record(&user, u)) {
        Ok(()) => match MobilityStatus::parse_field("status", field(&fields, "status")) {
            Ok(to) => mobilities::set_status(&mut tx, &Actor::from(&*user), id, to).await.map(|_| ()),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let sep = if back.contains('?') { '&' } else { '?' };
    match result {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&back).into_response())
        }
        Err(AppError::Validation(v)) => {
            let msg: Vec<String> = v.into_iter().map(|e| e.message).collect();
            Ok(Redirect::to(&format!("{back}{sep}notice={}", urlencode(&msg.join(" ")))).into_response())
        }
        Err(e) => Err(e),
    }
}
