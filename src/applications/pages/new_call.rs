//! `/calls/new`: the office opens a call from a form — the programme (its agreement's
//! partners and the year's quota become the partners and places), the year, the window
//! in the office's time, the mobility period, conditions, documents and texts. Partners
//! with other places or programmes, and other scoring criteria, go through the API.

use askama::Template;
use axum::{extract::State, response::Response};

use super::Words;
use crate::{
    applications::{
        calls,
        model::{DOCUMENT_KINDS, LEVELS, NewCall},
    },
    audit::Actor,
    error::AppResult,
    programmes::{
        model::{ProgrammeQuery, ProgrammeSummary},
        queries as programmes,
    },
    web::{
        AppState,
        context::{Ctx, User},
        extract::FormData,
        forms::{FormState, apply, field, opt_text},
        i18n::Tr,
        pages::Base,
        render,
    },
};

#[derive(Template)]
#[template(path = "applications/new_call.html")]
struct NewCallPage {
    base: Base,
    programmes: Vec<ProgrammeSummary>,
    f: FormState,
}

impl Words for NewCallPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

impl NewCallPage {
    fn levels(&self) -> &'static [&'static str] {
        LEVELS
    }
    fn kinds(&self) -> &'static [&'static str] {
        DOCUMENT_KINDS
    }
    fn v<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.f.val("call", name, default)
    }
    fn chosen(&self, name: &str, value: &str) -> bool {
        self.f.chosen("call", name, value)
    }
}

async fn show(state: &AppState, ctx: &Ctx, f: FormState) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let programmes = programmes::list_programmes(&mut conn, &ProgrammeQuery::default()).await?;
    Ok(render(&NewCallPage { base: Base::new(ctx, Tr(ctx.locale).t("applications.new_call"), "calls"), programmes, f }))
}

/// `GET /calls/new`: the form.
pub(super) async fn form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    show(&state, &ctx, FormState::default()).await
}

/// The form as the API's input.
fn input(f: &[(String, String)]) -> NewCall {
    NewCall {
        programme_id: field(f, "programme_id").parse().unwrap_or(0),
        academic_year: field(f, "academic_year").into(),
        direction: field(f, "direction").into(),
        title_en: field(f, "title_en").into(),
        title_zh: field(f, "title_zh").into(),
        description_en: field(f, "description_en").into(),
        description_zh: field(f, "description_zh").into(),
        opens_at: field(f, "opens_at").into(),
        closes_at: field(f, "closes_at").into(),
        max_choices: field(f, "max_choices").parse().ok(),
        level: opt_text(f, "level"),
        min_gpa: opt_text(f, "min_gpa"),
        language_certificate: field(f, "language_certificate") == "1",
        required_documents: f.iter().filter(|(k, _)| k == "required_documents").map(|(_, v)| v.clone()).collect(),
        criteria: Vec::new(),
        scoring_rule: opt_text(f, "scoring_rule"),
        response_days: field(f, "response_days").parse().ok(),
        mobility_start: field(f, "mobility_start").into(),
        mobility_end: field(f, "mobility_end").into(),
        partners: Vec::new(),
    }
}

/// `POST /calls/new`: opens the call, then shows the office's page of it.
pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let actor = Actor::from(&*user);
    let c = input(&fields);
    apply(
        &state.db,
        async |tx| calls::create_call(tx, &actor, &c).await,
        |id| format!("/calls/{id}/applications"),
        async |e| show(&state, &ctx, FormState::failed("call", fields.clone(), e, ctx.locale)?).await,
    )
    .await
}
