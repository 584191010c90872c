//! Files in a directory (`<data_dir>/files`); temporary files in its `tmp/` folder, on
//! the same file system, so promotion is an atomic rename.

use std::{
    ops::Range,
    path::{Path, PathBuf},
};

use axum::body::{Body, Bytes};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::{Fetched, FileError, Listed, StageError, Staged, bad_key, valid_key};

/// The directory store.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

/// Bytes read from disk at a time when streaming a file.
const CHUNK: usize = 64 * 1024;

fn not_found_or(e: std::io::Error) -> FileError {
    if e.kind() == std::io::ErrorKind::NotFound { FileError::NotFound } else { FileError::Io(e) }
}

impl LocalStore {
    /// The store of a data directory.
    pub fn new(data_dir: &Path) -> LocalStore {
        LocalStore { root: data_dir.join("files") }
    }

    /// The directory holding the files.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, FileError> {
        if !valid_key(key) || key.starts_with("tmp/") {
            return Err(bad_key(key));
        }
        Ok(self.root.join(key))
    }

    async fn temp_file(&self, what: &str) -> std::io::Result<(PathBuf, tokio::fs::File)> {
        let dir = self.root.join("tmp");
        tokio::fs::create_dir_all(&dir).await?;
        sweep_stale(&dir).await;
        let temp = dir.join(format!("{what}-{}", crate::secret::random_token(12)));
        let file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&temp).await?;
        Ok((temp, file))
    }

    pub(super) async fn stage(&self, body: Body, limit: u64, key: &str) -> Result<Staged, StageError> {
        self.path_of(key)?;
        let (temp, mut file) = self.temp_file("upload").await.map_err(FileError::Io)?;
        let mut st =
            Staged { key: key.to_string(), temp: Some(temp), size: 0, sha256: String::new(), head: Vec::new(), has_word_document: false };
        let mut result = super::copy_body(body, limit, &mut file, &mut st).await;
        if result.is_ok() {
            result = async {
                file.flush().await?;
                file.sync_all().await
            }
            .await
            .map_err(|e| StageError::Store(FileError::Io(e)));
        }
        drop(file);
        match result {
            Ok(()) => Ok(st),
            Err(e) => {
                if let Some(t) = &st.temp {
                    let _ = tokio::fs::remove_file(t).await;
                }
                Err(e)
            }
        }
    }

    pub(super) async fn promote(&self, staged: &Staged) -> Result<(), FileError> {
        let path = self.path_of(&staged.key)?;
        let Some(temp) = &staged.temp else { return Ok(()) };
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        Ok(tokio::fs::rename(temp, &path).await?)
    }

    pub(super) async fn get(&self, key: &str, range: Option<Range<u64>>) -> Result<Fetched, FileError> {
        let mut file = tokio::fs::File::open(self.path_of(key)?).await.map_err(not_found_or)?;
        let size = file.metadata().await?.len();
        let range = range.map(|r| r.start.min(size)..r.end.min(size)).unwrap_or(0..size);
        file.seek(std::io::SeekFrom::Start(range.start)).await?;
        let left = range.end - range.start;
        let stream = futures_util::stream::try_unfold((file, left), |(mut file, left)| async move {
            if left == 0 {
                return Ok(None);
            }
            let mut buf = vec![0u8; CHUNK.min(usize::try_from(left).unwrap_or(CHUNK))];
            let n = file.read(&mut buf).await?;
            if n == 0 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the file is shorter than it was"));
            }
            buf.truncate(n);
            Ok(Some((Bytes::from(buf), (file, left - n as u64))))
        });
        Ok(Fetched { size, range, stream: Box::pin(stream) })
    }

    pub(super) async fn remove(&self, key: &str) -> Result<(), FileError> {
        match tokio::fs::remove_file(self.path_of(key)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(FileError::Io(e)),
            _ => Ok(()),
        }
    }

    pub(super) async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), FileError> {
        let path = self.path_of(key)?;
        let (temp, mut file) = self.temp_file("put").await?;
        let written = async {
            file.write_all(bytes).await?;
            file.sync_all().await?;
            drop(file);
            if let Some(parent) = path.parent() {
                tokio::fs::create_dir_all(parent).await?;
            }
            tokio::fs::rename(&temp, &path).await
        }
        .await;
        if written.is_err() {
            let _ = tokio::fs::remove_file(&temp).await;
        }
        Ok(written?)
    }

    pub(super) async fn list(&self) -> Result<Vec<Listed>, FileError> {
        let mut out = Vec::new();
        let mut dirs = vec![(self.root.clone(), String::new())];
        while let Some((dir, prefix)) = dirs.pop() {
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            while let Some(e) = entries.next_entry().await? {
                let name = e.file_name().to_string_lossy().into_owned();
                let key = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
                let meta = e.metadata().await?;
                if meta.is_dir() {
                    if key != "tmp" {
                        dirs.push((e.path(), key));
                    }
                } else if valid_key(&key) {
                    out.push(Listed { key, size: meta.len(), modified: meta.modified()? });
                }
            }
        }
        Ok(out)
    }
}

/// Temporary files older than a day are what a crashed upload left behind (a live
/// upload is minutes old at most): removed by the next upload.
async fn sweep_stale(dir: &Path) {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else { return };
    let day = std::time::Duration::from_secs(24 * 3600);
    while let Ok(Some(e)) = entries.next_entry().await {
        let old = e.metadata().await.ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok()).is_some_and(|age| age > day);
        if old {
            let _ = tokio::fs::remove_file(e.path()).await;
        }
    }
}
