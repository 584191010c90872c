//! The browser's side of a sign-in: `start` sends it to the provider, `callback` takes
//! it back, checks what the provider says, and opens a session. Any failure is a page
//! that says what happened and what to do, with no session made.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{
    SsoService, accounts, cas,
    model::{SignedIn, SsoError},
    oidc,
    queries::{self, PendingLogin},
};
use crate::{
    auth::{
        random_token,
        session::{self, PRE_CSRF_COOKIE, SESSION_COOKIE},
        token_hash,
    },
    config::{Protocol, Provider},
    error::AppResult,
    secret::same_secret,
    web::{
        AppState,
        context::{Ctx, cookie, set_cookie},
        extract::ApiPath,
        i18n::Tr,
        pages::Base,
        redirect::same_site_path,
        render,
    },
};

/// The cookie that binds a sign-in under way to the browser that started it.
pub const SSO_COOKIE: &str = "liaison_sso";
/// How long a sign-in may take at the provider, in seconds.
const PENDING_SECS: i64 = 600;

#[derive(Template)]
#[template(path = "sso/error.html")]
struct ErrorPage {
    base: Base,
    message: String,
    provider_down: bool,
}

fn failure(ctx: &Ctx, err: &SsoError) -> Response {
    let tr = Tr(ctx.locale);
    match err.detail() {
        Some(d) => tracing::warn!(error = %err, detail = d, "sign-on failed"),
        None => tracing::info!(error = %err, "sign-on refused"),
    }
    let status = match err {
        SsoError::UnknownProvider => StatusCode::NOT_FOUND,
        SsoError::ProviderDown(_) => StatusCode::SERVICE_UNAVAILABLE,
        SsoError::Misconfigured(_) => StatusCode::BAD_GATEWAY,
        SsoError::UnverifiedEmail | SsoError::NoAccount | SsoError::Deactivated => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    };
    let message = tr.message(&err.to_string()).into_owned();
    let page =
        ErrorPage { base: Base::new(ctx, tr.t("sso.failed"), "login"), message, provider_down: matches!(err, SsoError::ProviderDown(_)) };
    let mut res = (status, render(&page)).into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SSO_COOKIE, "", Some(0), false));
    res
}

#[derive(Deserialize)]
pub(super) struct StartQuery {
    next: Option<String>,
}

fn provider<'a>(state: &'a AppState, id: &str) -> Result<&'a Provider, SsoError> {
    state.settings.sso.provider(id).ok_or(SsoError::UnknownProvider)
}

/// `GET /auth/{provider}/start`: records the sign-in and sends the browser to the provider.
pub(super) async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<String>,
    Query(q): Query<StartQuery>,
) -> AppResult<Response> {
    let sso = state.service::<SsoService>();
    let p = match provider(&state, &id) {
        Ok(p) => p,
        Err(e) => return Ok(failure(&ctx, &e)),
    };
    let login_state = random_token(32);
    let pending = PendingLogin {
        provider: p.id.clone(),
        nonce: random_token(16),
        pkce_verifier: random_token(32),
        next_path: same_site_path(q.next.as_deref()),
        expires_at: crate::time::in_secs_text(PENDING_SECS),
    };
    let target = match p.protocol {
        Protocol::Oidc => match sso.cache.get(&sso.http, p, false).await {
            Ok((d, _)) => oidc::authorization_url(&d, p, &sso.callback_url(&p.id), &login_state, &pending.nonce, &pending.pkce_verifier),
            Err(e) => Err(e),
        },
        Protocol::Cas => cas::login_url(p, &cas_service(sso, p, &login_state)),
    };
    let target = match target {
        Ok(t) => t,
        Err(e) => return Ok(failure(&ctx, &e)),
    };
    queries::insert_login(&state.db, &token_hash(&login_state), &pending).await?;
    let mut res = Redirect::to(&target).into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SSO_COOKIE, &login_state, Some(PENDING_SECS), state.settings.secure_cookies));
    Ok(res)
}

/// The CAS service address: our callback with the state, validated exactly as sent.
fn cas_service(sso: &SsoService, p: &Provider, login_state: &str) -> String {
    format!("{}?state={login_state}", sso.callback_url(&p.id))
}

#[derive(Deserialize)]
pub(super) struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    ticket: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /auth/{provider}/callback`: finishes the sign-in.
pub(super) async fn callback(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    Query(q): Query<CallbackQuery>,
) -> AppResult<Response> {
    let signed = match signed_in(&state, &headers, &id, &q).await? {
        Ok(s) => s,
        Err(e) => return Ok(failure(&ctx, &e)),
    };
    let (who, next, id_token) = signed;
    let p = provider(&state, &id).map_err(|_| crate::error::AppError::NotFound)?;
    let user_id = match accounts::account_for(&state.db, p, &who).await? {
        Ok((uid, _)) => uid,
        Err(e) => return Ok(failure(&ctx, &e)),
    };
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        session::delete(&state.db, old).await?;
    }
    let new = session::create_signed_on(&state.db, user_id, state.settings.session_hours, &p.id, id_token.as_deref()).await?;
    let landing = super::landing(&state, user_id, next).await?;
    let secure = state.settings.secure_cookies;
    let mut res = Redirect::to(&landing).into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &new.token, Some(state.settings.session_hours * 3600), secure));
    res.headers_mut().append(header::SET_COOKIE, set_cookie(PRE_CSRF_COOKIE, &random_token(24), None, secure));
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SSO_COOKIE, "", Some(0), secure));
    Ok(res)
}

type Signed = (SignedIn, String, Option<String>);

/// Checks the callback: the state (once, this browser's, not expired), then the code or
/// ticket with the provider. Gives the person, where to go next, and the ID token.
async fn signed_in(state: &AppState, headers: &HeaderMap, id: &str, q: &CallbackQuery) -> AppResult<Result<Signed, SsoError>> {
    let sso = state.service::<SsoService>();
    let p = match provider(state, id) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let Some(login_state) = q.state.as_deref().filter(|s| !s.is_empty()) else { return Ok(Err(SsoError::State)) };
    // Taken before anything else, so a replayed callback finds nothing whatever happens next.
    let pending = queries::take_login(&state.db, &token_hash(login_state)).await?;
    let bound = cookie(headers, SSO_COOKIE).is_some_and(|c| same_secret(c, login_state));
    let Some(pending) = pending.filter(|l| bound && l.provider == p.id && l.expires_at > crate::time::now_text()) else {
        return Ok(Err(SsoError::State));
    };
    if let Some(err) = &q.error {
        let why = q.error_description.clone().unwrap_or_else(|| err.clone());
        return Ok(Err(SsoError::Refused(format!("the identity provider did not complete the sign-in: {why}"))));
    }
    Ok(match p.protocol {
        Protocol::Oidc => {
            let Some(code) = q.code.as_deref() else { return Ok(Err(SsoError::Refused("the identity provider sent no code".into()))) };
            let redirect_uri = sso.callback_url(&p.id);
            let x = oidc::Exchange {
                code,
                redirect_uri: &redirect_uri,
                verifier: &pending.pkce_verifier,
                nonce: &pending.nonce,
                skew: state.settings.sso.clock_skew_seconds,
            };
            oidc::exchange(&sso.http, &sso.cache, p, &x)
                .await
                .map(|(claims, token)| (SignedIn::from_oidc(p, &p.url, &claims), pending.next_path, Some(token)))
        }
        Protocol::Cas => {
            let Some(ticket) = q.ticket.as_deref().filter(|t| !t.is_empty()) else {
                return Ok(Err(SsoError::Refused("the campus login sent no ticket".into())));
            };
            if !queries::spend_ticket(&state.db, &token_hash(ticket)).await? {
                return Ok(Err(SsoError::TicketReused));
            }
            let service = cas_service(sso, p, login_state);
            cas::validate(&sso.http, p, &service, ticket)
                .await
                .map(|u| (SignedIn::from_cas(p, u.user, u.attributes), pending.next_path, None))
        }
    })
}
