//! Argon2id password hashing, off the async runtime: hashing takes tens of
//! milliseconds of CPU by design and would stall every other request on the worker.

use anyhow::{Context, anyhow};
use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};

/// Smallest acceptable password length.
pub const MIN_LEN: usize = 10;

/// Checks a new password's strength, returning a message for the user.
pub fn check_new(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_LEN {
        return Err(format!("Use at least {MIN_LEN} characters."));
    }
    if password.len() > 1024 {
        return Err("Use at most 1024 bytes.".into());
    }
    Ok(())
}

/// Hashes a password to a PHC string (`$argon2id$v=19$…`).
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| anyhow!("hashing failed: {e}"))
    })
    .await
    .context("hashing task")?
}

/// Verifies a password against a stored PHC string.
pub async fn verify(password: String, phc: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&phc).map_err(|e| anyhow!("stored hash unreadable: {e}"))?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .context("verify task")?
}

/// A hash of a random password, verified against when the username does not exist so
/// that response time does not reveal which usernames exist.
pub async fn dummy_hash() -> &'static str {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY.get_or_init(|| async { hash(super::random_token(16)).await.unwrap_or_default() }).await
}
