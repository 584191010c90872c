//! The worldwide directory page (search, promote to partner) and the public partner page.

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};

use super::super::{
    model::Institution,
    queries::{self, InstitutionQuery},
};
use crate::{
    audit::Actor,
    error::{AppError, AppResult},
    web::{
        AppState,
        context::{Ctx, User},
        extract::{ApiPath, ApiQuery},
        i18n::Tr,
        pages::Base,
        render,
    },
};

#[derive(Template)]
#[template(path = "institutions/directory.html")]
struct DirectoryPage {
    base: Base,
    q: String,
    country: String,
    items: Vec<super::super::directory::DirectoryItem>,
    total: i64,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "institutions/_directory_rows.html")]
struct DirectoryRows {
    base: Base,
    q: String,
    items: Vec<super::super::directory::DirectoryItem>,
    total: i64,
}

fn country_label(base: &Base, code: &Option<String>) -> String {
    code.as_deref().map(|c| super::super::reference::country_name(c, base.tr.locale().code())).unwrap_or_default()
}

impl DirectoryPage {
    fn country_name(&self, code: &Option<String>) -> String {
        country_label(&self.base, code)
    }
}

impl DirectoryRows {
    fn country_name(&self, code: &Option<String>) -> String {
        country_label(&self.base, code)
    }
}

/// `GET /directory`: search the worldwide directory; promote entries to partners.
pub async fn directory_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<super::super::directory::DirectoryQuery>,
) -> AppResult<Response> {
    let (items, total) = super::super::directory::search_directory(&state.db, &q).await?;
    let base = Base::new(&ctx, Tr(ctx.locale).t("directory.title"), "directory");
    if headers.contains_key("hx-request") {
        return Ok(render(&DirectoryRows { base, q: q.q.unwrap_or_default(), items, total }));
    }
    let page = DirectoryPage { base, q: q.q.unwrap_or_default(), country: q.country.unwrap_or_default(), items, total, notice: None };
    Ok(render(&page))
}

/// `POST /directory/{domain}/promote`: the form behind the "make partner" button; a
/// refusal (already a partner, probable duplicate, no country) is shown on the page.
pub async fn promote_form(
    State(state): State<AppState>,
    ctx: Ctx,
    User(user): User,
    ApiPath(domain): ApiPath<String>,
) -> AppResult<Response> {
    let (status, msg) = match super::super::directory::promote(&state, &Actor::from(&*user), &domain, Default::default()).await {
        Ok(inst) => return Ok(Redirect::to(&format!("/institutions/{}", inst.id)).into_response()),
        Err(AppError::Conflict(msg, _)) => (StatusCode::CONFLICT, msg),
        Err(AppError::Validation(errs)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Tr(ctx.locale).field_errors(errs).into_iter().map(|e| e.message).collect::<Vec<_>>().join("; "),
        ),
        Err(e) => return Err(e),
    };
    let q = super::super::directory::DirectoryQuery { q: Some(domain.clone()), ..Default::default() };
    let (items, total) = super::super::directory::search_directory(&state.db, &q).await?;
    let base = Base::new(&ctx, Tr(ctx.locale).t("directory.title"), "directory");
    let page = DirectoryPage { base, q: domain, country: String::new(), items, total, notice: Some(msg) };
    Ok((status, render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "partners.html")]
struct PartnersPage {
    base: Base,
    groups: Vec<(String, String, Vec<Institution>)>,
}

/// `GET /partners`: the public list and map of partner institutions marked public.
pub async fn public_partners(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let q = InstitutionQuery { per_page: Some(200), ..Default::default() };
    let mut all = Vec::new();
    for page in 1.. {
        let (items, total) = queries::list_institutions(&state.db, &InstitutionQuery { page: Some(page), ..q.clone() }, None).await?;
        let done = items.is_empty() || (page * 200) >= total;
        all.extend(items.into_iter().filter(|i| i.is_public && !i.is_home));
        if done {
            break;
        }
    }
    let lang = ctx.locale.code();
    let mut groups: Vec<(String, String, Vec<Institution>)> = Vec::new();
    all.sort_by(|a, b| {
        super::super::reference::country_name(&a.country, lang)
            .cmp(&super::super::reference::country_name(&b.country, lang))
            .then(a.name_en.cmp(&b.name_en))
    });
    for i in all {
        match groups.last_mut() {
            Some(g) if g.0 == i.country => g.2.push(i),
            _ => groups.push((i.country.clone(), super::super::reference::country_name(&i.country, lang), vec![i])),
        }
    }
    let base = Base::new(&ctx, Tr(ctx.locale).t("partners.title"), "partners");
    let mut res = render(&PartnersPage { base, groups });
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("public, max-age=60"));
    Ok(res)
}
