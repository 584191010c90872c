//! All SQL of single sign-on: sign-ins under way, spent CAS tickets, and identities.

use sqlx::AnyConnection;

use crate::{db::Db, time::now_text};

/// A sign-in under way, as stored.
pub struct PendingLogin {
    /// Provider id.
    pub provider: String,
    /// The nonce sent (OIDC).
    pub nonce: String,
    /// The PKCE verifier (OIDC).
    pub pkce_verifier: String,
    /// Where to go afterwards.
    pub next_path: String,
    /// Expiry.
    pub expires_at: String,
}

/// Stores a sign-in under way under its state's hash.
pub async fn insert_login(db: &Db, state_hash: &str, p: &PendingLogin) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sso_logins (state_hash, provider, nonce, pkce_verifier, next_path, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(state_hash)
    .bind(&p.provider)
    .bind(&p.nonce)
    .bind(&p.pkce_verifier)
    .bind(&p.next_path)
    .bind(now_text())
    .bind(&p.expires_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Takes a sign-in under way: deletes its row and returns it, so a state is used once
/// even when two instances receive the same callback.
pub async fn take_login(db: &Db, state_hash: &str) -> sqlx::Result<Option<PendingLogin>> {
    let row: Option<(String, String, String, String, String)> =
        sqlx::query_as("DELETE FROM sso_logins WHERE state_hash = $1 RETURNING provider, nonce, pkce_verifier, next_path, expires_at")
            .bind(state_hash)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(provider, nonce, pkce_verifier, next_path, expires_at)| PendingLogin {
        provider,
        nonce,
        pkce_verifier,
        next_path,
        expires_at,
    }))
}

/// Deletes sign-ins that were never completed; returns how many.
pub async fn delete_expired_logins(db: &Db, now: &str) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sso_logins WHERE expires_at <= $1").bind(now).execute(&db.pool).await?.rows_affected())
}

/// Records a CAS ticket as spent; false if it was spent before.
pub async fn spend_ticket(db: &Db, ticket_hash: &str) -> sqlx::Result<bool> {
    let n = sqlx::query("INSERT INTO cas_tickets_used (ticket_hash, used_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(ticket_hash)
        .bind(now_text())
        .execute(&db.pool)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// The account linked to an identity: user id and whether it is active.
pub async fn identity_user(db: &Db, provider: &str, subject: &str) -> sqlx::Result<Option<(i64, i64, bool)>> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT i.id, u.id, u.active FROM identities i JOIN users u ON u.id = i.user_id WHERE i.provider = $1 AND i.subject = $2",
    )
    .bind(provider)
    .bind(subject)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|(i, u, a)| (i, u, a == 1)))
}

/// Notes a sign-in through an identity.
pub async fn touch_identity(db: &Db, identity_id: i64, email: Option<&str>) -> sqlx::Result<()> {
    sqlx::query("UPDATE identities SET last_login_at = $1, email = COALESCE($2, email) WHERE id = $3")
        .bind(now_text())
        .bind(email)
        .bind(identity_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Accounts whose e-mail is this address (any case): id and active.
pub async fn users_by_email(conn: &mut AnyConnection, email: &str) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT id, active FROM users WHERE LOWER(email) = LOWER($1) ORDER BY id").bind(email).fetch_all(conn).await
}

/// A new identity row.
pub struct IdentityRow<'a> {
    /// Account.
    pub user_id: i64,
    /// Provider id.
    pub provider: &'a str,
    /// Issuer or server URL.
    pub issuer: &'a str,
    /// Subject.
    pub subject: &'a str,
    /// E-mail (display only).
    pub email: Option<&'a str>,
    /// `created`, `email` or `admin`.
    pub linked_by: &'a str,
    /// Whether this link is made at a sign-in (sets the last sign-in time).
    pub signing_in: bool,
}

/// Links an identity; returns its id (a unique violation means it is linked already).
pub async fn insert_identity(conn: &mut AnyConnection, r: &IdentityRow<'_>) -> sqlx::Result<i64> {
    let now = now_text();
    sqlx::query_scalar(
        "INSERT INTO identities (user_id, provider, issuer, subject, email, linked_by, created_at, last_login_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(r.user_id)
    .bind(r.provider)
    .bind(r.issuer)
    .bind(r.subject)
    .bind(r.email)
    .bind(r.linked_by)
    .bind(&now)
    .bind(r.signing_in.then_some(now.clone()))
    .fetch_one(conn)
    .await
}

/// An identity as listed: id, user id, username, provider, subject, e-mail, linked by,
/// linked at, last sign-in.
pub type IdentityListRow = (i64, i64, String, String, String, Option<String>, String, String, Option<String>);

const LIST: &str = "SELECT i.id, i.user_id, u.username, i.provider, i.subject, i.email, i.linked_by, i.created_at, i.last_login_at
     FROM identities i JOIN users u ON u.id = i.user_id";

/// Every identity, most recent sign-in first.
pub async fn list_identities(db: &Db) -> sqlx::Result<Vec<IdentityListRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{LIST} ORDER BY COALESCE(i.last_login_at, i.created_at) DESC, i.id DESC")))
        .fetch_all(&db.pool)
        .await
}

/// A user's identities.
pub async fn identities_of(db: &Db, user_id: i64) -> sqlx::Result<Vec<IdentityListRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{LIST} WHERE i.user_id = $1 ORDER BY i.id"))).bind(user_id).fetch_all(&db.pool).await
}

/// Deletes an identity, returning what it was (for the audit log).
pub async fn delete_identity(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<(i64, String, String)>> {
    sqlx::query_as("DELETE FROM identities WHERE id = $1 RETURNING user_id, provider, subject").bind(id).fetch_optional(conn).await
}
