//! The reports' SQL: read-only aggregates over agreements, programmes, mobility counts
//! and visits, one file per subject (`agreements`, `mobilities`, `visits`, and the
//! dashboard's `figures`); this file names the reports and holds what they share.
//! Mobility reports read `mobility_counts` (kept in step with `mobilities` by the
//! programmes module), never `mobilities`, so they stay fast with a million rows.

mod agreements;
mod applications;
mod figures;
mod mobilities;
mod visits;

pub use figures::key_figures;

use sqlx::AnyConnection;

use super::model::{Cell, Filters, Report};
use crate::{error::AppError, web::i18n::Tr};

/// Builds the report `name` (None if there is no such report).
pub async fn build(conn: &mut AnyConnection, name: &str, f: &Filters, tr: Tr) -> Result<Option<Report>, AppError> {
    let (columns, rows) = match name {
        "partners-areas" => agreements::partners_areas(conn, f, tr).await?,
        "agreements-by-status" => agreements::agreements_by_status(conn, f, tr).await?,
        "agreements-by-country" => agreements::agreements_by_country(conn, f, tr).await?,
        "agreements-by-year" => agreements::agreements_by_year(conn, f, tr).await?,
        "mobilities-by-direction" => mobilities::mobilities_by_direction(conn, f, tr).await?,
        "mobilities-by-country" => mobilities::mobilities_by_country(conn, f, tr).await?,
        "mobilities-by-programme" => mobilities::mobilities_by_programme(conn, f, tr).await?,
        "mobilities-by-year" => mobilities::mobilities_by_year(conn, f, tr).await?,
        "visits-by-year" => visits::visits_by_year(conn, f, tr).await?,
        "applications-funnel" => applications::funnel(conn, f, tr, applications::By::Call).await?,
        "applications-by-partner" => applications::funnel(conn, f, tr, applications::By::Partner).await?,
        "applications-by-faculty" => applications::funnel(conn, f, tr, applications::By::Faculty).await?,
        _ => return Ok(None),
    };
    let title = tr.t(&format!("reports.{name}")).to_string();
    Ok(Some(Report { name: name.to_string(), title, columns, rows }))
}

/// A report's column titles and rows.
type Built = (Vec<String>, Vec<Vec<Cell>>);

/// Column titles `reports.col.<key>` in the reader's language.
fn cols(tr: Tr, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| tr.t(&format!("reports.col.{k}")).to_string()).collect()
}

/// The status filter, if it is one of `allowed` (422 otherwise).
fn checked_status(f: &Filters, allowed: &[&str]) -> Result<Option<String>, AppError> {
    match &f.status {
        Some(s) if !allowed.contains(&s.as_str()) => Err(AppError::field("status", format!("Status is one of {}.", allowed.join(", ")))),
        other => Ok(other.clone()),
    }
}

/// Runs a query with text binds.
async fn fetch<T>(conn: &mut AnyConnection, sql: String, binds: &[String]) -> Result<Vec<T>, AppError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b.clone());
    }
    Ok(q.fetch_all(conn).await?)
}
