//! Server-side sessions, API tokens and login throttling, all in the database so that
//! several `liaison serve` instances on one PostgreSQL share them. Only SHA-256 hashes
//! of session and API tokens are stored: a leaked database cannot be replayed.

use serde::Serialize;
use utoipa::ToSchema;

use super::{random_token, token_hash};
use crate::{db::Db, time};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "liaison_session";
/// Name of the pre-login CSRF cookie (double-submit for the login form).
pub const PRE_CSRF_COOKIE: &str = "liaison_csrf";
/// Failed logins per username within the window before throttling.
pub const MAX_FAILURES_PER_USER: i64 = 5;
/// Failed logins per client address within the window before throttling.
pub const MAX_FAILURES_PER_IP: i64 = 30;
/// Throttling window in seconds.
pub const WINDOW_SECS: i64 = 15 * 60;

/// A freshly created session: the cookie value and its CSRF token.
pub struct NewSession {
    /// Goes in the cookie; never stored.
    pub token: String,
    /// Goes in forms and the `X-CSRF-Token` header.
    pub csrf: String,
}

/// Starts a session for a user.
pub async fn create(db: &Db, user_id: i64, hours: i64) -> anyhow::Result<NewSession> {
    let token = random_token(32);
    let csrf = random_token(24);
    sqlx::query("INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(&csrf)
        .bind(time::now_text())
        .bind(time::in_secs_text(hours * 3600))
        .execute(&db.pool)
        .await?;
    Ok(NewSession { token, csrf })
}

/// A session looked up from its cookie.
pub enum Lookup {
    /// Valid: user id and CSRF token.
    Valid(i64, String),
    /// Existed but has expired.
    Expired,
    /// Unknown token.
    Unknown,
}

/// Finds the session for a cookie value.
pub async fn lookup(db: &Db, token: &str) -> anyhow::Result<Lookup> {
    let row: Option<(i64, String, String)> = sqlx::query_as("SELECT user_id, csrf_token, expires_at FROM sessions WHERE id = $1")
        .bind(token_hash(token))
        .fetch_optional(&db.pool)
        .await?;
    Ok(match row {
        None => Lookup::Unknown,
        Some((_, _, expires)) if expires <= time::now_text() => Lookup::Expired,
        Some((uid, csrf, _)) => Lookup::Valid(uid, csrf),
    })
}

/// Ends a session (logout).
pub async fn delete(db: &Db, token: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(token_hash(token)).execute(&db.pool).await?;
    Ok(())
}

/// Removes expired sessions and old login failures; run periodically.
pub async fn sweep(db: &Db) -> anyhow::Result<u64> {
    let now = time::now_text();
    let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(&now).execute(&db.pool).await?;
    let b = sqlx::query("DELETE FROM login_failures WHERE at <= $1").bind(time::in_secs_text(-WINDOW_SECS)).execute(&db.pool).await?;
    Ok(a.rows_affected() + b.rows_affected())
}

/// Seconds to wait if this username or address has failed too often, else `None`.
pub async fn throttled(db: &Db, username: &str, ip: &str) -> anyhow::Result<Option<u64>> {
    let since = time::in_secs_text(-WINDOW_SECS);
    let (by_user,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at > $2")
        .bind(username)
        .bind(&since)
        .fetch_one(&db.pool)
        .await?;
    let (by_ip,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE ip = $1 AND at > $2").bind(ip).bind(&since).fetch_one(&db.pool).await?;
    Ok((by_user >= MAX_FAILURES_PER_USER || by_ip >= MAX_FAILURES_PER_IP).then_some(WINDOW_SECS as u64))
}

/// Records a failed login.
pub async fn record_failure(db: &Db, username: &str, ip: &str) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO login_failures (username, ip, at) VALUES ($1, $2, $3)")
        .bind(username)
        .bind(ip)
        .bind(time::now_text())
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Forgets a username's failures after a successful login.
pub async fn clear_failures(db: &Db, username: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1").bind(username).execute(&db.pool).await?;
    Ok(())
}

/// A newly issued API token; the secret is shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    /// Token id (for revoking).
    pub id: i64,
    /// Token name.
    pub name: String,
    /// The secret: send as `Authorization: Bearer <token>`. Shown only now.
    pub token: String,
}

/// Issues an API token for a user.
pub async fn issue_token(db: &Db, user_id: i64, name: &str) -> anyhow::Result<IssuedToken> {
    let token = format!("lia_{}", random_token(32));
    let id: i64 = sqlx::query_scalar("INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(user_id)
        .bind(name)
        .bind(token_hash(&token))
        .bind(time::now_text())
        .fetch_one(&db.pool)
        .await?;
    Ok(IssuedToken { id, name: name.to_string(), token })
}

/// The user an API token belongs to, if it is valid.
pub async fn token_user(db: &Db, token: &str) -> anyhow::Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
        .bind(token_hash(token))
        .fetch_optional(&db.pool)
        .await?)
}

/// Revokes one of a user's tokens; false if there was none.
pub async fn revoke_token(db: &Db, user_id: i64, token_id: i64) -> anyhow::Result<bool> {
    let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(time::now_text())
        .bind(token_id)
        .bind(user_id)
        .execute(&db.pool)
        .await?;
    Ok(n.rows_affected() == 1)
}
