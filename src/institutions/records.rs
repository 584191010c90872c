//! Units, people, positions, partnership history and merges: the API beyond the
//! institution record itself.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::{
    merge::{self, Entity, MergeReport, MergeRequest},
    model::{PartnershipStatus, Person, PersonInput, PositionInput, Unit, UnitName, check_person},
    queries,
};
use crate::{
    audit::{self, Action, Actor},
    auth::Permission,
    error::{AppError, AppResult, FieldError, Problem},
    status::Status,
    time::parse_date,
    web::{
        AppState,
        context::User,
        extract::{ApiJson, ApiPath},
    },
};

/// A new unit.
#[derive(Deserialize, ToSchema)]
pub struct NewUnit {
    /// Parent unit (must belong to the same institution).
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// Names, the primary one first or marked.
    pub names: Vec<UnitName>,
}

/// `GET /api/v1/institutions/{id}/units`.
#[utoipa::path(get, path = "/api/v1/institutions/{id}/units", tag = "institutions", params(("id" = i64, Path, description = "Institution id")),
    responses((status = 200, body = Vec<Unit>)))]
pub async fn list_units(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Vec<Unit>>> {
    Ok(Json(queries::units_of(&state.db, id).await?))
}

/// `POST /api/v1/institutions/{id}/units`.
#[utoipa::path(post, path = "/api/v1/institutions/{id}/units", tag = "institutions", request_body = NewUnit, params(("id" = i64, Path, description = "Institution id")),
    responses((status = 201, body = Unit), (status = 422, body = Problem)))]
pub async fn create_unit(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewUnit>,
) -> AppResult<(StatusCode, Json<Unit>)> {
    let mut tx = state.db.begin().await?;
    queries::get_institution(&mut tx, id).await?;
    let unit_id = queries::insert_unit(&mut tx, &Actor::from(&*user), id, body.parent_id, &body.names).await?;
    tx.commit().await?;
    let unit = queries::units_of(&state.db, id).await?.into_iter().find(|u| u.id == unit_id).ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(unit)))
}

/// Changes to a unit.
#[derive(Deserialize, ToSchema)]
pub struct UnitChange {
    /// All names of the unit, replacing the current ones.
    #[serde(default)]
    pub names: Option<Vec<UnitName>>,
    /// New parent (same institution; `0` moves it to the top).
    #[serde(default)]
    pub parent_id: Option<i64>,
}

/// `PATCH /api/v1/units/{id}`: renames or moves a unit. Staff may change any unit; a
/// unit coordinator only their own.
#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "institutions", request_body = UnitChange, params(("id" = i64, Path, description = "Unit id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_unit(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UnitChange>,
) -> AppResult<StatusCode> {
    let institution = queries::unit_institution(&state.db, id).await?;
    if !user.can_in_unit(Permission::EditUnits, id) {
        return Err(AppError::Forbidden("Coordinators may change only the unit they coordinate.".into()));
    }
    let actor = Actor::from(&*user);
    let mut tx = state.db.begin().await?;
    if let Some(names) = &body.names {
        queries::rename_unit(&mut tx, &actor, id, names).await?;
    }
    if let Some(parent) = body.parent_id {
        move_unit(&mut tx, &actor, institution, id, (parent != 0).then_some(parent)).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn move_unit(conn: &mut AnyConnection, actor: &Actor, institution: i64, id: i64, parent: Option<i64>) -> AppResult<()> {
    if let Some(p) = parent {
        // Walk up from the new parent: it must be in the same institution and must not be
        // the unit itself or one of its descendants.
        let mut cur = Some(p);
        while let Some(c) = cur {
            if c == id {
                return Err(AppError::field("parent_id", "a unit cannot be placed under itself or one of its own sub-units"));
            }
            let row = queries::unit_parent(&mut *conn, c).await?;
            let Some((inst, up)) = row else { return Err(AppError::field("parent_id", "no such unit")) };
            if inst != institution {
                return Err(AppError::field("parent_id", "the parent unit belongs to another institution"));
            }
            cur = up;
        }
    }
    queries::set_unit_parent(&mut *conn, id, parent).await?;
    audit::record(conn, actor, Action::Update, "unit", id, None, Some(&serde_json::json!({ "parent_id": parent }))).await?;
    Ok(())
}

/// `DELETE /api/v1/units/{id}`: only a unit without sub-units; positions keep their
/// institution and lose the unit.
#[utoipa::path(delete, path = "/api/v1/units/{id}", tag = "institutions", params(("id" = i64, Path, description = "Unit id")),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_unit(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<StatusCode> {
    queries::unit_institution(&state.db, id).await?;
    let mut tx = state.db.begin().await?;
    let children = queries::count_sub_units(&mut tx, id).await?;
    if children > 0 {
        return Err(AppError::Conflict(format!("This unit has {children} sub-unit(s); move or delete them first."), None));
    }
    if let Err(e) = queries::delete_unit(&mut tx, id).await {
        drop(tx);
        return Err(still_referred(&state.db, e, "units", id, "unit").await);
    }
    audit::record::<()>(&mut tx, &Actor::from(&*user), Action::Delete, "unit", id, None, None).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes to a person (fields left out stay; positions are changed separately).
#[derive(Deserialize, ToSchema)]
pub struct PersonChange {
    /// Romanised name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// Chinese name ("" clears).
    #[serde(default)]
    pub name_zh: Option<String>,
    /// E-mail ("" clears).
    #[serde(default)]
    pub email: Option<String>,
    /// Main institution (0 clears).
    #[serde(default)]
    pub institution_id: Option<i64>,
}

/// `PATCH /api/v1/people/{id}`.
#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "institutions", request_body = PersonChange, params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = Person), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_person(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PersonChange>,
) -> AppResult<Json<Person>> {
    let mut tx = state.db.begin().await?;
    let after = change_person(&mut tx, &Actor::from(&*user), id, body).await?;
    tx.commit().await?;
    Ok(Json(after))
}

/// Changes a person's own fields (the API's PATCH and the edit page), audited.
pub async fn change_person(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64, body: PersonChange) -> AppResult<Person> {
    let before = queries::get_person(&mut *conn, id).await?;
    let mut input = PersonInput {
        name_en: body.name_en.unwrap_or_else(|| before.name_en.clone()),
        name_zh: body.name_zh.or_else(|| before.name_zh.clone()),
        email: body.email.or_else(|| before.email.clone()),
        institution_id: match body.institution_id {
            Some(0) => None,
            Some(i) => Some(i),
            None => before.institution_id,
        },
        positions: Vec::new(),
    };
    check_person(&mut input)?;
    queries::update_person(&mut *conn, id, &input).await?;
    let after = queries::get_person(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "person", id, Some(&before), Some(&after)).await?;
    Ok(after)
}

/// `DELETE /api/v1/people/{id}` (their positions go with them).
#[utoipa::path(delete, path = "/api/v1/people/{id}", tag = "institutions", params(("id" = i64, Path, description = "Person id")),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_person(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let before = queries::get_person(&mut tx, id).await?;
    if let Err(e) = queries::delete_person(&mut tx, id).await {
        drop(tx);
        return Err(still_referred(&state.db, e, "people", id, "person").await);
    }
    audit::record(&mut tx, &Actor::from(&*user), Action::Delete, "person", id, Some(&before), None).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/people/{id}/positions`: adds a dated position.
#[utoipa::path(post, path = "/api/v1/people/{id}/positions", tag = "institutions", request_body = PositionInput, params(("id" = i64, Path, description = "Person id")),
    responses((status = 201, body = Person), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_position(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(pos): ApiJson<PositionInput>,
) -> AppResult<(StatusCode, Json<Person>)> {
    let mut tx = state.db.begin().await?;
    let before = queries::get_person(&mut tx, id).await?;
    let mut check = PersonInput { name_en: before.name_en.clone(), name_zh: None, email: None, institution_id: None, positions: vec![pos] };
    check_person(&mut check)?;
    queries::insert_positions(&mut tx, id, &check.positions).await?;
    let after = queries::get_person(&mut tx, id).await?;
    audit::record(&mut tx, &Actor::from(&*user), Action::Update, "person", id, Some(&before), Some(&after)).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(after)))
}

/// `DELETE /api/v1/positions/{id}`.
#[utoipa::path(delete, path = "/api/v1/positions/{id}", tag = "institutions", params(("id" = i64, Path, description = "Position id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_position(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    remove_position(&mut tx, &Actor::from(&*user), id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a position, audited as a change of its holder; answers the holder's id.
pub async fn remove_position(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> AppResult<i64> {
    let person = queries::position_holder(&mut *conn, id).await?.ok_or(AppError::NotFound)?;
    let before = queries::get_person(&mut *conn, person).await?;
    queries::delete_position(&mut *conn, id).await?;
    let after = queries::get_person(&mut *conn, person).await?;
    audit::record(conn, actor, Action::Update, "person", person, Some(&before), Some(&after)).await?;
    Ok(person)
}

/// A dated partnership status.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct PartnershipEvent {
    /// The status from `since`.
    #[schema(value_type = PartnershipStatus)]
    pub status: String,
    /// From (YYYY-MM-DD).
    pub since: String,
    /// Why.
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /api/v1/institutions/{id}/partnership`: records a partnership status from a date.
#[utoipa::path(post, path = "/api/v1/institutions/{id}/partnership", tag = "institutions", request_body = PartnershipEvent, params(("id" = i64, Path, description = "Institution id")),
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_partnership(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(ev): ApiJson<PartnershipEvent>,
) -> AppResult<StatusCode> {
    let mut errors = Vec::new();
    if PartnershipStatus::parse(&ev.status).is_none() {
        errors.push(FieldError::new("status", format!("use {}", PartnershipStatus::names())));
    }
    let since = parse_date(&ev.since);
    if since.is_none() {
        errors.push(FieldError::new("since", "use a date like 2024-05-08"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut tx = state.db.begin().await?;
    queries::get_institution(&mut tx, id).await?;
    let since = since.unwrap_or_default();
    queries::add_partnership_event(&mut tx, id, &ev.status, &since, ev.note.as_deref()).await?;
    let rec = PartnershipEvent { status: ev.status, since, note: ev.note };
    audit::record(&mut tx, &Actor::from(&*user), Action::Update, "institution", id, None, Some(&serde_json::json!({ "partnership": rec })))
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/institutions/{id}/merge`: moves every reference of `from` here; `from`
/// stays as a pointer (`merged_into`) so old links and the audit trail still lead here.
#[utoipa::path(post, path = "/api/v1/institutions/{id}/merge", tag = "institutions", request_body = MergeRequest, params(("id" = i64, Path, description = "Institution kept")),
    responses((status = 200, body = MergeReport), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn merge_institutions(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MergeRequest>,
) -> AppResult<Json<MergeReport>> {
    let mut tx = state.db.begin().await?;
    let report = merge::merge(&mut tx, state.db.engine, &Actor::from(&*user), Entity::Institution, id, body.from).await?;
    tx.commit().await?;
    Ok(Json(report))
}

/// `POST /api/v1/people/{id}/merge`: the same for people.
#[utoipa::path(post, path = "/api/v1/people/{id}/merge", tag = "institutions", request_body = MergeRequest, params(("id" = i64, Path, description = "Person kept")),
    responses((status = 200, body = MergeReport), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn merge_people(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MergeRequest>,
) -> AppResult<Json<MergeReport>> {
    let mut tx = state.db.begin().await?;
    let report = merge::merge(&mut tx, state.db.engine, &Actor::from(&*user), Entity::Person, id, body.from).await?;
    tx.commit().await?;
    Ok(Json(report))
}

/// A failed delete as the caller should see it: when other records still refer to the
/// row, 409 naming them (`references`: table → rows); anything else as it was.
async fn still_referred(db: &crate::db::Db, e: sqlx::Error, table: &str, id: i64, what: &str) -> AppError {
    if !crate::db::is_foreign_key_violation(&e) {
        return e.into();
    }
    let refs = match crate::db::blocking_references(db, table, id).await {
        Ok(refs) => refs,
        Err(e) => return AppError::Internal(e),
    };
    let list = refs.iter().map(|(t, n)| format!("{t} ({n})")).collect::<Vec<_>>().join(", ");
    let names = if list.is_empty() { "other records".to_string() } else { list };
    let detail: serde_json::Map<String, serde_json::Value> = refs.into_iter().map(|(t, n)| (t, n.into())).collect();
    AppError::Conflict(
        format!("This {what} is still referred to by {names}; remove those references first, or merge it into another record."),
        Some(serde_json::json!({ "references": detail })),
    )
}
