//! Building and running the server, callable from `main` and from tests alike: `build`
//! binds the listener (port 0 in tests) and `port()` tells where it landed.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;

use crate::{auth::session, config::Settings, db::Db, mail, news, web};

/// A built, bound, migrated application that has not started serving yet.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
    mailer: mail::Mailer,
    news: Arc<news::public::NewsSite>,
}

impl Application {
    /// Connects to the database, applies migrations and binds the address.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let db = Db::connect(&settings).await?;
        db.migrate().await?;
        db.optimize().await?;
        Self::with_db(settings, db).await
    }

    /// Like `build`, with a database the caller has already prepared.
    pub async fn with_db(settings: Settings, db: Db) -> anyhow::Result<Application> {
        let listener =
            TcpListener::bind(settings.addr).await.with_context(|| format!("cannot listen on {} (LIAISON_ADDR)", settings.addr))?;
        let mailer = mail::Mailer::new(&settings)?;
        let public_url = match &settings.public_url {
            Some(url) => url.clone(),
            None => default_public_url(listener.local_addr()?),
        };
        let news = Arc::new(news::public::NewsSite::new(public_url));
        let router = web::router(db.clone(), Arc::new(settings), news.clone());
        Ok(Application { listener, router, db, mailer, news })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests (and the mail
    /// worker its message in flight).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let db = self.db.clone();
        let sweeper = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            loop {
                tick.tick().await;
                if let Err(e) = session::sweep(&db).await {
                    tracing::warn!(error = %e, "session sweep failed");
                }
                if let Err(e) = db.optimize().await {
                    tracing::warn!(error = %e, "optimize failed");
                }
            }
        });
        let (stop_mail, stop_rx) = tokio::sync::watch::channel(false);
        let mailer = mail::spawn_worker(self.db.clone(), self.mailer, stop_rx.clone());
        let views = news::views::spawn_flusher(self.db.clone(), self.news.views.clone(), stop_rx);
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(self.listener, service).with_graceful_shutdown(shutdown_signal()).await;
        sweeper.abort();
        let _ = stop_mail.send(true);
        // The worker stops between messages; one SMTP exchange is bounded by its timeout.
        if tokio::time::timeout(Duration::from_secs(mail::SMTP_TIMEOUT_SECS + 5), mailer).await.is_err() {
            tracing::warn!("mail worker did not stop in time");
        }
        // The view flusher writes what it holds once more, then stops.
        if tokio::time::timeout(Duration::from_secs(10), views).await.is_err() {
            tracing::warn!("news view flusher did not stop in time");
        }
        self.db.pool.close().await;
        tracing::info!("stopped");
        result
    }
}

/// `http://` + the address listened on, with an unspecified address (0.0.0.0, ::) read
/// as localhost; set `LIAISON_PUBLIC_URL` for links others can follow.
fn default_public_url(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() { format!("http://localhost:{}", addr.port()) } else { format!("http://{addr}") }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
