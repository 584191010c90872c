//! Editing a programme's own fields on `/programmes/{id}/edit`: the same change and
//! checks as `PATCH /api/v1/programmes/{id}` (its agreement and area stay; quotas,
//! coordinators and mobilities are changed on its page).

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};

use super::{changes, model::UpdateProgramme, pages::NewPage, queries};
use crate::{
    audit::Actor,
    error::AppResult,
    status::Status,
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, FormData},
        forms::{self, FormState, field},
        i18n::Tr,
        pages::Base,
        render,
    },
};

async fn page(state: &AppState, ctx: &Ctx, id: i64, f: FormState) -> AppResult<Response> {
    let agreements = queries::agreement_choices(&mut *state.db.pool.acquire().await?).await?;
    let code = if f.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let base = Base::new(ctx, Tr(ctx.locale).t("programmes.edit"), "programmes");
    let page = NewPage { base, f, agreements, agreement_id: String::new(), action: format!("/programmes/{id}/edit"), editing: true };
    Ok((code, render(&page)).into_response())
}

/// `GET /programmes/{id}/edit`.
pub(super) async fn edit_form(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let p = queries::get_programme(&mut *state.db.pool.acquire().await?, id).await?;
    let fields = [
        ("area", p.area),
        ("title", p.title),
        ("status", p.status.as_str().to_string()),
        ("start_date", p.start_date.unwrap_or_default()),
        ("end_date", p.end_date.unwrap_or_default()),
        ("structure", p.structure.unwrap_or_default()),
        ("structure_notes", p.structure_notes),
        ("project_title", p.project_title.unwrap_or_default()),
        ("investigators", p.investigators),
        ("funding", p.funding),
    ];
    let f = FormState::filled("programme", fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
    page(&state, &ctx, id, f).await
}

/// `POST /programmes/{id}/edit`.
pub(super) async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let text = |name: &str| Some(field(&fields, name).to_string());
    let u = UpdateProgramme {
        title: text("title"),
        status: text("status").filter(|s| !s.is_empty()),
        start_date: text("start_date"),
        end_date: text("end_date"),
        structure: text("structure"),
        structure_notes: text("structure_notes"),
        project_title: text("project_title"),
        investigators: text("investigators"),
        funding: text("funding"),
    };
    let actor = Actor::from(&*user);
    let area = queries::get_programme(&mut *state.db.pool.acquire().await?, id).await?.area;
    forms::apply(
        &state.db,
        async |c| changes::update_programme(c, &actor, id, &u).await,
        |_| format!("/programmes/{id}"),
        async |e| {
            let mut kept = fields;
            kept.push(("area".to_string(), area));
            page(&state, &ctx, id, FormState::failed("programme", kept, e, ctx.locale)?).await
        },
    )
    .await
}
