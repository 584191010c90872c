//! File downloads: a spreadsheet export of a list, and a file of the store (streamed,
//! with byte ranges and ETags).

use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{error::AppResult, files::Files, tabular::Format};

/// A CSV or XLSX export named `liaison-{name}.{csv|xlsx}`.
pub fn table(bytes: Vec<u8>, format: Format, name: &str) -> AppResult<Response> {
    let disposition = format!("attachment; filename=\"liaison-{name}.{}\"", format.ext());
    Ok(([(header::CONTENT_TYPE, format.mime().to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// `attachment` with the name in ASCII and in UTF-8 (RFC 6266).
fn disposition(name: &str) -> String {
    let ascii: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b".-_".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A file of the store, as a response: what the database knows of it.
#[derive(Debug)]
pub struct StoredFile<'a> {
    /// Its key in the store.
    pub key: &'a str,
    /// Its Content-Type.
    pub content_type: &'a str,
    /// Its size when the database knows it: then `Range` requests are answered.
    pub size: Option<u64>,
    /// A strong validator of its content (without quotes), e.g. its SHA-256.
    pub etag: String,
    /// The `Cache-Control` to send.
    pub cache: &'static str,
    /// Sent as an attachment under this name (else shown inline).
    pub attachment: Option<&'a str>,
}

/// Streams a stored file: `304` when `If-None-Match` names its ETag, `206` for one byte
/// range (`Range: bytes=…`, honoured when the size is known and `If-Range`, if sent,
/// names the current ETag), `416` for a range past its end, else `200`. The bytes go from
/// the store to the client as they arrive; nothing is held whole in memory.
pub async fn stored(files: &Files, headers: &HeaderMap, f: StoredFile<'_>) -> AppResult<Response> {
    let etag = format!("\"{}\"", f.etag);
    let header_text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let mut res = if header_text(header::IF_NONE_MATCH).is_some_and(|inm| etag_listed(inm, &etag)) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let fresh = header_text(header::IF_RANGE).is_none_or(|ir| ir.trim() == etag);
        let range = match (f.size, header_text(header::RANGE).filter(|_| fresh)) {
            (Some(size), Some(r)) => parse_range(r, size),
            _ => None,
        };
        match range {
            Some(Err(size)) => {
                let mut res = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                    res.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                res
            }
            Some(Ok(r)) => {
                let fetched = files.get(f.key, Some(r.clone())).await?;
                let mut res = (StatusCode::PARTIAL_CONTENT, Body::from_stream(fetched.stream)).into_response();
                let h = res.headers_mut();
                h.insert(header::CONTENT_LENGTH, HeaderValue::from(r.end - r.start));
                if let Ok(v) = HeaderValue::from_str(&format!("bytes {}-{}/{}", r.start, r.end - 1, fetched.size)) {
                    h.insert(header::CONTENT_RANGE, v);
                }
                res
            }
            None => {
                let fetched = files.get(f.key, None).await?;
                let mut res = (StatusCode::OK, Body::from_stream(fetched.stream)).into_response();
                res.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(fetched.size));
                res
            }
        }
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(f.cache));
    if f.size.is_some() {
        h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    }
    if let Ok(v) = HeaderValue::from_str(f.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Some(name) = f.attachment
        && let Ok(v) = HeaderValue::from_str(&disposition(name))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// Whether an `If-None-Match` list names `etag` (weak comparison, as RFC 9110 asks).
fn etag_listed(list: &str, etag: &str) -> bool {
    list.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == etag)
}

/// One byte range of a file of `size` bytes: `None` to ignore the header (several
/// ranges, or not a byte range: the whole file is sent), `Err(size)` when it lies past
/// the end.
fn parse_range(text: &str, size: u64) -> Option<Result<std::ops::Range<u64>, u64>> {
    let spec = text.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let range = if first.is_empty() {
        let n: u64 = last.parse().ok()?;
        if n == 0 || size == 0 {
            return Some(Err(size));
        }
        size.saturating_sub(n)..size
    } else {
        let start: u64 = first.parse().ok()?;
        if start >= size {
            return Some(Err(size));
        }
        let end = if last.is_empty() { size } else { last.parse::<u64>().ok()?.saturating_add(1) };
        if end <= start {
            return None;
        }
        start..end.min(size)
    };
    Some(Ok(range))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_are_read_as_rfc_9110_says() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some(Ok(0..100)));
        assert_eq!(parse_range("bytes=900-", 1000), Some(Ok(900..1000)));
        assert_eq!(parse_range("bytes=-100", 1000), Some(Ok(900..1000)));
        assert_eq!(parse_range("bytes=-5000", 1000), Some(Ok(0..1000)));
        assert_eq!(parse_range("bytes=990-2000", 1000), Some(Ok(990..1000)));
        assert_eq!(parse_range("bytes=1000-", 1000), Some(Err(1000)));
        assert_eq!(parse_range("bytes=-0", 1000), Some(Err(1000)));
        assert_eq!(parse_range("bytes=0-1,5-9", 1000), None, "several ranges: the whole file");
        assert_eq!(parse_range("items=0-1", 1000), None);
        assert_eq!(parse_range("bytes=9-1", 1000), None);
        assert_eq!(parse_range("bytes=x-", 1000), None);
    }

    #[test]
    fn etags_match_weakly_in_lists() {
        assert!(etag_listed("\"a\", \"b\"", "\"b\""));
        assert!(etag_listed("W/\"b\"", "\"b\""));
        assert!(etag_listed("*", "\"b\""));
        assert!(!etag_listed("\"c\"", "\"b\""));
    }
}
