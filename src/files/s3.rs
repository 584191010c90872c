//! Files in an S3-compatible bucket (Amazon S3, SeaweedFS, MinIO, Ceph…), through the
//! `object_store` crate on the reqwest/rustls (ring) stack already in the build.
//!
//! `LIAISON_FILES_URL` names the place: `s3://bucket[/prefix]?endpoint=…&region=…`.
//! Credentials come from the usual variables (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, …), never from the URL.
//!
//! Uploads stream: up to [`PART`] bytes are held, then a multipart upload takes the body
//! part by part (a small file is one plain PUT). Staging writes straight under the final
//! key (keys are random), so promotion has nothing to do and a failure deletes the key.
//! Requests are retried twice within a few seconds, then fail: a store that is down
//! answers 503 quickly instead of holding the request for minutes.

use std::{ops::Range, sync::Arc, time::Duration};

use axum::body::{Body, Bytes};
use futures_util::{StreamExt, TryStreamExt};
use object_store::{
    BackoffConfig, ClientOptions, GetOptions, GetRange, ObjectStore, ObjectStoreExt, RetryConfig, aws::AmazonS3Builder,
    buffered::BufWriter, path::Path as ObjectPath,
};
use tokio::io::AsyncWriteExt;

use super::{Fetched, FileError, Listed, StageError, Staged, bad_key, valid_key};
pub use crate::config::S3Target;

/// Bytes buffered before an upload turns multipart; also the size of each part (S3's
/// smallest allowed part is 5 MiB).
const PART: usize = 5 * 1024 * 1024;

/// The bucket store.
#[derive(Debug, Clone)]
pub struct S3Store {
    store: Arc<dyn ObjectStore>,
    target: S3Target,
}

impl S3Store {
    /// Builds the client (no request is sent yet).
    pub fn open(target: &S3Target) -> anyhow::Result<S3Store> {
        // reqwest is built with rustls and no default provider: ring is ours.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut b = AmazonS3Builder::from_env().with_bucket_name(&target.bucket);
        if let Some(endpoint) = &target.endpoint {
            // A custom endpoint (SeaweedFS, MinIO) is addressed by path, not by host name.
            b = b.with_endpoint(endpoint).with_virtual_hosted_style_request(false).with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(region) = &target.region {
            b = b.with_region(region);
        }
        let retry = RetryConfig {
            backoff: BackoffConfig { init_backoff: Duration::from_millis(100), max_backoff: Duration::from_secs(1), base: 2.0 },
            max_retries: 2,
            retry_timeout: Duration::from_secs(10),
        };
        let client = ClientOptions::new()
            .with_connect_timeout(Duration::from_secs(3))
            .with_timeout(Duration::from_secs(300))
            .with_allow_http(target.endpoint.as_deref().is_some_and(|e| e.starts_with("http://")));
        let store = b.with_retry(retry).with_client_options(client).build().map_err(|e| anyhow::anyhow!("LIAISON_FILES_URL: {e}"))?;
        Ok(S3Store { store: Arc::new(store), target: target.clone() })
    }

    /// `s3://bucket/prefix at endpoint`.
    pub fn describe(&self) -> String {
        let t = &self.target;
        let at = t.endpoint.as_deref().map(|e| format!(" at {e}")).unwrap_or_default();
        format!("bucket s3://{}/{}{at}", t.bucket, t.prefix)
    }

    fn path(&self, key: &str) -> Result<ObjectPath, FileError> {
        if !valid_key(key) {
            return Err(bad_key(key));
        }
        let full = if self.target.prefix.is_empty() { key.to_string() } else { format!("{}/{key}", self.target.prefix) };
        ObjectPath::parse(full).map_err(|_| bad_key(key))
    }

    pub(super) async fn stage(&self, body: Body, limit: u64, key: &str) -> Result<Staged, StageError> {
        let path = self.path(key)?;
        let mut w = BufWriter::with_capacity(self.store.clone(), path, PART).with_max_concurrency(2);
        let mut st =
            Staged { key: key.to_string(), temp: None, size: 0, sha256: String::new(), head: Vec::new(), has_word_document: false };
        let mut result = super::copy_body(body, limit, &mut w, &mut st).await;
        if result.is_ok() {
            result = w.shutdown().await.map_err(|e| StageError::Store(unavailable(e)));
        } else {
            let _ = w.abort().await;
        }
        if let Err(e) = result {
            if let StageError::Store(FileError::Io(io)) = e {
                return Err(StageError::Store(unavailable(io)));
            }
            return Err(e);
        }
        Ok(st)
    }

    pub(super) async fn put(&self, key: &str, bytes: Bytes) -> Result<(), FileError> {
        self.store.put(&self.path(key)?, bytes.into()).await.map_err(from_store)?;
        Ok(())
    }

    pub(super) async fn get(&self, key: &str, range: Option<Range<u64>>) -> Result<Fetched, FileError> {
        let opts = GetOptions { range: range.filter(|r| r.start < r.end).map(GetRange::Bounded), ..Default::default() };
        let got = self.store.get_opts(&self.path(key)?, opts).await.map_err(from_store)?;
        let (size, range) = (got.meta.size, got.range.clone());
        let stream = got.into_stream().map_err(|e| std::io::Error::other(e.to_string()));
        Ok(Fetched { size, range, stream: Box::pin(stream) })
    }

    pub(super) async fn remove(&self, key: &str) -> Result<(), FileError> {
        match self.store.delete(&self.path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(from_store(e)),
        }
    }

    pub(super) async fn list(&self) -> Result<Vec<Listed>, FileError> {
        let prefix = (!self.target.prefix.is_empty()).then(|| ObjectPath::from(self.target.prefix.as_str()));
        let strip = if self.target.prefix.is_empty() { String::new() } else { format!("{}/", self.target.prefix) };
        let mut out = Vec::new();
        let mut items = self.store.list(prefix.as_ref());
        while let Some(meta) = items.next().await {
            let meta = meta.map_err(from_store)?;
            let full = meta.location.to_string();
            let Some(key) = full.strip_prefix(&strip) else { continue };
            out.push(Listed { key: key.to_string(), size: meta.size, modified: meta.last_modified.into() });
        }
        Ok(out)
    }
}

fn from_store(e: object_store::Error) -> FileError {
    match e {
        object_store::Error::NotFound { .. } => FileError::NotFound,
        other => FileError::Unavailable(other.to_string()),
    }
}

fn unavailable(e: std::io::Error) -> FileError {
    FileError::Unavailable(e.to_string())
}
