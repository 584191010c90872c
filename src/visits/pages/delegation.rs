//! The delegation and hosts forms of a visit's page: several members in one step —
//! people already recorded at the visit's institutions, and new people typed in rows,
//! recorded at the visit's (first) institution with their title — and removing members
//! and hosts.

use axum::{extract::State, response::Response};

use super::changes::apply;
use crate::{
    audit::Actor,
    error::{AppError, AppResult, FieldError},
    institutions::{
        model::{PersonInput, PositionInput, check_person},
        queries::insert_person,
    },
    visits::{
        model::{HostInput, MemberInput},
        queries,
    },
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, FormData},
        forms::{field, ids, opt_id},
    },
};

/// How many rows for new people the form offers.
pub const NEW_ROWS: usize = 4;

/// A typed row of the form: a new person with a title and a role.
struct NewRow {
    index: usize,
    name: String,
    name_zh: String,
    title: String,
    role: String,
}

fn new_rows(fields: &[(String, String)]) -> Vec<NewRow> {
    (0..NEW_ROWS)
        .map(|i| NewRow {
            index: i,
            name: field(fields, &format!("new_name_{i}")).trim().to_string(),
            name_zh: field(fields, &format!("new_name_zh_{i}")).trim().to_string(),
            title: field(fields, &format!("new_title_{i}")).trim().to_string(),
            role: field(fields, &format!("new_role_{i}")).trim().to_string(),
        })
        .filter(|r| !(r.name.is_empty() && r.name_zh.is_empty() && r.title.is_empty()))
        .collect()
}

/// `POST /visits/{id}/members`: the checked people and the typed new ones join the
/// delegation, all or none.
pub(super) async fn add_members(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let picked = ids(&fields, "person_id");
    let role = field(&fields, "role").to_string();
    let rows = new_rows(&fields);
    let actor = Actor::from(&*user);
    let kept = fields.clone();
    apply(&state, &ctx, id, "members", kept, async |c| {
        if picked.is_empty() && rows.is_empty() {
            return Err(AppError::Validation(vec![FieldError::new(
                "person_id",
                "Tick someone already recorded, or type the name of a new member.",
            )]));
        }
        let visit = queries::get_visit(&mut *c, id).await?;
        let institution = visit.institutions.first().map(|i| i.id);
        let mut warnings = Vec::new();
        for person_id in &picked {
            let m = MemberInput { person_id: *person_id, role: role.clone() };
            warnings = queries::add_member(&mut *c, &actor, id, &m).await?;
        }
        for row in &rows {
            if row.name.is_empty() {
                return Err(AppError::Validation(vec![FieldError::new(
                    format!("new_name_{}", row.index),
                    "Give the new member's name in Latin letters (the Chinese name is optional).",
                )]));
            }
            let mut person = PersonInput {
                name_en: row.name.clone(),
                name_zh: Some(row.name_zh.clone()),
                email: None,
                institution_id: institution,
                positions: match (institution, row.title.is_empty()) {
                    (Some(inst), false) => vec![PositionInput {
                        title_en: row.title.clone(),
                        title_zh: None,
                        institution_id: inst,
                        unit_id: None,
                        start_date: None,
                        end_date: None,
                    }],
                    _ => Vec::new(),
                },
            };
            check_person(&mut person).map_err(|e| rename_fields(e, row.index))?;
            let person_id = insert_person(&mut *c, &actor, &person).await?;
            let role = if row.role.is_empty() { "member".to_string() } else { row.role.clone() };
            warnings = queries::add_member(&mut *c, &actor, id, &MemberInput { person_id, role }).await?;
        }
        Ok(warnings)
    })
    .await
}

/// A new person's field errors point at the row they came from.
fn rename_fields(e: AppError, index: usize) -> AppError {
    match e {
        AppError::Validation(v) => AppError::Validation(
            v.into_iter()
                .map(|f| {
                    let field = match f.field.as_str() {
                        "name_en" => format!("new_name_{index}"),
                        "name_zh" => format!("new_name_zh_{index}"),
                        _ => format!("new_title_{index}"),
                    };
                    FieldError { field, message: f.message }
                })
                .collect(),
        ),
        other => other,
    }
}

/// `POST /visits/{id}/members/{person_id}/delete`.
pub(super) async fn remove_member(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath((id, person_id)): ApiPath<(i64, i64)>,
) -> AppResult<Response> {
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "members", Vec::new(), async |c| queries::remove_member(c, &actor, id, person_id).await.map(|_| Vec::new()))
        .await
}

/// `POST /visits/{id}/hosts`.
pub(super) async fn add_host(
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

/// `POST /visits/{id}/hosts/{host_id}/delete`.
pub(super) async fn remove_host(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath((id, host_id)): ApiPath<(i64, i64)>,
) -> AppResult<Response> {
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "hosts", Vec::new(), async |c| queries::remove_host(c, &actor, id, host_id).await.map(|_| Vec::new())).await
}
