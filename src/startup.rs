//! Building and running the server, callable from `main` and from tests alike: `build`
//! binds the listener (port 0 in tests) and `port()` tells where it landed.

use std::{net::SocketAddr, sync::Arc};

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;

use crate::{app, config::Settings, db::Db, files::Files, jobs::Scheduler, mail, news, sso::SsoService};

/// A built, bound, migrated application that has not started serving yet.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
    mailer: mail::Mailer,
    news: Arc<news::public::NewsSite>,
    files: Files,
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
        crate::search::install();
        let listener =
            TcpListener::bind(settings.addr).await.with_context(|| format!("cannot listen on {} (LIAISON_ADDR)", settings.addr))?;
        let mailer = mail::Mailer::new(&settings)?;
        let public_url = match &settings.public_url {
            Some(url) => url.clone(),
            None => default_public_url(listener.local_addr()?),
        };
        let news = Arc::new(news::public::NewsSite::new(public_url.clone()));
        let files = Files::open(&settings)?;
        let sso = Arc::new(SsoService::new(public_url)?);
        let router = app::router(db.clone(), Arc::new(settings), news.clone(), files.clone(), sso);
        Ok(Application { listener, router, db, mailer, news, files })
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
        let jobs = Scheduler::start(self.db.clone(), self.mailer, self.news.views.clone(), self.files);
        // A database from before the search (or bulk-loaded) gets its index once, in the background.
        let db = self.db.clone();
        tokio::spawn(async move {
            match crate::search::index::rebuild_if_empty(&db).await {
                Ok(Some(n)) => tracing::info!(documents = n, "search index built"),
                Ok(None) => {}
                Err(e) => tracing::warn!("search index not built: {e:#}"),
            }
        });
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(self.listener, service).with_graceful_shutdown(shutdown_signal()).await;
        // The mail job finishes its message in flight; the view counter writes what it holds.
        jobs.stop().await;
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
