//! Forms for people, their positions, and units. The institution is typed as text —
//! a name, an acronym or a domain — and found by the matcher; when that is not clear,
//! the form says so and lists the candidates.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    model::{Person, PersonInput, PositionInput, UnitName, check_person},
    queries,
};
use crate::{
    audit::{self, Actor, AuditEvent},
    error::{AppError, AppResult},
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, FormData},
        i18n::Tr,
        pages::Base,
        render,
    },
};

/// What the person and position forms send.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    institution: String,
    /// A directory entry picked from the suggestions (its domain).
    #[serde(default)]
    institution_domain: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    title_zh: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    /// Where to go after saving (a page of this site), e.g. back to a visit.
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct NewPersonPage {
    base: Base,
    form: PersonForm,
    errors: Vec<(String, String)>,
}

impl NewPersonPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

/// Finds the one institution a typed text means, or explains why not (field, message).
async fn institution_from_text(state: &AppState, actor: &Actor, form: &PersonForm) -> Result<Option<i64>, (String, String)> {
    match super::partner_field::partner_from_form(state, actor, &form.institution, &form.institution_domain).await {
        Ok(Ok(id)) => Ok(id),
        Ok(Err(e)) => Err((e.field, e.message)),
        Err(e) => Err(("institution".to_string(), e.to_string())),
    }
}

fn position_of(form: &PersonForm, institution_id: Option<i64>) -> Vec<PositionInput> {
    match institution_id {
        Some(inst) if !form.title_en.trim().is_empty() => vec![PositionInput {
            title_en: form.title_en.clone(),
            title_zh: Some(form.title_zh.clone()),
            institution_id: inst,
            unit_id: None,
            start_date: Some(form.start_date.clone()),
            end_date: Some(form.end_date.clone()),
        }],
        _ => Vec::new(),
    }
}

fn field_errors(e: AppError) -> Result<Vec<(String, String)>, AppError> {
    match e {
        AppError::Validation(errs) => {
            Ok(errs.into_iter().map(|e| (e.field.trim_start_matches("positions[0].").to_string(), e.message)).collect())
        }
        other => Err(other),
    }
}

/// `GET /people/new?institution=…&next=…`: the form, with the institution filled in and
/// a way back when opened from another record's page.
pub async fn new_person(ctx: Ctx, crate::web::extract::ApiQuery(q): crate::web::extract::ApiQuery<NewPersonQuery>) -> Response {
    let form = PersonForm { institution: q.institution, next: q.next, ..Default::default() };
    render(&NewPersonPage { base: Base::new(&ctx, Tr(ctx.locale).t("people.new"), "people"), form, errors: Vec::new() })
}

/// Query of the new-person form.
#[derive(Debug, Default, Deserialize)]
pub struct NewPersonQuery {
    #[serde(default)]
    institution: String,
    #[serde(default)]
    next: String,
}

/// `POST /people/new`.
pub async fn create_person(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    FormData(form): FormData<PersonForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let institution_id = institution_from_text(&state, &Actor::from(&*user), &form).await.unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    if !form.title_en.trim().is_empty() && institution_id.is_none() && errors.is_empty() {
        errors.push(("institution".into(), "A position needs the institution it is held at.".into()));
    }
    let mut input = PersonInput {
        name_en: form.name_en.clone(),
        name_zh: Some(form.name_zh.clone()),
        email: Some(form.email.clone()),
        institution_id,
        positions: position_of(&form, institution_id),
    };
    if let Err(e) = check_person(&mut input) {
        errors.extend(field_errors(e)?);
    }
    if errors.is_empty() {
        let mut tx = state.db.begin().await?;
        match queries::insert_person(&mut tx, &Actor::from(&*user), &input).await {
            Ok(id) => {
                tx.commit().await?;
                let to =
                    if form.next.is_empty() { format!("/people/{id}") } else { crate::web::redirect::same_site_path(Some(&form.next)) };
                return Ok(Redirect::to(&to).into_response());
            }
            Err(e) => errors.extend(field_errors(e)?),
        }
    }
    let errors = Tr(ctx.locale).field_messages(errors);
    let page = NewPersonPage { base: Base::new(&ctx, Tr(ctx.locale).t("people.new"), "people"), form, errors };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "people/detail.html")]
struct PersonPage {
    base: Base,
    person: Person,
    history: Vec<AuditEvent>,
    form: PersonForm,
    errors: Vec<(String, String)>,
    feed: Option<String>,
    feed_kind: &'static str,
    feed_subject: i64,
}

impl PersonPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

async fn person_page(state: &AppState, ctx: &Ctx, id: i64, form: PersonForm, errors: Vec<(String, String)>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let person = queries::get_person(&mut conn, id).await?;
    let feed = crate::feeds::feed_path(&mut conn, crate::feeds::FeedKind::Person, id).await?;
    drop(conn);
    let history = audit::history(&state.db, "person", id).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let base = Base::new(ctx, person.name_en.clone(), "people");
    let errors = base.tr.field_messages(errors);
    let page = PersonPage { base, person, history, form, errors, feed, feed_kind: "person", feed_subject: id };
    Ok((status, render(&page)).into_response())
}

/// `GET /people/{id}`.
pub async fn person(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    person_page(&state, &ctx, id, PersonForm::default(), Vec::new()).await
}

/// `POST /people/{id}/positions`: adds a position from the person's page.
pub async fn add_position(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(form): FormData<PersonForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let institution_id = match institution_from_text(&state, &Actor::from(&*user), &form).await {
        Ok(Some(i)) => Some(i),
        Ok(None) => {
            errors.push(("institution".to_string(), "Give the institution: its name, acronym or domain.".to_string()));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let mut check = PersonInput {
        name_en: "x".into(),
        name_zh: None,
        email: None,
        institution_id: None,
        positions: position_of(&form, institution_id),
    };
    if institution_id.is_some() && form.title_en.trim().is_empty() {
        errors.push(("title_en".into(), "the title is required".into()));
    }
    if let Err(e) = check_person(&mut check) {
        errors.extend(field_errors(e)?);
    }
    if !errors.is_empty() {
        return person_page(&state, &ctx, id, form, errors).await;
    }
    let mut tx = state.db.begin().await?;
    let before = queries::get_person(&mut tx, id).await?;
    queries::insert_positions(&mut tx, id, &check.positions).await?;
    let after = queries::get_person(&mut tx, id).await?;
    audit::record(&mut tx, &Actor::from(&*user), audit::Action::Update, "person", id, Some(&before), Some(&after)).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}")).into_response())
}

/// What the unit form sends.
#[derive(Debug, Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    also: String,
    #[serde(default)]
    parent_id: String,
}

/// `POST /institutions/{id}/units`: adds a unit from the institution's page.
pub async fn add_unit(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(form): FormData<UnitForm>,
) -> AppResult<Response> {
    let mut names = Vec::new();
    if !form.name_en.trim().is_empty() {
        names.push(UnitName { lang: "en".into(), name: form.name_en.trim().into(), primary: true });
    }
    for other in form.also.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        names.push(UnitName { lang: "en".into(), name: other.into(), primary: false });
    }
    if !form.name_zh.trim().is_empty() {
        names.push(UnitName { lang: "zh".into(), name: form.name_zh.trim().into(), primary: false });
    }
    if names.is_empty() {
        return Err(AppError::field("name_en", "a unit needs a name"));
    }
    let parent = form.parent_id.trim().parse::<i64>().ok();
    let mut tx = state.db.begin().await?;
    queries::get_institution(&mut tx, id).await?;
    queries::insert_unit(&mut tx, &Actor::from(&*user), id, parent, &names).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/institutions/{id}#units-h")).into_response())
}
