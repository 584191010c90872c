//! `GET /api/v1/search`.

use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    KINDS,
    query::{self, Results, Search},
};
use crate::{
    auth::Permission,
    error::{AppError, AppResult, FieldError},
    web::{AppState, context::Ctx, extract::ApiQuery},
};

/// The search's parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct SearchParams {
    /// What to find: names, acronyms, Chinese or Malay words, room numbers (1–200 characters).
    pub q: String,
    /// Only these kinds, comma-separated: institution, person, visit, agreement,
    /// programme, mobility, article, room.
    pub kind: Option<String>,
    /// Hits wanted, 1–50 (default 20).
    pub limit: Option<i64>,
}

/// The kinds named in `kind=` (checked against the fixed list).
pub(super) fn parse_kinds(kind: Option<&str>) -> Result<Vec<&'static str>, AppError> {
    let mut kinds = Vec::new();
    for k in kind.unwrap_or("").split(',').map(str::trim).filter(|k| !k.is_empty()) {
        match KINDS.iter().find(|known| **known == k) {
            Some(known) => kinds.push(*known),
            None => {
                let kinds = KINDS.join(", ");
                return Err(AppError::Validation(vec![FieldError::new("kind", format!("unknown kind '{k}': use {kinds}"))]));
            }
        }
    }
    Ok(kinds)
}

/// Checks the query text.
pub(super) fn check_query(q: &str) -> Result<(), AppError> {
    let n = q.trim().chars().count();
    if n == 0 || n > 200 {
        return Err(AppError::Validation(vec![FieldError::new("q", "type between 1 and 200 characters to search for")]));
    }
    if q.contains('\0') {
        return Err(AppError::Validation(vec![FieldError::new("q", "the search text may not contain NUL characters")]));
    }
    Ok(())
}

/// `GET /api/v1/search?q=`: records of every kind matching the text, best first. Staff
/// (anyone who may read records) find every record; others, only partners on the public
/// page and published articles.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = Results), (status = 422, body = crate::error::Problem)))]
pub async fn search(State(state): State<AppState>, ctx: Ctx, ApiQuery(p): ApiQuery<SearchParams>) -> AppResult<Json<Results>> {
    check_query(&p.q)?;
    let kinds = parse_kinds(p.kind.as_deref())?;
    let limit = p.limit.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return Err(AppError::Validation(vec![FieldError::new("limit", "ask for between 1 and 50 hits")]));
    }
    let staff = ctx.user.as_ref().is_some_and(|u| u.can(Permission::ViewRecords));
    let s = Search { q: &p.q, kinds: &kinds, staff, limit: limit as usize };
    Ok(Json(query::search(&state.db, &s).await?))
}
