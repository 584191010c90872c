//! Extractors whose rejections are our own problem details, so malformed JSON, wrong
//! content types, oversized bodies and bad query strings all answer alike.

use axum::{
    body::{Body, Bytes},
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
        let (parts, body) = req.into_parts();
        let bytes = read_body(Request::from_parts(parts.clone(), body), state).await?;
        let value = match axum::Json::<T>::from_request(Request::from_parts(parts, Body::from(bytes.clone())), state).await {
            Ok(axum::Json(v)) => v,
            Err(r) => return Err(json_rejection(r)),
        };
        if first_byte(&bytes) == Some(b'[') && expects_struct::<T>() {
            return Err(AppError::Validation(vec![FieldError::new("body", "Send a JSON object, not an array.")]));
        }
        // A NUL can only arrive escaped; the escape may itself be escaped text, so look closer.
        if contains(&bytes, b"\\u0000") && serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|v| json_has_nul(&v)) {
            return Err(nul_error("body"));
        }
        Ok(ApiJson(value))
    }
}

/// The whole body, with the body limit's rejection as our own problem.
async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    Bytes::from_request(req, state).await.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE || r.body_text().contains("length limit") {
            AppError::TooLarge
        } else {
            AppError::BadRequest(format!("The body could not be read: {}", r.body_text()))
        }
    })
}

/// The first byte of a JSON text that is not white space.
fn first_byte(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// Whether `T` reads a struct, which serde also fills from an array of its fields in
/// order; the API documents objects, so an array is refused for one.
fn expects_struct<T: DeserializeOwned>() -> bool {
    matches!(T::deserialize(ShapeProbe), Err(ProbeError(true)))
}

/// A deserializer that holds no data and only tells whether a struct was asked for.
struct ShapeProbe;

/// [`ShapeProbe`]'s answer: `true` when the target asked for a struct.
#[derive(Debug)]
struct ProbeError(bool);

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "shape probe (struct: {})", self.0)
    }
}

impl std::error::Error for ProbeError {}

impl serde::de::Error for ProbeError {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        ProbeError(false)
    }
}

impl<'de> serde::Deserializer<'de> for ShapeProbe {
    type Error = ProbeError;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, ProbeError> {
        Err(ProbeError(false))
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, ProbeError> {
        Err(ProbeError(true))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

fn json_has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(json_has_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || json_has_nul(v)),
        _ => false,
    }
}

/// Percent-encoded text (a query string or a form body) that decodes to a NUL.
fn urlencoded_has_nul(raw: &[u8]) -> bool {
    raw.contains(&0) || contains(raw, b"%00")
}

/// Text may never hold NUL: PostgreSQL cannot store it and no form has a use for it.
fn nul_error(field: &str) -> AppError {
    AppError::field(field, "Text may not contain the NUL character (U+0000).")
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
        if urlencoded_has_nul(parts.uri.query().unwrap_or("").as_bytes()) {
            return Err(nul_error("query"));
        }
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
        if req.uri().query().is_some_and(|q| urlencoded_has_nul(q.as_bytes())) {
            return Err(nul_error("query"));
        }
        let (parts, body) = req.into_parts();
        let bytes = read_body(Request::from_parts(parts.clone(), body), state).await?;
        if urlencoded_has_nul(&bytes) {
            return Err(nul_error("form"));
        }
        let req = Request::from_parts(parts, Body::from(bytes));
        axum::Form::<T>::from_request(req, state).await.map(|f| FormData(f.0)).map_err(|r: FormRejection| match r.status() {
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                AppError::UnsupportedMediaType("Send the form as application/x-www-form-urlencoded.".into())
            }
            StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
            _ => AppError::BadRequest(format!("The form could not be read: {}", r.body_text())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Patch {
        _name: Option<String>,
    }

    #[test]
    fn structs_are_told_from_lists_and_values() {
        assert!(expects_struct::<Patch>());
        assert!(!expects_struct::<Vec<Patch>>());
        assert!(!expects_struct::<serde_json::Value>());
        assert!(!expects_struct::<std::collections::HashMap<String, String>>());
        assert!(!expects_struct::<Option<Patch>>());
    }

    #[test]
    fn nul_is_found_in_text_but_not_in_escaped_backslashes() {
        let v: serde_json::Value = serde_json::from_str(r#"{"a": ["x", {"b": "y\u0000"}]}"#).expect("json");
        assert!(json_has_nul(&v));
        let v: serde_json::Value = serde_json::from_str(r#"{"a": "\\u0000"}"#).expect("json");
        assert!(!json_has_nul(&v));
        assert!(urlencoded_has_nul(b"a=%00") && urlencoded_has_nul(b"a=x%00y"));
        assert!(!urlencoded_has_nul(b"a=%2500"));
    }
}
