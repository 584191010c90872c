//! JSON API of reports.

use axum::{Json, extract::State};

use super::{
    model::{Filters, Report, ReportQuery},
    queries,
};
use crate::{
    error::{AppError, AppResult},
    web::{
        AppState,
        context::Ctx,
        extract::{ApiPath, ApiQuery},
        i18n::Tr,
    },
};

/// `GET /api/v1/reports/{name}`: a report as {title, columns, rows}, in the caller's language.
#[utoipa::path(get, path = "/api/v1/reports/{name}", tag = "reports",
    params(("name" = String, Path, description = "partners-areas, agreements-by-status, agreements-by-country, agreements-by-year, mobilities-by-direction, mobilities-by-country, mobilities-by-programme, mobilities-by-year, visits-by-year, applications-funnel, applications-by-partner or applications-by-faculty"), ReportQuery),
    responses((status = 200, body = Report), (status = 404, description = "No such report"), (status = 422, description = "Bad filter")))]
pub async fn get_report(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(name): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> AppResult<Json<Report>> {
    Ok(Json(load(&state, &name, &q, Tr(ctx.locale)).await?))
}

/// Builds a report for a request; unknown names are 404.
pub async fn load(state: &AppState, name: &str, q: &ReportQuery, tr: Tr) -> AppResult<Report> {
    let filters = Filters::parse(q)?;
    let mut conn = state.db.pool.acquire().await?;
    queries::build(&mut conn, name, &filters, tr).await?.ok_or(AppError::NotFound)
}
