//! The file store: uploaded documents' and photos' bytes, kept apart from the database
//! rows that describe them. One handle ([`Files`]) over two places: a directory in the
//! data directory ([`LocalStore`], the embedded default) or an S3-compatible bucket
//! ([`S3Store`], when `LIAISON_FILES_URL` is set), so any number of instances see the
//! same files.
//!
//! An upload is *staged* first (streamed to the store while it is hashed, counted and
//! sniffed, and abandoned past the size limit), then *promoted* once the row that names
//! it is written. Whatever fails on the way, the caller discards the staged file or
//! removes the promoted one. What still escapes (a crash between a commit and a removal,
//! a removal while the store was down) is collected later: files that no row names and
//! that are older than a grace period (see `crate::storage::gc`).
//!
//! Keys are made by us: `agreements/12/3f9a…`, `news/4/7-480.jpg`.

mod local;
mod s3;

use std::{ops::Range, pin::Pin};

use axum::body::{Body, Bytes};
use futures_util::Stream;
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWrite, AsyncWriteExt};

pub use local::LocalStore;
pub use s3::S3Store;

use crate::error::AppError;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// No file under that key.
    #[error("no file under that key")]
    NotFound,
    /// The object store did not answer (or answered with an error): try again later.
    #[error("the file store is unavailable: {0}")]
    Unavailable(String),
    /// Local disk trouble, or a key that is not ours.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<FileError> for AppError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::NotFound => AppError::Internal(anyhow::anyhow!("a file named by the database is missing from the store")),
            FileError::Unavailable(m) => {
                tracing::warn!(error = %m, "file store unavailable");
                AppError::Unavailable
            }
            FileError::Io(e) => AppError::Internal(e.into()),
        }
    }
}

/// Why staging failed.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The body went past the limit (nothing is kept).
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    /// The client's body could not be read (it hung up, or sent garbage).
    #[error("the upload was interrupted: {0}")]
    Body(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] FileError),
}

impl From<StageError> for AppError {
    fn from(e: StageError) -> Self {
        match e {
            StageError::TooLarge(_) => AppError::TooLarge,
            StageError::Body(m) => AppError::BadRequest(m),
            StageError::Store(e) => e.into(),
        }
    }
}

/// A file written to the store, not yet promoted under its key.
#[derive(Debug)]
pub struct Staged {
    /// The key it is promoted to.
    pub key: String,
    /// Where the bytes are now: a temporary file (local store); `None` when they were
    /// streamed straight to `key` (object store: promotion has nothing left to do).
    temp: Option<std::path::PathBuf>,
    /// Bytes received.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// The first bytes (for sniffing magic numbers).
    pub head: Vec<u8>,
    /// Whether the bytes contain a ZIP entry name `word/document.xml` (a DOCX).
    pub has_word_document: bool,
}

/// A file in the store, as a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Its key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was written.
    pub modified: std::time::SystemTime,
}

/// A stream of a file's bytes.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// A file (or part of it) being read.
pub struct Fetched {
    /// The whole file's size.
    pub size: u64,
    /// The bytes asked for.
    pub range: Range<u64>,
    /// The bytes, as they arrive.
    pub stream: ByteStream,
}

/// The file store of this instance: cheap to clone.
#[derive(Debug, Clone)]
pub enum Files {
    /// A directory.
    Local(LocalStore),
    /// An S3-compatible bucket.
    S3(S3Store),
}

/// How many leading bytes [`Staged::head`] keeps.
const HEAD: usize = 16;
const DOCX_MARKER: &[u8] = b"word/document.xml";

impl Files {
    /// The store the settings name: the bucket of `files_url`, else `<data_dir>/files`.
    pub fn open(settings: &crate::config::Settings) -> anyhow::Result<Files> {
        match &settings.files_url {
            Some(url) => Ok(Files::S3(S3Store::open(url)?)),
            None => Ok(Files::Local(LocalStore::new(&settings.data_dir))),
        }
    }

    /// Where the files are, for people (no credentials).
    pub fn describe(&self) -> String {
        match self {
            Files::Local(l) => format!("directory {}", l.root().display()),
            Files::S3(s) => s.describe(),
        }
    }

    /// Streams `body` to the store for `key`, hashing and counting; past `limit` bytes it
    /// stops, removes what it wrote and fails with [`StageError::TooLarge`].
    pub async fn stage(&self, body: Body, limit: u64, key: &str) -> Result<Staged, StageError> {
        match self {
            Files::Local(l) => l.stage(body, limit, key).await,
            Files::S3(s) => s.stage(body, limit, key).await,
        }
    }

    /// Puts a staged file under its key.
    pub async fn promote(&self, staged: &Staged) -> Result<(), FileError> {
        match self {
            Files::Local(l) => l.promote(staged).await,
            Files::S3(_) => Ok(()),
        }
    }

    /// Forgets a staged (or promoted) file.
    pub async fn discard(&self, staged: &Staged) {
        match (&staged.temp, self) {
            (Some(temp), _) => {
                let _ = tokio::fs::remove_file(temp).await;
            }
            (None, _) => self.remove_quietly(&staged.key).await,
        }
    }

    /// Writes `bytes` under `key` (made by us, e.g. a resized photo), whole or not at all.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), FileError> {
        match self {
            Files::Local(l) => l.put(key, &bytes).await,
            Files::S3(s) => s.put(key, bytes).await,
        }
    }

    /// The bytes under `key` (all of them, or `range`), as a stream.
    pub async fn get(&self, key: &str, range: Option<Range<u64>>) -> Result<Fetched, FileError> {
        match self {
            Files::Local(l) => l.get(key, range).await,
            Files::S3(s) => s.get(key, range).await,
        }
    }

    /// All the bytes under `key`, in memory (small files only: photos to process).
    pub async fn read(&self, key: &str) -> Result<Vec<u8>, FileError> {
        let mut fetched = self.get(key, None).await?;
        let mut out = Vec::with_capacity(usize::try_from(fetched.size).unwrap_or(0));
        while let Some(chunk) = futures_util::StreamExt::next(&mut fetched.stream).await {
            out.extend_from_slice(&chunk.map_err(FileError::Io)?);
        }
        Ok(out)
    }

    /// Removes the file under `key` (no error if it is already gone).
    pub async fn remove(&self, key: &str) -> Result<(), FileError> {
        match self {
            Files::Local(l) => l.remove(key).await,
            Files::S3(s) => s.remove(key).await,
        }
    }

    /// Removes `key`, logging a failure instead of returning it: what stays behind is
    /// collected later.
    pub async fn remove_quietly(&self, key: &str) {
        if let Err(e) = self.remove(key).await {
            tracing::warn!(key, error = %e, "could not remove a file; it is collected later");
        }
    }

    /// Every file in the store (temporary files left out), in key order.
    pub async fn list(&self) -> Result<Vec<Listed>, FileError> {
        let mut all = match self {
            Files::Local(l) => l.list().await?,
            Files::S3(s) => s.list().await?,
        };
        all.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(all)
    }
}

/// Reads an upload body into `out`, hashing, counting and sniffing as it goes; fails
/// past `limit` bytes.
async fn copy_body<W: AsyncWrite + Unpin>(mut body: Body, limit: u64, out: &mut W, st: &mut Staged) -> Result<(), StageError> {
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
        out.write_all(&chunk).await.map_err(|e| StageError::Store(store_io(e)))?;
    }
    st.sha256 = hex(&hasher.finalize());
    Ok(())
}

/// An I/O error of a writer: the object store's show up as `Other`.
fn store_io(e: std::io::Error) -> FileError {
    FileError::Io(e)
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Keys are made by us, but a key must never climb out of the store. A dot may separate
/// a name from its extension (`12-480.jpg`), never start a segment.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .split('/')
            .all(|p| !p.is_empty() && !p.starts_with('.') && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
}

fn bad_key(key: &str) -> FileError {
    FileError::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("bad file key {key:?}")))
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

    #[test]
    fn keys_never_climb_out() {
        assert!(valid_key("news/4/7-480.jpg"));
        assert!(!valid_key("../x"));
        assert!(!valid_key("t/.hidden"));
        assert!(!valid_key("a//b"));
        assert!(!valid_key(""));
    }

    #[tokio::test]
    async fn staging_hashes_and_finds_the_docx_marker_across_chunks() {
        let dir = std::env::temp_dir().join(format!("liaison-files-{}", crate::secret::random_token(6)));
        let store = Files::Local(LocalStore::new(&dir));
        let chunks: Vec<Result<Bytes, std::io::Error>> =
            vec![Ok(Bytes::from_static(b"PK\x03\x04....word/doc")), Ok(Bytes::from_static(b"ument.xml...."))];
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        let st = store.stage(body, 1000, "t/abc").await.expect("staged");
        assert!(st.has_word_document);
        assert_eq!(st.size, 29);
        assert_eq!(st.sha256.len(), 64);
        store.promote(&st).await.expect("promoted");
        assert_eq!(store.read("t/abc").await.expect("read").len(), 29);
        let part = store.get("t/abc", Some(4..8)).await.expect("range");
        assert_eq!((part.size, part.range.clone()), (29, 4..8));
        assert!(matches!(store.read("t/nothing").await, Err(FileError::NotFound)));
        assert!(store.read("../x").await.is_err());
        store.put("t/7-480.jpg", Bytes::from_static(b"jpeg")).await.expect("put");
        assert_eq!(store.read("t/7-480.jpg").await.expect("read"), b"jpeg");
        let keys: Vec<String> = store.list().await.expect("list").into_iter().map(|l| l.key).collect();
        assert_eq!(keys, ["t/7-480.jpg", "t/abc"]);
        store.remove("t/7-480.jpg").await.expect("removed");
        store.remove("t/7-480.jpg").await.expect("removing twice is fine");
        let too_big = store.stage(Body::from(vec![0u8; 2000]), 1000, "t/big").await;
        assert!(matches!(too_big, Err(StageError::TooLarge(1000))));
        assert_eq!(std::fs::read_dir(dir.join("files/tmp")).expect("tmp").count(), 0, "nothing left behind");
        let _ = std::fs::remove_dir_all(dir);
    }
}
