//! HTML pages of the institutions module: the list, a record, its forms, people and the
//! merge form; `export` has the downloads and `directory` the worldwide directory and
//! the public partner page.

mod directory;
mod export;
mod suggest;

pub use directory::{directory_page, promote_form};
pub use export::{export_institutions_csv, export_institutions_xlsx, export_people_csv, export_people_xlsx};
pub use suggest::suggest;

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    api,
    model::{Institution, InstitutionInput, KINDS, Person, Position, Unit},
    queries::{self, InstitutionQuery},
};
use crate::{
    audit::{self, Actor, AuditEvent},
    error::{AppError, AppResult},
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, ApiQuery, FormData},
        i18n::Tr,
        pages::Base,
        render,
    },
};

#[derive(Template)]
#[template(path = "institutions/list.html")]
struct ListPage {
    base: Base,
    items: Vec<Institution>,
    total: i64,
    q: String,
    country: String,
    status: String,
    strength: String,
    area: String,
    page: i64,
    pages: i64,
}

#[derive(Template)]
#[template(path = "institutions/_rows.html")]
struct Rows {
    base: Base,
    items: Vec<Institution>,
    total: i64,
    q: String,
    country: String,
    status: String,
    strength: String,
    area: String,
    page: i64,
    pages: i64,
}

/// `GET /institutions`: the list; an htmx request gets only the result rows.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<InstitutionQuery>,
) -> AppResult<Response> {
    let (items, total) = api::search(&state, &q).await?;
    let (page, per_page) = q.paging();
    let pages = ((total + per_page - 1) / per_page).max(1);
    let base = Base::new(&ctx, Tr(ctx.locale).t("institutions.title"), "institutions");
    let (q_text, country, status) =
        (q.q.clone().unwrap_or_default(), q.country.clone().unwrap_or_default(), q.status.clone().unwrap_or_default());
    let (strength, area) = (q.strength.unwrap_or_default(), q.area.unwrap_or_default());
    if headers.contains_key("hx-request") {
        return Ok(render(&Rows { base, items, total, q: q_text, country, status, strength, area, page, pages }));
    }
    Ok(render(&ListPage { base, items, total, q: q_text, country, status, strength, area, page, pages }))
}

#[derive(Template)]
#[template(path = "institutions/detail.html")]
struct DetailPage {
    base: Base,
    inst: Institution,
    units: Vec<Unit>,
    positions: Vec<Position>,
    history: Vec<AuditEvent>,
}

/// `GET /institutions/{id}`.
pub async fn detail(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let inst = queries::get_institution(&mut conn, id).await?;
    drop(conn);
    let units = queries::units_of(&state.db, id).await?;
    let positions = queries::positions_at(&state.db, id).await?;
    let history = audit::history(&state.db, "institution", id).await?;
    let zh = ctx.locale == crate::web::i18n::Locale::Zh;
    let base = Base::new(&ctx, inst.display_name(zh).to_string(), "institutions");
    Ok(render(&DetailPage { base, inst, units, positions, history }))
}

#[derive(Template)]
#[template(path = "institutions/form.html")]
struct FormPage {
    base: Base,
    action: String,
    form: InstitutionForm,
    errors: Vec<(String, String)>,
    kinds: &'static [&'static str],
    duplicates: Vec<(i64, String)>,
}

impl FormPage {
    /// Text inputs: (name, label key, value, placeholder).
    fn fields(&self) -> Vec<(&'static str, &'static str, &str, &'static str)> {
        let f = &self.form;
        vec![
            ("name_en", "institutions.name_en", &f.name_en, ""),
            ("name_zh", "institutions.name_zh", &f.name_zh, ""),
            ("name_local", "institutions.name_local", &f.name_local, ""),
            ("acronym", "institutions.acronym", &f.acronym, "IUKL"),
            ("city", "institutions.city", &f.city, ""),
            ("website", "institutions.website", &f.website, "https://"),
            ("schac_code", "institutions.schac_code", &f.schac_code, "iukl.edu.my"),
            ("ror_id", "institutions.ror_id", &f.ror_id, "05dxps055"),
            ("erasmus_code", "institutions.erasmus_code", &f.erasmus_code, "D  BERLIN01"),
            ("strengths", "institutions.strengths", &f.strengths, "engineering, infrastructure"),
        ]
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// True if some field (not the form as a whole) has a message.
    fn fields_invalid(&self) -> bool {
        self.errors.iter().any(|(f, _)| f != "form")
    }

    /// Countries (CLDR names in the UI language, sorted by name), for the country select.
    fn countries(&self) -> Vec<(&'static str, &'static str)> {
        let lang = self.base.lang_code();
        let mut all: Vec<(&'static str, &'static str)> = crate::reference::countries().iter().map(|c| (c.code, c.name(lang))).collect();
        all.sort_by(|a, b| a.1.cmp(b.1));
        all
    }

    /// An institution kind in the UI language.
    fn kind_name(&self, kind: &str) -> String {
        self.base.t(&format!("institutions.kind.{kind}")).to_string()
    }
}

/// The form's fields as typed (kept on errors so nothing is lost).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct InstitutionForm {
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    name_local: String,
    #[serde(default)]
    acronym: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    schac_code: String,
    #[serde(default)]
    ror_id: String,
    #[serde(default)]
    erasmus_code: String,
    #[serde(default)]
    is_public: Option<String>,
    #[serde(default)]
    strengths: String,
    #[serde(default)]
    force: Option<String>,
    #[serde(default)]
    version: Option<i64>,
}

impl From<InstitutionForm> for InstitutionInput {
    fn from(f: InstitutionForm) -> Self {
        InstitutionInput {
            name_en: Some(f.name_en),
            name_zh: Some(f.name_zh),
            name_local: Some(f.name_local),
            acronym: Some(f.acronym),
            country: Some(f.country),
            city: Some(f.city),
            website: Some(f.website),
            kind: Some(f.kind),
            schac_code: Some(f.schac_code),
            ror_id: Some(f.ror_id),
            erasmus_code: Some(f.erasmus_code),
            is_public: Some(f.is_public.is_some()),
            strengths: Some(f.strengths.split([',', '，', ';']).map(str::to_string).collect()),
            force: Some(f.force.is_some()),
            version: f.version,
        }
    }
}

fn form_page(ctx: &Ctx, action: String, form: InstitutionForm, errors: Vec<(String, String)>) -> FormPage {
    let key = if form.version.is_some() { "institutions.edit" } else { "institutions.new" };
    let errors = Tr(ctx.locale).field_messages(errors);
    FormPage { base: Base::new(ctx, Tr(ctx.locale).t(key), "institutions"), action, form, errors, kinds: &KINDS, duplicates: Vec::new() }
}

/// Re-renders the form with inline messages on validation errors and conflicts.
fn form_result(ctx: &Ctx, action: String, form: InstitutionForm, result: AppResult<Institution>) -> AppResult<Response> {
    match result {
        Ok(inst) => Ok(Redirect::to(&format!("/institutions/{}", inst.id)).into_response()),
        Err(AppError::Validation(errs)) => {
            let errors = errs.into_iter().map(|e| (e.field, e.message)).collect();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&form_page(ctx, action, form, errors))).into_response())
        }
        Err(AppError::Conflict(_, cands)) => {
            // The API's message tells a client to send "force"; the page has a checkbox.
            let msg = "This looks like an institution already recorded (below). Open it, or tick “create it anyway” below the form to add another.";
            let mut page = form_page(ctx, action, form, vec![("form".into(), msg.into())]);
            page.duplicates = cands
                .and_then(|c| serde_json::from_value::<Vec<serde_json::Value>>(c).ok())
                .unwrap_or_default()
                .iter()
                .filter_map(|c| Some((c["institution_id"].as_i64()?, c["name"].as_str()?.to_string())))
                .collect();
            Ok((StatusCode::CONFLICT, render(&page)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// `GET /institutions/new`.
pub async fn new_form(ctx: Ctx) -> Response {
    render(&form_page(&ctx, "/institutions/new".into(), InstitutionForm { kind: "university".into(), ..Default::default() }, vec![]))
}

/// `POST /institutions/new`.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    FormData(form): FormData<InstitutionForm>,
) -> AppResult<Response> {
    let result = api::create(&state, &Actor::from(&*user), form.clone().into()).await;
    form_result(&ctx, "/institutions/new".into(), form, result)
}

/// `GET /institutions/{id}/edit`.
pub async fn edit_form(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let i = queries::get_institution(&mut conn, id).await?;
    let form = InstitutionForm {
        name_en: i.name_en,
        name_zh: i.name_zh.unwrap_or_default(),
        name_local: i.name_local.unwrap_or_default(),
        acronym: i.acronym.unwrap_or_default(),
        country: i.country,
        city: i.city.unwrap_or_default(),
        website: i.website.unwrap_or_default(),
        kind: i.kind,
        schac_code: i.schac_code.unwrap_or_default(),
        ror_id: i.ror_id.unwrap_or_default(),
        erasmus_code: i.erasmus_code.unwrap_or_default(),
        is_public: i.is_public.then(|| "on".to_string()),
        strengths: i.strengths.join(", "),
        force: None,
        version: Some(i.version),
    };
    Ok(render(&form_page(&ctx, format!("/institutions/{id}/edit"), form, vec![])))
}

/// `POST /institutions/{id}/edit`.
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(form): FormData<InstitutionForm>,
) -> AppResult<Response> {
    let result = api::update(&state, &Actor::from(&*user), id, form.clone().into()).await;
    form_result(&ctx, format!("/institutions/{id}/edit"), form, result)
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct PeoplePage {
    base: Base,
    people: Vec<Person>,
    q: String,
}

/// Search of the people page.
#[derive(Deserialize)]
pub struct PeopleQuery {
    q: Option<String>,
}

/// `GET /people`.
pub async fn people(State(state): State<AppState>, ctx: Ctx, ApiQuery(q): ApiQuery<PeopleQuery>) -> AppResult<Response> {
    let (people, _) = queries::list_people(&state.db, q.q.as_deref(), None, 1, 200).await?;
    Ok(render(&PeoplePage { base: Base::new(&ctx, Tr(ctx.locale).t("people.title"), "people"), people, q: q.q.unwrap_or_default() }))
}

/// The merge form: the duplicate's id.
#[derive(Deserialize)]
pub struct MergeForm {
    from: String,
}

/// `POST /institutions/{id}/merge`: merges a duplicate (by id) into this institution.
pub async fn merge_form(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(form): FormData<MergeForm>,
) -> AppResult<Response> {
    let from: i64 =
        form.from.trim().trim_start_matches('#').parse().map_err(|_| AppError::field("from", "give the duplicate's number, e.g. 42"))?;
    let mut tx = state.db.begin().await?;
    super::merge::merge(&mut tx, state.db.engine, &Actor::from(&*user), super::merge::Entity::Institution, id, from).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/institutions/{id}")).into_response())
}
