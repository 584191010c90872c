//! Collecting files that no row names: what a crash between a commit and a removal, or
//! a removal while the store was down, left behind. A file younger than the grace period
//! is never collected (its row may not be committed yet: photos are written inside their
//! transaction). The store is listed *before* the database is read, so a file whose row
//! commits in between is named by what is read.

use std::time::{Duration, SystemTime};

use crate::{db::Db, files::Files};

/// Files younger than this are left alone by the scheduled collection.
pub const GRACE: Duration = Duration::from_secs(24 * 3600);
/// How often each instance collects (several instances collecting at once is harmless).
pub const EVERY: Duration = Duration::from_secs(6 * 3600);

/// What a collection did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Collected {
    /// Files named by the database.
    pub kept: usize,
    /// Files too young to judge.
    pub young: usize,
    /// Keys removed.
    pub removed: Vec<String>,
}

/// Removes files older than `grace` that the database does not name.
pub async fn collect(db: &Db, files: &Files, grace: Duration) -> anyhow::Result<Collected> {
    let listed = files.list().await?;
    let named = super::named_keys(&mut *db.pool.acquire().await?).await?;
    let now = SystemTime::now();
    let mut done = Collected::default();
    for f in listed {
        if named.contains(&f.key) {
            done.kept += 1;
        } else if now.duration_since(f.modified).unwrap_or_default() < grace {
            done.young += 1;
        } else {
            files.remove(&f.key).await?;
            done.removed.push(f.key);
        }
    }
    if !done.removed.is_empty() {
        tracing::info!(removed = done.removed.len(), "collected files no record names");
    }
    Ok(done)
}
