//! The agreement page — parties, areas, status with its dated history, dates, the visit
//! at which it was signed, signatories, documents with their versions, the renewal chain
//! and the audit history — and the small forms on it. Each form posts to a handler that
//! calls the same domain function as the API; a form with problems re-renders the page
//! with inline messages and the input kept. Documents are uploaded by
//! `static/upload.js` straight to the API (a plain form cannot send a raw body).

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};

use super::{
    changes,
    model::{Agreement, AgreementStatus, DOCUMENT_KINDS, NewSignatory},
    pages::{FormState, field, opt_id, opt_text},
    queries,
};
use crate::{
    audit::{self, Actor, AuditEvent},
    auth::{Access, Permission},
    error::AppResult,
    status::Status,
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, FormData},
        forms,
        pages::Base,
        render,
        routes::Routes,
    },
};

/// Routes of the agreement page and its forms.
pub fn routes() -> Routes {
    let view = Access::Permission(Permission::ViewRecords);
    let edit = Access::Permission(Permission::EditAgreements);
    Routes::new()
        .get("/agreements/{id}", view, get(detail))
        .get("/agreements/{id}/documents/{doc_id}", view, get(download))
        .post("/agreements/{id}/status", edit, post(change_status))
        .post("/agreements/{id}/signatories", edit, post(add_signatory))
        .post("/agreements/{id}/renew", edit, post(renew))
}

#[derive(Template)]
#[template(path = "agreements/detail.html")]
struct DetailPage {
    base: Base,
    a: Agreement,
    f: FormState,
    people: Vec<(i64, String)>,
    unit: Option<String>,
    history: Vec<AuditEvent>,
    today: String,
}

impl DetailPage {
    fn tk(&self, prefix: &str, key: impl std::fmt::Display) -> String {
        self.base.t(&format!("agreements.{prefix}.{key}")).to_string()
    }

    fn area(&self, key: &str) -> String {
        crate::cooperation::area_name(key, self.base.lang_code()).to_string()
    }

    /// The statuses the form offers: the machine's next steps, the same the API accepts.
    fn next(&self) -> &'static [AgreementStatus] {
        self.a.status.allowed_next()
    }

    fn doc_kinds(&self) -> &'static [&'static str] {
        DOCUMENT_KINDS
    }

    fn party_name(&self, id: &Option<i64>) -> String {
        self.a.parties.iter().find(|p| Some(p.institution_id) == *id).map(|p| p.name_en.clone()).unwrap_or_default()
    }

    fn size(&self, bytes: &i64) -> String {
        match *bytes {
            b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
            b if b >= 1 << 10 => format!("{:.0} KiB", b as f64 / 1024.0),
            b => format!("{b} B"),
        }
    }
}

async fn detail_page(state: &AppState, ctx: &Ctx, id: i64, f: FormState) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let a = queries::get_agreement(&mut conn, id).await?;
    let mut people = Vec::new();
    for p in &a.parties {
        let rows = queries::people_of_institution(&mut conn, p.institution_id).await?;
        people.extend(rows.into_iter().filter(|r| !people.contains(r)).collect::<Vec<_>>());
    }
    let unit = match a.unit_id {
        Some(u) => Some(crate::institutions::lookup::unit_label(&mut conn, u).await?),
        None => None,
    };
    drop(conn);
    let history = audit::history(&state.db, "agreement", id).await?;
    let status = match (f.form.is_empty(), f.errors.iter().any(|(k, _)| k == "conflict")) {
        (true, _) => StatusCode::OK,
        (false, true) => StatusCode::CONFLICT,
        (false, false) => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = DetailPage { base: Base::new(ctx, a.title.clone(), "agreements"), a, f, people, unit, history, today: crate::time::today() };
    Ok((status, render(&page)).into_response())
}

async fn detail(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    detail_page(&state, &ctx, id, FormState::default()).await
}

async fn download(State(state): State<AppState>, ApiPath((id, doc_id)): ApiPath<(i64, i64)>, headers: HeaderMap) -> AppResult<Response> {
    super::documents::download(&state, id, doc_id, &headers).await
}

/// Runs a change in one transaction; then to `then` (or back to the page with the form's messages).
async fn apply<F>(state: &AppState, ctx: &Ctx, id: i64, form: &'static str, fields: Vec<(String, String)>, change: F) -> AppResult<Response>
where
    F: AsyncFnOnce(&mut sqlx::AnyConnection) -> AppResult<i64>,
{
    let done = |then: i64| format!("/agreements/{then}#{form}");
    forms::apply(&state.db, change, done, async |e| detail_page(state, ctx, id, FormState::failed(form, fields, e, ctx.locale)?).await)
        .await
}

async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (to, on, note) = (field(&fields, "status").to_string(), opt_text(&fields, "on_date"), opt_text(&fields, "note"));
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "status", fields, async |c| {
        let to = AgreementStatus::parse_field("status", to.trim())?;
        changes::set_status(c, &actor, id, to, on.as_deref(), note.as_deref()).await.map(|_| id)
    })
    .await
}

async fn add_signatory(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let s = NewSignatory {
        person_id: opt_id(&fields, "person_id").unwrap_or(0),
        position_title: opt_text(&fields, "position_title"),
        institution_id: None,
        signed_date: opt_text(&fields, "signed_date"),
    };
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "signatories", fields, async |c| changes::add_signatory(c, &actor, id, &s).await.map(|_| id)).await
}

async fn renew(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (eff, exp, title) =
        (field(&fields, "effective_date").to_string(), field(&fields, "expiry_date").to_string(), opt_text(&fields, "title"));
    let actor = Actor::from(&*user);
    apply(&state, &ctx, id, "renew", fields, async |c| changes::renew(c, &actor, id, &eff, &exp, title.as_deref()).await).await
}
