//! `/api/v1/applications`: a student's own applications (start, fill in, upload,
//! submit, withdraw, answer an offer) and the office's work on one application
//! (eligibility, scores, interview, manual allocation). A student reading another's
//! application gets 404, as for one that does not exist.

use axum::{
    Json,
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::Response,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    agreements::documents::UploadMeta,
    applications::{
        documents,
        model::{Application, ApplicationDetail, ApplicationInput, ApplicationQuery, StudentAction},
        office::{self, ScoreInput},
        queries, student,
    },
    audit::Actor,
    auth::{CurrentUser, Permission},
    error::{AppError, AppResult, Problem},
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiJson, ApiPath, ApiQuery},
        i18n::Locale,
    },
};

/// The caller may run calls.
fn office(user: &CurrentUser) -> bool {
    user.can(Permission::ManageApplications)
}

/// An application the caller may read: their own, or any for the office.
async fn readable(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Application> {
    let mut conn = state.db.pool.acquire().await?;
    let a = queries::get_application(&mut conn, id).await?;
    if a.user_id == user.id || office(user) { Ok(a) } else { Err(AppError::NotFound) }
}

async fn detail_of(state: &AppState, ctx: &Ctx, user: &CurrentUser, id: i64) -> AppResult<ApplicationDetail> {
    let a = readable(state, user, id).await?;
    let mut conn = state.db.pool.acquire().await?;
    let office_view = office(user) && a.user_id != user.id;
    student::detail(&mut conn, a, office_view, ctx.locale == Locale::Zh).await
}

/// `GET /api/v1/applications`: the caller's own applications; for the office, every
/// application matching the filters (by rank).
#[utoipa::path(get, path = "/api/v1/applications", tag = "applications", params(ApplicationQuery), responses((status = 200, body = Vec<Application>)))]
pub async fn list_applications(
    State(state): State<AppState>,
    User(user): User,
    ApiQuery(q): ApiQuery<ApplicationQuery>,
) -> AppResult<Json<Vec<Application>>> {
    let mut conn = state.db.pool.acquire().await?;
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        <crate::applications::model::ApplicationStatus as crate::status::Status>::parse_field("status", s)?;
    }
    if office(&user) {
        return Ok(Json(queries::list_applications(&mut conn, &q).await?));
    }
    Ok(Json(queries::applications_of(&mut conn, user.id).await?))
}

/// `POST /api/v1/calls/{id}/applications`: starts the caller's draft application to an
/// open call (one per call: a second is 409).
#[utoipa::path(post, path = "/api/v1/calls/{id}/applications", tag = "applications", params(("id" = i64, Path, description = "Call id")),
    responses((status = 201, body = ApplicationDetail), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn start_application(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(call_id): ApiPath<i64>,
) -> AppResult<(StatusCode, Json<ApplicationDetail>)> {
    let mut tx = state.db.begin().await?;
    let id = student::start(&mut tx, &Actor::from(&*user), user.id, call_id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(detail_of(&state, &ctx, &user, id).await?)))
}

/// `GET /api/v1/applications/{id}`: an application with its choices, documents, what is
/// missing and the steps the student may take.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications", params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = ApplicationDetail), (status = 404, body = Problem)))]
pub async fn get_application(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<ApplicationDetail>> {
    Ok(Json(detail_of(&state, &ctx, &user, id).await?))
}

/// `PATCH /api/v1/applications/{id}`: the student's fields and ranked choices, while the
/// call is open (409 after it closes).
#[utoipa::path(patch, path = "/api/v1/applications/{id}", tag = "applications", request_body = ApplicationInput,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = ApplicationDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_application(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> AppResult<Json<ApplicationDetail>> {
    let mut tx = state.db.begin().await?;
    student::update(&mut tx, &Actor::from(&*user), user.id, id, &input).await?;
    tx.commit().await?;
    Ok(Json(detail_of(&state, &ctx, &user, id).await?))
}

/// A student's step.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = ApplicationStepInput)]
pub struct StepInput {
    /// submit, withdraw, accept or decline.
    pub action: StudentAction,
}

/// `POST /api/v1/applications/{id}/steps`: submit (complete, before the deadline),
/// withdraw, or accept / decline an offer before its answer date.
#[utoipa::path(post, path = "/api/v1/applications/{id}/steps", tag = "applications", request_body = StepInput,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = ApplicationDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn take_step(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(s): ApiJson<StepInput>,
) -> AppResult<Json<ApplicationDetail>> {
    let mut tx = state.db.begin().await?;
    student::step(&mut tx, &Actor::from(&*user), user.id, id, s.action).await?;
    tx.commit().await?;
    Ok(Json(detail_of(&state, &ctx, &user, id).await?))
}

/// Query of an upload.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ApplicationUploadQuery {
    /// File name.
    pub name: String,
    /// transcript, language_certificate, passport, motivation_letter, recommendation or cv.
    pub kind: String,
}

/// A stored document's id.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Uploaded {
    /// Document id.
    pub id: i64,
}

/// `POST /api/v1/applications/{id}/documents?name=…&kind=…`: the raw file as the body,
/// at most 10 MiB; PDF, PNG, JPEG or WebP, judged by content.
#[utoipa::path(post, path = "/api/v1/applications/{id}/documents", tag = "applications",
    params(("id" = i64, Path, description = "Application id"), ApplicationUploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Uploaded), (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn upload_document(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ApplicationUploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<(StatusCode, Json<Uploaded>)> {
    let text = |h| headers.get(h).and_then(|v: &HeaderValue| v.to_str().ok());
    let meta = UploadMeta {
        name: q.name,
        kind: q.kind,
        declared: text(header::CONTENT_TYPE).filter(|t| !t.starts_with("application/octet-stream")).map(str::to_string),
        length: text(header::CONTENT_LENGTH).and_then(|l| l.parse().ok()),
    };
    let doc = documents::upload(&state, &Actor::from(&*user), user.id, id, &meta, body).await?;
    Ok((StatusCode::CREATED, Json(Uploaded { id: doc })))
}

/// `GET /api/v1/applications/{id}/documents/{doc_id}`: a document, to its student and
/// the office.
#[utoipa::path(get, path = "/api/v1/applications/{id}/documents/{doc_id}", tag = "applications",
    params(("id" = i64, Path, description = "Application id"), ("doc_id" = i64, Path, description = "Document id")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn download_document(
    State(state): State<AppState>,
    User(user): User,
    ApiPath((id, doc)): ApiPath<(i64, i64)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    readable(&state, &user, id).await?;
    documents::download(&state, id, doc, &headers).await
}

/// The office's eligibility decision.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EligibilityInput {
    /// Eligible or not.
    pub eligible: bool,
    /// Why (required when not eligible; the student is told).
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/applications/{id}/eligibility`: marks one application eligible or not.
#[utoipa::path(post, path = "/api/v1/applications/{id}/eligibility", tag = "applications", request_body = EligibilityInput,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = ApplicationDetail), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_eligibility(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(e): ApiJson<EligibilityInput>,
) -> AppResult<Json<ApplicationDetail>> {
    let mut tx = state.db.begin().await?;
    office::set_eligibility(&mut tx, &Actor::from(&*user), id, e.eligible, &e.note).await?;
    tx.commit().await?;
    Ok(Json(detail_of(&state, &ctx, &user, id).await?))
}

/// A reviewer's scores.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ScoresInput {
    /// One per criterion scored.
    pub scores: Vec<ScoreInput>,
}

/// `PUT /api/v1/applications/{id}/scores`: the caller's scores (0–100 per criterion, with
/// comments); the total combines every reviewer by the call's rule.
#[utoipa::path(put, path = "/api/v1/applications/{id}/scores", tag = "applications", request_body = ScoresInput,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = ApplicationDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_scores(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(s): ApiJson<ScoresInput>,
) -> AppResult<Json<ApplicationDetail>> {
    let mut tx = state.db.begin().await?;
    office::score(&mut tx, &Actor::from(&*user), user.id, id, &s.scores).await?;
    tx.commit().await?;
    Ok(Json(detail_of(&state, &ctx, &user, id).await?))
}

/// An interview slot.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct InterviewInput {
    /// When (office time without an offset); empty clears it.
    #[serde(default)]
    pub at: String,
    /// Where.
    #[serde(default)]
    pub place: String,
}

/// `PUT /api/v1/applications/{id}/interview`: sets the interview slot.
#[utoipa::path(put, path = "/api/v1/applications/{id}/interview", tag = "applications", request_body = InterviewInput,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = ApplicationDetail), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_interview(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<InterviewInput>,
) -> AppResult<Json<ApplicationDetail>> {
    let mut tx = state.db.begin().await?;
    office::interview(&mut tx, &Actor::from(&*user), id, Some(&i.at), &i.place).await?;
    tx.commit().await?;
    Ok(Json(detail_of(&state, &ctx, &user, id).await?))
}

/// A manual allocation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AllocationInput {
    /// The call's partner row, or null for no place.
    pub call_partner_id: Option<i64>,
    /// Why (required; kept and audited).
    pub note: String,
}

/// `POST /api/v1/applications/{id}/allocation`: sets an eligible application's place by
/// hand; later allocation runs keep it.
#[utoipa::path(post, path = "/api/v1/applications/{id}/allocation", tag = "applications", request_body = AllocationInput,
    params(("id" = i64, Path, description = "Application id")),
    responses((status = 200, body = ApplicationDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_allocation(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(a): ApiJson<AllocationInput>,
) -> AppResult<Json<ApplicationDetail>> {
    let mut tx = state.db.begin().await?;
    office::override_allocation(&mut tx, &Actor::from(&*user), id, a.call_partner_id, &a.note).await?;
    tx.commit().await?;
    Ok(Json(detail_of(&state, &ctx, &user, id).await?))
}
