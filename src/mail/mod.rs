//! Outgoing mail: an outbox table that any instance may drain, one message at a time.
//! Modules queue messages with [`outbox::enqueue`] on their own transaction; this module
//! only sends.
//!
//! The scheduler (`crate::jobs`) runs one sender per instance. Every
//! `mail_poll_seconds` it first lets the modules queue what has come due (reminders,
//! digests), then sends what is in the outbox over SMTP (`smtp_url`; unset, mail is
//! queued and waits). Nothing is kept in
//! process memory between ticks: which message is being sent, by whom, how often it
//! failed and when it was sent are columns of `mail_outbox`, so any number of instances
//! share the work and none sends a message another has sent (see `outbox::claim`).
//! Delivery is at least once: an instance that dies after the SMTP server accepted a
//! message but before it recorded that will have the message sent again after the lease.

pub mod outbox;

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
    transport::smtp::authentication::Credentials,
};
use tokio::sync::watch;

use crate::{config::Settings, db::Db};

/// Seconds one SMTP exchange may take before it counts as failed.
pub const SMTP_TIMEOUT_SECS: u64 = 20;

/// Messages one instance sends per tick at most, so a tick ends and reminders get queued.
const MAX_SENDS_PER_TICK: usize = 200;

/// The SMTP transport an `smtp_url` describes (read by [`crate::config::parse_smtp_url`]).
pub fn smtp_transport(text: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let target = crate::config::parse_smtp_url(text)?;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&target.host)
        .port(target.port)
        .timeout(Some(Duration::from_secs(SMTP_TIMEOUT_SECS)));
    if let Some((user, password)) = target.credentials {
        builder = builder.credentials(Credentials::new(user, password));
    }
    Ok(builder.build())
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
        let instance = format!("pid{}-{}", std::process::id(), crate::secret::random_token(4));
        Ok(Mailer { transport, from, instance, reminder_days: settings.reminder_days, poll_seconds: settings.mail_poll_seconds })
    }

    /// Days before an action's due date that its reminder goes out.
    pub fn reminder_days(&self) -> i64 {
        self.reminder_days
    }

    /// Seconds between ticks.
    pub fn poll_seconds(&self) -> u64 {
        self.poll_seconds
    }

    /// Sends queued mail until the outbox has nothing this instance can claim (or `stop`
    /// turns true), adding to `report`.
    pub async fn send_pending(&self, db: &Db, stop: &watch::Receiver<bool>, mut report: TickReport) -> anyhow::Result<TickReport> {
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
