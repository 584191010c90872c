//! Extractors whose rejections are our own problem details, so malformed JSON, wrong
//! content types, oversized bodies and bad query strings all answer alike.

use axum::{
    extract::{
        FromRequest, FromRequestParts, Request,
        rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection},
    },
    http::{StatusCode, request::Parts},
};
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};

/// JSON body.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(json_rejection(r)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> AppError {
    let text = r.body_text();
    match r.status() {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::UnsupportedMediaType("Send the body as JSON with 'Content-Type: application/json'.".into())
        }
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
        StatusCode::UNPROCESSABLE_ENTITY => {
            // axum reports "…target type: <path>: <message> at line …".
            let detail = text.split_once("target type: ").map(|(_, d)| d).unwrap_or(&text);
            let (field, msg) = match detail.split_once(": ") {
                Some((f, m)) if !f.contains(' ') => (f.to_string(), m.to_string()),
                _ => ("body".to_string(), detail.to_string()),
            };
            AppError::Validation(vec![FieldError::new(field, msg)])
        }
        _ if text.contains("length limit") => AppError::TooLarge,
        _ => AppError::BadRequest(format!("The body is not valid JSON: {}", text.rsplit(": ").next().unwrap_or(&text))),
    }
}

/// Query string.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state).await.map(|q| ApiQuery(q.0)).map_err(|r: QueryRejection| {
            let text = r.body_text();
            let msg = text.split_once("query string: ").map(|(_, m)| m).unwrap_or(&text).to_string();
            AppError::Validation(vec![FieldError::new("query", msg)])
        })
    }
}

/// Path parameters.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_: PathRejection| AppError::NotFound)
    }
}

/// URL-encoded form body.
pub struct FormData<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormData<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(req, state).await.map(|f| FormData(f.0)).map_err(|r: FormRejection| match r.status() {
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                AppError::UnsupportedMediaType("Send the form as application/x-www-form-urlencoded.".into())
            }
            StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
            _ => AppError::BadRequest(format!("The form could not be read: {}", r.body_text())),
        })
    }
}
