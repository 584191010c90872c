//! Login, logout and the language switch.

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::auth::{
    password, random_token,
    session::{self, PRE_CSRF_COOKIE, SESSION_COOKIE},
    users::{self},
};
use crate::{
    error::{AppError, AppResult},
    web::{
        AppState,
        context::{Ctx, LANG_COOKIE, cookie, set_cookie},
        extract::FormData,
        i18n::{Locale, Tr},
        pages::Base,
        redirect::same_site_path,
        render,
    },
};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    base: Base,
    username: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
    /// Sign-on buttons: (provider id, label in the page's language).
    providers: Vec<(String, String)>,
    /// Password login is open to everyone (else only to the break-glass administrators).
    password_login: bool,
}

impl LoginPage {
    fn new(state: &AppState, ctx: &Ctx, next: String) -> LoginPage {
        let tr = Tr(ctx.locale);
        let sso = &state.settings.sso;
        let providers = sso
            .providers
            .iter()
            .map(|p| (p.id.clone(), if tr.locale() == Locale::Zh { p.name_zh.clone() } else { p.name_en.clone() }))
            .collect();
        LoginPage {
            base: Base::new(ctx, tr.t("login.title"), "login"),
            username: String::new(),
            next,
            error: None,
            notice: None,
            providers,
            password_login: sso.password_login,
        }
    }

    /// The sign-on start address for a provider, keeping where to go afterwards.
    fn start_url(&self, provider: &str) -> String {
        format!("/auth/{provider}/start?next={}", crate::web::routes::urlencode(&self.next))
    }
}

#[derive(Deserialize)]
pub(super) struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
}

pub(super) async fn login_page(State(state): State<AppState>, ctx: Ctx, query: axum::extract::Query<LoginQuery>) -> Response {
    let tr = Tr(ctx.locale);
    if ctx.user.is_some() {
        return Redirect::to(&same_site_path(query.next.as_deref())).into_response();
    }
    let mut page = LoginPage::new(&state, &ctx, same_site_path(query.next.as_deref()));
    page.notice = query.expired.as_ref().map(|_| tr.t("login.expired").to_string());
    render(&page)
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub(super) async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    FormData(form): FormData<LoginForm>,
) -> AppResult<Response> {
    let tr = Tr(ctx.locale);
    let username = form.username.trim().to_ascii_lowercase();
    let next = same_site_path(form.next.as_deref());
    let fail = |status: StatusCode, key: &str| {
        let mut page = LoginPage::new(&state, &ctx, next.clone());
        page.username = username.clone();
        page.error = Some(tr.t(key).to_string());
        (status, render(&page)).into_response()
    };
    if username.is_empty() || form.password.is_empty() {
        return Ok(fail(StatusCode::UNPROCESSABLE_ENTITY, "login.missing"));
    }
    if !state.settings.sso.password_allowed(&username) {
        return Ok(fail(StatusCode::FORBIDDEN, "login.sso_only"));
    }
    if let Some(wait) = session::throttled(&state.db, &username, &ctx.ip).await? {
        let mut res = fail(StatusCode::TOO_MANY_REQUESTS, "login.throttled");
        res.headers_mut().insert(header::RETRY_AFTER, wait.into());
        return Ok(res);
    }
    let record = users::login_record(&state.db, &username).await?;
    let (user_id, ok) = match record {
        // Accounts made by sign-on have no password (an empty hash).
        Some((id, hash, active)) if !hash.is_empty() => (id, password::verify(form.password, hash).await? && active),
        _ => {
            // Spend the same time as a real check so timing does not reveal usernames.
            let _ = password::verify(form.password, password::dummy_hash().await.to_string()).await;
            (0, false)
        }
    };
    if !ok {
        session::record_failure(&state.db, &username, &ctx.ip).await?;
        return Ok(fail(StatusCode::UNAUTHORIZED, "login.failed"));
    }
    session::clear_failures(&state.db, &username, &ctx.ip).await?;
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        session::delete(&state.db, old).await?;
    }
    let new = session::create(&state.db, user_id, state.settings.session_hours).await?;
    let mut res = Redirect::to(&crate::sso::landing(&state, user_id, next).await?).into_response();
    let max_age = state.settings.session_hours * 3600;
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &new.token, Some(max_age), state.settings.secure_cookies));
    // The pre-login token may have been seen or planted before login: start afresh.
    res.headers_mut().append(header::SET_COOKIE, set_cookie(PRE_CSRF_COOKIE, &random_token(24), None, state.settings.secure_cookies));
    Ok(res)
}

/// Ends the local session and, for a session opened through a provider that offers it,
/// sends the browser on to the provider's logout, which returns it to the login page.
pub(super) async fn logout(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let mut target = "/login".to_string();
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Some((provider, id_token)) = session::signed_on_with(&state.db, token).await? {
            target = crate::sso::provider_logout(&state, &provider, id_token.as_deref()).await.unwrap_or(target);
        }
        session::delete(&state.db, token).await?;
    }
    let mut res = Redirect::to(&target).into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0), state.settings.secure_cookies));
    Ok(res)
}

#[derive(Deserialize)]
pub(super) struct LanguageForm {
    lang: String,
}

pub(super) async fn set_language(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    FormData(form): FormData<LanguageForm>,
) -> AppResult<Response> {
    let locale = Locale::parse(&form.lang).ok_or_else(|| AppError::field("lang", "choose en, zh or ms"))?;
    if let Some(u) = &ctx.user {
        users::set_locale(&state.db, u.id, locale.code()).await?;
    }
    // Back to the page the switch was pressed on, if it was one of ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_string()));
    let mut res = Redirect::to(&same_site_path(back.as_deref())).into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(LANG_COOKIE, locale.code(), Some(365 * 86400), state.settings.secure_cookies));
    Ok(res)
}
