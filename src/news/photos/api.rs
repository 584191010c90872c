//! HTTP for photos: the raw-body upload, changes, deletion, and serving the variants.

use axum::{
    Json,
    body::Body,
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{delete, get, patch, post},
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{MAX_PHOTO_BYTES, PhotoMeta, UpdatePhoto};
use crate::{
    audit::Actor,
    auth::{Access, Permission},
    error::{AppError, AppResult, Problem},
    files::Files,
    news::model::Photo,
    web::{
        AppState,
        context::{Ctx, User},
        download::StoredFile,
        extract::{ApiJson, ApiPath, ApiQuery},
        routes::Routes,
    },
};

/// Routes of the photos.
pub fn routes() -> Routes {
    let edit = Access::Permission(Permission::EditNews);
    // The upload streams its body and enforces `MAX_PHOTO_BYTES` itself; the limit here
    // says so to any extractor and leaves the router's general limit alone.
    let upload = post(upload_photo).layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES as usize));
    Routes::new()
        .post("/api/v1/articles/{id}/photos", edit, upload)
        .patch("/api/v1/articles/{id}/photos/{photo_id}", edit, patch(update_photo))
        .delete("/api/v1/articles/{id}/photos/{photo_id}", edit, delete(delete_photo))
        .get("/news/photos/{photo_id}/{file}", Access::Public, get(serve_photo))
}

/// What an upload's query string says about the photo.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct UploadPhotoQuery {
    /// Caption in English.
    #[serde(default)]
    pub caption_en: String,
    /// Caption in Chinese.
    #[serde(default)]
    pub caption_zh: String,
    /// Photographer without an account (default: the uploader).
    #[serde(default)]
    pub photographer_name: String,
    /// Photographer's user id (default: the uploader).
    #[serde(default)]
    pub photographer_id: String,
}

impl UploadPhotoQuery {
    fn meta(self) -> AppResult<PhotoMeta> {
        let id = self.photographer_id.trim();
        let photographer_id = if id.is_empty() {
            None
        } else {
            Some(id.parse::<i64>().map_err(|_| AppError::field("photographer_id", format!("'{id}' is not a user id")))?)
        };
        let name = self.photographer_name.trim();
        Ok(PhotoMeta {
            caption_en: self.caption_en,
            caption_zh: self.caption_zh,
            photographer_name: (!name.is_empty()).then(|| name.to_string()),
            photographer_id,
        })
    }
}

/// `POST /api/v1/articles/{id}/photos?caption_en=…&caption_zh=…&photographer_name=…&photographer_id=…`:
/// the raw image as the body (JPEG, PNG or WebP, judged by its content), at most 20 MiB.
/// Stored as variants 480, 960 and 1600 pixels wide, upright, without EXIF/GPS.
#[utoipa::path(post, path = "/api/v1/articles/{id}/photos", tag = "news",
    params(("id" = i64, Path, description = "Article id"), UploadPhotoQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The image file: JPEG, PNG or WebP"),
    responses((status = 201, body = Photo), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 503, description = "The file store is not reachable; nothing was stored", body = Problem)))]
pub async fn upload_photo(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<UploadPhotoQuery>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<(StatusCode, Json<Photo>)> {
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|l| l.parse::<u64>().ok());
    if length.is_some_and(|n| n > MAX_PHOTO_BYTES) {
        return Err(AppError::TooLarge);
    }
    let meta = q.meta()?;
    let actor = Actor::from(&*user);
    {
        // 404 and 403 before reading a byte of the body.
        let mut conn = state.db.pool.acquire().await?;
        super::check_may_change(&mut conn, &actor, id).await?;
    }
    let bytes = receive(body).await?;
    let photo = super::add_photo(&state, &actor, id, bytes, &meta).await?;
    Ok((StatusCode::CREATED, Json(photo)))
}

/// Reads the body into memory, abandoning it past the limit: a photo is decoded and
/// re-encoded in memory anyway, and only its variants are stored.
async fn receive(body: Body) -> AppResult<Vec<u8>> {
    let limited = http_body_util::Limited::new(body, MAX_PHOTO_BYTES as usize);
    match http_body_util::BodyExt::collect(limited).await {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(AppError::TooLarge),
        Err(e) => Err(AppError::BadRequest(format!("the upload was interrupted: {e}"))),
    }
}

/// `PATCH /api/v1/articles/{id}/photos/{photo_id}`: captions, photographer, place.
#[utoipa::path(patch, path = "/api/v1/articles/{id}/photos/{photo_id}", tag = "news", request_body = UpdatePhoto,
    params(("id" = i64, Path, description = "Article id"), ("photo_id" = i64, Path, description = "Photo id")),
    responses((status = 200, body = Photo), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_photo(
    State(state): State<AppState>,
    User(user): User,
    ApiPath((id, photo_id)): ApiPath<(i64, i64)>,
    ApiJson(u): ApiJson<UpdatePhoto>,
) -> AppResult<Json<Photo>> {
    let mut tx = state.db.begin().await?;
    let photo = super::update_photo_record(&mut tx, &Actor::from(&*user), id, photo_id, &u).await?;
    tx.commit().await?;
    crate::news::api::changed(&state);
    Ok(Json(photo))
}

/// `DELETE /api/v1/articles/{id}/photos/{photo_id}`: removes the photo and its files.
#[utoipa::path(delete, path = "/api/v1/articles/{id}/photos/{photo_id}", tag = "news",
    params(("id" = i64, Path, description = "Article id"), ("photo_id" = i64, Path, description = "Photo id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_photo(
    State(state): State<AppState>,
    User(user): User,
    ApiPath((id, photo_id)): ApiPath<(i64, i64)>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let keys = super::delete_photo_record(&mut tx, &Actor::from(&*user), id, photo_id).await?;
    tx.commit().await?;
    crate::news::api::changed(&state);
    super::remove_files(&state, &keys).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /news/photos/{photo_id}/{file}` (`file` = `{width}.{ext}`, e.g. `960.jpg`): a
/// variant, streamed from the file store. Public and cached for a year once the article
/// is published; before that only for signed-in users who may read records (never
/// cached); otherwise 404. Its ETag answers `If-None-Match` with 304.
#[utoipa::path(get, path = "/news/photos/{photo_id}/{file}", tag = "news",
    params(("photo_id" = i64, Path, description = "Photo id"), ("file" = String, Path, description = "Variant: {width}.{ext}, e.g. 960.jpg")),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>),
        (status = 304, description = "Not modified: the client's copy (If-None-Match) is current"),
        (status = 404, body = Problem),
        (status = 503, description = "The file store is not reachable", body = Problem)))]
pub async fn serve_photo(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath((photo_id, file)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let staff = ctx.user.as_ref().is_some_and(|u| u.can(Permission::ViewRecords));
    let served = match photo_id.parse::<i64>() {
        Ok(id) => super::variant(&state, id, &file, staff).await,
        Err(_) => Err(AppError::NotFound),
    };
    let sent = match served {
        Ok(s) => {
            let cache = if s.public { "public, max-age=31536000, immutable" } else { "private, no-store" };
            let file = StoredFile { key: &s.key, content_type: &s.content_type, size: None, etag: s.etag.clone(), cache, attachment: None };
            crate::web::download::stored(state.service::<Files>(), &headers, file).await
        }
        Err(e) => Err(e),
    };
    let mut res = sent.unwrap_or_else(|e| {
        // A photo not (yet) public must not be remembered as missing either.
        let mut res = e.into_response();
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    });
    res.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}
