//! The outbox table (`mail_outbox`): mail is queued in the caller's transaction and sent
//! later by whichever instance claims it.
//!
//! `claimed_at` is a lease. A row can be claimed when it is unsent and either never
//! claimed or claimed longer than `LEASE_SECS` ago (an instance that died mid-send gives
//! its rows up that way). A failed send gives the row back by back-dating `claimed_at`
//! so that the lease runs out when the back-off does; there is no separate "retry at"
//! column because the lease already says when a row may be taken again.

use sqlx::{AnyConnection, Row};

use crate::time::{now_text, to_text};

/// Attempts after which a message is left unsent with its last error.
pub const MAX_ATTEMPTS: i64 = 8;

/// Seconds a claim holds before another instance may take the row over. Far longer than
/// one SMTP exchange (the transport times out after `mail::SMTP_TIMEOUT_SECS`).
pub const LEASE_SECS: i64 = 300;

/// Longest wait between two attempts at one message.
pub const MAX_BACKOFF_SECS: i64 = 3600;

/// A message this instance has claimed and must now send.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Row id.
    pub id: i64,
    /// Recipient address.
    pub to_addr: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// Queues a message unless one with the same `dedupe_key` was ever queued; answers
/// whether it was queued now. Runs on the caller's transaction so the message commits
/// (or not) with the change that caused it.
pub async fn enqueue(conn: &mut AnyConnection, dedupe_key: &str, to: &str, subject: &str, body: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO mail_outbox (dedupe_key, to_addr, subject, body, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(dedupe_key)
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(now_text())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims the oldest claimable message for `instance`, if any.
///
/// One statement, no `FOR UPDATE SKIP LOCKED` (SQLite has none): the conditions are
/// repeated outside the subquery because PostgreSQL, under READ COMMITTED, re-checks
/// the outer `WHERE` against the newest row version after waiting for another
/// instance's claim to commit, and then finds the row taken and updates nothing. SQLite
/// has a single writer, so the statement runs alone. Either way one claimant wins.
pub async fn claim(conn: &mut AnyConnection, instance: &str) -> Result<Option<Claimed>, sqlx::Error> {
    let now = jiff::Timestamp::now();
    let stale = to_text(now - jiff::SignedDuration::from_secs(LEASE_SECS));
    let row = sqlx::query(
        "UPDATE mail_outbox SET claimed_at = $1, claimed_by = $2, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM mail_outbox \
                     WHERE sent_at IS NULL AND attempts < $4 AND (claimed_at IS NULL OR claimed_at < $3) \
                     ORDER BY id LIMIT 1) \
           AND sent_at IS NULL AND attempts < $4 AND (claimed_at IS NULL OR claimed_at < $3) \
         RETURNING id, to_addr, subject, body, attempts",
    )
    .bind(to_text(now))
    .bind(instance)
    .bind(stale)
    .bind(MAX_ATTEMPTS)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(Claimed { id: r.try_get(0)?, to_addr: r.try_get(1)?, subject: r.try_get(2)?, body: r.try_get(3)?, attempts: r.try_get(4)? })
    })
    .transpose()
}

/// Records that the SMTP server accepted the message.
pub async fn mark_sent(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE mail_outbox SET sent_at = $1, last_error = NULL WHERE id = $2").bind(now_text()).bind(id).execute(conn).await?;
    Ok(())
}

/// Gives a message back after a failed attempt; it may be claimed again in `retry_in_secs`.
pub async fn give_back(conn: &mut AnyConnection, id: i64, error: &str, retry_in_secs: i64) -> Result<(), sqlx::Error> {
    // claimed_at + LEASE = now + back-off, i.e. the lease runs out when the back-off does.
    let claimed_at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(retry_in_secs - LEASE_SECS);
    sqlx::query("UPDATE mail_outbox SET claimed_at = $1, claimed_by = NULL, last_error = $2 WHERE id = $3")
        .bind(to_text(claimed_at))
        .bind(error)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stops trying a message (a permanent refusal, or too many attempts); it stays in the
/// table with its last error for an operator to look at.
pub async fn give_up(conn: &mut AnyConnection, id: i64, error: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE mail_outbox SET attempts = $1, claimed_by = NULL, last_error = $2 WHERE id = $3")
        .bind(MAX_ATTEMPTS)
        .bind(error)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Seconds to wait before attempt `attempts + 1`: the poll interval, doubled after each
/// failure, at most an hour.
pub fn backoff_secs(attempts: i64, poll_seconds: u64) -> i64 {
    let base = i64::try_from(poll_seconds).unwrap_or(MAX_BACKOFF_SECS).max(1);
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    base.saturating_mul(1_i64 << doublings).min(MAX_BACKOFF_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_the_poll_interval_up_to_an_hour() {
        let waits: Vec<i64> = (1..=5).map(|a| backoff_secs(a, 30)).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480]);
        assert_eq!(backoff_secs(MAX_ATTEMPTS, 30), MAX_BACKOFF_SECS);
        assert_eq!(backoff_secs(1_000, 1), MAX_BACKOFF_SECS);
        assert_eq!(backoff_secs(1, 1), 1);
    }
}
