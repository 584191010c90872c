//! Editing a person on a page of their own (`/people/{id}/edit`): the same change and
//! checks as `PATCH /api/v1/people/{id}`, the institution typed as text like everywhere;
//! removing a position or the person from their page.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    queries,
    records::{PersonChange, change_person, remove_position},
};
use crate::{
    audit::Actor,
    error::{AppError, AppResult},
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, FormData},
        forms::{self, FormState},
        i18n::Tr,
        pages::Base,
        render,
    },
};

/// What the edit form sends.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    institution: String,
}

impl EditForm {
    fn fields(&self) -> Vec<(String, String)> {
        [("name_en", &self.name_en), ("name_zh", &self.name_zh), ("email", &self.email), ("institution", &self.institution)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "people/edit.html")]
struct EditPage {
    base: Base,
    id: i64,
    f: FormState,
}

fn page(ctx: &Ctx, id: i64, f: FormState) -> Response {
    let code = if f.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    (code, render(&EditPage { base: Base::new(ctx, Tr(ctx.locale).t("people.edit"), "people"), id, f })).into_response()
}

/// `GET /people/{id}/edit`.
pub async fn edit_form(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let p = queries::get_person(&mut conn, id).await?;
    let institution = match p.institution_id {
        Some(i) => queries::get_institution(&mut conn, i).await?.name_en,
        None => String::new(),
    };
    let form = EditForm { name_en: p.name_en, name_zh: p.name_zh.unwrap_or_default(), email: p.email.unwrap_or_default(), institution };
    Ok(page(&ctx, id, FormState::filled("person", form.fields())))
}

/// `POST /people/{id}/edit`.
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(form): FormData<EditForm>,
) -> AppResult<Response> {
    let institution = super::partner_field::partner_from_text(&state, &form.institution).await?;
    let actor = Actor::from(&*user);
    let change = PersonChange {
        name_en: Some(form.name_en.clone()),
        name_zh: Some(form.name_zh.clone()),
        email: Some(form.email.clone()),
        institution_id: Some(*institution.as_ref().ok().and_then(|i| i.as_ref()).unwrap_or(&0)),
    };
    forms::apply(
        &state.db,
        async |c| match institution {
            Err(e) => Err(AppError::Validation(vec![e])),
            Ok(_) => change_person(c, &actor, id, change).await,
        },
        |_| format!("/people/{id}"),
        async |e| Ok(page(&ctx, id, FormState::failed("person", form.fields(), e, ctx.locale)?)),
    )
    .await
}

/// `POST /people/{id}/positions/{pid}/delete`.
pub async fn delete_position(
    State(state): State<AppState>,
    User(user): User,
    ApiPath((id, pid)): ApiPath<(i64, i64)>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    if queries::position_holder(&mut tx, pid).await? != Some(id) {
        return Err(AppError::NotFound);
    }
    remove_position(&mut tx, &Actor::from(&*user), pid).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/people/{id}#pos-h")).into_response())
}
