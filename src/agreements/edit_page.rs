//! Editing an agreement's own fields on `/agreements/{id}/edit`: the same change and
//! checks as `PATCH /api/v1/agreements/{id}` (parties, signatories, documents and status
//! steps are changed on the agreement's page).

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};

use super::{changes, model::UpdateAgreement, pages::NewPage, queries};
use crate::{
    audit::Actor,
    error::{AppError, AppResult, FieldError},
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, FormData},
        forms::{self, FormState, field, opt_text},
        i18n::Tr,
        pages::Base,
        render,
    },
};

async fn page(state: &AppState, ctx: &Ctx, id: i64, f: FormState) -> AppResult<Response> {
    let (visits, units) = super::pages::choices(state).await?;
    let code = if f.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let base = Base::new(ctx, Tr(ctx.locale).t("agreements.edit"), "agreements");
    let page = NewPage { base, f, visits, units, action: format!("/agreements/{id}/edit"), editing: true };
    Ok((code, render(&page)).into_response())
}

/// `GET /agreements/{id}/edit`.
pub(super) async fn edit_form(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let a = queries::get_agreement(&mut *state.db.pool.acquire().await?, id).await?;
    let mut fields: Vec<(String, String)> = [
        ("kind", a.kind),
        ("title", a.title),
        ("signed_date", a.signed_date.unwrap_or_default()),
        ("effective_date", a.effective_date.unwrap_or_default()),
        ("expiry_date", a.expiry_date.unwrap_or_default()),
        ("notice_days", a.notice_days.map(|n| n.to_string()).unwrap_or_default()),
        ("auto_renew", if a.auto_renew { "1".into() } else { String::new() }),
        ("visit_id", a.visit.map(|v| v.id.to_string()).unwrap_or_default()),
        ("unit_id", a.unit_id.map(|u| u.to_string()).unwrap_or_default()),
        ("notes", a.notes),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    fields.extend(a.areas.into_iter().map(|k| ("areas".to_string(), k)));
    page(&state, &ctx, id, FormState::filled("agreement", fields)).await
}

/// `POST /agreements/{id}/edit`.
pub(super) async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let notice = field(&fields, "notice_days").trim().to_string();
    let u = UpdateAgreement {
        kind: Some(field(&fields, "kind").to_string()),
        title: Some(field(&fields, "title").to_string()),
        parties: None,
        areas: Some(fields.iter().filter(|(k, _)| k == "areas").map(|(_, v)| v.clone()).collect()),
        signed_date: Some(opt_text(&fields, "signed_date").unwrap_or_default()),
        effective_date: Some(opt_text(&fields, "effective_date").unwrap_or_default()),
        expiry_date: Some(opt_text(&fields, "expiry_date").unwrap_or_default()),
        notice_days: Some(if notice.is_empty() { -1 } else { notice.parse().unwrap_or(i64::MIN) }),
        auto_renew: Some(field(&fields, "auto_renew") == "1"),
        visit_id: Some(field(&fields, "visit_id").trim().parse().unwrap_or(0)),
        responsible_id: None,
        unit_id: Some(field(&fields, "unit_id").trim().parse().unwrap_or(0)),
        notes: Some(field(&fields, "notes").to_string()),
    };
    let actor = Actor::from(&*user);
    forms::apply(
        &state.db,
        async |c| {
            if u.notice_days == Some(i64::MIN) {
                return Err(AppError::Validation(vec![FieldError::new(
                    "notice_days",
                    "Give the notice period as a number of days, such as 90.",
                )]));
            }
            changes::update_agreement(c, &actor, id, &u).await
        },
        |_| format!("/agreements/{id}"),
        async |e| page(&state, &ctx, id, FormState::failed("agreement", fields, e, ctx.locale)?).await,
    )
    .await
}
