//! Outgoing mail: an outbox table that any instance may drain, one message at a time,
//! and the follow-up reminders that go through it.
//!
//! Each instance runs one worker, started and stopped with the `Application`. Every
//! `mail_poll_seconds` it queues the reminders that have come due, then sends what is in
//! the outbox over SMTP (`smtp_url`; unset, mail is queued and waits). Nothing is kept in
//! process memory between ticks: which message is being sent, by whom, how often it
//! failed and when it was sent are columns of `mail_outbox`, so any number of instances
//! share the work and none sends a message another has sent (see `outbox::claim`).
//! Delivery is at least once: an instance that dies after the SMTP server accepted a
//! message but before it recorded that will have the message sent again after the lease.

pub mod outbox;
pub mod reminders;

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
    transport::smtp::authentication::Credentials,
};
use tokio::{sync::watch, task::JoinHandle};

use crate::{config::Settings, db::Db};

/// Seconds one SMTP exchange may take before it counts as failed.
pub const SMTP_TIMEOUT_SECS: u64 = 20;

/// Messages one instance sends per tick at most, so a tick ends and reminders get queued.
const MAX_SENDS_PER_TICK: usize = 200;

/// The SMTP transport an `smtp_url` describes: `smtp://[user[:password]@]host[:port]`
/// (port 25 by default), plain SMTP; lettre reads such URLs itself only when built with
/// a TLS stack, which this build leaves out.
pub fn smtp_transport(text: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let url = url::Url::parse(text).map_err(|e| e.to_string())?;
    if url.scheme() != "smtp" || url.query().is_some() {
        return Err("use smtp://host:port (plain SMTP; this build has no TLS)".into());
    }
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or("the URL names no host")?;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(url.port().unwrap_or(25))
        .timeout(Some(Duration::from_secs(SMTP_TIMEOUT_SECS)));
    if !url.username().is_empty() {
        let decode = |s: &str| percent_decode(s).ok_or_else(|| "the credentials are not valid percent-encoded UTF-8".to_string());
        let user = decode(url.username())?;
        let password = decode(url.password().unwrap_or_default())?;
        builder = builder.credentials(Credentials::new(user, password));
    }
    Ok(builder.build())
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Checks an `smtp_url` the way the worker will read it.
pub fn check_smtp_url(url: &str) -> Result<(), String> {
    smtp_transport(url).map(|_| ())
}

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Reminders queued.
    pub queued: usize,
    /// Messages the SMTP server accepted.
    pub sent: usize,
    /// Attempts that failed (given back for later, or given up).
    pub failed: usize,
}

/// Why a send failed: worth retrying, or not.
#[derive(Debug)]
enum SendError {
    /// The server was unreachable or answered 4xx: try again later.
    Transient(String),
    /// A bad address or a 5xx answer: trying again would not help.
    Permanent(String),
}

/// One instance's sender: the SMTP transport (if configured) and who it is.
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    instance: String,
    reminder_days: i64,
    poll_seconds: u64,
}

impl Mailer {
    /// A mailer for these settings (validated by `config`, checked again here).
    pub fn new(settings: &Settings) -> anyhow::Result<Mailer> {
        let transport = match &settings.smtp_url {
            Some(url) => Some(smtp_transport(url).map_err(|e| anyhow::anyhow!("LIAISON_SMTP_URL: {e}"))?),
            None => None,
        };
        let from = settings.mail_from.parse().map_err(|e| anyhow::anyhow!("LIAISON_MAIL_FROM: {e}"))?;
        // Distinct per running instance, even for two in one process (as in tests).
        let instance = format!("pid{}-{}", std::process::id(), crate::auth::random_token(4));
        Ok(Mailer { transport, from, instance, reminder_days: settings.reminder_days, poll_seconds: settings.mail_poll_seconds })
    }

    /// One tick: queue due reminders, then send queued mail until the outbox has
    /// nothing this instance can claim (or `stop` turns true).
    pub async fn run_once(&self, db: &Db, stop: &watch::Receiver<bool>) -> anyhow::Result<TickReport> {
        let mut report = TickReport { queued: reminders::queue_due(db, self.reminder_days).await?, ..TickReport::default() };
        report.queued += crate::expiry::queue_digests(&mut *db.pool.acquire().await?, crate::expiry::today()).await?;
        let Some(transport) = &self.transport else {
            return Ok(report);
        };
        while !*stop.borrow() && report.sent + report.failed < MAX_SENDS_PER_TICK {
            let claimed = outbox::claim(&mut *db.pool.acquire().await?, &self.instance).await?;
            let Some(msg) = claimed else { break };
            // No pool connection is held while talking to the SMTP server.
            let outcome = self.send(transport, &msg).await;
            let mut conn = db.pool.acquire().await?;
            match outcome {
                Ok(()) => {
                    outbox::mark_sent(&mut conn, msg.id).await?;
                    tracing::info!(outbox_id = msg.id, attempts = msg.attempts, "mail sent");
                    report.sent += 1;
                }
                Err(SendError::Transient(e)) if msg.attempts < outbox::MAX_ATTEMPTS => {
                    let wait = outbox::backoff_secs(msg.attempts, self.poll_seconds);
                    tracing::warn!(outbox_id = msg.id, attempts = msg.attempts, retry_in_secs = wait, error = %e, "mail not sent; will retry");
                    outbox::give_back(&mut conn, msg.id, &e, wait).await?;
                    report.failed += 1;
                }
                Err(SendError::Transient(e) | SendError::Permanent(e)) => {
                    tracing::error!(outbox_id = msg.id, attempts = msg.attempts, error = %e, "mail not sent; giving up");
                    outbox::give_up(&mut conn, msg.id, &e).await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    async fn send(&self, transport: &AsyncSmtpTransport<Tokio1Executor>, msg: &outbox::Claimed) -> Result<(), SendError> {
        let to: Mailbox = msg.to_addr.parse().map_err(|e| SendError::Permanent(format!("recipient '{}': {e}", msg.to_addr)))?;
        // A stable Message-ID: a retried message is recognisably the same message.
        let message_id = format!("<liaison-outbox-{}@{}>", msg.id, self.from.email.domain());
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(msg.subject.as_str())
            .message_id(Some(message_id))
            .header(ContentType::TEXT_PLAIN)
            .body(msg.body.clone())
            .map_err(|e| SendError::Permanent(format!("message: {e}")))?;
        match transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}

/// Starts the background worker: a tick every `mail_poll_seconds` (the first at once)
/// until `stop` turns true; a send in flight is finished first.
pub fn spawn_worker(db: Db, mailer: Mailer, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(mailer.poll_seconds));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                _ = tick.tick() => {}
            }
            if *stop.borrow() {
                break;
            }
            match mailer.run_once(&db, &stop).await {
                Ok(r) if r != TickReport::default() => tracing::debug!(queued = r.queued, sent = r.sent, failed = r.failed, "mail tick"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "mail tick failed"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_plain_smtp_with_optional_credentials() {
        assert!(check_smtp_url("smtp://127.0.0.1:2525").is_ok());
        assert!(check_smtp_url("smtp://mailer:p%40ss@relay.example.edu").is_ok());
        assert!(check_smtp_url("smtps://relay.example.edu").is_err());
        assert!(check_smtp_url("smtp://relay?tls=required").is_err());
        assert!(check_smtp_url("relay.example.edu:25").is_err());
        assert_eq!(percent_decode("p%40ss").as_deref(), Some("p@ss"));
        assert_eq!(percent_decode("bad%4"), None);
    }
}
