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
        extract::{ApiJson, ApiPath, ApiQuery},
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

/// `GET /api/v1/users/{id}`: one account with its grants (administrators).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserSummary), (status = 404, body = crate::error::Problem)))]
pub async fn get_user(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<UserSummary>> {
    Ok(Json(users::get_user(&state.db, id).await?.ok_or(AppError::NotFound)?))
}

/// Changes to an account.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateUser {
    /// False deactivates the account (its sessions end, its API tokens are revoked);
    /// true lets it log in again.
    pub active: bool,
}

/// `PATCH /api/v1/users/{id}`: deactivates or reactivates an account (administrators).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UpdateUser, params(("id" = i64, Path, description = "User id")),
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_user(
    State(state): State<AppState>,
    User(admin): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> AppResult<StatusCode> {
    users::set_active(&state.db, &Actor::from(&*admin), id, body.active).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A grant to remove.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct GrantQuery {
    /// The unit of a coordinator grant.
    pub unit_id: Option<i64>,
}

/// `DELETE /api/v1/users/{id}/grants/{role}`: removes a grant (administrators).
#[utoipa::path(delete, path = "/api/v1/users/{id}/grants/{role}", tag = "users",
    params(("id" = i64, Path, description = "User id"), ("role" = String, Path, description = "Role name"), GrantQuery),
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn revoke_grant(
    State(state): State<AppState>,
    User(admin): User,
    ApiPath((id, role)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<GrantQuery>,
) -> AppResult<StatusCode> {
    if users::revoke(&state.db, &Actor::from(&*admin), id, &role, q.unit_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

/// A new password set by an administrator.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewPassword {
    /// At least 10 characters.
    pub password: String,
}

/// `POST /api/v1/users/{id}/password`: resets a password; the account's sessions end and
/// its API tokens are revoked (administrators).
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", request_body = NewPassword, params(("id" = i64, Path, description = "User id")),
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    User(admin): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewPassword>,
) -> AppResult<StatusCode> {
    users::set_password(&state.db, &Actor::from(&*admin), id, body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
