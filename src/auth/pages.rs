//! Login, logout, the language switch, and the account API (me, tokens, users).

use askama::Template;
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{delete, get, post},
};
use serde::Deserialize;

use super::{
    Access, CurrentUser, password,
    session::{self, IssuedToken, SESSION_COOKIE},
    users::{self, NewGrant, NewUser, UserSummary},
};
use crate::{
    audit::Actor,
    error::{AppError, AppResult},
    web::{
        AppState,
        context::{Ctx, LANG_COOKIE, User, cookie, set_cookie},
        extract::{ApiJson, ApiPath, FormData},
        i18n::{Locale, Tr},
        pages::Base,
        render,
        routes::Routes,
    },
};

/// Routes of this module.
pub fn routes() -> Routes {
    use Access::*;
    Routes::new()
        .get("/login", Public, get(login_page))
        .post("/login", Public, post(login))
        .post("/logout", Public, post(logout))
        .post("/settings/language", Public, post(set_language))
        .get("/api/v1/me", Authenticated, get(me))
        .post("/api/v1/tokens", Authenticated, post(create_token))
        .delete("/api/v1/tokens/{id}", Authenticated, delete(revoke_token))
        .get("/api/v1/users", Permission(super::Permission::ManageUsers), get(list_users))
        .post("/api/v1/users", Permission(super::Permission::ManageUsers), post(create_user))
        .post("/api/v1/users/{id}/grants", Permission(super::Permission::ManageUsers), post(add_grant))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    base: Base,
    username: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_string(),
        _ => "/".into(),
    }
}

async fn login_page(ctx: Ctx, query: axum::extract::Query<LoginQuery>) -> Response {
    let tr = Tr(ctx.locale);
    if ctx.user.is_some() {
        return Redirect::to(&safe_next(query.next.as_deref())).into_response();
    }
    let notice = query.expired.as_ref().map(|_| tr.t("login.expired").to_string());
    render(&LoginPage {
        base: Base::new(&ctx, tr.t("login.title"), "login"),
        username: String::new(),
        next: safe_next(query.next.as_deref()),
        error: None,
        notice,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, FormData(form): FormData<LoginForm>) -> AppResult<Response> {
    let tr = Tr(ctx.locale);
    let username = form.username.trim().to_ascii_lowercase();
    let next = safe_next(form.next.as_deref());
    let fail = |status: StatusCode, key: &str| {
        let page = LoginPage {
            base: Base::new(&ctx, tr.t("login.title"), "login"),
            username: username.clone(),
            next: next.clone(),
            error: Some(tr.t(key).to_string()),
            notice: None,
        };
        (status, render(&page)).into_response()
    };
    if username.is_empty() || form.password.is_empty() {
        return Ok(fail(StatusCode::UNPROCESSABLE_ENTITY, "login.missing"));
    }
    if session::throttled(&state.db, &username, &ctx.ip).await?.is_some() {
        let mut res = fail(StatusCode::TOO_MANY_REQUESTS, "login.throttled");
        res.headers_mut().insert(header::RETRY_AFTER, session::WINDOW_SECS.into());
        return Ok(res);
    }
    let record = users::login_record(&state.db, &username).await?;
    let (user_id, ok) = match record {
        Some((id, hash, active)) => (id, password::verify(form.password, hash).await? && active),
        None => {
            // Spend the same time as a real check so timing does not reveal usernames.
            let _ = password::verify(form.password, password::dummy_hash().await.to_string()).await;
            (0, false)
        }
    };
    if !ok {
        session::record_failure(&state.db, &username, &ctx.ip).await?;
        return Ok(fail(StatusCode::UNAUTHORIZED, "login.failed"));
    }
    session::clear_failures(&state.db, &username).await?;
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        session::delete(&state.db, old).await?;
    }
    let new = session::create(&state.db, user_id, state.settings.session_hours).await?;
    let mut res = Redirect::to(&next).into_response();
    let max_age = state.settings.session_hours * 3600;
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &new.token, Some(max_age), state.settings.secure_cookies));
    Ok(res)
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        session::delete(&state.db, token).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0), state.settings.secure_cookies));
    Ok(res)
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
}

async fn set_language(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    FormData(form): FormData<LanguageForm>,
) -> AppResult<Response> {
    let locale = Locale::parse(&form.lang).ok_or_else(|| AppError::field("lang", "choose en or zh"))?;
    if let Some(u) = &ctx.user {
        users::set_locale(&state.db, u.id, locale.code()).await?;
    }
    // Back to the page the switch was pressed on, if it was one of ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_string()));
    let mut res = Redirect::to(&safe_next(back.as_deref())).into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(LANG_COOKIE, locale.code(), Some(365 * 86400), state.settings.secure_cookies));
    Ok(res)
}

/// `GET /api/v1/me`: the caller's account and grants.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, body = CurrentUser), (status = 401, body = crate::error::Problem)))]
pub async fn me(User(user): User) -> Json<CurrentUser> {
    Json((*user).clone())
}

/// Input for a new API token.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewToken {
    /// A label to recognise the token by.
    pub name: String,
}

/// `POST /api/v1/tokens`: issues an API token for the caller; the secret is shown once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "account", request_body = NewToken,
    responses((status = 201, body = IssuedToken), (status = 422, body = crate::error::Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(body): ApiJson<NewToken>,
) -> AppResult<(StatusCode, Json<IssuedToken>)> {
    let name = body.name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(AppError::field("name", "give the token a name of 1–100 characters"));
    }
    Ok((StatusCode::CREATED, Json(session::issue_token(&state.db, user.id, name).await?)))
}

/// `DELETE /api/v1/tokens/{id}`: revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "account", params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn revoke_token(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<StatusCode> {
    if session::revoke_token(&state.db, user.id, id).await? { Ok(StatusCode::NO_CONTENT) } else { Err(AppError::NotFound) }
}

/// `GET /api/v1/users`: all accounts (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Vec<UserSummary>)))]
pub async fn list_users(State(state): State<AppState>) -> AppResult<Json<Vec<UserSummary>>> {
    Ok(Json(users::list_users(&state.db).await?))
}

/// `POST /api/v1/users`: creates an account (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, description = "Created; body has the new id"), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    User(admin): User,
    ApiJson(body): ApiJson<NewUser>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let id = users::create_user(&state.db, &Actor::from(&*admin), body).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

/// `POST /api/v1/users/{id}/grants`: adds a role grant (administrators).
#[utoipa::path(post, path = "/api/v1/users/{id}/grants", tag = "users", request_body = NewGrant, params(("id" = i64, Path, description = "User id")),
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn add_grant(
    State(state): State<AppState>,
    User(admin): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewGrant>,
) -> AppResult<StatusCode> {
    users::grant(&state.db, &Actor::from(&*admin), id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}
