//! The worldwide directory page (search, promote to partner) and the public partner page.

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
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
    pager: Pager,
}

#[derive(Template)]
#[template(path = "institutions/_directory_rows.html")]
struct DirectoryRows {
    base: Base,
    q: String,
    items: Vec<super::super::directory::DirectoryItem>,
    total: i64,
    pager: Pager,
}

/// Rows per directory page.
const PER_PAGE: i64 = 50;

/// The results line and pager of the directory (on the page and in its htmx rows).
pub struct Pager {
    total: i64,
    page: i64,
    searching: bool,
    country: String,
}

impl Pager {
    fn new(total: i64, page: i64, q: &str, country: &str) -> Pager {
        Pager { total, page, searching: !q.trim().is_empty(), country: country.to_string() }
    }

    fn pages(&self) -> i64 {
        if self.searching { 1 } else { ((self.total + PER_PAGE - 1) / PER_PAGE).max(1) }
    }

    fn first_row(&self) -> i64 {
        if self.total == 0 { 0 } else { (self.page - 1) * PER_PAGE + 1 }
    }

    fn last_row(&self) -> i64 {
        (self.page * PER_PAGE).min(self.total)
    }

    fn page_href(&self, page: i64) -> String {
        if self.country.is_empty() {
            format!("/directory?page={page}")
        } else {
            format!("/directory?country={}&page={page}", crate::web::routes::urlencode(&self.country))
        }
    }
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
    let page = crate::web::paging::paging(q.page, None, 1, 1).0;
    let country = q.country.unwrap_or_default();
    let text = q.q.unwrap_or_default();
    let pager = Pager::new(total, page, &text, &country);
    if headers.contains_key("hx-request") {
        return Ok(render(&DirectoryRows { base, q: text, items, total, pager }));
    }
    let page = DirectoryPage { base, q: text, country, items, total, notice: None, pager };
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
    let pager = Pager::new(total, 1, &domain, "");
    let page = DirectoryPage { base, q: domain, country: String::new(), items, total, notice: Some(msg), pager };
    Ok((status, render(&page)).into_response())
}
