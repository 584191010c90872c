//! `liaison backup --to FILE`: one archive (ustar) holding a consistent snapshot of the
//! database, every file the snapshot names, and a manifest with their sizes and SHA-256
//! sums (the last entry).
//!
//! The snapshot: SQLite's `VACUUM INTO` (one read transaction; the server keeps writing),
//! or `pg_dump --format=custom` of a snapshot exported by a repeatable-read transaction,
//! in which the row counts and the named files are read too — so the manifest, the dump
//! and the files agree. Files are copied after the snapshot; a file deleted in between is
//! listed under `missing` (its row is gone from the live database by then). The archive
//! is written under `FILE.partial` and renamed when complete.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
};

use anyhow::Context;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};

use super::{FORMAT, Item, MANIFEST, Manifest, database_entry, queries, tar};
use crate::{
    config::{Engine, Settings},
    db::Db,
    files::{FileError, Files, hex},
};

/// Writes the archive; answers its manifest.
pub async fn backup(settings: &Settings, files: &Files, to: &Path) -> anyhow::Result<Manifest> {
    anyhow::ensure!(!to.exists(), "{} exists already; choose another --to", to.display());
    if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(parent).await.with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let partial = with_suffix(to, ".partial");
    let snapshot = with_suffix(to, ".db-snapshot");
    let result = write(settings, files, to, &partial, &snapshot).await;
    let _ = tokio::fs::remove_file(&snapshot).await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&partial).await;
    }
    result
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

async fn write(settings: &Settings, files: &Files, to: &Path, partial: &Path, snapshot: &Path) -> anyhow::Result<Manifest> {
    let db = Db::connect(settings).await?;
    let (tables, named) = match settings.engine {
        Engine::Sqlite => sqlite_snapshot(&db, snapshot).await?,
        Engine::Postgres => postgres_snapshot(settings, &db, snapshot).await?,
    };
    db.pool.close().await;
    let file = tokio::fs::File::create(partial).await.with_context(|| format!("cannot write {}", partial.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let entry = database_entry(settings.engine);
    let database = copy_file(&mut out, snapshot, entry).await?;
    let (mut items, mut missing) = (Vec::new(), Vec::new());
    for key in named {
        match copy_stored(&mut out, files, &key).await {
            Ok(item) => items.push(item),
            Err(e) => match e.downcast_ref::<FileError>() {
                Some(FileError::NotFound) => missing.push(key),
                _ => return Err(e.context(format!("copying file {key} from the {}", files.describe()))),
            },
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: 1,
        liaison: env!("CARGO_PKG_VERSION").into(),
        created_at: crate::time::now_text(),
        engine: engine_name(settings.engine).into(),
        database,
        tables,
        files: items,
        missing,
    };
    let json = serde_json::to_vec_pretty(&manifest)?;
    tar::header(&mut out, MANIFEST, json.len() as u64, now_secs()).await?;
    out.write_all(&json).await?;
    tar::pad(&mut out, json.len() as u64).await?;
    tar::finish(&mut out).await?;
    let file = out.into_inner();
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(partial, to).await?;
    Ok(manifest)
}

/// `sqlite` or `postgres`.
pub fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

type Snapshot = (std::collections::BTreeMap<String, i64>, std::collections::BTreeSet<String>);

/// `VACUUM INTO` a file, then the counts and the named files read from that file.
async fn sqlite_snapshot(db: &Db, snapshot: &Path) -> anyhow::Result<Snapshot> {
    let path = snapshot.to_string_lossy().replace('\'', "''");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM INTO '{path}'"))).execute(&db.pool).await.context("VACUUM INTO")?;
    let url = format!("sqlite://{}?mode=ro", snapshot.display());
    let mut snap = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await.context("opening the snapshot")?;
    let result = read_snapshot(&mut snap, Engine::Sqlite).await;
    let _ = sqlx::Connection::close(snap).await;
    result
}

async fn read_snapshot(conn: &mut sqlx::AnyConnection, engine: Engine) -> anyhow::Result<Snapshot> {
    let mut tables = std::collections::BTreeMap::new();
    for t in queries::tables(conn, engine).await? {
        let n = queries::count(conn, &t).await?;
        tables.insert(t, n);
    }
    Ok((tables, super::named_keys(conn).await?))
}

/// `pg_dump` of a snapshot this connection exported and reads the counts and files in.
async fn postgres_snapshot(settings: &Settings, db: &Db, snapshot: &Path) -> anyhow::Result<Snapshot> {
    let mut conn = db.pool.acquire().await?;
    let server = queries::server_major(&mut conn).await?;
    let pg_dump = pg_tool("pg_dump", server).await?;
    let id = queries::export_snapshot(&mut conn).await?;
    let out = tokio::process::Command::new(&pg_dump)
        .args(["--format=custom", "--no-owner", "--no-privileges"])
        .arg(format!("--snapshot={id}"))
        .arg(format!("--file={}", snapshot.display()))
        .arg(format!("--dbname={}", settings.database_url))
        .stdin(Stdio::null())
        .output()
        .await
        .with_context(|| format!("cannot run {}", pg_dump.display()))?;
    anyhow::ensure!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    let result = read_snapshot(&mut conn, Engine::Postgres).await;
    queries::end_snapshot(&mut conn).await?;
    result
}

/// A PostgreSQL client program (`pg_dump`, `pg_restore`) able to talk to a server of major
/// version `server`: the one on PATH, else a newer-or-equal one of Debian's
/// `/usr/lib/postgresql/*/bin`. Says what to install when there is none.
pub async fn pg_tool(name: &str, server: i64) -> anyhow::Result<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).filter(|p| p.is_file()).take(1).collect())
        .unwrap_or_default();
    if let Ok(dirs) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut extra: Vec<PathBuf> = dirs.flatten().map(|d| d.path().join("bin").join(name)).filter(|p| p.is_file()).collect();
        extra.sort();
        candidates.extend(extra.into_iter().rev());
    }
    let mut seen = Vec::new();
    for c in &candidates {
        let major = tool_major(c).await;
        if major.is_some_and(|m| m >= server) {
            return Ok(c.clone());
        }
        seen.push(format!("{} (version {})", c.display(), major.map(|m| m.to_string()).unwrap_or_else(|| "?".into())));
    }
    if seen.is_empty() {
        anyhow::bail!(
            "{name} is not on PATH: install PostgreSQL's client tools of version {server} or newer \
             (Debian: apt-get install postgresql-client-{server}) and run again"
        );
    }
    anyhow::bail!(
        "{name} must be of the server's major version ({server}) or newer; found {}. Install postgresql-client-{server} \
         (or put its bin directory first on PATH) and run again",
        seen.join(", ")
    )
}

async fn tool_major(path: &Path) -> Option<i64> {
    let out = tokio::process::Command::new(path).arg("--version").output().await.ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // "pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"
    let version = text.split(')').nth(1)?.split_whitespace().next()?;
    version.split('.').next()?.parse().ok()
}

/// Copies a local file into the archive, hashing it.
async fn copy_file<W: tokio::io::AsyncWrite + Unpin>(out: &mut W, path: &Path, name: &str) -> anyhow::Result<Item> {
    let mut file = tokio::fs::File::open(path).await.with_context(|| format!("cannot read {}", path.display()))?;
    let size = file.metadata().await?.len();
    tar::header(out, name, size, now_secs()).await?;
    let (mut hasher, mut buf, mut left) = (Sha256::new(), vec![0u8; 256 * 1024], size);
    while left > 0 {
        let n = file.read(&mut buf).await?;
        anyhow::ensure!(n > 0, "{} shrank while it was copied", path.display());
        let n = n.min(usize::try_from(left).unwrap_or(n));
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).await?;
        left -= n as u64;
    }
    tar::pad(out, size).await?;
    Ok(Item { name: name.into(), size, sha256: hex(&hasher.finalize()) })
}

/// Streams a file of the store into the archive (`files/<key>`), hashing it.
async fn copy_stored<W: tokio::io::AsyncWrite + Unpin>(out: &mut W, files: &Files, key: &str) -> anyhow::Result<Item> {
    let mut fetched = files.get(key, None).await?;
    let size = fetched.size;
    tar::header(out, &format!("files/{key}"), size, now_secs()).await?;
    let (mut hasher, mut written) = (Sha256::new(), 0u64);
    while let Some(chunk) = futures_util::StreamExt::next(&mut fetched.stream).await {
        let chunk = chunk?;
        written += chunk.len() as u64;
        anyhow::ensure!(written <= size, "{key} grew while it was copied");
        hasher.update(&chunk);
        out.write_all(&chunk).await?;
    }
    anyhow::ensure!(written == size, "{key} ended after {written} of {size} bytes");
    tar::pad(out, size).await?;
    Ok(Item { name: key.into(), size, sha256: hex(&hasher.finalize()) })
}
