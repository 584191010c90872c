//! Storage as a whole: the database and the file store together. Collecting files that
//! no row names (`gc`), and one archive holding both, written by `liaison backup` and
//! read by `liaison restore` (`backup`, `restore`, `tar`).
//!
//! Here, in the composition layer, because it is the one place that knows which modules
//! keep files: agreement documents and news photos.

pub mod backup;
pub mod gc;
mod queries;
pub mod restore;
mod tar;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

/// Every file-store key the database names.
pub async fn named_keys(conn: &mut AnyConnection) -> anyhow::Result<BTreeSet<String>> {
    let mut keys: BTreeSet<String> = crate::agreements::queries::all_storage_keys(conn).await.map_err(anyhow_of)?.into_iter().collect();
    keys.extend(crate::news::photos::all_stored_keys(conn).await.map_err(anyhow_of)?);
    keys.extend(crate::applications::queries::all_storage_keys(conn).await.map_err(anyhow_of)?);
    Ok(keys)
}

fn anyhow_of(e: crate::error::AppError) -> anyhow::Error {
    match e {
        crate::error::AppError::Internal(e) => e,
        other => anyhow::anyhow!("{other}"),
    }
}

/// What an archive holds, written as its last entry (`manifest.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always `liaison-backup`.
    pub format: String,
    /// Version of this layout.
    pub version: u32,
    /// The Liaison version that wrote it.
    pub liaison: String,
    /// When it was written (UTC).
    pub created_at: String,
    /// `sqlite` or `postgres`: which engine the database entry is for.
    pub engine: String,
    /// The database snapshot's entry.
    pub database: Item,
    /// Rows per table in the snapshot.
    pub tables: BTreeMap<String, i64>,
    /// The files, by key (entry `files/<key>`).
    pub files: Vec<Item>,
    /// Keys the snapshot names that the store did not have (lost before the backup).
    #[serde(default)]
    pub missing: Vec<String>,
}

/// One entry: its name (database) or key (file), size and SHA-256.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Item {
    /// Entry name or file key.
    pub name: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// The manifest's `format` value.
pub const FORMAT: &str = "liaison-backup";
/// The manifest's entry name.
pub const MANIFEST: &str = "manifest.json";
/// The database entry's name on SQLite (a database file) and PostgreSQL (`pg_dump -Fc`).
pub fn database_entry(engine: crate::config::Engine) -> &'static str {
    match engine {
        crate::config::Engine::Sqlite => "database.sqlite3",
        crate::config::Engine::Postgres => "database.pgdump",
    }
}

/// The SQLite file a `sqlite:` URL names.
pub fn sqlite_path(url: &str) -> anyhow::Result<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).ok_or_else(|| anyhow::anyhow!("not a sqlite: URL"))?;
    let path = rest.split('?').next().unwrap_or("");
    anyhow::ensure!(!path.is_empty() && path != ":memory:", "the database URL names no file");
    Ok(path.into())
}
