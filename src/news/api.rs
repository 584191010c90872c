//! JSON API of news articles: articles, language versions and their revisions, the
//! editorial steps, the proofreading aid, and drafts from visits.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::{
    draft,
    model::{Article, ArticleSummary, NewArticle, Revision, UpdateArticle, Version, VersionInput},
    proofread,
    store::{self, ArticleQuery, StepRequest, directory},
    workflow::Editor,
};
use crate::{
    auth::Role,
    error::{AppResult, Problem},
    web::paging::Page,
    web::{
        AppState,
        context::User,
        extract::{ApiJson, ApiPath, ApiQuery},
    },
};

/// Tells the public site that news changed (its page cache starts afresh).
pub fn changed(state: &AppState) {
    super::public::invalidate(state);
}

/// `GET /api/v1/articles`: articles, most recently changed first.
#[utoipa::path(get, path = "/api/v1/articles", tag = "news", params(ArticleQuery),
    responses((status = 200, body = Page<ArticleSummary>), (status = 422, body = Problem)))]
pub async fn list_articles(State(state): State<AppState>, ApiQuery(q): ApiQuery<ArticleQuery>) -> AppResult<Json<Page<ArticleSummary>>> {
    let mut conn = state.db.pool.acquire().await?;
    let (items, total) = store::list_articles(&mut conn, &q).await?;
    let (page, per_page) = q.paging();
    Ok(Json(Page { items, page, per_page, total }))
}

/// `GET /api/v1/articles/{id}`: versions, links, tags, photos, steps and credits.
#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "news", params(("id" = i64, Path, description = "Article id")),
    responses((status = 200, body = Article), (status = 404, body = Problem)))]
pub async fn get_article(State(state): State<AppState>, ApiPath(id): ApiPath<i64>) -> AppResult<Json<Article>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(store::get_article(&mut conn, id).await?))
}

/// `POST /api/v1/articles`: a new draft with its original version (authors only).
#[utoipa::path(post, path = "/api/v1/articles", tag = "news", request_body = NewArticle,
    responses((status = 201, body = Article), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_article(
    State(state): State<AppState>,
    User(user): User,
    ApiJson(a): ApiJson<NewArticle>,
) -> AppResult<(StatusCode, Json<Article>)> {
    let ed = Editor::from_user(&user);
    let mut tx = state.db.begin().await?;
    let id = store::create_article(&mut tx, &ed, &a).await?;
    let out = store::get_article(&mut tx, id).await?;
    tx.commit().await?;
    changed(&state);
    Ok((StatusCode::CREATED, Json(out)))
}

/// `PATCH /api/v1/articles/{id}`: address, required languages, links, tags, related partner.
#[utoipa::path(patch, path = "/api/v1/articles/{id}", tag = "news", request_body = UpdateArticle,
    params(("id" = i64, Path, description = "Article id")),
    responses((status = 200, body = Article), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_article(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(u): ApiJson<UpdateArticle>,
) -> AppResult<Json<Article>> {
    let ed = Editor::from_user(&user);
    let mut tx = state.db.begin().await?;
    store::update_article(&mut tx, &ed, id, &u).await?;
    let out = store::get_article(&mut tx, id).await?;
    tx.commit().await?;
    changed(&state);
    Ok(Json(out))
}

/// `POST /api/v1/articles/{id}/versions/{lang}`: creates or saves a language version.
/// Saving needs `base_revision`; a save on top of an older revision answers 409 with
/// `conflicts` holding the current text, yours, and both diffs — nothing is overwritten.
#[utoipa::path(post, path = "/api/v1/articles/{id}/versions/{lang}", tag = "news", request_body = VersionInput,
    params(("id" = i64, Path, description = "Article id"), ("lang" = String, Path, description = "zh or en")),
    responses((status = 200, body = Version), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn save_version(
    State(state): State<AppState>,
    User(user): User,
    ApiPath((id, lang)): ApiPath<(i64, String)>,
    ApiJson(v): ApiJson<VersionInput>,
) -> AppResult<Json<Version>> {
    let ed = Editor::from_user(&user);
    let mut tx = state.db.begin().await?;
    let out = store::save_version(&mut tx, &ed, id, &lang, &v, None).await?;
    tx.commit().await?;
    changed(&state);
    Ok(Json(out))
}

/// `GET /api/v1/articles/{id}/versions/{lang}/revisions`: newest first, each with its diff.
#[utoipa::path(get, path = "/api/v1/articles/{id}/versions/{lang}/revisions", tag = "news",
    params(("id" = i64, Path, description = "Article id"), ("lang" = String, Path, description = "zh or en")),
    responses((status = 200, body = Vec<Revision>), (status = 404, body = Problem)))]
pub async fn list_revisions(State(state): State<AppState>, ApiPath((id, lang)): ApiPath<(i64, String)>) -> AppResult<Json<Vec<Revision>>> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(store::list_revisions(&mut conn, id, &lang).await?))
}

/// A restore.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Restore {
    /// The revision to bring back.
    pub revision: i64,
    /// The current revision you saw (as for a save).
    pub base_revision: i64,
}

/// `POST /api/v1/articles/{id}/versions/{lang}/restore`: an earlier revision becomes the newest.
#[utoipa::path(post, path = "/api/v1/articles/{id}/versions/{lang}/restore", tag = "news", request_body = Restore,
    params(("id" = i64, Path, description = "Article id"), ("lang" = String, Path, description = "zh or en")),
    responses((status = 200, body = Version), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn restore_revision(
    State(state): State<AppState>,
    User(user): User,
    ApiPath((id, lang)): ApiPath<(i64, String)>,
    ApiJson(r): ApiJson<Restore>,
) -> AppResult<Json<Version>> {
    let ed = Editor::from_user(&user);
    let mut tx = state.db.begin().await?;
    let out = store::restore_revision(&mut tx, &ed, id, &lang, r.revision, r.base_revision).await?;
    tx.commit().await?;
    changed(&state);
    Ok(Json(out))
}

/// `POST /api/v1/articles/{id}/steps`: submit, send back (with comments), publish (now or
/// at `publish_at`) or withdraw. Only the role that owns the article's status may move
/// it (403 with the reason).
#[utoipa::path(post, path = "/api/v1/articles/{id}/steps", tag = "news", request_body = StepRequest,
    params(("id" = i64, Path, description = "Article id")),
    responses((status = 200, body = Article), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn take_step(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<StepRequest>,
) -> AppResult<Json<Article>> {
    let ed = Editor::from_user(&user);
    let mut tx = state.db.begin().await?;
    store::take_step(&mut tx, &ed, id, &req).await?;
    let out = store::get_article(&mut tx, id).await?;
    tx.commit().await?;
    changed(&state);
    Ok(Json(out))
}

/// One finding of the proofreading aid.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingOut {
    /// spelling, article, name, doubled_word or glued.
    pub kind: String,
    /// Which field: title, summary or body.
    pub field: String,
    /// Byte offset in the field.
    pub start: usize,
    /// Byte offset of the end.
    pub end: usize,
    /// The text found.
    pub found: String,
    /// A likely replacement.
    pub suggestion: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// The aid's report on one language version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProofreadReport {
    /// Language.
    pub lang: String,
    /// The revision checked.
    pub revision: i64,
    /// Findings, in text order per field.
    pub findings: Vec<FindingOut>,
    /// Why spelling was not checked, if it was not.
    pub spelling_skipped: Option<String>,
}

/// The directory's names and words the aid should know: people, units and institutions
/// linked to the article, the home institution's units and buildings, and the users (editors' names).
pub async fn proofread_context(conn: &mut AnyConnection, article_id: i64) -> AppResult<proofread::Context> {
    let names = directory::proofread_names(conn, article_id).await?;
    let acronyms = directory::proofread_acronyms(conn, article_id).await?;
    let ascii: Vec<String> = names.into_iter().filter(|n| n.is_ascii()).collect();
    // The office's own terms: the cooperation areas' names (British spelling, e.g. "programmes").
    let terms = crate::cooperation::AREAS.iter().flat_map(|a| a.en.split(|c: char| !c.is_alphanumeric() && c != '\'')).map(str::to_string);
    // Everyone recorded (people and users), by the words of their names.
    let people = directory::people_names(conn).await?;
    let people_words = people.iter().flat_map(|n| n.split(|c: char| !c.is_alphanumeric() && c != '\'')).map(str::to_string);
    Ok(proofread::Context::shared_default()
        .with_words(acronyms.into_iter().chain(terms).chain(people_words))
        .with_shared_words(directory_words())
        .with_names(ascii))
}

/// The words of the worldwide directory's institution names ("Politeknik", "Universitas",
/// "Teknologi"), lower case, made once per process.
fn directory_words() -> std::sync::Arc<std::collections::HashSet<String>> {
    static WORDS: std::sync::OnceLock<std::sync::Arc<std::collections::HashSet<String>>> = std::sync::OnceLock::new();
    WORDS
        .get_or_init(|| {
            let names = crate::institutions::reference::directory()
                .iter()
                .flat_map(|e| std::iter::once(e.name).chain(e.other_names.iter().copied()));
            let words = names
                .flat_map(|n| n.split(|c: char| !c.is_alphanumeric() && c != '\''))
                .filter(|w| w.chars().count() > 1 && w.chars().all(char::is_alphabetic))
                .map(str::to_lowercase);
            std::sync::Arc::new(words.collect())
        })
        .clone()
}

/// `GET /api/v1/articles/{id}/proofreading`: the proofreading aid's findings on the
/// English versions (spelling, a/an, names unlike the directory's, doubled words, words
/// glued to numbers). For proofreaders and reviewers.
#[utoipa::path(get, path = "/api/v1/articles/{id}/proofreading", tag = "news",
    params(("id" = i64, Path, description = "Article id")),
    responses((status = 200, body = Vec<ProofreadReport>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn proofread_article(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<ProofreadReport>>> {
    let mut conn = state.db.pool.acquire().await?;
    let article = store::get_article(&mut conn, id).await?;
    Editor::from_user(&user).require_any(&[Role::Proofreader, Role::Reviewer], "The proofreading aid")?;
    let ctx = proofread_context(&mut conn, id).await?;
    Ok(Json(proofread_versions(&article, &ctx)))
}

/// Runs the aid over every English version of an article (the dictionary is English).
pub fn proofread_versions(article: &Article, ctx: &proofread::Context) -> Vec<ProofreadReport> {
    article
        .versions
        .iter()
        .filter(|v| v.lang == "en")
        .map(|v| {
            let mut findings = Vec::new();
            for (field, text) in [("title", &v.title), ("summary", &v.summary), ("body", &v.body)] {
                for f in proofread::check(text, ctx) {
                    findings.push(FindingOut {
                        kind: serde_json::to_value(f.kind).ok().and_then(|k| k.as_str().map(str::to_string)).unwrap_or_default(),
                        field: field.to_string(),
                        start: f.range.start,
                        end: f.range.end,
                        found: f.found,
                        suggestion: f.suggestion,
                        message: f.message,
                    });
                }
            }
            ProofreadReport {
                lang: v.lang.clone(),
                revision: v.revision,
                findings,
                spelling_skipped: ctx.spelling_skipped().map(str::to_string),
            }
        })
        .collect()
}

/// Creates the draft article of a visit (Chinese original, English version), authored by `ed`.
pub async fn create_draft(conn: &mut AnyConnection, ed: &Editor, visit_id: i64, home: &str) -> AppResult<i64> {
    let visit = crate::visits::queries::get_visit(conn, visit_id).await?;
    ed.require_any(&[Role::Author], "Starting an article")?;
    let d = draft::from_visit(&visit, home);
    let id = store::create_article(conn, ed, &d.article).await?;
    store::save_version(conn, ed, id, "en", &d.english, None).await?;
    Ok(id)
}

/// `POST /api/v1/visits/{id}/draft-article`: a first draft about the visit, in Chinese and
/// English, that the author then edits (authors only).
#[utoipa::path(post, path = "/api/v1/visits/{id}/draft-article", tag = "news",
    params(("id" = i64, Path, description = "Visit id")),
    responses((status = 201, body = Article), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn draft_from_visit(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(visit_id): ApiPath<i64>,
) -> AppResult<(StatusCode, Json<Article>)> {
    let ed = Editor::from_user(&user);
    let mut tx = state.db.begin().await?;
    let home = home_name(&mut tx, &state).await?;
    let id = create_draft(&mut tx, &ed, visit_id, &home).await?;
    let out = store::get_article(&mut tx, id).await?;
    tx.commit().await?;
    changed(&state);
    Ok((StatusCode::CREATED, Json(out)))
}

/// The home institution's English name (the setting's, if there is no home record).
pub async fn home_name(conn: &mut AnyConnection, state: &AppState) -> AppResult<String> {
    let name = directory::home_name(conn).await?;
    Ok(name.unwrap_or_else(|| state.settings.home_name.clone()))
}
