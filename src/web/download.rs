//! File downloads: a spreadsheet export of a list, and a stored file by its name.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{error::AppResult, tabular::Format};

/// A CSV or XLSX export named `liaison-{name}.{csv|xlsx}`.
pub fn table(bytes: Vec<u8>, format: Format, name: &str) -> AppResult<Response> {
    let disposition = format!("attachment; filename=\"liaison-{name}.{}\"", format.ext());
    Ok(([(header::CONTENT_TYPE, format.mime().to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// A stored file as an attachment under its own name (ASCII fallback and the UTF-8 name
/// per RFC 6266), never cached by shared caches.
pub fn attachment(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b".-_".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}
