//! `liaison backup`, `liaison check` and `liaison mail run-once`.

use std::{path::PathBuf, process::ExitCode};

use crate::{
    config::{self, Engine, Settings},
    db::Db,
};

/// Writes a consistent copy of the SQLite database (PostgreSQL: says what to use).
pub(super) async fn backup(settings: Settings, to: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    if settings.engine == Engine::Postgres {
        eprintln!(
            "liaison backup copies the embedded SQLite database. For PostgreSQL use its own tools, e.g.\n  \
             pg_dump --format=custom --file=liaison-$(date +%Y%m%d).dump \"$LIAISON_DATABASE_URL\"\n\
             and restore with pg_restore --clean --dbname=\"$LIAISON_DATABASE_URL\" FILE."
        );
        return Ok(ExitCode::from(2));
    }
    let target = to.unwrap_or_else(|| {
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
        settings.data_dir.join("backups").join(format!("liaison-{stamp}.sqlite3"))
    });
    if target.exists() {
        anyhow::bail!("{} exists already; choose another --to", target.display());
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let db = Db::connect(&settings).await?;
    // VACUUM INTO reads one consistent snapshot (WAL readers do not block the server's
    // writers) and writes a compact, self-contained database file.
    let path = target.to_string_lossy().replace('\'', "''");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM INTO '{path}'"))).execute(&db.pool).await?;
    println!("backup written to {}", target.display());
    Ok(ExitCode::SUCCESS)
}

/// Checks the configuration, the data directory and the database, saying what is wrong.
pub(super) async fn check(settings: Settings) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    println!("ok    configuration ({:?})", settings);
    if settings.engine == Engine::Sqlite {
        match std::fs::create_dir_all(&settings.data_dir).and_then(|_| tempfile_probe(&settings.data_dir)) {
            Ok(()) => println!("ok    data directory {} is writable", settings.data_dir.display()),
            Err(e) => {
                failed = true;
                println!("FAIL  data directory {}: {e}", settings.data_dir.display());
            }
        }
    }
    match Db::connect(&settings).await {
        Ok(db) => match db.ping().await {
            Ok(()) => {
                println!("ok    database reachable ({})", config::redact_url(&settings.database_url));
                let pending = db.pending_migrations().await?;
                if pending.is_empty() {
                    println!("ok    schema up to date");
                } else {
                    println!("note  migrations pending: {pending:?} (they run at start, or with `liaison migrate`)");
                }
            }
            Err(e) => {
                failed = true;
                println!("FAIL  database: {e:#}");
            }
        },
        Err(e) => {
            failed = true;
            println!("FAIL  database: {e:#}");
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Queues due reminders and sends queued mail once.
pub(super) async fn mail_run_once(settings: Settings) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&settings).await?;
    db.migrate().await?;
    let mailer = crate::mail::Mailer::new(&settings)?;
    let (_stop, never) = tokio::sync::watch::channel(false);
    let r = crate::jobs::mail_tick(&db, &mailer, &never).await?;
    let unset = if settings.smtp_url.is_none() { " (LIAISON_SMTP_URL is not set: mail stays queued)" } else { "" };
    println!("reminders queued: {}, mail sent: {}, failed: {}{unset}", r.queued, r.sent, r.failed);
    Ok(if r.failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn tempfile_probe(dir: &std::path::Path) -> std::io::Result<()> {
    let probe = dir.join(".liaison-write-probe");
    std::fs::write(&probe, b"ok")?;
    std::fs::remove_file(&probe)
}
