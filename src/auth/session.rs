//! Server-side sessions, API tokens and login throttling, all in the database so that
//! several `liaison serve` instances on one PostgreSQL share them. Only SHA-256 hashes
//! of session and API tokens are stored: a leaked database cannot be replayed.

use serde::Serialize;
use utoipa::ToSchema;

use super::{queries, random_token, token_hash};
use crate::{db::Db, time};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "liaison_session";
/// Name of the pre-login CSRF cookie (double-submit for the login form).
pub const PRE_CSRF_COOKIE: &str = "liaison_csrf";
/// Failed logins from one address for one username within the window before that pair
/// has to wait (failures from other addresses never lock the account's owner out).
pub const MAX_FAILURES_PER_PAIR: i64 = 5;
/// The wait after [`MAX_FAILURES_PER_PAIR`] failures, in seconds; it doubles with each
/// further failure, up to [`WINDOW_SECS`].
pub const FIRST_DELAY_SECS: i64 = 30;
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
    queries::insert_session(db, &token_hash(&token), user_id, &csrf, &time::in_secs_text(hours * 3600)).await?;
    Ok(NewSession { token, csrf })
}

/// Starts a session opened through a sign-on provider, remembering the provider and the
/// OIDC ID token for logout.
pub async fn create_signed_on(db: &Db, user_id: i64, hours: i64, provider: &str, id_token: Option<&str>) -> anyhow::Result<NewSession> {
    let token = random_token(32);
    let csrf = random_token(24);
    let hash = token_hash(&token);
    queries::insert_session(db, &hash, user_id, &csrf, &time::in_secs_text(hours * 3600)).await?;
    queries::set_session_provider(db, &hash, provider, id_token).await?;
    Ok(NewSession { token, csrf })
}

/// The provider (and ID token) a session was opened through, if any.
pub async fn signed_on_with(db: &Db, token: &str) -> anyhow::Result<Option<(String, Option<String>)>> {
    Ok(queries::session_provider(db, &token_hash(token)).await?)
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
    Ok(match queries::session(db, &token_hash(token)).await? {
        None => Lookup::Unknown,
        Some((_, _, expires)) if expires <= time::now_text() => Lookup::Expired,
        Some((uid, csrf, _)) => Lookup::Valid(uid, csrf),
    })
}

/// Ends a session (logout).
pub async fn delete(db: &Db, token: &str) -> anyhow::Result<()> {
    Ok(queries::delete_session(db, &token_hash(token)).await?)
}

/// Removes expired sessions and old login failures; run periodically.
pub async fn sweep(db: &Db) -> anyhow::Result<u64> {
    let a = queries::delete_expired_sessions(db, &time::now_text()).await?;
    let b = queries::delete_failures_before(db, &time::in_secs_text(-WINDOW_SECS)).await?;
    Ok(a + b)
}

/// Seconds to wait before this address may try this username again, else `None`:
/// the pair waits after [`MAX_FAILURES_PER_PAIR`] failures (longer with each further
/// one), and the address waits the window out after [`MAX_FAILURES_PER_IP`] failures
/// across usernames.
pub async fn throttled(db: &Db, username: &str, ip: &str) -> anyhow::Result<Option<u64>> {
    let since = time::in_secs_text(-WINDOW_SECS);
    let (pair, last) = queries::pair_failures_since(db, username, ip, &since).await?;
    if queries::address_failures_since(db, ip, &since).await? >= MAX_FAILURES_PER_IP {
        return Ok(Some(WINDOW_SECS as u64));
    }
    let delay = pair_delay(pair);
    let waited = last.and_then(|l| l.parse::<jiff::Timestamp>().ok()).map(|l| jiff::Timestamp::now().as_second() - l.as_second());
    Ok(match waited {
        Some(w) if delay > 0 && w < delay => Some((delay - w).max(1) as u64),
        _ => None,
    })
}

/// How long a pair with `failures` recent failures waits after the last one, in seconds.
pub fn pair_delay(failures: i64) -> i64 {
    if failures < MAX_FAILURES_PER_PAIR {
        return 0;
    }
    let doublings = (failures - MAX_FAILURES_PER_PAIR).min(16) as u32;
    FIRST_DELAY_SECS.saturating_mul(1 << doublings).min(WINDOW_SECS)
}

/// Records a failed login.
pub async fn record_failure(db: &Db, username: &str, ip: &str) -> anyhow::Result<()> {
    Ok(queries::insert_failure(db, username, ip).await?)
}

/// Forgets the failures of this username from this address after a successful login
/// (failures from other addresses still count against those addresses).
pub async fn clear_failures(db: &Db, username: &str, ip: &str) -> anyhow::Result<()> {
    Ok(queries::delete_failures_of(db, username, ip).await?)
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
    let id = queries::insert_token(db, user_id, name, &token_hash(&token)).await?;
    Ok(IssuedToken { id, name: name.to_string(), token })
}

/// The user an API token belongs to, if it is valid.
pub async fn token_user(db: &Db, token: &str) -> anyhow::Result<Option<i64>> {
    Ok(queries::token_user(db, &token_hash(token)).await?)
}

/// Revokes one of a user's tokens; false if there was none.
pub async fn revoke_token(db: &Db, user_id: i64, token_id: i64) -> anyhow::Result<bool> {
    Ok(queries::revoke_token(db, user_id, token_id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pair_delay_grows_with_each_failure_and_is_capped() {
        assert_eq!(pair_delay(MAX_FAILURES_PER_PAIR - 1), 0);
        assert_eq!(pair_delay(MAX_FAILURES_PER_PAIR), FIRST_DELAY_SECS);
        assert_eq!(pair_delay(MAX_FAILURES_PER_PAIR + 1), 2 * FIRST_DELAY_SECS);
        assert_eq!(pair_delay(MAX_FAILURES_PER_PAIR + 2), 4 * FIRST_DELAY_SECS);
        assert_eq!(pair_delay(1_000), WINDOW_SECS);
    }
}
