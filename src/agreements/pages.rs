//! Pages of agreements: the list with filters and CSV/XLSX export, and the new-agreement
//! form (the partner typed and matched; our institution added as a party). The
//! agreement page and its forms are in `detail_pages`.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};

use super::{
    changes, detail_pages,
    model::{AgreementQuery, AgreementStatus, AgreementSummary, KINDS, NewAgreement, PartyInput},
    queries,
};
use crate::{
    audit::Actor,
    auth::{Access, Permission},
    error::{AppError, AppResult},
    institutions::partner_field::partner_from_form,
    status::Status,
    tabular::{Format, Table},
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiQuery, FormData},
        i18n::Tr,
        pages::Base,
        render,
    },
};

/// Routes of the pages.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let edit = Access::Permission(Permission::EditAgreements);
    Routes::new()
        .get("/agreements", view, get(list))
        .get("/agreements/export.csv", view, get(export_csv))
        .get("/agreements/export.xlsx", view, get(export_xlsx))
        .get("/agreements/new", edit, get(new_form))
        .post("/agreements/new", edit, post(create))
        .get("/agreements/{id}/edit", edit, get(edit_page::edit_form))
        .post("/agreements/{id}/edit", edit, post(edit_page::save))
        .merge(detail_pages::routes())
}

use super::edit_page;
pub use crate::web::forms::{FormState, field, opt_id, opt_text};
use crate::web::routes::Routes;

#[derive(Template)]
#[template(path = "agreements/list.html")]
struct ListPage {
    base: Base,
    items: Vec<AgreementSummary>,
    total: i64,
    q: AgreementQuery,
    query_string: String,
}

impl ListPage {
    fn tk(&self, prefix: &str, key: impl std::fmt::Display) -> String {
        self.base.t(&format!("agreements.{prefix}.{key}")).to_string()
    }

    fn statuses(&self) -> &'static [AgreementStatus] {
        AgreementStatus::ALL
    }

    fn kinds(&self) -> &'static [&'static str] {
        KINDS
    }

    fn areas(&self) -> Vec<(&'static str, &'static str)> {
        crate::cooperation::AREAS.iter().map(|a| (a.key, a.name(self.base.lang_code()))).collect()
    }

    fn sel(&self, v: &Option<String>, key: &str) -> bool {
        v.as_deref() == Some(key)
    }
}

fn query_string(q: &AgreementQuery) -> String {
    let mut parts = Vec::new();
    let mut add = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", crate::web::routes::urlencode(&v)));
        }
    };
    add("status", q.status.clone());
    add("kind", q.kind.clone());
    add("institution_id", q.institution_id.map(|i| i.to_string()));
    add("area", q.area.clone());
    add("unit_id", q.unit_id.map(|i| i.to_string()));
    add("expiring_before", q.expiring_before.clone());
    parts.join("&")
}

async fn list(State(state): State<AppState>, ctx: Ctx, ApiQuery(q): ApiQuery<AgreementQuery>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let (items, total) = queries::list_agreements(&mut conn, &q, false).await?;
    let query_string = query_string(&q);
    Ok(render(&ListPage { base: Base::new(&ctx, Tr(ctx.locale).t("agreements.title"), "agreements"), items, total, q, query_string }))
}

async fn export_csv(state: State<AppState>, q: ApiQuery<AgreementQuery>) -> AppResult<Response> {
    export(state, q, Format::Csv).await
}

async fn export_xlsx(state: State<AppState>, q: ApiQuery<AgreementQuery>) -> AppResult<Response> {
    export(state, q, Format::Xlsx).await
}

/// The list as filtered, every page.
async fn export(State(state): State<AppState>, ApiQuery(q): ApiQuery<AgreementQuery>, format: Format) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let (items, _) = queries::list_agreements(&mut conn, &q, true).await?;
    let table = Table {
        headers: ["id", "kind", "title", "status", "partners", "effective_date", "expiry_date"].map(String::from).to_vec(),
        rows: items
            .into_iter()
            .map(|a| {
                vec![
                    a.id.to_string(),
                    a.kind,
                    a.title,
                    a.status.to_string(),
                    a.partners,
                    a.effective_date.unwrap_or_default(),
                    a.expiry_date.unwrap_or_default(),
                ]
            })
            .collect(),
    };
    let bytes = table.write(format, "Agreements")?;
    crate::web::download::table(bytes, format, "agreements")
}

#[derive(Template)]
#[template(path = "agreements/new.html")]
pub(super) struct NewPage {
    pub(super) base: Base,
    pub(super) f: FormState,
    pub(super) visits: Vec<(i64, String)>,
    pub(super) units: Vec<(i64, String)>,
    /// Where the form posts (`/agreements/new` or `/agreements/{id}/edit`).
    pub(super) action: String,
    /// Editing an agreement: its parties stay as they are (changed on its page).
    pub(super) editing: bool,
}

impl NewPage {
    fn tk(&self, prefix: &str, key: impl std::fmt::Display) -> String {
        self.base.t(&format!("agreements.{prefix}.{key}")).to_string()
    }

    fn kinds(&self) -> &'static [&'static str] {
        KINDS
    }

    fn areas(&self) -> Vec<(&'static str, &'static str)> {
        crate::cooperation::AREAS.iter().map(|a| (a.key, a.name(self.base.lang_code()))).collect()
    }
}

/// Visits (latest first, with their institutions) and the home institution's units, for the form's selects.
pub(super) async fn choices(state: &AppState) -> AppResult<(Vec<(i64, String)>, Vec<(i64, String)>)> {
    let mut conn = state.db.pool.acquire().await?;
    let rows = queries::recent_visits(&mut conn, 200).await?;
    let mut visits = Vec::with_capacity(rows.len());
    for (id, title, start) in rows {
        let names = queries::visit_institution_names(&mut conn, id).await?;
        visits.push((id, format!("{start} · {} · {title}", names.join(", "))));
    }
    let unit_ids = queries::home_unit_ids(&mut conn).await?;
    let mut units = Vec::with_capacity(unit_ids.len());
    for u in unit_ids {
        units.push((u, crate::institutions::lookup::unit_label(&mut conn, u).await?));
    }
    Ok((visits, units))
}

async fn new_page(state: &AppState, ctx: &Ctx, f: FormState) -> AppResult<Response> {
    let (visits, units) = choices(state).await?;
    let status = if f.form.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let base = Base::new(ctx, Tr(ctx.locale).t("agreements.new"), "agreements");
    let page = NewPage { base, f, visits, units, action: "/agreements/new".into(), editing: false };
    Ok((status, render(&page)).into_response())
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    new_page(&state, &ctx, FormState::default()).await
}

/// The form's input: our institution and the typed partner as parties.
async fn new_input(state: &AppState, actor: &Actor, user_id: i64, fields: &[(String, String)]) -> AppResult<NewAgreement> {
    let home = crate::institutions::lookup::home_id(&mut *state.db.pool.acquire().await?).await?;
    let home = home.ok_or_else(|| AppError::field("institution", "record our own institution first"))?;
    let partner = partner_from_form(state, actor, field(fields, "institution"), field(fields, "institution_domain"))
        .await?
        .map_err(|e| AppError::Validation(vec![e]))?
        .ok_or_else(|| AppError::field("institution", "type the partner institution's name, acronym or web domain"))?;
    Ok(NewAgreement {
        kind: field(fields, "kind").to_string(),
        title: field(fields, "title").to_string(),
        parties: vec![PartyInput { institution_id: home, unit_id: None }, PartyInput { institution_id: partner, unit_id: None }],
        areas: fields.iter().filter(|(k, _)| k == "areas").map(|(_, v)| v.clone()).collect(),
        signed_date: opt_text(fields, "signed_date"),
        effective_date: opt_text(fields, "effective_date"),
        expiry_date: opt_text(fields, "expiry_date"),
        notice_days: field(fields, "notice_days").parse().ok(),
        auto_renew: field(fields, "auto_renew") == "1",
        visit_id: opt_id(fields, "visit_id"),
        responsible_id: Some(user_id),
        unit_id: opt_id(fields, "unit_id"),
        notes: field(fields, "notes").to_string(),
    })
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let result = async {
        let input = new_input(&state, &Actor::from(&*user), user.id, &fields).await?;
        let mut tx = state.db.begin().await?;
        let id = changes::create_agreement(&mut tx, &Actor::from(&*user), &input).await?;
        tx.commit().await?;
        Ok::<i64, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/agreements/{id}")).into_response()),
        Err(e) => new_page(&state, &ctx, FormState::failed("agreement", fields, e, ctx.locale)?).await,
    }
}
