//! The article page: versions, the chain drawn as steps, the step forms the user may
//! take (or whose turn it is), the steps so far, credits, links and tags, photos with the
//! upload form, and the proofreading aid for proofreaders and reviewers.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{Labels, may_edit, publish_instant, textarea};
use crate::{
    auth::Role,
    error::{AppError, AppResult},
    news::{
        api::{changed, proofread_context, proofread_versions},
        model::{Article, ArticleStatus, Photo, Version},
        store::{self, StepRequest},
        workflow::{self, Editor, StepAction},
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
    },
};

/// The steps the user may take now (as `workflow::open_steps` allows).
#[derive(Debug, Default)]
struct Choices {
    /// Where a submit leads.
    submit: Option<ArticleStatus>,
    /// Where it may be sent back to, the status before first.
    send_back: Vec<ArticleStatus>,
    publish: bool,
    withdraw: bool,
}

impl Choices {
    fn of(a: &Article, ed: &Editor) -> Choices {
        let steps = workflow::open_steps(a.status, a.required_langs.len() > 1, ed);
        let to = |action: StepAction| steps.iter().filter(move |(x, _)| *x == action).map(|(_, t)| *t);
        Choices {
            submit: to(StepAction::Submit).next(),
            send_back: to(StepAction::SendBack).collect(),
            publish: to(StepAction::Publish).next().is_some(),
            withdraw: to(StepAction::Withdraw).next().is_some(),
        }
    }

    fn any(&self) -> bool {
        self.submit.is_some() || !self.send_back.is_empty() || self.publish || self.withdraw
    }
}

/// A finding of the proofreading aid with a little of the text around it.
#[derive(Debug)]
struct FindingView {
    lang: String,
    field: String,
    kind: String,
    before: String,
    found: String,
    after: String,
    suggestion: Option<String>,
    message: String,
}

/// Up to `n` characters either side of `start..end` in `text` (ellipses where cut).
fn around(text: &str, start: usize, end: usize, n: usize) -> (String, String) {
    if start > end || end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return (String::new(), String::new());
    }
    let head = &text[..start];
    let mut before: Vec<char> = head.chars().rev().take(n).collect();
    before.reverse();
    let mut before: String = before.into_iter().collect();
    if before.len() < head.len() {
        before.insert(0, '…');
    }
    let tail = &text[end..];
    let mut after: String = tail.chars().take(n).collect();
    if after.len() < tail.len() {
        after.push('…');
    }
    (before.replace('\n', " "), after.replace('\n', " "))
}

#[derive(Template)]
#[template(path = "news/article.html")]
struct ArticlePage {
    base: Base,
    l: Labels,
    a: Article,
    choices: Choices,
    may_edit: bool,
    may_upload: bool,
    findings: Option<Vec<FindingView>>,
    spelling_skipped: Option<String>,
    f: FormState,
    notice: String,
}

impl ArticlePage {
    /// The chain as (status, done / current / todo / skipped).
    fn chain(&self) -> Vec<(ArticleStatus, &'static str)> {
        let at = self.a.status.rank();
        let nt = self.a.required_langs.len() > 1;
        ArticleStatus::ALL
            .iter()
            .map(|&s| {
                let state = if !workflow::in_chain(s, nt) {
                    "skipped"
                } else if s.rank() < at {
                    "done"
                } else if s.rank() == at {
                    "current"
                } else {
                    "todo"
                };
                (s, state)
            })
            .collect()
    }

    fn is_published(&self) -> bool {
        self.a.status == ArticleStatus::Published
    }

    /// True when the submit open to the user is the approval.
    fn approves(&self) -> bool {
        self.choices.submit == Some(ArticleStatus::Approved)
    }

    /// Each required or written language with its version, original first.
    fn slots(&self) -> Vec<(String, Option<Version>)> {
        let mut langs: Vec<String> = vec![self.a.original_lang.clone()];
        for l in self.a.required_langs.iter().chain(self.a.versions.iter().map(|v| &v.lang)) {
            if !langs.contains(l) {
                langs.push(l.clone());
            }
        }
        langs.into_iter().map(|l| (l.clone(), self.a.version(&l).cloned())).collect()
    }

    /// The role whose turn it is.
    fn owner(&self) -> &'static str {
        workflow::owner(self.a.status).as_str()
    }

    fn thumb(&self, p: &Photo) -> String {
        p.url(p.widths.first().copied().unwrap_or(p.width))
    }

    fn link_href(&self, kind: &str, id: &i64) -> String {
        match kind {
            "visit" => format!("/visits/{id}"),
            "agreement" => format!("/agreements/{id}"),
            "institution" => format!("/institutions/{id}"),
            _ => format!("/people/{id}"),
        }
    }

    /// Messages of a refused step, whichever form it came from.
    fn step_errors(&self) -> Vec<&str> {
        self.f.messages(self.f.form)
    }

    fn is_step_form(&self, form: &str) -> bool {
        self.f.is(form)
    }

    /// The send-back target to preselect: the one posted, else the default.
    fn back_selected(&self, t: &ArticleStatus) -> bool {
        if self.f.is("send_back") { self.f.val("send_back", "to", "") == t.as_str() } else { self.choices.send_back.first() == Some(t) }
    }
}

/// `?done=` after a step, a save or a draft.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Done {
    #[serde(default)]
    done: String,
}

fn notice_for(tr: Tr, done: &str) -> String {
    match done {
        "" => String::new(),
        "drafted" => tr.t("news.notice.drafted").to_string(),
        "saved" => tr.t("news.notice.saved").to_string(),
        _ => tr.t("news.notice.step").to_string(),
    }
}

async fn article_page(state: &AppState, ctx: &Ctx, id: i64, f: FormState, notice: String) -> AppResult<Response> {
    let Some(user) = ctx.user.clone() else { return Err(AppError::Unauthorized) };
    let ed = Editor::from_user(&user);
    let mut conn = state.db.pool.acquire().await?;
    let a = store::get_article(&mut conn, id).await?;
    let (findings, spelling_skipped) = if ed.has(Role::Proofreader) || ed.has(Role::Reviewer) {
        let pctx = proofread_context(&mut conn, id).await?;
        let reports = proofread_versions(&a, &pctx);
        let mut out = Vec::new();
        for r in &reports {
            let Some(v) = a.version(&r.lang) else { continue };
            for fnd in &r.findings {
                let text = match fnd.field.as_str() {
                    "title" => &v.title,
                    "summary" => &v.summary,
                    _ => &v.body,
                };
                let (before, after) = around(text, fnd.start, fnd.end, 40);
                out.push(FindingView {
                    lang: r.lang.clone(),
                    field: fnd.field.clone(),
                    kind: fnd.kind.clone(),
                    before,
                    found: fnd.found.clone(),
                    after,
                    suggestion: fnd.suggestion.clone(),
                    message: fnd.message.clone(),
                });
            }
        }
        (Some(out), pctx.spelling_skipped().map(str::to_string))
    } else {
        (None, None)
    };
    drop(conn);
    let tr = Tr(ctx.locale);
    let title = a.version_or_original(tr.locale().code()).map(|v| v.title.clone()).unwrap_or_else(|| a.slug.clone());
    let code = if f.form.is_empty() {
        StatusCode::OK
    } else if f.errors.iter().any(|(k, _)| k == "forbidden") {
        StatusCode::FORBIDDEN
    } else if f.is_conflict() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ArticlePage {
        base: Base::new(ctx, title, "news"),
        l: Labels(tr),
        choices: Choices::of(&a, &ed),
        may_edit: may_edit(&ed, a.status),
        may_upload: ed.has(Role::Photographer) || ed.has(Role::Admin),
        a,
        findings,
        spelling_skipped,
        f,
        notice,
    };
    Ok((code, render(&page)).into_response())
}

/// `GET /articles/{id}`.
pub(super) async fn show_article(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<Done>,
) -> AppResult<Response> {
    let notice = notice_for(Tr(ctx.locale), &q.done);
    article_page(&state, &ctx, id, FormState::default(), notice).await
}

/// The form a step came from (named by its action, so its messages show beside it).
fn form_of(action: &str) -> &'static str {
    match action {
        "send_back" => "send_back",
        "publish" => "publish",
        "withdraw" => "withdraw",
        _ => "submit",
    }
}

/// The step a posted form asks for.
fn step_from(fields: &[(String, String)]) -> Result<StepRequest, AppError> {
    let action: StepAction = serde_json::from_value(serde_json::Value::String(field(fields, "action").to_string()))
        .map_err(|_| AppError::field("action", "choose a step: submit, send back, publish or withdraw"))?;
    let publish_at = match (action, field(fields, "publish_when")) {
        (StepAction::Publish, "at") => {
            let at = field(fields, "publish_at");
            if at.is_empty() {
                return Err(AppError::field("publish_at", "give the date and time it goes public, or choose 'now'"));
            }
            Some(publish_instant(at))
        }
        _ => None,
    };
    Ok(StepRequest {
        action,
        to: Some(field(fields, "to").to_string()).filter(|t| !t.is_empty() && action == StepAction::SendBack),
        comment: textarea(fields, "comment"),
        publish_at,
    })
}

/// `POST /articles/{id}/steps`: submit, send back, publish or withdraw; a refused step
/// re-renders the article with the reason beside the form (403 or 422).
pub(super) async fn take_step(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(id): ApiPath<i64>,
    FormData(fields): FormData<Vec<(String, String)>>,
) -> AppResult<Response> {
    let ed = Editor::from_user(&user);
    let form = form_of(field(&fields, "action"));
    let result = match step_from(&fields) {
        Err(e) => Err(e),
        Ok(req) => {
            let mut tx = state.db.begin().await?;
            match store::take_step(&mut tx, &ed, id, &req).await {
                Ok(()) => {
                    tx.commit().await?;
                    changed(&state);
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/articles/{id}?done=step")).into_response()),
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(e) => {
            let f = FormState::failed(form, fields, e, ctx.locale)?;
            article_page(&state, &ctx, id, f, String::new()).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::around;

    #[test]
    fn context_is_cut_on_characters_and_marked() {
        let text = "School of Foreign Syudies (School of International Education)";
        let start = text.find("Syudies").expect("found");
        let (b, a) = around(text, start, start + "Syudies".len(), 8);
        assert_eq!(b, "…Foreign ");
        assert_eq!(a, " (School…");
        let zh = "两校举行座谈会";
        let s = zh.find("座谈").expect("found");
        assert_eq!(around(zh, s, s + "座谈".len(), 2), ("…举行".to_string(), "会".to_string()));
        assert_eq!(around("abc", 2, 9, 3), (String::new(), String::new()));
    }
}
