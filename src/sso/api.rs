//! The administrators' API of sign-on identities: who signed in how, linking an identity
//! to an account by hand, and unlinking.

use axum::{Json, extract::State, http::StatusCode};

use super::identities::{self, Identity, NewIdentity};
use crate::{
    audit::Actor,
    auth::users,
    error::{AppError, AppResult},
    web::{
        AppState,
        context::User,
        extract::{ApiJson, ApiPath},
    },
};

/// `GET /api/v1/identities`: who signs in how (administrators).
#[utoipa::path(get, path = "/api/v1/identities", tag = "users", responses((status = 200, body = Vec<Identity>)))]
pub async fn list_identities(State(state): State<AppState>) -> AppResult<Json<Vec<Identity>>> {
    Ok(Json(identities::all(&state.db).await?))
}

/// `POST /api/v1/users/{id}/identities`: links a sign-on identity to an account
/// (administrators) — the only way besides a verified e-mail.
#[utoipa::path(post, path = "/api/v1/users/{id}/identities", tag = "users", request_body = NewIdentity, params(("id" = i64, Path, description = "User id")),
    responses((status = 201, description = "Linked; body has the new identity id"), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn link_identity(
    State(state): State<AppState>,
    User(admin): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewIdentity>,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    users::load_current(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let identity = identities::link(&state, &Actor::from(&*admin), id, &body).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": identity }))))
}

/// `DELETE /api/v1/identities/{id}`: unlinks an identity (administrators); the person
/// signing in through it next is matched afresh.
#[utoipa::path(delete, path = "/api/v1/identities/{id}", tag = "users", params(("id" = i64, Path, description = "Identity id")),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn unlink_identity(State(state): State<AppState>, User(admin): User, ApiPath(id): ApiPath<i64>) -> AppResult<StatusCode> {
    if identities::unlink(&state.db, &Actor::from(&*admin), id).await? { Ok(StatusCode::NO_CONTENT) } else { Err(AppError::NotFound) }
}
