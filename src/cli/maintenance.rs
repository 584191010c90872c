//! `liaison backup`, `restore`, `files gc`, `check` and `mail run-once`.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use crate::{
    config::{self, Engine, Settings},
    db::Db,
    files::Files,
    storage,
};

/// Writes the archive of the database and the files.
pub(super) async fn backup(settings: Settings, to: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let target = to.unwrap_or_else(|| {
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
        settings.data_dir.join("backups").join(format!("liaison-{stamp}.tar"))
    });
    let files = Files::open(&settings)?;
    let m = storage::backup::backup(&settings, &files, &target).await?;
    let bytes: u64 = m.files.iter().map(|f| f.size).sum();
    println!("backup written to {}", target.display());
    println!("database: {} ({} tables, {} rows)", m.database.name, m.tables.len(), m.tables.values().sum::<i64>());
    println!("files: {} ({bytes} bytes) from the {}", m.files.len(), files.describe());
    if !m.missing.is_empty() {
        eprintln!("warning: {} files named by the database were not in the store: {}", m.missing.len(), m.missing.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// Restores an archive into an empty (or, forced, any) database and file store.
pub(super) async fn restore(settings: Settings, from: &Path, force: bool) -> anyhow::Result<ExitCode> {
    let files = Files::open(&settings)?;
    let m = storage::restore::restore(&settings, &files, from, force).await?;
    println!("restored {} (written {} by Liaison {})", from.display(), m.created_at, m.liaison);
    println!(
        "database: {} tables, {} rows into {}",
        m.tables.len(),
        m.tables.values().sum::<i64>(),
        config::redact_url(&settings.database_url)
    );
    println!("files: {} into the {}", m.files.len(), files.describe());
    println!("migrations newer than the archive run at the next start (or with `liaison migrate`)");
    Ok(ExitCode::SUCCESS)
}

/// Removes files no record names.
pub(super) async fn files_gc(settings: Settings, min_age_hours: u64) -> anyhow::Result<ExitCode> {
    let files = Files::open(&settings)?;
    let db = Db::connect(&settings).await?;
    let done = storage::gc::collect(&db, &files, std::time::Duration::from_secs(min_age_hours * 3600)).await?;
    println!("files kept: {}, too young to judge: {}, removed: {}", done.kept, done.young, done.removed.len());
    for key in &done.removed {
        println!("removed {key}");
    }
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
    match Files::open(&settings) {
        Ok(files) => match files.list().await {
            Ok(all) => println!("ok    file store: {} ({} files)", files.describe(), all.len()),
            Err(e) => {
                failed = true;
                println!("FAIL  file store {}: {e}", files.describe());
            }
        },
        Err(e) => {
            failed = true;
            println!("FAIL  file store: {e:#}");
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

/// `liaison reindex`: writes every search document again.
pub(super) async fn reindex(settings: Settings) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&settings).await?;
    db.migrate().await?;
    let started = std::time::Instant::now();
    let n = crate::search::index::rebuild(&db).await?;
    println!("search documents written: {n} in {:.1} s", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}
