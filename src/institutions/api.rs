//! JSON API of the institutions module.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;

use super::{
    model::{Institution, InstitutionFields, InstitutionInput, Person, PersonInput, check_person},
    partner_index,
    queries::{self, InstitutionQuery},
};
use crate::{
    audit::{self, Actor, AuditEvent},
    error::{AppError, AppResult, Problem},
    web::{
        AppState,
        context::User,
        extract::{ApiJson, ApiPath, ApiQuery},
    },
};

pub use crate::web::paging::Page;

/// `GET /api/v1/institutions`: list with filters, sorting and pagination.
#[utoipa::path(get, path = "/api/v1/institutions", tag = "institutions", params(InstitutionQuery),
    responses((status = 200, body = Page<Institution>), (status = 422, body = Problem)))]
pub async fn list_institutions(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<InstitutionQuery>,
) -> AppResult<Json<Page<Institution>>> {
    let (items, total) = search(&state, &q).await?;
    let (page, per_page) = q.paging();
    Ok(Json(Page { items, page, per_page, total }))
}

/// The ids a search text finds, best first, from the in-memory matcher (which knows
/// acronyms, Chinese names, domains, typos and half-typed words).
pub async fn matched_ids(state: &AppState, q: &InstitutionQuery) -> AppResult<Option<Vec<i64>>> {
    match q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => Ok(Some(state.service::<crate::institutions::partner_index::PartnerCache>().matching_ids(&state.db, text).await?)),
        None => Ok(None),
    }
}

/// Lists institutions for the API and the pages: text through the matcher, the rest in SQL.
pub async fn search(state: &AppState, q: &InstitutionQuery) -> AppResult<(Vec<Institution>, i64)> {
    let ids = matched_ids(state, q).await?;
    queries::list_institutions(&state.db, q, ids.as_deref()).await
}

/// `GET /api/v1/institutions/{id}`.
#[utoipa::path(get, path = "/api/v1/institutions/{id}", tag = "institutions", params(("id" = i64, Path, description = "Institution id")),
    responses((status = 200, body = Institution), (status = 404, body = Problem)))]
pub async fn get_institution(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Institution>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::get_institution(&mut conn, id).await?))
}

/// Creates an institution (shared by the API and the form).
pub async fn create(state: &AppState, actor: &Actor, input: InstitutionInput) -> AppResult<Institution> {
    let force = input.force.unwrap_or(false);
    let fields = InstitutionFields::parse(input, None)?;
    if !force {
        refuse_probable_duplicate(state, &fields).await?;
    }
    let mut tx = state.db.begin().await?;
    let id = queries::insert_institution(&mut tx, actor, &fields, false).await?;
    let inst = queries::get_institution(&mut tx, id).await?;
    tx.commit().await?;
    Ok(inst)
}

/// 409 with the candidates when the new institution confidently matches an existing one
/// by name, Chinese name or domain.
async fn refuse_probable_duplicate(state: &AppState, f: &InstitutionFields) -> AppResult<()> {
    let probes = [Some(f.name_en.as_str()), f.name_zh.as_deref(), f.schac_code.as_deref(), f.website.as_deref()];
    for probe in probes.into_iter().flatten() {
        let cands = state.service::<crate::institutions::partner_index::PartnerCache>().search(&state.db, probe, 5).await?;
        if let Some(c) = partner_index::chosen(&cands) {
            return Err(AppError::Conflict(
                format!(
                    "This looks like an institution Liaison already has: {} (#{}). Use it, or send \"force\": true to create another.",
                    c.name,
                    c.institution_id.unwrap_or_default()
                ),
                Some(serde_json::to_value(&cands).unwrap_or_default()),
            ));
        }
    }
    Ok(())
}

/// Updates an institution (shared by the API and the form).
pub async fn update(state: &AppState, actor: &Actor, id: i64, input: InstitutionInput) -> AppResult<Institution> {
    let mut tx = state.db.begin().await?;
    let current = queries::get_institution(&mut tx, id).await?;
    let expected = input.version.unwrap_or(current.version);
    let before = InstitutionFields::from(&current);
    let fields = InstitutionFields::parse(input, Some(&before))?;
    queries::update_institution(&mut tx, actor, id, expected, &before, &fields).await?;
    let inst = queries::get_institution(&mut tx, id).await?;
    tx.commit().await?;
    Ok(inst)
}

/// `POST /api/v1/institutions`.
#[utoipa::path(post, path = "/api/v1/institutions", tag = "institutions", request_body = InstitutionInput,
    responses((status = 201, body = Institution), (status = 409, description = "Probably a duplicate; `conflicts` lists the candidates", body = Problem), (status = 422, body = Problem)))]
pub async fn create_institution(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(input): ApiJson<InstitutionInput>,
) -> AppResult<(StatusCode, Json<Institution>)> {
    Ok((StatusCode::CREATED, Json(create(&state, &Actor::from(&*user), input).await?)))
}

/// `PATCH /api/v1/institutions/{id}`: changes the fields given; send `version` to
/// refuse the change (409) if someone else saved first.
#[utoipa::path(patch, path = "/api/v1/institutions/{id}", tag = "institutions", request_body = InstitutionInput, params(("id" = i64, Path, description = "Institution id")),
    responses((status = 200, body = Institution), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_institution(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<InstitutionInput>,
) -> AppResult<Json<Institution>> {
    Ok(Json(update(&state, &Actor::from(&*user), id, input).await?))
}

/// `DELETE /api/v1/institutions/{id}`.
#[utoipa::path(delete, path = "/api/v1/institutions/{id}", tag = "institutions", params(("id" = i64, Path, description = "Institution id")),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_institution(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    queries::delete_institution(&mut tx, &Actor::from(&*user), id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/institutions/{id}/history`: the audit trail, oldest first.
#[utoipa::path(get, path = "/api/v1/institutions/{id}/history", tag = "institutions", params(("id" = i64, Path, description = "Institution id")),
    responses((status = 200, body = Vec<AuditEvent>)))]
pub async fn institution_history(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Vec<AuditEvent>>> {
    Ok(Json(audit::history(&state.db, "institution", id).await?))
}

/// Filters of the people list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct PeopleQuery {
    /// Text in the romanised or Chinese name.
    pub q: Option<String>,
    /// Only people with a position at (or belonging to) this institution.
    pub institution_id: Option<i64>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Items per page, 1–200 (default 50).
    pub per_page: Option<i64>,
}

/// `GET /api/v1/people`.
#[utoipa::path(get, path = "/api/v1/people", tag = "institutions", params(PeopleQuery), responses((status = 200, body = Page<Person>)))]
pub async fn list_people(State(state): State<AppState>, ApiQuery(q): ApiQuery<PeopleQuery>) -> AppResult<Json<Page<Person>>> {
    let (page, per_page) = (q.page.unwrap_or(1).max(1), q.per_page.unwrap_or(50).clamp(1, 200));
    let (items, total) = queries::list_people(&state.db, q.q.as_deref(), q.institution_id, page, per_page).await?;
    Ok(Json(Page { items, page, per_page, total }))
}

/// `GET /api/v1/people/{id}`.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "institutions", params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = Person), (status = 404, body = Problem)))]
pub async fn get_person(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Person>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::get_person(&mut conn, id).await?))
}

/// `POST /api/v1/people`: a person with their positions, in one transaction.
#[utoipa::path(post, path = "/api/v1/people", tag = "institutions", request_body = PersonInput,
    responses((status = 201, body = Person), (status = 422, body = Problem)))]
pub async fn create_person(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(mut input): ApiJson<PersonInput>,
) -> AppResult<(StatusCode, Json<Person>)> {
    check_person(&mut input)?;
    let mut tx = state.db.begin().await?;
    let id = queries::insert_person(&mut tx, &Actor::from(&*user), &input).await?;
    let person = queries::get_person(&mut tx, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(person)))
}

/// `GET /api/v1/people/{id}/history`.
#[utoipa::path(get, path = "/api/v1/people/{id}/history", tag = "institutions", params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = Vec<AuditEvent>)))]
pub async fn person_history(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Vec<AuditEvent>>> {
    Ok(Json(audit::history(&state.db, "person", id).await?))
}
