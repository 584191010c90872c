//! Editing a language version (or writing a missing translation). A save on top of an
//! older revision changes nothing and shows the conflict: the current text, the user's
//! text still in the form (now based on the current revision), and both diffs.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde_json::Value;

use super::{DiffLine, Labels, diff_lines, path_lang, textarea};
use crate::{
    error::{AppError, AppResult},
    news::{
        api::changed,
        model::{Article, VersionInput},
        store,
        workflow::{self, Editor},
    },
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, FormData},
        forms::{FormState, field},
        i18n::Tr,
        pages::Base,
        render,
    },
};

/// What a stale save shows (read from the 409's `conflicts`, a `store::EditConflict`).
#[derive(Debug, Default)]
struct ConflictView {
    message: String,
    current_revision: i64,
    current_by: String,
    current_title: String,
    current_summary: String,
    current_body: String,
    their_changes: Vec<DiffLine>,
    your_changes: Vec<DiffLine>,
}

impl ConflictView {
    fn from_json(message: String, c: &Value) -> ConflictView {
        let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
        ConflictView {
            message,
            current_revision: c["current_revision"].as_i64().unwrap_or_default(),
            current_by: s("current_by"),
            current_title: s("current_title"),
            current_summary: s("current_summary"),
            current_body: s("current_body"),
            their_changes: diff_lines(c["their_changes"].as_str().unwrap_or_default()),
            your_changes: diff_lines(c["your_changes"].as_str().unwrap_or_default()),
        }
    }
}

/// The form's values.
#[derive(Debug, Default)]
struct Values {
    title: String,
    summary: String,
    body: String,
    note: String,
    /// "" when the version is being created.
    base_revision: String,
}

#[derive(Template)]
#[template(path = "news/edit.html")]
struct EditPage {
    base: Base,
    l: Labels,
    article_id: i64,
    article_title: String,
    lang: String,
    creating: bool,
    v: Values,
    f: FormState,
    conflict: Option<ConflictView>,
    /// The original version, shown beside a translation being written.
    source: Option<(String, String)>,
}

/// The article, after checking the user may edit its text now (403 with the reason).
async fn editable(state: &AppState, ed: &Editor, id: i64) -> AppResult<Article> {
    let mut conn = state.db.pool.acquire().await?;
    let a = store::get_article(&mut conn, id).await?;
    ed.require_any(workflow::editors(a.status), &format!("Editing an article in {}", a.status))?;
    Ok(a)
}

fn page(ctx: &Ctx, a: &Article, lang: &str, v: Values, f: FormState, conflict: Option<ConflictView>) -> EditPage {
    let tr = Tr(ctx.locale);
    let creating = a.version(lang).is_none();
    let article_title = a.version_or_original(lang).map(|v| v.title.clone()).unwrap_or_default();
    let source = (lang != a.original_lang).then(|| a.version(&a.original_lang)).flatten().map(|o| (o.lang.clone(), o.body.clone()));
    let heading = format!("{} · {}", tr.t(if creating { "news.write_version" } else { "news.edit_version" }), Labels(tr).lang(lang));
    EditPage {
        base: Base::new(ctx, heading, "news"),
        l: Labels(tr),
        article_id: a.id,
        article_title,
        lang: lang.to_string(),
        creating,
        v,
        f,
        conflict,
        source,
    }
}

/// `GET /articles/{id}/edit/{lang}`: the version's text with its revision, or an empty form.
pub(super) async fn edit_version(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath((id, lang)): ApiPath<(i64, String)>,
) -> AppResult<Response> {
    let a = editable(&state, &Editor::from_user(&user), id).await?;
    let lang = path_lang(&lang)?;
    let v = match a.version(&lang) {
        Some(v) => Values {
            title: v.title.clone(),
            summary: v.summary.clone(),
            body: v.body.clone(),
            note: v.note.clone(),
            base_revision: v.revision.to_string(),
        },
        None => Values::default(),
    };
    Ok(render(&page(&ctx, &a, &lang, v, FormState::default(), None)))
}

/// `POST /articles/{id}/edit/{lang}`: saves on top of the revision the form started from.
pub(super) async fn save_version(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath((id, lang)): ApiPath<(i64, String)>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let ed = Editor::from_user(&user);
    let a = editable(&state, &ed, id).await?;
    let lang = path_lang(&lang)?;
    let base = field(&fields, "base_revision");
    let input = VersionInput {
        title: field(&fields, "title").to_string(),
        summary: textarea(&fields, "summary"),
        body: textarea(&fields, "body"),
        note: textarea(&fields, "note"),
        base_revision: base.parse().ok(),
    };
    let mut v = Values {
        title: input.title.clone(),
        summary: input.summary.clone(),
        body: input.body.clone(),
        note: input.note.clone(),
        base_revision: base.to_string(),
    };
    if !base.is_empty() && input.base_revision.is_none() {
        let f = FormState::failed(
            "version",
            fields,
            AppError::field("base_revision", "reload the page: the form's revision is not a number"),
            ctx.locale,
        )?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page(&ctx, &a, &lang, v, f, None))).into_response());
    }
    let mut tx = state.db.begin().await?;
    match store::save_version(&mut tx, &ed, id, &lang, &input, None).await {
        Ok(_) => {
            tx.commit().await?;
            changed(&state);
            Ok(Redirect::to(&format!("/articles/{id}?done=saved#version-{lang}")).into_response())
        }
        Err(AppError::Conflict(message, Some(json))) => {
            drop(tx);
            let conflict = ConflictView::from_json(message, &json);
            // The user's words stay in the form; saving again goes on top of the current revision.
            v.base_revision = conflict.current_revision.to_string();
            Ok((StatusCode::CONFLICT, render(&page(&ctx, &a, &lang, v, FormState::default(), Some(conflict)))).into_response())
        }
        Err(AppError::Validation(errors)) if input.base_revision.is_none() && errors.iter().any(|e| e.field == "base_revision") => {
            // Someone wrote this translation while the user was writing theirs: show theirs
            // as the current text, exactly as for a stale save.
            drop(tx);
            let mut conn = state.db.pool.acquire().await?;
            let now = store::get_article(&mut conn, id).await?;
            let Some(cur) = now.version(&lang) else { return Err(AppError::Validation(errors)) };
            let message = errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" ");
            let conflict = ConflictView {
                message,
                current_revision: cur.revision,
                current_by: cur.updated_by.clone(),
                current_title: cur.title.clone(),
                current_summary: cur.summary.clone(),
                current_body: cur.body.clone(),
                their_changes: diff_lines(&store::diff("", &cur.body, "nothing", &format!("revision {}", cur.revision))),
                your_changes: diff_lines(&store::diff("", &input.body, "nothing", "your text")),
            };
            v.base_revision = cur.revision.to_string();
            Ok((StatusCode::CONFLICT, render(&page(&ctx, &now, &lang, v, FormState::default(), Some(conflict)))).into_response())
        }
        Err(e) => {
            drop(tx);
            let code = if matches!(e, AppError::Forbidden(_)) { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
            let f = FormState::failed("version", fields, e, ctx.locale)?;
            Ok((code, render(&page(&ctx, &a, &lang, v, f, None))).into_response())
        }
    }
}
