//! The file store: uploaded documents' bytes, kept apart from the database rows that
//! describe them. One interface ([`FileStore`]) so an object store can replace the local
//! directory later; [`LocalStore`] keeps files under `<data_dir>/files`.
//!
//! An upload is *staged* first (streamed to a temporary name while it is hashed, counted
//! and sniffed, and abandoned past the size limit), then *promoted* to its final key once
//! the row that names it is written. Whatever fails on the way, the caller discards the
//! staged file or removes the promoted one, so no file outlives its row.

use std::path::{Path, PathBuf};

use axum::body::{Body, Bytes};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// Why staging failed.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The body went past the limit (nothing is kept).
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    /// The client's body could not be read (it hung up, or sent garbage).
    #[error("the upload was interrupted: {0}")]
    Body(String),
    /// Disk trouble.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A file written to a temporary name, not yet under its key.
#[derive(Debug)]
pub struct Staged {
    /// Where the bytes are now.
    pub temp: PathBuf,
    /// Bytes received.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// The first bytes (for sniffing magic numbers).
    pub head: Vec<u8>,
    /// Whether the bytes contain a ZIP entry name `word/document.xml` (a DOCX).
    pub has_word_document: bool,
}

/// Where uploaded files live.
pub trait FileStore: Send + Sync {
    /// Streams `body` to a temporary name, hashing and counting; past `limit` bytes it
    /// stops, removes what it wrote and fails with [`StageError::TooLarge`].
    fn stage(&self, body: Body, limit: u64) -> impl Future<Output = Result<Staged, StageError>> + Send;
    /// Moves a staged file under `key` (e.g. `agreements/12/3f9a…`).
    fn promote(&self, staged: &Staged, key: &str) -> impl Future<Output = std::io::Result<()>> + Send;
    /// Forgets a staged file.
    fn discard(&self, staged: &Staged) -> impl Future<Output = ()> + Send;
    /// The bytes under `key`.
    fn read(&self, key: &str) -> impl Future<Output = std::io::Result<Vec<u8>>> + Send;
    /// Removes the file under `key` (no error if it is already gone).
    fn remove(&self, key: &str) -> impl Future<Output = ()> + Send;
    /// Writes `bytes` under `key` (made by us, e.g. a resized photo), atomically: the
    /// bytes go to a temporary name first and are renamed into place.
    fn put(&self, key: &str, bytes: &[u8]) -> impl Future<Output = std::io::Result<()>> + Send;
}

/// Files in a directory (`<data_dir>/files`); temporary files in its `tmp/` folder, on
/// the same file system, so promotion is an atomic rename.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

/// How many leading bytes [`Staged::head`] keeps.
const HEAD: usize = 16;
const DOCX_MARKER: &[u8] = b"word/document.xml";

impl LocalStore {
    /// The store of a data directory.
    pub fn new(data_dir: &Path) -> LocalStore {
        LocalStore { root: data_dir.join("files") }
    }

    fn path_of(&self, key: &str) -> std::io::Result<PathBuf> {
        // Keys are made by us, but a key must never climb out of the store. A dot may
        // separate a name from its extension (`12-480.jpg`), never start a segment.
        let ok = !key.is_empty()
            && key
                .split('/')
                .all(|p| !p.is_empty() && !p.starts_with('.') && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        if !ok {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("bad file key {key:?}")));
        }
        Ok(self.root.join(key))
    }

    async fn write_body(file: &mut tokio::fs::File, mut body: Body, limit: u64, st: &mut Staged) -> Result<(), StageError> {
        let mut hasher = Sha256::new();
        let mut tail: Vec<u8> = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| StageError::Body(e.to_string()))?;
            let Ok(chunk): Result<Bytes, _> = frame.into_data() else { continue };
            st.size += chunk.len() as u64;
            if st.size > limit {
                return Err(StageError::TooLarge(limit));
            }
            if st.head.len() < HEAD {
                let take = (HEAD - st.head.len()).min(chunk.len());
                st.head.extend_from_slice(&chunk[..take]);
            }
            // Only a ZIP can be a DOCX: skip the scan for everything else.
            if !st.has_word_document && st.head.starts_with(b"PK\x03\x04") {
                // Look across the chunk boundary too: keep the last few bytes.
                tail.extend_from_slice(&chunk);
                st.has_word_document = tail.windows(DOCX_MARKER.len()).any(|w| w == DOCX_MARKER);
                let keep = tail.len().saturating_sub(DOCX_MARKER.len());
                tail.drain(..keep);
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await?;
        }
        file.flush().await?;
        file.sync_all().await?;
        st.sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok(())
    }
}

impl FileStore for LocalStore {
    async fn stage(&self, body: Body, limit: u64) -> Result<Staged, StageError> {
        let dir = self.root.join("tmp");
        tokio::fs::create_dir_all(&dir).await?;
        sweep_stale(&dir).await;
        let temp = dir.join(format!("upload-{}", crate::secret::random_token(12)));
        let mut file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&temp).await?;
        let mut st = Staged { temp, size: 0, sha256: String::new(), head: Vec::new(), has_word_document: false };
        let result = Self::write_body(&mut file, body, limit, &mut st).await;
        drop(file);
        match result {
            Ok(()) => Ok(st),
            Err(e) => {
                self.discard(&st).await;
                Err(e)
            }
        }
    }

    async fn promote(&self, staged: &Staged, key: &str) -> std::io::Result<()> {
        let path = self.path_of(key)?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::rename(&staged.temp, &path).await
    }

    async fn discard(&self, staged: &Staged) {
        let _ = tokio::fs::remove_file(&staged.temp).await;
    }

    async fn read(&self, key: &str) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path_of(key)?).await
    }

    async fn remove(&self, key: &str) {
        if let Ok(p) = self.path_of(key) {
            let _ = tokio::fs::remove_file(p).await;
        }
    }

    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path_of(key)?;
        let dir = self.root.join("tmp");
        tokio::fs::create_dir_all(&dir).await?;
        let temp = dir.join(format!("put-{}", crate::secret::random_token(12)));
        let written = async {
            let mut file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&temp).await?;
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
        written
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

/// Document types we accept, recognised by their first bytes (never by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocType {
    /// `%PDF-`.
    Pdf,
    /// A ZIP holding `word/document.xml`.
    Docx,
    /// PNG signature.
    Png,
    /// JPEG SOI marker.
    Jpeg,
    /// `RIFF….WEBP`.
    Webp,
}

impl DocType {
    /// The Content-Type to serve it with.
    pub fn mime(self) -> &'static str {
        match self {
            DocType::Pdf => "application/pdf",
            DocType::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            DocType::Png => "image/png",
            DocType::Jpeg => "image/jpeg",
            DocType::Webp => "image/webp",
        }
    }
}

/// The type of a staged file from its magic numbers.
pub fn sniff(head: &[u8], has_word_document: bool) -> Option<DocType> {
    if head.starts_with(b"%PDF-") {
        Some(DocType::Pdf)
    } else if head.starts_with(b"PK\x03\x04") && has_word_document {
        Some(DocType::Docx)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(DocType::Png)
    } else if head.starts_with(b"\xff\xd8\xff") {
        Some(DocType::Jpeg)
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        Some(DocType::Webp)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_recognised_by_their_first_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n", false), Some(DocType::Pdf));
        assert_eq!(sniff(b"PK\x03\x04rest", true), Some(DocType::Docx));
        assert_eq!(sniff(b"PK\x03\x04rest", false), None, "a zip without word/ is not a DOCX");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n0000", false), Some(DocType::Png));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0", false), Some(DocType::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ", false), Some(DocType::Webp));
        assert_eq!(sniff(b"hello, I am a PDF", false), None);
        assert_eq!(sniff(b"", false), None);
    }

    #[tokio::test]
    async fn staging_hashes_and_finds_the_docx_marker_across_chunks() {
        let dir = std::env::temp_dir().join(format!("liaison-files-{}", crate::secret::random_token(6)));
        let store = LocalStore::new(&dir);
        let chunks: Vec<Result<Bytes, std::io::Error>> =
            vec![Ok(Bytes::from_static(b"PK\x03\x04....word/doc")), Ok(Bytes::from_static(b"ument.xml...."))];
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        let st = store.stage(body, 1000).await.expect("staged");
        assert!(st.has_word_document);
        assert_eq!(st.size, 29);
        assert_eq!(st.sha256.len(), 64);
        store.promote(&st, "t/abc").await.expect("promoted");
        assert_eq!(store.read("t/abc").await.expect("read").len(), 29);
        assert!(store.read("../x").await.is_err());
        assert!(store.read("t/.hidden").await.is_err());
        store.put("t/7-480.jpg", b"jpeg").await.expect("put");
        assert_eq!(store.read("t/7-480.jpg").await.expect("read"), b"jpeg");
        store.remove("t/7-480.jpg").await;
        let too_big = store.stage(Body::from(vec![0u8; 2000]), 1000).await;
        assert!(matches!(too_big, Err(StageError::TooLarge(1000))));
        assert_eq!(std::fs::read_dir(dir.join("files/tmp")).expect("tmp").count(), 0, "nothing left behind");
        let _ = std::fs::remove_dir_all(dir);
    }
}
