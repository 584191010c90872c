//! The article list (with "waiting for me"), the new-article form and the draft from a visit.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{Labels, textarea};
use crate::{
    auth::Role,
    error::{AppError, AppResult},
    news::{
        api::{changed, create_draft, home_name},
        model::{self, ArticleStatus, ArticleSummary, NewArticle, VersionInput},
        store::{self, ArticleQuery},
        workflow::{self, Editor},
    },
    status::Status,
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, ApiQuery, FormData},
        forms::{FormState, field},
        i18n::Tr,
        pages::Base,
        render,
        routes::urlencode,
    },
};

/// The list's filters as they come in the query string.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    view: String,
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "news/list.html")]
struct ListPage {
    base: Base,
    l: Labels,
    items: Vec<ArticleSummary>,
    total: i64,
    status: String,
    q: String,
    waiting: bool,
    page: i64,
    pages: i64,
    error: Option<String>,
    mine: Vec<ArticleStatus>,
}

impl ListPage {
    fn statuses(&self) -> &'static [ArticleStatus] {
        ArticleStatus::ALL
    }

    /// True for the status the list is filtered by.
    fn is_filter(&self, s: &ArticleStatus) -> bool {
        self.status == s.as_str()
    }

    fn page_link(&self, page: i64) -> String {
        format!("/articles?status={}&q={}&page={page}", urlencode(&self.status), urlencode(&self.q))
    }
}

/// `GET /articles`: all articles (status filter, title search, pages), or those waiting for the user.
pub(super) async fn list_articles(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Response> {
    let ed = Editor::from_user(&user);
    let mine = workflow::waiting_for(&ed);
    let waiting = q.view == "waiting";
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let per_page = 25;
    let mut conn = state.db.pool.acquire().await?;
    let mut error = None;
    let (items, total) = if waiting {
        // The in-flight set is small: each status the user owns, merged, newest change first.
        let mut items = Vec::new();
        for s in &mine {
            let query = ArticleQuery { status: Some(s.to_string()), q: Some(q.q.clone()), page: Some(1), per_page: Some(100) };
            items.extend(store::list_articles(&mut conn, &query).await?.0);
        }
        items.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
        let total = items.len() as i64;
        (items, total)
    } else {
        let query = ArticleQuery { status: Some(q.status.clone()), q: Some(q.q.clone()), page: Some(page), per_page: Some(per_page) };
        match store::list_articles(&mut conn, &query).await {
            Ok(found) => found,
            Err(AppError::Validation(errors)) => {
                error = Some(errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" "));
                (Vec::new(), 0)
            }
            Err(e) => return Err(e),
        }
    };
    let tr = Tr(ctx.locale);
    let status_code = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page_view = ListPage {
        base: Base::new(&ctx, tr.t("news.articles"), "news"),
        l: Labels(tr),
        items,
        total,
        status: q.status,
        q: q.q,
        waiting,
        page,
        pages: if waiting { 1 } else { (total + per_page - 1) / per_page },
        error,
        mine,
    };
    Ok((status_code, render(&page_view)).into_response())
}

#[derive(Template)]
#[template(path = "news/new.html")]
struct NewPage {
    base: Base,
    l: Labels,
    f: FormState,
    is_author: bool,
}

impl NewPage {
    fn langs(&self) -> &'static [&'static str] {
        model::LANGS
    }

    fn default_lang(&self) -> &'static str {
        if self.base.is_zh() { "zh" } else { "en" }
    }
}

fn new_page(ctx: &Ctx, ed: &Editor, f: FormState) -> NewPage {
    let tr = Tr(ctx.locale);
    NewPage { base: Base::new(ctx, tr.t("news.new_article"), "news"), l: Labels(tr), f, is_author: ed.has(Role::Author) }
}

/// `GET /articles/new`: the form (for authors; others are told who starts articles).
pub(super) async fn new_article_form(ctx: Ctx, User(user): User) -> Response {
    render(&new_page(&ctx, &Editor::from_user(&user), FormState::default()))
}

/// The article a posted form describes.
fn new_article_from(fields: &[(String, String)], institution_id: Option<i64>) -> NewArticle {
    let tags = field(fields, "tags").split([',', '，']).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    let links =
        institution_id.map(|id| model::Link { kind: "institution".into(), target_id: id, label: String::new() }).into_iter().collect();
    NewArticle {
        original_lang: field(fields, "original_lang").to_string(),
        required_langs: None,
        original: VersionInput {
            title: field(fields, "title").to_string(),
            summary: textarea(fields, "summary"),
            body: textarea(fields, "body"),
            note: String::new(),
            base_revision: None,
        },
        slug: None,
        links,
        tags,
        institution_id,
    }
}

/// `POST /articles/new`: creates the draft and opens it; problems re-render the form.
pub(super) async fn create_article(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let ed = Editor::from_user(&user);
    let result = match crate::institutions::partner_field::partner_from_text(&state, field(&fields, "institution")).await? {
        Err(e) => {
            // Report the form's other problems together with the partner's.
            let mut errors = vec![e];
            if let Err(AppError::Validation(more)) = new_article_from(&fields, None).original.check() {
                errors.extend(more);
            }
            Err(AppError::Validation(errors))
        }
        Ok(institution) => {
            let mut tx = state.db.begin().await?;
            match store::create_article(&mut tx, &ed, &new_article_from(&fields, institution)).await {
                Ok(id) => {
                    tx.commit().await?;
                    changed(&state);
                    Ok(id)
                }
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/articles/{id}")).into_response()),
        Err(e) => {
            let code = if matches!(e, AppError::Forbidden(_)) { StatusCode::FORBIDDEN } else { StatusCode::UNPROCESSABLE_ENTITY };
            let f = FormState::failed("article", fields, e, ctx.locale)?;
            Ok((code, render(&new_page(&ctx, &ed, f))).into_response())
        }
    }
}

/// `POST /visits/{id}/draft-article`: a first draft about the visit (Chinese and English),
/// opened for the author to edit.
pub(super) async fn draft_from_visit(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(visit_id): ApiPath<i64>,
) -> AppResult<Response> {
    let ed = Editor::from_user(&user);
    let mut tx = state.db.begin().await?;
    let home = home_name(&mut tx, &state).await?;
    let id = create_draft(&mut tx, &ed, visit_id, &home).await?;
    tx.commit().await?;
    changed(&state);
    Ok(Redirect::to(&format!("/articles/{id}?done=drafted")).into_response())
}
