//! The account API: me, tokens, users and their grants.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;

use crate::auth::{
    CurrentUser,
    session::{self, IssuedToken},
    users::{self, NewGrant, NewUser, UserSummary},
};
use crate::{
    audit::Actor,
    error::{AppError, AppResult},
    web::{
        AppState,
        context::User,
        extract::{ApiJson, ApiPath},
    },
};

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
