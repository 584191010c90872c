//! Pages a partner's coordinator opens from their e-mail, without an account: the
//! nominees at their institution with accept / reject (and a reason), or, for an
//! incoming call, a form to nominate their students. The signed token in the address
//! is the only credential (`links`): anything else answers 404. The forms carry the
//! pre-login CSRF token like the login form.

use askama::Template;
use axum::{extract::State, response::Response};

use super::Words;
use crate::{
    applications::{
        links::Purpose,
        model::{Call, CallPartner},
        nomination::{self, Nominee, PartnerDecision},
        queries,
    },
    audit::Actor,
    error::AppResult,
    web::{
        AppState,
        context::Ctx,
        extract::{ApiPath, FormData},
        forms::{FormState, apply, field},
        pages::Base,
        render,
    },
};

#[derive(Template)]
#[template(path = "applications/partner.html")]
struct PartnerPage {
    base: Base,
    call: Call,
    partner: CallPartner,
    token: String,
    review: bool,
    nominees: Vec<(i64, String, String, String)>,
    f: FormState,
}

impl Words for PartnerPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

impl PartnerPage {
    fn title(&self) -> String {
        self.call.title(self.base.is_zh()).to_string()
    }
}

async fn show(state: &AppState, ctx: &Ctx, purpose: Purpose, token: &str, f: FormState) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let (call, partner) = nomination::link_partner(&mut conn, purpose, token).await?;
    let nominees = if purpose == Purpose::Review { queries::nominees(&mut conn, partner.id).await? } else { Vec::new() };
    let title = call.title(ctx.locale == crate::web::i18n::Locale::Zh).to_string();
    let page = PartnerPage {
        base: Base::new(ctx, title, ""),
        call,
        partner,
        token: token.to_string(),
        review: purpose == Purpose::Review,
        nominees,
        f,
    };
    Ok(render(&page))
}

/// `GET /partner/review/{token}`: the nominees at the link's partner.
pub(super) async fn review_page(State(state): State<AppState>, ctx: Ctx, ApiPath(token): ApiPath<String>) -> AppResult<Response> {
    show(&state, &ctx, Purpose::Review, &token, FormState::default()).await
}

/// `POST /partner/review/{token}`: accept or reject one nominee (`application_id`,
/// `decision` = accept | reject, `reason`).
pub(super) async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(token): ApiPath<String>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let cp = {
        let mut conn = state.db.pool.acquire().await?;
        nomination::link_partner(&mut conn, Purpose::Review, &token).await?.1.id
    };
    let app: i64 = field(&fields, "application_id").parse().unwrap_or(0);
    let d = PartnerDecision { accept: field(&fields, "decision") == "accept", reason: field(&fields, "reason").to_string() };
    apply(
        &state.db,
        async |tx| nomination::decide(tx, cp, app, &d).await,
        |_| format!("/partner/review/{token}"),
        async |e| show(&state, &ctx, Purpose::Review, &token, FormState::failed("decide", fields.clone(), e, ctx.locale)?).await,
    )
    .await
}

/// `GET /partner/nominate/{token}`: the form to nominate students to an incoming call.
pub(super) async fn nominate_page(State(state): State<AppState>, ctx: Ctx, ApiPath(token): ApiPath<String>) -> AppResult<Response> {
    show(&state, &ctx, Purpose::Nominate, &token, FormState::default()).await
}

/// `POST /partner/nominate/{token}`: one nominee (name, e-mail) becomes an inbound
/// mobility.
pub(super) async fn nominate(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(token): ApiPath<String>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (call_id, cp) = {
        let mut conn = state.db.pool.acquire().await?;
        let (call, cp) = nomination::link_partner(&mut conn, Purpose::Nominate, &token).await?;
        (call.id, cp)
    };
    let n = Nominee { call_partner_id: cp.id, name: field(&fields, "name").to_string(), email: field(&fields, "email").to_string() };
    let actor = Actor::system(&format!("partner link ({})", cp.id));
    apply(
        &state.db,
        async |tx| nomination::incoming(tx, &actor, call_id, &n).await,
        |_| format!("/partner/nominate/{token}"),
        async |e| show(&state, &ctx, Purpose::Nominate, &token, FormState::failed("nominate", fields.clone(), e, ctx.locale)?).await,
    )
    .await
}
