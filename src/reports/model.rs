//! What a report is (a titled table of text and count cells), the report names, and the
//! filters parsed once from the query string.

use serde::Serialize;
use utoipa::ToSchema;

use crate::{error::AppError, tabular::Table};

/// Every report, in the order the dashboard lists them.
pub const NAMES: &[&str] = &[
    "partners-areas",
    "agreements-by-status",
    "agreements-by-country",
    "agreements-by-year",
    "mobilities-by-direction",
    "mobilities-by-country",
    "mobilities-by-programme",
    "mobilities-by-year",
    "visits-by-year",
    "applications-funnel",
    "applications-by-partner",
    "applications-by-faculty",
];

/// One cell: a label or a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Cell {
    /// A label (partner, country, year, status…).
    Text(String),
    /// A count.
    Count(i64),
}

impl Cell {
    /// The cell as text (for CSV, XLSX and HTML).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
        }
    }
}

/// A report: a title, column names and rows. The first column labels the row; the last
/// one is the count the chart draws.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    /// Report name, e.g. `agreements-by-country`.
    pub name: String,
    /// Title in the caller's language.
    pub title: String,
    /// Column names in the caller's language.
    pub columns: Vec<String>,
    /// Rows, as many cells as columns.
    pub rows: Vec<Vec<Cell>>,
}

impl Report {
    /// The report as a plain table for the CSV and XLSX writers.
    pub fn table(&self) -> Table {
        Table { headers: self.columns.clone(), rows: self.rows.iter().map(|r| r.iter().map(Cell::text).collect()).collect() }
    }

    /// (label, value) per row: the first cell and the last count.
    pub fn bars(&self) -> Vec<(String, i64)> {
        self.rows
            .iter()
            .map(|r| {
                let label = r.first().map(Cell::text).unwrap_or_default();
                let value = r.iter().rev().find_map(|c| if let Cell::Count(n) = c { Some(*n) } else { None }).unwrap_or(0);
                (label, value)
            })
            .collect()
    }
}

/// Filters as given in the query string (`?year=&direction=&status=`); each report uses
/// those that make sense for it and ignores the others.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// Calendar year (`2024`) for agreements and visits; for mobilities the academic
    /// year starting then (`2024` = `2024-2025`), or the academic year itself.
    pub year: Option<String>,
    /// inbound or outbound (mobilities and visits).
    pub direction: Option<String>,
    /// Only records in this status (agreements, mobilities, visits). Mobilities exclude
    /// `withdrawn` and visits `cancelled` unless that status is asked for.
    pub status: Option<String>,
}

/// Checked filters.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Filters {
    /// Calendar year, four digits.
    pub year: Option<i32>,
    /// inbound or outbound.
    pub direction: Option<&'static str>,
    /// A status key (checked against the report's statuses where it is used).
    pub status: Option<String>,
}

impl Filters {
    /// Parses the query; empty values count as absent.
    pub fn parse(q: &ReportQuery) -> Result<Filters, AppError> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let year = match given(&q.year) {
            None => None,
            Some(y) => Some(parse_year(&y).ok_or_else(|| AppError::field("year", "Give a year such as 2024 or 2024-2025."))?),
        };
        let direction = match given(&q.direction).as_deref() {
            None => None,
            Some("inbound") => Some("inbound"),
            Some("outbound") => Some("outbound"),
            Some(_) => return Err(AppError::field("direction", "Direction is inbound or outbound.")),
        };
        let status = given(&q.status);
        if let Some(s) = &status
            && !s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        {
            return Err(AppError::field("status", "Unknown status."));
        }
        Ok(Filters { year, direction, status })
    }

    /// The academic year the year filter names, e.g. `2024-2025`.
    pub fn academic_year(&self) -> Option<String> {
        self.year.map(academic_year_from)
    }

    /// The filters as a query string (for export links), with a leading `?` if any.
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(y) = self.year {
            parts.push(format!("year={y}"));
        }
        if let Some(d) = self.direction {
            parts.push(format!("direction={d}"));
        }
        if let Some(s) = &self.status {
            parts.push(format!("status={s}"));
        }
        if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
    }
}

fn parse_year(s: &str) -> Option<i32> {
    let first: i32 = s.get(..4)?.parse().ok()?;
    let ok = match s.len() {
        4 => true,
        9 => s.get(4..5) == Some("-") && s.get(5..)?.parse::<i32>().ok()? == first + 1,
        _ => false,
    };
    (ok && (1900..=2200).contains(&first)).then_some(first)
}

/// `2024` → `2024-2025`.
pub fn academic_year_from(start: i32) -> String {
    format!("{start}-{}", start + 1)
}

/// The academic year a date (`YYYY-MM-DD`) falls in; years start on 1 September.
pub fn academic_year_of(date: &str) -> String {
    let year: i32 = date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2000);
    let month: u32 = date.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    academic_year_from(if month >= 9 { year } else { year - 1 })
}

/// Key figures of the leadership dashboard.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct KeyFigures {
    /// Partner institutions whose partnership is active.
    pub active_partners: i64,
    /// Agreements in effect.
    pub agreements_in_effect: i64,
    /// Signed or in-effect agreements expiring within 90 days (today included).
    pub expiring_90_days: i64,
    /// The current academic year, e.g. `2025-2026`.
    pub academic_year: String,
    /// Inbound mobilities this academic year (withdrawn excluded).
    pub mobilities_in: i64,
    /// Outbound mobilities this academic year (withdrawn excluded).
    pub mobilities_out: i64,
    /// Visits starting this calendar year (cancelled excluded).
    pub visits_this_year: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_parse_as_calendar_or_academic_years() {
        let q = |y: &str| Filters::parse(&ReportQuery { year: Some(y.into()), ..Default::default() });
        assert_eq!(q("2024").expect("year").year, Some(2024));
        assert_eq!(q("2024-2025").expect("academic year").year, Some(2024));
        assert!(q("2024-2026").is_err());
        assert!(q("24").is_err());
        assert_eq!(q(" ").expect("empty").year, None);
    }

    #[test]
    fn academic_years_start_in_september() {
        assert_eq!(academic_year_of("2024-08-31"), "2023-2024");
        assert_eq!(academic_year_of("2024-09-01"), "2024-2025");
    }

    #[test]
    fn bars_take_the_first_cell_and_the_last_count() {
        let r = Report {
            name: "x".into(),
            title: "X".into(),
            columns: vec!["a".into(), "b".into(), "c".into()],
            rows: vec![vec![Cell::Text("MY".into()), Cell::Count(2), Cell::Count(5)]],
        };
        assert_eq!(r.bars(), vec![("MY".to_string(), 5)]);
    }
}
