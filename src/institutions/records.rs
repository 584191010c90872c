//! Units, people, positions, partnership history and merges: the API beyond the
//! institution record itself.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::{
    model::{Person, PersonInput, PositionInput, Unit, UnitName, check_person},
    queries,
};
use crate::{
    audit::{self, Action, Actor},
    auth::Permission,
    error::{AppError, AppResult, FieldError, Problem},
    time::{now_text, parse_date},
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
            let row: Option<(i64, Option<i64>)> =
                sqlx::query_as("SELECT institution_id, parent_id FROM units WHERE id = $1").bind(c).fetch_optional(&mut *conn).await?;
            let Some((inst, up)) = row else { return Err(AppError::field("parent_id", "no such unit")) };
            if inst != institution {
                return Err(AppError::field("parent_id", "the parent unit belongs to another institution"));
            }
            cur = up;
        }
    }
    sqlx::query("UPDATE units SET parent_id = $1, updated_at = $2 WHERE id = $3")
        .bind(parent)
        .bind(now_text())
        .bind(id)
        .execute(&mut *conn)
        .await?;
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
    let children: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE parent_id = $1").bind(id).fetch_one(&mut *tx).await?;
    if children > 0 {
        return Err(AppError::Conflict(format!("This unit has {children} sub-unit(s); move or delete them first."), None));
    }
    sqlx::query("DELETE FROM units WHERE id = $1").bind(id).execute(&mut *tx).await?;
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
    let before = queries::get_person(&mut tx, id).await?;
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
    sqlx::query("UPDATE people SET name_en = $1, name_zh = $2, email = $3, institution_id = $4, updated_at = $5 WHERE id = $6")
        .bind(&input.name_en)
        .bind(&input.name_zh)
        .bind(&input.email)
        .bind(input.institution_id)
        .bind(now_text())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if crate::db::is_constraint_violation(&e) { AppError::field("institution_id", "no such institution") } else { e.into() }
        })?;
    let after = queries::get_person(&mut tx, id).await?;
    audit::record(&mut tx, &Actor::from(&*user), Action::Update, "person", id, Some(&before), Some(&after)).await?;
    tx.commit().await?;
    Ok(Json(after))
}

/// `DELETE /api/v1/people/{id}` (their positions go with them).
#[utoipa::path(delete, path = "/api/v1/people/{id}", tag = "institutions", params(("id" = i64, Path, description = "Person id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_person(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let before = queries::get_person(&mut tx, id).await?;
    sqlx::query("DELETE FROM people WHERE id = $1").bind(id).execute(&mut *tx).await?;
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
    let person: i64 = sqlx::query_scalar("SELECT person_id FROM positions WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = queries::get_person(&mut tx, person).await?;
    sqlx::query("DELETE FROM positions WHERE id = $1").bind(id).execute(&mut *tx).await?;
    let after = queries::get_person(&mut tx, person).await?;
    audit::record(&mut tx, &Actor::from(&*user), Action::Update, "person", person, Some(&before), Some(&after)).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A dated partnership status.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct PartnershipEvent {
    /// prospective, active, suspended or ended.
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
    if !["prospective", "active", "suspended", "ended"].contains(&ev.status.as_str()) {
        errors.push(FieldError::new("status", "use prospective, active, suspended or ended"));
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

/// Which record to merge into this one.
#[derive(Deserialize, ToSchema)]
pub struct MergeRequest {
    /// The duplicate; its references move here and it then points here.
    pub from: i64,
}

/// What a merge moved.
#[derive(Serialize, ToSchema)]
pub struct MergeReport {
    /// The record kept.
    pub into: i64,
    /// The duplicate.
    pub from: i64,
    /// Rows moved, per table.
    pub moved: Vec<(String, u64)>,
}

/// Every column that refers to an institution. Modules that add references add them
/// here, so a merge can never leave one behind.
/// A reference: table, column, and for link tables with a unique key, the column that
/// key pairs it with (a row of the duplicate that the kept record already has is dropped).
type Ref = (&'static str, &'static str, Option<&'static str>);

const INSTITUTION_REFS: &[Ref] = &[
    ("units", "institution_id", None),
    ("people", "institution_id", None),
    ("positions", "institution_id", None),
    ("partnership_events", "institution_id", None),
    ("buildings", "institution_id", None),
    ("visit_institutions", "institution_id", Some("visit_id")),
    ("trips", "institution_id", None),
    ("agreement_parties", "institution_id", Some("agreement_id")),
    ("agreement_signatories", "institution_id", None),
    ("mobilities", "partner_institution_id", None),
];
/// Every column that refers to a person.
const PERSON_REFS: &[Ref] = &[
    ("positions", "person_id", None),
    ("visit_members", "person_id", Some("visit_id")),
    ("visit_hosts", "person_id", None),
    ("session_participants", "person_id", Some("session_id")),
    ("trip_travellers", "person_id", Some("trip_id")),
    ("agreement_signatories", "person_id", None),
    ("programme_coordinators", "person_id", Some("programme_id")),
    ("mobilities", "person_id", None),
];

/// Merges `from` into `into` (institution or person) on the caller's transaction.
pub async fn merge(conn: &mut AnyConnection, actor: &Actor, entity: &str, into: i64, from: i64) -> AppResult<MergeReport> {
    let (table, refs) = if entity == "institution" { ("institutions", INSTITUTION_REFS) } else { ("people", PERSON_REFS) };
    if into == from {
        return Err(AppError::field("from", "a record cannot be merged into itself"));
    }
    for id in [into, from] {
        let merged: Option<Option<i64>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT merged_into FROM {table} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        match merged {
            None => return Err(if id == from { AppError::field("from", "no such record") } else { AppError::NotFound }),
            Some(Some(_)) => return Err(AppError::Conflict(format!("Record {id} was already merged into another."), None)),
            Some(None) => {}
        }
    }
    let mut moved = Vec::new();
    for (t, col, pair) in refs {
        if let Some(k) = pair {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {t} WHERE {col} = $2 AND {k} IN (SELECT {k} FROM {t} WHERE {col} = $1)")))
                .bind(into)
                .bind(from)
                .execute(&mut *conn)
                .await?;
        }
        let n = sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {t} SET {col} = $1 WHERE {col} = $2")))
            .bind(into)
            .bind(from)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        moved.push((format!("{t}.{col}"), n));
    }
    if entity == "institution" {
        let n = sqlx::query("INSERT INTO institution_strengths (institution_id, tag) SELECT $1, tag FROM institution_strengths WHERE institution_id = $2 ON CONFLICT DO NOTHING")
            .bind(into)
            .bind(from)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        moved.push(("institution_strengths".into(), n));
        // The duplicate's directory link moves too, unless the kept record has one.
        let dir: Option<Option<String>> =
            sqlx::query_scalar("SELECT directory_domain FROM institutions WHERE id = $1").bind(from).fetch_optional(&mut *conn).await?;
        sqlx::query("UPDATE institutions SET directory_domain = NULL WHERE id = $1").bind(from).execute(&mut *conn).await?;
        if let Some(Some(d)) = dir {
            sqlx::query("UPDATE institutions SET directory_domain = $1 WHERE id = $2 AND directory_domain IS NULL")
                .bind(d)
                .bind(into)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("UPDATE institutions SET merged_into = $1, is_public = 0, updated_at = $2, version = version + 1 WHERE id = $3")
            .bind(into)
            .bind(now_text())
            .bind(from)
            .execute(&mut *conn)
            .await?;
        // The mobilities moved above: their kept counts follow them.
        crate::programmes::recount_institution(conn, from, into).await?;
        // The partnership history moved: both current statuses follow it.
        queries::refresh_partnership(conn, into).await?;
        queries::refresh_partnership(conn, from).await?;
    } else {
        sqlx::query("UPDATE people SET merged_into = $1, updated_at = $2 WHERE id = $3")
            .bind(into)
            .bind(now_text())
            .bind(from)
            .execute(&mut *conn)
            .await?;
    }
    let report = MergeReport { into, from, moved };
    sqlx::query("INSERT INTO merges (entity, from_id, into_id, at, actor, moved_json) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(entity)
        .bind(from)
        .bind(into)
        .bind(now_text())
        .bind(&actor.label)
        .bind(serde_json::to_string(&report.moved).unwrap_or_default())
        .execute(&mut *conn)
        .await?;
    let note = serde_json::json!({ "merged_into": into, "moved": report.moved });
    audit::record(conn, actor, Action::Update, entity, from, None, Some(&note)).await?;
    audit::record(
        conn,
        actor,
        Action::Update,
        entity,
        into,
        None,
        Some(&serde_json::json!({ "merged_from": from, "moved": report.moved })),
    )
    .await?;
    Ok(report)
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
    let report = merge(&mut tx, &Actor::from(&*user), "institution", id, body.from).await?;
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
    let report = merge(&mut tx, &Actor::from(&*user), "person", id, body.from).await?;
    tx.commit().await?;
    Ok(Json(report))
}
