//! A version's revisions, newest first, each with its diff against the one before, and
//! restoring one (it becomes the newest revision; nothing is deleted).

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{DiffLine, Labels, diff_lines, may_edit, path_lang};
use crate::{
    error::{AppError, AppResult},
    news::{api::changed, store, workflow::Editor},
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, ApiQuery, FormData},
        forms::field,
        i18n::Tr,
        pages::Base,
    },
};

/// One revision as shown.
#[derive(Debug)]
struct RevisionView {
    revision: i64,
    title: String,
    actor_name: String,
    at: String,
    restored_from: Option<i64>,
    lines: Vec<DiffLine>,
}

#[derive(Template)]
#[template(path = "news/revisions.html")]
struct RevisionsPage {
    base: Base,
    l: Labels,
    article_id: i64,
    article_title: String,
    lang: String,
    revs: Vec<RevisionView>,
    current: i64,
    may_restore: bool,
    notice: String,
    error: String,
}

/// `?restored=N` after a restore.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Restored {
    #[serde(default)]
    restored: String,
}

async fn revisions_page(state: &AppState, ctx: &Ctx, id: i64, lang: &str, notice: String, error: String) -> AppResult<RevisionsPage> {
    let Some(user) = ctx.user.clone() else { return Err(AppError::Unauthorized) };
    let mut conn = state.db.pool.acquire().await?;
    let a = store::get_article(&mut conn, id).await?;
    let lang = path_lang(lang)?;
    let revs = store::list_revisions(&mut conn, id, &lang).await?;
    let tr = Tr(ctx.locale);
    let labels = Labels(tr);
    let article_title = a.version_or_original(&lang).map(|v| v.title.clone()).unwrap_or_default();
    Ok(RevisionsPage {
        base: Base::new(ctx, format!("{} · {}", tr.t("news.revisions"), labels.lang(&lang)), "news"),
        l: labels,
        article_id: id,
        article_title,
        current: revs.first().map(|r| r.revision).unwrap_or_default(),
        revs: revs
            .into_iter()
            .map(|r| RevisionView {
                revision: r.revision,
                title: r.title,
                actor_name: r.actor_name,
                at: r.at,
                restored_from: r.restored_from,
                lines: diff_lines(&r.diff),
            })
            .collect(),
        lang,
        may_restore: may_edit(&Editor::from_user(&user), a.status),
        notice,
        error,
    })
}

/// `GET /articles/{id}/revisions/{lang}`.
pub(super) async fn list_revisions(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath((id, lang)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<Restored>,
) -> AppResult<Response> {
    let notice = match q.restored.parse::<i64>() {
        Ok(n) => format!("{} {n}", Tr(ctx.locale).t("news.notice.restored")),
        Err(_) => String::new(),
    };
    Ok(crate::web::render(&revisions_page(&state, &ctx, id, &lang, notice, String::new()).await?))
}

/// `POST /articles/{id}/revisions/{lang}/restore`: `revision` becomes the newest, on top
/// of `base_revision` (a stale page answers 409 with the message and changes nothing).
pub(super) async fn restore_revision(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath((id, lang)): ApiPath<(i64, String)>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let ed = Editor::from_user(&user);
    let lang = path_lang(&lang)?;
    let (Ok(revision), Ok(base)) = (field(&fields, "revision").parse::<i64>(), field(&fields, "base_revision").parse::<i64>()) else {
        let page = revisions_page(&state, &ctx, id, &lang, String::new(), "Reload the page and choose a revision again.".into()).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, crate::web::render(&page)).into_response());
    };
    let mut tx = state.db.begin().await?;
    let result = store::restore_revision(&mut tx, &ed, id, &lang, revision, base).await;
    let (code, message) = match result {
        Ok(_) => {
            tx.commit().await?;
            changed(&state);
            return Ok(Redirect::to(&format!("/articles/{id}/revisions/{lang}?restored={revision}")).into_response());
        }
        Err(AppError::Conflict(m, _)) => (StatusCode::CONFLICT, m),
        Err(AppError::Forbidden(m)) => (StatusCode::FORBIDDEN, m),
        Err(AppError::Validation(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" "))
        }
        Err(e) => return Err(e),
    };
    drop(tx);
    let page = revisions_page(&state, &ctx, id, &lang, String::new(), message).await?;
    Ok((code, crate::web::render(&page)).into_response())
}
