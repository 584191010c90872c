//! One error type for request code. It answers RFC 9457 problem details
//! (`application/problem+json`); the page layer (see `web::html_errors`) turns those into
//! a friendly HTML page for browsers. 500s are logged and never leak their details.

use axum::{
    Json,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

/// One field-level validation message.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// The input field, as named in the request.
    pub field: String,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl FieldError {
    /// Shorthand constructor.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// RFC 9457 problem details, as sent on the wire.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference identifying the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Explanation specific to this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field-level messages for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Extra data (e.g. the conflicting records of a 409).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<serde_json::Value>,
}

/// Errors a request can end in.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 422: input parsed but is not acceptable.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 400: input could not be read.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 401: not logged in.
    #[error("authentication required")]
    Unauthorized,
    /// 401: the session cookie names a session that has expired or ended.
    #[error("session expired")]
    SessionExpired,
    /// 403: logged in but not allowed; the reason is shown.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404.
    #[error("not found")]
    NotFound,
    /// 409 with what it conflicts with.
    #[error("conflict: {0}")]
    Conflict(String, Option<serde_json::Value>),
    /// 413.
    #[error("payload too large")]
    TooLarge,
    /// 415.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// 429 after too many failed logins.
    #[error("too many attempts")]
    TooManyRequests(u64),
    /// 503: a service we depend on (the file store) does not answer; nothing was changed.
    #[error("service unavailable")]
    Unavailable,
    /// 500: logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::Database(db) if db.is_foreign_key_violation() || db.code().as_deref() == Some("23503") => {
                let by = db.table().map(|t| format!(" ({t})")).unwrap_or_default();
                AppError::Conflict(
                    format!("Other records{by} still refer to this one, or it names a record that does not exist; change those first."),
                    None,
                )
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl AppError {
    /// Single-field validation error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::SessionExpired => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(..) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (slug, title, detail) = match self {
            AppError::Validation(_) => ("validation", "Some fields need attention", None),
            AppError::BadRequest(d) => ("bad-request", "The request could not be read", Some(d.clone())),
            AppError::Unauthorized => {
                ("unauthorized", "Please log in", Some("Log in, or send an API token as 'Authorization: Bearer …'.".into()))
            }
            AppError::SessionExpired => ("session-expired", "Your session has expired", Some("Log in again.".into())),
            AppError::Forbidden(d) => ("forbidden", "Not allowed", Some(d.clone())),
            AppError::NotFound => ("not-found", "Not found", Some("Nothing exists at this address.".into())),
            AppError::Conflict(d, _) => ("conflict", "Conflict", Some(d.clone())),
            AppError::TooLarge => ("too-large", "The request body is too large", None),
            AppError::UnsupportedMediaType(d) => ("unsupported-media-type", "Unsupported content type", Some(d.clone())),
            AppError::TooManyRequests(s) => ("too-many-requests", "Too many attempts", Some(format!("Try again in {s} seconds."))),
            AppError::Unavailable => (
                "unavailable",
                "The file store is not reachable",
                Some("Files cannot be read or written just now; nothing was changed. Try again in a minute.".into()),
            ),
            AppError::Internal(_) => ("internal", "Something went wrong on our side", Some("The error was logged.".into())),
        };
        Problem {
            kind: format!("/problems/{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors: match self {
                AppError::Validation(v) => v.clone(),
                _ => Vec::new(),
            },
            conflicts: match self {
                AppError::Conflict(_, c) => c.clone(),
                _ => None,
            },
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "request failed");
        }
        problem_response(
            self.status(),
            &self.problem(),
            match self {
                AppError::TooManyRequests(s) => Some(s),
                AppError::Unavailable => Some(30),
                _ => None,
            },
        )
    }
}

/// Serialises a problem with the right content type (and `Retry-After` if given).
pub fn problem_response(status: StatusCode, problem: &Problem, retry_after: Option<u64>) -> Response {
    let mut res = (status, Json(problem)).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
    if let Some(s) = retry_after {
        res.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(s));
    }
    res
}

/// Result alias for handlers.
pub type AppResult<T> = Result<T, AppError>;
