//! Signed links for partners' coordinators, who have no account: a link names its
//! purpose, its subject (a call's partner row) and when it expires, signed with
//! HMAC-SHA-256 under the instance's key (`signing_keys`, made once and shared by every
//! instance). A link made for one purpose does not open another; an expired or altered
//! one opens nothing. Links are not stored, so they cannot be listed, only re-made.

use sqlx::AnyConnection;

use super::queries;
use crate::{
    error::{AppError, AppResult},
    secret::{hmac_hex, hmac_matches},
};

/// The key's name in `signing_keys`.
const KEY: &str = "partner-links";

/// How long a nomination link stays valid: 30 days.
pub const LINK_SECS: i64 = 30 * 24 * 3600;

/// What a link may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Accept or reject the nominees at one partner (outgoing calls).
    Review,
    /// Nominate the partner's students (incoming calls).
    Nominate,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Review => "review",
            Purpose::Nominate => "nominate",
        }
    }
}

fn message(purpose: Purpose, subject: i64, expires: i64) -> String {
    format!("liaison-link:{}:{subject}:{expires}", purpose.as_str())
}

/// Signs a link token `subject.expires.tag` with an explicit key (pure; for tests).
pub fn sign_with(key: &str, purpose: Purpose, subject: i64, expires: i64) -> String {
    format!("{subject}.{expires}.{}", hmac_hex(key.as_bytes(), message(purpose, subject, expires).as_bytes()))
}

/// Reads a token signed with `key` for `purpose`, valid at `now` (Unix seconds): its
/// subject, or None.
pub fn verify_with(key: &str, purpose: Purpose, token: &str, now: i64) -> Option<i64> {
    let mut parts = token.splitn(3, '.');
    let subject: i64 = parts.next()?.parse().ok()?;
    let expires: i64 = parts.next()?.parse().ok()?;
    let tag = parts.next()?;
    let ok = hmac_matches(key.as_bytes(), message(purpose, subject, expires).as_bytes(), tag);
    (ok && now < expires).then_some(subject)
}

fn unix_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A token for `subject`, valid for [`LINK_SECS`].
pub async fn sign(conn: &mut AnyConnection, purpose: Purpose, subject: i64) -> AppResult<String> {
    let key = queries::signing_key(conn, KEY).await?;
    Ok(sign_with(&key, purpose, subject, unix_now() + LINK_SECS))
}

/// The subject of a valid token; 404 for anything else (a guessed, altered, expired or
/// other-purpose link reveals nothing).
pub async fn verify(conn: &mut AnyConnection, purpose: Purpose, token: &str) -> AppResult<i64> {
    let key = queries::signing_key(conn, KEY).await?;
    verify_with(&key, purpose, token, unix_now()).ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_opens_only_its_own_purpose_and_subject_until_it_expires() {
        let t = sign_with("k", Purpose::Review, 7, 1000);
        assert_eq!(verify_with("k", Purpose::Review, &t, 999), Some(7));
        assert_eq!(verify_with("k", Purpose::Review, &t, 1000), None);
        assert_eq!(verify_with("k", Purpose::Nominate, &t, 1), None);
        assert_eq!(verify_with("other", Purpose::Review, &t, 1), None);
        let forged = t.replacen("7.", "8.", 1);
        assert_eq!(verify_with("k", Purpose::Review, &forged, 1), None);
        let later = t.replacen(".1000.", ".9999.", 1);
        assert_eq!(verify_with("k", Purpose::Review, &later, 1), None);
        assert_eq!(verify_with("k", Purpose::Review, "junk", 1), None);
    }
}
