//! `/calls`: the calls open now and coming (anyone, in Chinese or English), one call's
//! page, and the student's "apply" button, which starts a draft.

use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};

use super::Words;
use crate::{
    applications::{calls, model::CallDetail, queries, student},
    audit::Actor,
    auth::Permission,
    error::AppResult,
    web::{
        AppState,
        context::{Ctx, User},
        extract::ApiPath,
        i18n::Tr,
        pages::Base,
        render,
    },
};

#[derive(Template)]
#[template(path = "applications/calls.html")]
struct ListPage {
    base: Base,
    calls: Vec<CallDetail>,
    office: bool,
}

impl Words for ListPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

impl ListPage {
    fn title(&self, c: &CallDetail) -> String {
        c.call.title(self.base.is_zh()).to_string()
    }
}

/// `GET /calls`: calls open now or opening later (the office sees closed ones too).
pub(super) async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let office = ctx.user.as_ref().is_some_and(|u| u.can(Permission::ManageApplications));
    let mut shown = Vec::new();
    for c in queries::list_calls(&mut conn, None).await? {
        let d = calls::detail(&mut conn, c.id).await?;
        if office || d.phase != "closed" {
            shown.push(d);
        }
    }
    Ok(render(&ListPage { base: Base::new(&ctx, Tr(ctx.locale).t("applications.calls"), "calls"), calls: shown, office }))
}

#[derive(Template)]
#[template(path = "applications/call.html")]
struct CallPage {
    base: Base,
    d: CallDetail,
    may_apply: bool,
    mine: Option<i64>,
    office: bool,
}

impl Words for CallPage {
    fn base(&self) -> &Base {
        &self.base
    }
}

impl CallPage {
    fn title(&self) -> String {
        self.d.call.title(self.base.is_zh()).to_string()
    }
    fn description(&self) -> String {
        self.d.call.description(self.base.is_zh()).to_string()
    }
    fn criterion(&self, c: &crate::applications::model::Criterion) -> String {
        if self.base.is_zh() && !c.zh.is_empty() { c.zh.clone() } else { c.en.clone() }
    }
    fn partner(&self, p: &crate::applications::model::CallPartner) -> String {
        match (&p.name_zh, self.base.is_zh()) {
            (Some(zh), true) if !zh.is_empty() => zh.clone(),
            _ => p.name.clone(),
        }
    }
    fn min_gpa(&self) -> String {
        self.hundredths(&self.d.call.min_gpa_x100)
    }
}

/// `GET /calls/{id}`: one call, with the apply button for students while it is open.
pub(super) async fn detail(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let d = calls::detail(&mut conn, id).await?;
    let mine = match &ctx.user {
        Some(u) => queries::applications_of(&mut conn, u.id).await?.into_iter().find(|a| a.call_id == id).map(|a| a.id),
        None => None,
    };
    let may_apply = d.phase == "open" && d.call.direction == "outbound";
    let office = ctx.user.as_ref().is_some_and(|u| u.can(Permission::ManageApplications));
    let title = d.call.title(ctx.locale == crate::web::i18n::Locale::Zh).to_string();
    Ok(render(&CallPage { base: Base::new(&ctx, title, "calls"), d, may_apply, mine, office }))
}

/// `POST /calls/{id}/apply`: starts the student's draft and opens it (their existing
/// one if they already applied).
pub(super) async fn apply(State(state): State<AppState>, User(user): User, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    {
        let mut conn = state.db.pool.acquire().await?;
        if let Some(a) = queries::applications_of(&mut conn, user.id).await?.into_iter().find(|a| a.call_id == id) {
            return Ok(Redirect::to(&format!("/my/applications/{}", a.id)).into_response());
        }
    }
    let mut tx = state.db.begin().await?;
    let app = student::start(&mut tx, &Actor::from(&*user), user.id, id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/my/applications/{app}")).into_response())
}
