//! All SQL of accounts and access: users, role grants, sessions, login failures and API
//! tokens. Tokens arrive here already hashed; the hashing stays with the callers.

use sqlx::{AnyConnection, Row};

use crate::{db::Db, time::now_text};

/// A new account's row.
pub struct UserRow<'a> {
    /// Login name (normalised).
    pub username: &'a str,
    /// Shown name.
    pub display_name: &'a str,
    /// E-mail.
    pub email: Option<&'a str>,
    /// Password hash.
    pub password_hash: &'a str,
}

/// Inserts an account; returns its id.
pub async fn insert_user(conn: &mut AnyConnection, u: &UserRow<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (username, display_name, email, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.email)
    .bind(u.password_hash)
    .bind(now_text())
    .fetch_one(conn)
    .await
}

/// Inserts a role grant unless the user already has it; true if it was new. A duplicate
/// is skipped by the database (`ON CONFLICT DO NOTHING`), so the transaction stays usable
/// on PostgreSQL; the caller maps a missing unit.
pub async fn insert_grant(conn: &mut AnyConnection, user_id: i64, role: &str, unit_id: Option<i64>) -> Result<bool, sqlx::Error> {
    let n = sqlx::query("INSERT INTO role_grants (user_id, role, unit_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(user_id)
        .bind(role)
        .bind(unit_id)
        .bind(now_text())
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// Whether a user with this id exists.
pub async fn user_exists(conn: &mut AnyConnection, user_id: i64) -> sqlx::Result<bool> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1").bind(user_id).fetch_optional(conn).await?;
    Ok(id.is_some())
}

/// Replaces a password hash; false if there is no such user.
pub async fn set_password_hash(conn: &mut AnyConnection, user_id: i64, hash: &str) -> sqlx::Result<bool> {
    let n = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now_text())
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// Ends every session of a user.
pub async fn delete_sessions_of(conn: &mut AnyConnection, user_id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(conn).await?;
    Ok(())
}

/// Revokes every API token of a user still in use.
pub async fn revoke_tokens_of(conn: &mut AnyConnection, user_id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_text())
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A user's id by (normalised) username.
pub async fn user_id_by_username(db: &Db, username: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1").bind(username).fetch_optional(&db.pool).await
}

/// What login needs of a (normalised) username: id, hash, active.
pub async fn login_record(db: &Db, username: &str) -> sqlx::Result<Option<(i64, String, bool)>> {
    let row =
        sqlx::query("SELECT id, password_hash, active FROM users WHERE username = $1").bind(username).fetch_optional(&db.pool).await?;
    row.map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?, r.try_get::<i64, _>(2)? == 1))).transpose()
}

/// A user's grants as stored: (role, unit), in the order given.
pub async fn grants_of(db: &Db, user_id: i64) -> sqlx::Result<Vec<(String, Option<i64>)>> {
    sqlx::query_as("SELECT role, unit_id FROM role_grants WHERE user_id = $1 ORDER BY id").bind(user_id).fetch_all(&db.pool).await
}

/// An active user and each of their grants, one row per grant (one row with no grant
/// when there is none): id, username, display name, locale, role, unit.
pub type CurrentUserRow = (i64, String, String, String, Option<String>, Option<i64>);

/// The rows of an active user with their grants.
pub async fn current_user_rows(db: &Db, user_id: i64) -> sqlx::Result<Vec<CurrentUserRow>> {
    sqlx::query_as(
        "SELECT u.id, u.username, u.display_name, u.locale, g.role, g.unit_id
         FROM users u LEFT JOIN role_grants g ON g.user_id = u.id
         WHERE u.id = $1 AND u.active = 1 ORDER BY g.id",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await
}

/// A user as listed: id, username, display name, e-mail, locale, active.
pub type UserListRow = (i64, String, String, Option<String>, String, i64);

/// All users, by username.
pub async fn list_users(db: &Db) -> sqlx::Result<Vec<UserListRow>> {
    sqlx::query_as("SELECT id, username, display_name, email, locale, active FROM users ORDER BY username").fetch_all(&db.pool).await
}

/// Remembers a user's UI language.
pub async fn set_locale(db: &Db, user_id: i64, locale: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET locale = $1, updated_at = $2 WHERE id = $3")
        .bind(locale)
        .bind(now_text())
        .bind(user_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Stores a session under its token's hash.
pub async fn insert_session(db: &Db, hash: &str, user_id: i64, csrf: &str, expires_at: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(hash)
        .bind(user_id)
        .bind(csrf)
        .bind(now_text())
        .bind(expires_at)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Notes the sign-on provider (and ID token) of a session.
pub async fn set_session_provider(db: &Db, hash: &str, provider: &str, id_token: Option<&str>) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET provider = $1, id_token = $2 WHERE id = $3")
        .bind(provider)
        .bind(id_token)
        .bind(hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The sign-on provider and ID token of a session, if it was opened through one.
pub async fn session_provider(db: &Db, hash: &str) -> sqlx::Result<Option<(String, Option<String>)>> {
    let row: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT provider, id_token FROM sessions WHERE id = $1").bind(hash).fetch_optional(&db.pool).await?;
    Ok(row.and_then(|(p, t)| p.map(|p| (p, t))))
}

/// A session by its token's hash: user, CSRF token, expiry.
pub async fn session(db: &Db, hash: &str) -> sqlx::Result<Option<(i64, String, String)>> {
    sqlx::query_as("SELECT user_id, csrf_token, expires_at FROM sessions WHERE id = $1").bind(hash).fetch_optional(&db.pool).await
}

/// Deletes a session by its token's hash.
pub async fn delete_session(db: &Db, hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(hash).execute(&db.pool).await?;
    Ok(())
}

/// Deletes sessions expired by `now`; returns how many.
pub async fn delete_expired_sessions(db: &Db, now: &str) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&db.pool).await?.rows_affected())
}

/// Deletes login failures at or before `before`; returns how many.
pub async fn delete_failures_before(db: &Db, before: &str) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM login_failures WHERE at <= $1").bind(before).execute(&db.pool).await?.rows_affected())
}

/// Failed logins of a username from an address since `since`: how many, and the last one.
pub async fn pair_failures_since(db: &Db, username: &str, ip: &str, since: &str) -> sqlx::Result<(i64, Option<String>)> {
    sqlx::query_as("SELECT COUNT(*), MAX(at) FROM login_failures WHERE username = $1 AND ip = $2 AND at > $3")
        .bind(username)
        .bind(ip)
        .bind(since)
        .fetch_one(&db.pool)
        .await
}

/// Failed logins from an address since `since`, whatever the username.
pub async fn address_failures_since(db: &Db, ip: &str, since: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE ip = $1 AND at > $2").bind(ip).bind(since).fetch_one(&db.pool).await
}

/// Records a failed login.
pub async fn insert_failure(db: &Db, username: &str, ip: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO login_failures (username, ip, at) VALUES ($1, $2, $3)")
        .bind(username)
        .bind(ip)
        .bind(now_text())
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Forgets a username's failed logins from one address.
pub async fn delete_failures_of(db: &Db, username: &str, ip: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1 AND ip = $2").bind(username).bind(ip).execute(&db.pool).await?;
    Ok(())
}

/// Stores an API token under its hash; returns its id.
pub async fn insert_token(db: &Db, user_id: i64, name: &str, hash: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(user_id)
        .bind(name)
        .bind(hash)
        .bind(now_text())
        .fetch_one(&db.pool)
        .await
}

/// The user of a valid (not revoked) API token, by its hash.
pub async fn token_user(db: &Db, hash: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
        .bind(hash)
        .fetch_optional(&db.pool)
        .await
}

/// Revokes one of a user's tokens; false if there was none to revoke.
pub async fn revoke_token(db: &Db, user_id: i64, token_id: i64) -> sqlx::Result<bool> {
    let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(now_text())
        .bind(token_id)
        .bind(user_id)
        .execute(&db.pool)
        .await?;
    Ok(n.rows_affected() == 1)
}

/// Whether a (normalised) username is in use.
pub async fn username_taken(conn: &mut AnyConnection, username: &str) -> sqlx::Result<bool> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1").bind(username).fetch_optional(conn).await?;
    Ok(id.is_some())
}

/// One user as listed: id, username, display name, e-mail, locale, active.
pub async fn user_row(db: &Db, user_id: i64) -> sqlx::Result<Option<UserListRow>> {
    sqlx::query_as("SELECT id, username, display_name, email, locale, active FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await
}

/// Sets whether an account may log in; false if there is no such user.
pub async fn set_active(conn: &mut AnyConnection, user_id: i64, active: bool) -> sqlx::Result<bool> {
    let n = sqlx::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(active))
        .bind(now_text())
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// Deletes a grant; false if there was none.
pub async fn delete_grant(conn: &mut AnyConnection, user_id: i64, role: &str, unit_id: Option<i64>) -> sqlx::Result<bool> {
    let n = sqlx::query("DELETE FROM role_grants WHERE user_id = $1 AND role = $2 AND COALESCE(unit_id, 0) = COALESCE($3, 0)")
        .bind(user_id)
        .bind(role)
        .bind(unit_id)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n > 0)
}
