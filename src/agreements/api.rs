//! JSON API of agreements: the agreement, its status, renewal, signatories and documents.

use axum::{
    Json,
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::Response,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{
    changes,
    documents::{self, UploadMeta},
    model::{
        Agreement, AgreementQuery, AgreementStatus, AgreementSummary, Document, NewAgreement, NewSignatory, Signatory, UpdateAgreement,
    },
    queries,
};
use crate::{
    audit::Actor,
    error::{AppResult, Problem},
    files::Files,
    status::Status,
    web::paging::Page,
    web::{
        AppState,
        context::User,
        extract::{ApiJson, ApiPath, ApiQuery},
    },
};

/// `GET /api/v1/agreements`: agreements, latest first.
#[utoipa::path(get, path = "/api/v1/agreements", tag = "agreements", params(AgreementQuery),
    responses((status = 200, body = Page<AgreementSummary>), (status = 422, body = Problem)))]
pub async fn list_agreements(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AgreementQuery>,
) -> AppResult<Json<Page<AgreementSummary>>> {
    let mut conn = state.db.pool.acquire().await?;
    let (items, total) = queries::list_agreements(&mut conn, &q, false).await?;
    let (page, per_page) = q.paging();
    Ok(Json(Page { items, page, per_page, total }))
}

/// `GET /api/v1/agreements/{id}`: everything about an agreement.
#[utoipa::path(get, path = "/api/v1/agreements/{id}", tag = "agreements", params(("id" = i64, Path, description = "Agreement id")),
    responses((status = 200, body = Agreement), (status = 404, body = Problem)))]
pub async fn get_agreement(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Agreement>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(queries::get_agreement(&mut conn, id).await?))
}

/// `POST /api/v1/agreements`: records an agreement (draft) with its parties and areas.
#[utoipa::path(post, path = "/api/v1/agreements", tag = "agreements", request_body = NewAgreement,
    responses((status = 201, body = Agreement), (status = 422, body = Problem)))]
pub async fn create_agreement(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(a): ApiJson<NewAgreement>,
) -> AppResult<(StatusCode, Json<Agreement>)> {
    let mut tx = state.db.begin().await?;
    let id = changes::create_agreement(&mut tx, &Actor::from(&*user), &a).await?;
    let out = queries::get_agreement(&mut tx, id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// `PATCH /api/v1/agreements/{id}`: fields, parties, areas.
#[utoipa::path(patch, path = "/api/v1/agreements/{id}", tag = "agreements", request_body = UpdateAgreement,
    params(("id" = i64, Path, description = "Agreement id")),
    responses((status = 200, body = Agreement), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_agreement(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(u): ApiJson<UpdateAgreement>,
) -> AppResult<Json<Agreement>> {
    let mut tx = state.db.begin().await?;
    changes::update_agreement(&mut tx, &Actor::from(&*user), id, &u).await?;
    let out = queries::get_agreement(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = AgreementStatusChange)]
pub struct StatusChange {
    /// The next status: draft → negotiation → signed → in_effect → expired; terminated
    /// from signed or in_effect.
    #[schema(value_type = AgreementStatus)]
    pub status: String,
    /// When it happened (YYYY-MM-DD, default today).
    #[serde(default)]
    pub on_date: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /api/v1/agreements/{id}/status`: one step, dated.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/status", tag = "agreements", request_body = StatusChange,
    params(("id" = i64, Path, description = "Agreement id")),
    responses((status = 200, body = Agreement), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_status(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(c): ApiJson<StatusChange>,
) -> AppResult<Json<Agreement>> {
    let to = AgreementStatus::parse_field("status", c.status.trim())?;
    let mut tx = state.db.begin().await?;
    changes::set_status(&mut tx, &Actor::from(&*user), id, to, c.on_date.as_deref(), c.note.as_deref()).await?;
    let out = queries::get_agreement(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

/// A renewal.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Renewal {
    /// When the successor takes effect.
    pub effective_date: String,
    /// When it expires.
    pub expiry_date: String,
    /// Its title (default: the predecessor's).
    #[serde(default)]
    pub title: Option<String>,
}

/// `POST /api/v1/agreements/{id}/renew`: the successor (409 if there already is one).
#[utoipa::path(post, path = "/api/v1/agreements/{id}/renew", tag = "agreements", request_body = Renewal,
    params(("id" = i64, Path, description = "Agreement id")),
    responses((status = 201, body = Agreement), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn renew_agreement(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<Renewal>,
) -> AppResult<(StatusCode, Json<Agreement>)> {
    let mut tx = state.db.begin().await?;
    let new_id = changes::renew(&mut tx, &Actor::from(&*user), id, &r.effective_date, &r.expiry_date, r.title.as_deref()).await?;
    let out = queries::get_agreement(&mut tx, new_id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// `POST /api/v1/agreements/{id}/signatories`: a signatory, position defaulted from their current title.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/signatories", tag = "agreements", request_body = NewSignatory,
    params(("id" = i64, Path, description = "Agreement id")),
    responses((status = 201, body = Signatory), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_signatory(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(s): ApiJson<NewSignatory>,
) -> AppResult<(StatusCode, Json<Signatory>)> {
    let mut tx = state.db.begin().await?;
    let out = changes::add_signatory(&mut tx, &Actor::from(&*user), id, &s).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Query of an upload.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// File name, e.g. `mou-iukl.pdf`; the same name again makes a new version.
    pub name: String,
    /// agreement (default), annex, amendment or other.
    #[serde(default)]
    pub kind: Option<String>,
}

/// `POST /api/v1/agreements/{id}/documents?name=…&kind=…`: the raw file as the body
/// (`Content-Type: application/octet-stream` or the file's own type), at most 25 MiB.
/// The type is sniffed from the content: PDF, DOCX, PNG, JPEG or WebP.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/documents", tag = "agreements",
    params(("id" = i64, Path, description = "Agreement id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Document), (status = 404, body = Problem), (status = 413, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem),
        (status = 503, description = "The file store is not reachable; nothing was stored", body = Problem)))]
pub async fn upload_document(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<(StatusCode, Json<Document>)> {
    let text = |h| headers.get(h).and_then(|v: &HeaderValue| v.to_str().ok());
    let meta = UploadMeta {
        name: q.name,
        kind: q.kind.filter(|k| !k.is_empty()).unwrap_or_else(|| "agreement".into()),
        declared: text(header::CONTENT_TYPE).filter(|t| !t.starts_with("application/octet-stream")).map(str::to_string),
        length: text(header::CONTENT_LENGTH).and_then(|l| l.parse().ok()),
    };
    let doc = documents::upload(&state, state.service::<Files>(), &Actor::from(&*user), id, &meta, body).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

/// `GET /api/v1/agreements/{id}/documents/{doc_id}`: the file, as an attachment,
/// streamed from the file store. Answers one byte range (`Range: bytes=…`) with 206, and
/// 304 when `If-None-Match` names its ETag (the SHA-256 of its content).
#[utoipa::path(get, path = "/api/v1/agreements/{id}/documents/{doc_id}", tag = "agreements",
    params(("id" = i64, Path, description = "Agreement id"), ("doc_id" = i64, Path, description = "Document id")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "The byte range asked for", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 304, description = "Not modified: the client's copy (If-None-Match) is current"),
        (status = 404, body = Problem),
        (status = 416, description = "The range asked for lies past the end of the file"),
        (status = 503, description = "The file store is not reachable", body = Problem)))]
pub async fn download_document(
    State(state): State<AppState>,
    ApiPath((id, doc_id)): ApiPath<(i64, i64)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    documents::download(&state, id, doc_id, &headers).await
}
