//! `liaison restore FILE`: reads the archive twice. First every entry is hashed and
//! checked against the manifest — a damaged, truncated or tampered archive is refused
//! before anything is written. Then the target is checked to be empty (no tables, no
//! files; `--force` replaces what is there), the database is restored (the SQLite file
//! put in place, or `pg_restore` fed from the archive) and the files are streamed into
//! the store, each checked against its sum again.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Stdio,
};

use anyhow::Context;
use axum::body::{Body, Bytes};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

use super::{FORMAT, MANIFEST, Manifest, backup::engine_name, database_entry, queries, sqlite_path, tar};
use crate::{
    config::{Engine, Settings},
    db::Db,
    files::{Files, hex},
};

/// Restores the archive at `from` into the configured database and file store.
pub async fn restore(settings: &Settings, files: &Files, from: &Path, force: bool) -> anyhow::Result<Manifest> {
    let manifest = verify(from).await?;
    anyhow::ensure!(
        manifest.engine == engine_name(settings.engine),
        "the archive holds a {} database and the target is {}: restore into the same engine (then move the data with the tools of your choice)",
        manifest.engine,
        engine_name(settings.engine)
    );
    let db = Db::connect(settings).await?;
    let tables = queries::tables(&mut *db.pool.acquire().await?, settings.engine).await?;
    let present = files.list().await?;
    if (!tables.is_empty() || !present.is_empty()) && !force {
        db.pool.close().await;
        anyhow::bail!(
            "the target is not empty: the database has {} tables and the {} holds {} files. Restore into an empty \
             database and file store, or pass --force to replace what is there",
            tables.len(),
            files.describe(),
            present.len()
        );
    }
    if settings.engine == Engine::Postgres && !tables.is_empty() {
        queries::drop_everything(&mut *db.pool.acquire().await?).await?;
    }
    let server = match settings.engine {
        Engine::Postgres => Some(queries::server_major(&mut *db.pool.acquire().await?).await?),
        Engine::Sqlite => None,
    };
    db.pool.close().await;
    let keep: std::collections::BTreeSet<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    for f in present.iter().filter(|f| !keep.contains(f.key.as_str())) {
        files.remove(&f.key).await?;
    }

    let mut input = open(from).await?;
    let db_entry = database_entry(settings.engine);
    let sums: BTreeMap<&str, &str> = manifest.files.iter().map(|f| (f.name.as_str(), f.sha256.as_str())).collect();
    while let Some(entry) = tar::next(&mut input).await? {
        if entry.name == db_entry {
            match server {
                None => restore_sqlite(settings, &mut input, entry.size).await?,
                Some(major) => restore_postgres(settings, &mut input, entry.size, major).await?,
            }
        } else if let Some(key) = entry.name.strip_prefix("files/") {
            let staged = put_file(files, key, &mut input, entry.size).await?;
            anyhow::ensure!(sums.get(key) == Some(&staged.as_str()), "{key} changed while it was restored");
        } else {
            discard(&mut input, entry.size).await?;
        }
        tar::skip_pad(&mut input, entry.size).await?;
    }
    Ok(manifest)
}

async fn open(from: &Path) -> anyhow::Result<BufReader<tokio::fs::File>> {
    let file = tokio::fs::File::open(from).await.with_context(|| format!("cannot read {}", from.display()))?;
    Ok(BufReader::with_capacity(1 << 20, file))
}

/// Reads the whole archive, hashing every entry, and checks it against its manifest.
pub async fn verify(from: &Path) -> anyhow::Result<Manifest> {
    let refuse = |why: String| anyhow::anyhow!("{} cannot be restored: {why}; nothing was changed", from.display());
    let mut input = open(from).await?;
    let mut seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut manifest_text = None;
    while let Some(entry) = tar::next(&mut input).await.map_err(|e| refuse(e.to_string()))? {
        if entry.name == MANIFEST {
            anyhow::ensure!(entry.size <= 256 << 20, refuse("its manifest is implausibly large".into()));
            let mut text = vec![0u8; usize::try_from(entry.size)?];
            input.read_exact(&mut text).await.map_err(|_| refuse("it ends in the middle (truncated)".into()))?;
            manifest_text = Some(text);
        } else {
            let sum = hash(&mut input, entry.size).await.map_err(|e| refuse(e.to_string()))?;
            seen.insert(entry.name, (entry.size, sum));
        }
        tar::skip_pad(&mut input, entry.size).await.map_err(|e| refuse(e.to_string()))?;
    }
    let text = manifest_text.ok_or_else(|| refuse("it has no manifest.json (is it a Liaison backup?)".into()))?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| refuse(format!("its manifest cannot be read: {e}")))?;
    if manifest.format != FORMAT || manifest.version != 1 {
        return Err(refuse(format!(
            "it is not a Liaison backup of a version this program reads ({} {})",
            manifest.format, manifest.version
        )));
    }
    let mut expected: BTreeMap<String, (u64, String)> =
        manifest.files.iter().map(|f| (format!("files/{}", f.name), (f.size, f.sha256.clone()))).collect();
    expected.insert(manifest.database.name.clone(), (manifest.database.size, manifest.database.sha256.clone()));
    for (name, want) in &expected {
        match seen.get(name) {
            None => return Err(refuse(format!("{name} is missing"))),
            Some(got) if got != want => return Err(refuse(format!("{name} does not match its checksum in the manifest"))),
            Some(_) => {}
        }
    }
    if let Some(extra) = seen.keys().find(|k| !expected.contains_key(*k)) {
        return Err(refuse(format!("{extra} is not in the manifest")));
    }
    Ok(manifest)
}

async fn hash<R: AsyncRead + Unpin>(input: &mut R, size: u64) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    each_chunk(input, size, |c| {
        hasher.update(c);
        async { Ok(()) }
    })
    .await?;
    Ok(hex(&hasher.finalize()))
}

async fn discard<R: AsyncRead + Unpin>(input: &mut R, size: u64) -> std::io::Result<()> {
    each_chunk(input, size, |_| async { Ok(()) }).await
}

/// Reads `size` bytes of an entry, handing each chunk to `f`.
async fn each_chunk<R, F, Fut>(input: &mut R, size: u64, mut f: F) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    F: FnMut(&[u8]) -> Fut,
    Fut: Future<Output = std::io::Result<()>>,
{
    let (mut buf, mut left) = (vec![0u8; 256 * 1024], size);
    while left > 0 {
        let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
        let n = input.read(&mut buf[..want]).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "the archive is damaged: it ends in the middle (truncated)"));
        }
        f(&buf[..n]).await?;
        left -= n as u64;
    }
    Ok(())
}

async fn copy_to<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(input: &mut R, size: u64, out: &mut W) -> std::io::Result<()> {
    let (mut buf, mut left) = (vec![0u8; 256 * 1024], size);
    while left > 0 {
        let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
        let n = input.read(&mut buf[..want]).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "the archive is damaged: it ends in the middle (truncated)"));
        }
        out.write_all(&buf[..n]).await?;
        left -= n as u64;
    }
    Ok(())
}

/// Puts the SQLite file in place (written beside it, then renamed over it).
async fn restore_sqlite<R: AsyncRead + Unpin>(settings: &Settings, input: &mut R, size: u64) -> anyhow::Result<()> {
    let path = sqlite_path(&settings.database_url)?;
    let temp = PathBuf::from(format!("{}.restoring", path.display()));
    let mut out = tokio::fs::File::create(&temp).await.with_context(|| format!("cannot write {}", temp.display()))?;
    copy_to(input, size, &mut out).await?;
    out.sync_all().await?;
    drop(out);
    for suffix in ["-wal", "-shm"] {
        let _ = tokio::fs::remove_file(format!("{}{suffix}", path.display())).await;
    }
    tokio::fs::rename(&temp, &path).await?;
    Ok(())
}

/// Feeds the dump to `pg_restore` on its standard input.
async fn restore_postgres<R: AsyncRead + Unpin>(settings: &Settings, input: &mut R, size: u64, server: i64) -> anyhow::Result<()> {
    let tool = super::backup::pg_tool("pg_restore", server).await?;
    let mut child = tokio::process::Command::new(&tool)
        .args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"])
        .arg(format!("--dbname={}", settings.database_url))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", tool.display()))?;
    let mut stdin = child.stdin.take().context("pg_restore has no standard input")?;
    let fed = copy_to(input, size, &mut stdin).await;
    drop(stdin);
    let out = child.wait_with_output().await?;
    anyhow::ensure!(out.status.success(), "pg_restore failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    fed?;
    Ok(())
}

/// Streams one file of the archive into the store; answers its SHA-256.
async fn put_file<R: AsyncRead + Unpin>(files: &Files, key: &str, input: &mut R, size: u64) -> anyhow::Result<String> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let body = Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) }));
    let stage = files.stage(body, u64::MAX, key);
    let feed = async move {
        let fed = each_chunk(input, size, |c| {
            let tx = tx.clone();
            let chunk = Bytes::copy_from_slice(c);
            async move { tx.send(Ok(chunk)).await.map_err(|_| std::io::Error::other("the store stopped reading")) }
        })
        .await;
        if let Err(e) = &fed {
            let _ = tx.send(Err(std::io::Error::new(e.kind(), e.to_string()))).await;
        }
        fed
    };
    let (staged, fed) = tokio::join!(stage, feed);
    fed?;
    let staged = staged.map_err(|e| anyhow::anyhow!("writing {key} to the {}: {e}", files.describe()))?;
    files.promote(&staged).await?;
    Ok(staged.sha256)
}
