//! Static assets embedded in the binary (nothing is fetched at run time), served with a
//! long cache lifetime: their URLs carry the build's version.

use axum::{
    extract::Path,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};

use crate::error::AppError;

const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../static/app.css")),
    ("print.css", "text/css; charset=utf-8", include_bytes!("../../static/print.css")),
    ("rooms.css", "text/css; charset=utf-8", include_bytes!("../../static/rooms.css")),
    ("programmes.css", "text/css; charset=utf-8", include_bytes!("../../static/programmes.css")),
    ("news.css", "text/css; charset=utf-8", include_bytes!("../../static/news.css")),
    ("news-admin.css", "text/css; charset=utf-8", include_bytes!("../../static/news-admin.css")),
    ("applications.css", "text/css; charset=utf-8", include_bytes!("../../static/applications.css")),
    ("htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../../static/htmx.min.js")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../../static/app.js")),
    ("api-docs.js", "text/javascript; charset=utf-8", include_bytes!("../../static/api-docs.js")),
    ("upload.js", "text/javascript; charset=utf-8", include_bytes!("../../static/upload.js")),
    ("news-admin.js", "text/javascript; charset=utf-8", include_bytes!("../../static/news-admin.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../../static/favicon.svg")),
];

/// `GET /static/{file}`.
pub async fn serve_asset(Path(file): Path<String>) -> Result<Response, AppError> {
    let (_, mime, body) = FILES.iter().find(|(name, ..)| *name == file).ok_or(AppError::NotFound)?;
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    Ok(res)
}
