//! Pages of reports: the leadership dashboard (`/reports`) with key figures and links,
//! and each report (`/reports/{name}`) as a table and an SVG chart with export links.
//! The same path serves the downloads: `/reports/{name}.csv`, `.xlsx` and `.svg`.

use askama::Template;
use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};

use super::{
    api::load,
    model::{Cell, Filters, KeyFigures, NAMES, Report, ReportQuery},
    queries, svg,
};
use crate::{
    error::{AppError, AppResult},
    tabular::Format,
    web::{
        AppState,
        context::Ctx,
        extract::{ApiPath, ApiQuery},
        i18n::Tr,
        pages::Base,
        render,
    },
};

/// At most this many rows are shown on a report page; the downloads have them all.
const PAGE_ROWS: usize = 500;

#[derive(Template)]
#[template(path = "reports/dashboard.html")]
struct DashboardPage {
    base: Base,
    figures: KeyFigures,
    names: &'static [&'static str],
}

#[derive(Template)]
#[template(path = "reports/report.html")]
struct ReportPage {
    base: Base,
    report: Report,
    chart: String,
    rows: Vec<Vec<Cell>>,
    cut: bool,
    query: String,
    year: String,
    direction: String,
    status: String,
    statuses: &'static [&'static str],
}

/// `GET /reports`: the leadership dashboard.
pub async fn dashboard(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let figures = queries::key_figures(&mut conn, &crate::time::today()).await?;
    let base = Base::new(&ctx, Tr(ctx.locale).t("reports.dashboard"), "reports");
    Ok(render(&DashboardPage { base, figures, names: NAMES }))
}

/// `GET /reports/{name}` (page) and `/reports/{name}.csv|.xlsx|.svg` (downloads).
pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiPath(file): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> AppResult<Response> {
    let tr = Tr(ctx.locale);
    let (name, ext) = file.rsplit_once('.').unwrap_or((file.as_str(), ""));
    if !NAMES.contains(&name) {
        return Err(AppError::NotFound);
    }
    let report = load(&state, name, &q, tr).await?;
    match ext {
        "" => page(ctx, report, &q),
        "csv" => download(&report, Format::Csv),
        "xlsx" => download(&report, Format::Xlsx),
        "svg" => Ok(([(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], chart(&report, tr)).into_response()),
        _ => Err(AppError::NotFound),
    }
}

fn chart(report: &Report, tr: Tr) -> String {
    let bars = report.bars();
    let desc = format!("{} — {}", report.title, report.columns.last().map(String::as_str).unwrap_or(""));
    let more = if bars.is_empty() {
        tr.t("reports.empty").to_string()
    } else {
        tr.t("reports.chart_cut").replace("{shown}", &svg::MAX_BARS.to_string()).replace("{total}", &bars.len().to_string())
    };
    svg::bar_chart(&report.title, &desc, &bars, &more)
}

fn page(ctx: Ctx, mut report: Report, q: &ReportQuery) -> AppResult<Response> {
    let tr = Tr(ctx.locale);
    let chart = chart(&report, tr);
    let filters = Filters::parse(q)?;
    let cut = report.rows.len() > PAGE_ROWS;
    let rows = std::mem::take(&mut report.rows).into_iter().take(PAGE_ROWS).collect();
    let statuses: &'static [&'static str] = match report.name.split('-').next() {
        Some("mobilities") => &["nominated", "accepted", "in_progress", "completed", "withdrawn"],
        Some("visits") => &["planned", "confirmed", "completed", "cancelled"],
        _ => &["draft", "negotiation", "signed", "in_effect", "expired", "terminated"],
    };
    let base = Base::new(&ctx, report.title.clone(), "reports");
    Ok(render(&ReportPage {
        base,
        report,
        chart,
        rows,
        cut,
        query: filters.query_string(),
        year: filters.year.map(|y| y.to_string()).unwrap_or_default(),
        direction: filters.direction.unwrap_or_default().to_string(),
        status: filters.status.clone().unwrap_or_default(),
        statuses,
    }))
}

fn download(report: &Report, format: Format) -> AppResult<Response> {
    let sheet: String = report.name.chars().take(31).collect();
    let bytes = report.table().write(format, &sheet)?;
    crate::web::download::table(bytes, format, &report.name)
}

impl ReportPage {
    /// Whether the report takes the direction filter.
    fn takes_direction(&self) -> bool {
        let n = self.report.name.as_str();
        n.starts_with("mobilities") || n.starts_with("visits")
    }

    /// Translated status for the filter.
    fn t_status(&self, s: &str) -> String {
        let kind = match self.report.name.split('-').next() {
            Some("mobilities") => "mobility_status",
            Some("visits") => "visit_status",
            _ => "agreement_status",
        };
        self.base.t(&format!("reports.{kind}.{s}")).to_string()
    }
}
