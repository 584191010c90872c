//! The scheduler: the periodic work of one instance, started and stopped with the
//! `Application`. Each job is a loop on its own interval (the first run at once); on
//! shutdown every job is told to stop, a job that asks for it runs once more, and each
//! gets a bounded time to finish what it is doing.
//!
//! The jobs are here, in the composition layer, so that no module runs another's work:
//! `mail` only sends, `visits` queues its reminders, `expiry` its digests, `news` flushes
//! its view counts, `auth` sweeps sessions, `storage` collects files no record names.

use std::{future::Future, sync::Arc, time::Duration};

use tokio::{sync::watch, task::JoinHandle};

use crate::{
    auth::session,
    db::Db,
    files::Files,
    mail::{self, Mailer, TickReport},
    news::views::{FLUSH_EVERY, Views},
};

/// Seconds between session sweeps and planner-statistics refreshes.
const MAINTENANCE_EVERY: Duration = Duration::from_secs(600);

/// One mail tick: the modules queue what has come due (follow-up reminders, weekly expiry
/// digests), then the mailer sends what is in the outbox.
pub async fn mail_tick(db: &Db, mailer: &Mailer, stop: &watch::Receiver<bool>) -> anyhow::Result<TickReport> {
    let mut report = TickReport { queued: crate::visits::reminders::queue_due(db, mailer.reminder_days()).await?, ..TickReport::default() };
    report.queued += crate::expiry::queue_digests(&mut *db.pool.acquire().await?, crate::time::today_date()).await?;
    lapse_offers(db).await?;
    mailer.send_pending(db, stop, report).await
}

/// Offers of exchange places not answered in time are declined and their places offered
/// to the next in rank (`applications::office::lapse_offers`), in one transaction.
async fn lapse_offers(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    crate::applications::office::lapse_offers(&mut tx).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await?;
    Ok(())
}

/// Running jobs and the switch that stops them.
pub struct Scheduler {
    stop: watch::Sender<bool>,
    tasks: Vec<(&'static str, Duration, JoinHandle<()>)>,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler { stop: watch::channel(false).0, tasks: Vec::new() }
    }
}

impl Scheduler {
    /// Starts this instance's jobs.
    pub fn start(db: Db, mailer: Mailer, views: Arc<Views>, files: Files) -> Scheduler {
        let mut s = Scheduler::default();
        let mailer = Arc::new(mailer);
        let (mail_db, mail_every) = (db.clone(), Duration::from_secs(mailer.poll_seconds()));
        // One SMTP exchange is bounded by its timeout; the sender stops between messages.
        s.every("mail", mail_every, false, Duration::from_secs(mail::SMTP_TIMEOUT_SECS + 5), move |stop| {
            let (db, mailer) = (mail_db.clone(), mailer.clone());
            async move {
                let r = mail_tick(&db, &mailer, &stop).await?;
                if r != TickReport::default() {
                    tracing::debug!(queued = r.queued, sent = r.sent, failed = r.failed, "mail tick");
                }
                Ok(())
            }
        });
        let maintenance_db = db.clone();
        s.every("maintenance", MAINTENANCE_EVERY, false, Duration::from_secs(5), move |_| {
            let db = maintenance_db.clone();
            async move {
                session::sweep(&db).await?;
                crate::sso::sweep(&db).await?;
                db.optimize().await?;
                Ok(())
            }
        });
        // Files no record names (left by a crash, or by a removal while the store was down).
        let gc_db = db.clone();
        s.every("file collection", crate::storage::gc::EVERY, false, Duration::from_secs(5), move |_| {
            let (db, files) = (gc_db.clone(), files.clone());
            async move { crate::storage::gc::collect(&db, &files, crate::storage::gc::GRACE).await.map(|_| ()) }
        });
        // What the view counter holds is written once more at shutdown.
        s.every("news views", FLUSH_EVERY, true, Duration::from_secs(10), move |_| {
            let (db, views) = (db.clone(), views.clone());
            async move { views.flush(&db).await }
        });
        s
    }

    /// Runs `job` every `period` (the first run at once) until stopped; with `final_run`
    /// once more after the stop. A failed run is logged and the next one comes as usual.
    pub fn every<F, Fut>(&mut self, name: &'static str, period: Duration, final_run: bool, grace: Duration, job: F)
    where
        F: Fn(watch::Receiver<bool>) -> Fut + Send + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send,
    {
        let mut stop = self.stop.subscribe();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.changed() => break,
                    _ = tick.tick() => {}
                }
                if *stop.borrow() {
                    break;
                }
                if let Err(e) = job(stop.clone()).await {
                    tracing::warn!(job = name, error = %format!("{e:#}"), "scheduled job failed; it runs again at its next tick");
                }
            }
            if final_run && let Err(e) = job(stop.clone()).await {
                tracing::warn!(job = name, error = %format!("{e:#}"), "scheduled job failed at shutdown");
            }
        });
        self.tasks.push((name, grace, task));
    }

    /// Tells every job to stop and waits for each within its grace time.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for (name, grace, task) in self.tasks {
            if tokio::time::timeout(grace, task).await.is_err() {
                tracing::warn!(job = name, "scheduled job did not stop in time");
            }
        }
    }
}
