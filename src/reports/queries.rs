//! The reports' SQL: read-only aggregates over agreements, programmes, mobility counts
//! and visits. Mobility reports read `mobility_counts` (kept in step with `mobilities`
//! by the programmes module), never `mobilities`, so they stay fast with a million rows.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::model::{Cell, Filters, Report};
use crate::{error::AppError, web::i18n::Tr};

const AGREEMENT_STATUSES: &[&str] = &["draft", "negotiation", "signed", "in_effect", "expired", "terminated"];
const MOBILITY_STATUSES: &[&str] = &["nominated", "accepted", "in_progress", "completed", "withdrawn"];
const VISIT_STATUSES: &[&str] = &["planned", "confirmed", "completed", "cancelled"];
const DIRECTIONS: &[&str] = &["inbound", "outbound"];

/// Builds the report `name` (None if there is no such report).
pub async fn build(conn: &mut AnyConnection, name: &str, f: &Filters, tr: Tr) -> Result<Option<Report>, AppError> {
    let (columns, rows) = match name {
        "partners-areas" => partners_areas(conn, f, tr).await?,
        "agreements-by-status" => agreements_by_status(conn, f, tr).await?,
        "agreements-by-country" => agreements_by_country(conn, f, tr).await?,
        "agreements-by-year" => agreements_by_year(conn, f, tr).await?,
        "mobilities-by-direction" => mobilities_by_direction(conn, f, tr).await?,
        "mobilities-by-country" => mobilities_by_country(conn, f, tr).await?,
        "mobilities-by-programme" => mobilities_by_programme(conn, f, tr).await?,
        "mobilities-by-year" => mobilities_by_year(conn, f, tr).await?,
        "visits-by-year" => visits_by_year(conn, f, tr).await?,
        _ => return Ok(None),
    };
    let title = tr.t(&format!("reports.{name}")).to_string();
    Ok(Some(Report { name: name.to_string(), title, columns, rows }))
}

type Built = (Vec<String>, Vec<Vec<Cell>>);

fn cols(tr: Tr, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| tr.t(&format!("reports.col.{k}")).to_string()).collect()
}

fn checked_status(f: &Filters, allowed: &[&str]) -> Result<Option<String>, AppError> {
    match &f.status {
        Some(s) if !allowed.contains(&s.as_str()) => Err(AppError::field("status", format!("Status is one of {}.", allowed.join(", ")))),
        other => Ok(other.clone()),
    }
}

/// WHERE clause over agreements `a` for the status and year filters, with its binds.
fn agreement_where(f: &Filters) -> Result<(String, Vec<String>), AppError> {
    let mut conds = vec!["1 = 1".to_string()];
    let mut binds = Vec::new();
    if let Some(s) = checked_status(f, AGREEMENT_STATUSES)? {
        binds.push(s);
        conds.push(format!("a.status = ${}", binds.len()));
    }
    if let Some(y) = f.year {
        binds.push(y.to_string());
        conds.push(format!("substr(COALESCE(a.signed_date, a.effective_date), 1, 4) = ${}", binds.len()));
    }
    Ok((conds.join(" AND "), binds))
}

/// WHERE clause over `mobility_counts` `mc`: withdrawn excluded unless asked for.
fn mobility_where(f: &Filters) -> Result<(String, Vec<String>), AppError> {
    let mut binds = Vec::new();
    let mut conds = Vec::new();
    match checked_status(f, MOBILITY_STATUSES)? {
        Some(s) => {
            binds.push(s);
            conds.push(format!("mc.status = ${}", binds.len()));
        }
        None => conds.push("mc.status <> 'withdrawn'".to_string()),
    }
    if let Some(y) = f.academic_year() {
        binds.push(y);
        conds.push(format!("mc.academic_year = ${}", binds.len()));
    }
    if let Some(d) = f.direction {
        binds.push(d.to_string());
        conds.push(format!("mc.direction = ${}", binds.len()));
    }
    Ok((conds.join(" AND "), binds))
}

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

/// Rows keyed by a label, with one count per series (e.g. inbound/outbound), in first-seen order.
struct Pivot {
    order: Vec<String>,
    cells: HashMap<String, Vec<i64>>,
    width: usize,
}

impl Pivot {
    fn new(width: usize) -> Pivot {
        Pivot { order: Vec::new(), cells: HashMap::new(), width }
    }

    fn add(&mut self, key: &str, series: usize, n: i64) {
        if !self.cells.contains_key(key) {
            self.order.push(key.to_string());
            self.cells.insert(key.to_string(), vec![0; self.width]);
        }
        if let Some(row) = self.cells.get_mut(key)
            && series < row.len()
        {
            row[series] += n;
        }
    }

    /// Rows of (key, counts…, total).
    fn rows(self) -> Vec<(String, Vec<i64>, i64)> {
        let mut cells = self.cells;
        self.order
            .into_iter()
            .map(|k| {
                let v = cells.remove(&k).unwrap_or_default();
                let total = v.iter().sum();
                (k, v, total)
            })
            .collect()
    }
}

/// Inbound and outbound sums in one pass: one group per key instead of two, so the
/// engines sort or hash half the groups (and Rust pivots nothing).
const IN_OUT: &str = "SUM(CASE WHEN mc.direction = 'inbound' THEN mc.n ELSE 0 END) AS i, \
                      SUM(CASE WHEN mc.direction = 'outbound' THEN mc.n ELSE 0 END) AS o";

fn direction_index(d: &str) -> usize {
    usize::from(d == "outbound")
}

async fn partners_areas(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
    let (cond, binds) = agreement_where(f)?;
    let partners: Vec<(i64, String, Option<String>, String, i64)> = fetch(
        conn,
        format!(
            "SELECT i.id, i.name_en, i.name_zh, i.country, COUNT(*) FROM agreements a \
             JOIN agreement_parties p ON p.agreement_id = a.id JOIN institutions i ON i.id = p.institution_id \
             WHERE i.is_home = 0 AND {cond} GROUP BY i.id, i.name_en, i.name_zh, i.country"
        ),
        &binds,
    )
    .await?;
    // An agreement covers an area if it names it or has a programme in it (UNION dedups).
    let cells: Vec<(i64, String, i64)> = fetch(
        conn,
        format!(
            "SELECT p.institution_id, x.area, COUNT(*) FROM \
             (SELECT agreement_id, area FROM agreement_areas UNION SELECT agreement_id, area FROM programmes) x \
             JOIN agreements a ON a.id = x.agreement_id JOIN agreement_parties p ON p.agreement_id = a.id \
             JOIN institutions i ON i.id = p.institution_id WHERE i.is_home = 0 AND {cond} GROUP BY p.institution_id, x.area"
        ),
        &binds,
    )
    .await?;
    let mut areas: Vec<String> = crate::cooperation::AREAS.iter().map(|a| a.key.to_string()).collect();
    for (_, area, _) in &cells {
        if !areas.contains(area) {
            areas.push(area.clone());
        }
    }
    let lang = tr.locale().code();
    let mut columns = cols(tr, &["partner", "country"]);
    columns.extend(areas.iter().map(|a| crate::cooperation::area_name(a, lang).to_string()));
    columns.push(tr.t("reports.col.agreements").to_string());
    let by_cell: HashMap<(i64, &str), i64> = cells.iter().map(|(i, a, n)| ((*i, a.as_str()), *n)).collect();
    let mut partners = partners;
    partners.sort_by(|a, b| b.4.cmp(&a.4).then_with(|| a.1.cmp(&b.1)));
    let rows = partners
        .into_iter()
        .map(|(id, en, zh, country, total)| {
            let name = if lang == "zh" { zh.filter(|z| !z.is_empty()).unwrap_or(en) } else { en };
            let mut row = vec![Cell::Text(name), Cell::Text(country)];
            row.extend(areas.iter().map(|a| Cell::Count(by_cell.get(&(id, a.as_str())).copied().unwrap_or(0))));
            row.push(Cell::Count(total));
            row
        })
        .collect();
    Ok((columns, rows))
}

async fn agreements_by_status(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
    let (cond, binds) = agreement_where(f)?;
    let counts: Vec<(String, i64)> =
        fetch(conn, format!("SELECT a.status, COUNT(*) FROM agreements a WHERE {cond} GROUP BY a.status"), &binds).await?;
    let rows = AGREEMENT_STATUSES
        .iter()
        .filter(|s| f.status.as_deref().is_none_or(|w| w == **s))
        .map(|s| {
            let n = counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
            vec![Cell::Text(tr.t(&format!("reports.agreement_status.{s}")).to_string()), Cell::Text(s.to_string()), Cell::Count(n)]
        })
        .collect();
    Ok((cols(tr, &["status", "key", "agreements"]), rows))
}

async fn agreements_by_country(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
    let (cond, binds) = agreement_where(f)?;
    let counts: Vec<(String, i64)> = fetch(
        conn,
        format!(
            "SELECT i.country, COUNT(DISTINCT a.id) AS n FROM agreements a JOIN agreement_parties p ON p.agreement_id = a.id \
             JOIN institutions i ON i.id = p.institution_id WHERE i.is_home = 0 AND {cond} GROUP BY i.country ORDER BY n DESC, i.country"
        ),
        &binds,
    )
    .await?;
    let lang = tr.locale().code();
    let rows = counts
        .into_iter()
        .map(|(c, n)| vec![Cell::Text(crate::institutions::reference::country_name(&c, lang)), Cell::Text(c), Cell::Count(n)])
        .collect();
    Ok((cols(tr, &["country", "code", "agreements"]), rows))
}

async fn agreements_by_year(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
    let (cond, binds) = agreement_where(f)?;
    let counts: Vec<(String, i64)> = fetch(
        conn,
        format!(
            "SELECT substr(COALESCE(a.signed_date, a.effective_date), 1, 4) AS y, COUNT(*) FROM agreements a \
             WHERE COALESCE(a.signed_date, a.effective_date) IS NOT NULL AND {cond} GROUP BY y ORDER BY y"
        ),
        &binds,
    )
    .await?;
    Ok((cols(tr, &["year", "agreements"]), counts.into_iter().map(|(y, n)| vec![Cell::Text(y), Cell::Count(n)]).collect()))
}

async fn mobilities_by_direction(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
    let (cond, binds) = mobility_where(f)?;
    let counts: Vec<(String, String, i64)> = fetch(
        conn,
        format!(
            "SELECT mc.direction, mc.participant_kind, CAST(SUM(mc.n) AS BIGINT) FROM mobility_counts mc \
             WHERE {cond} GROUP BY mc.direction, mc.participant_kind"
        ),
        &binds,
    )
    .await?;
    let rows = DIRECTIONS
        .iter()
        .filter(|d| f.direction.is_none_or(|w| w == **d))
        .map(|d| {
            let n = |kind: &str| counts.iter().filter(|(dd, k, _)| dd == d && k == kind).map(|r| r.2).sum::<i64>();
            let (students, staff) = (n("student"), n("staff"));
            vec![
                Cell::Text(tr.t(&format!("reports.direction.{d}")).to_string()),
                Cell::Count(students),
                Cell::Count(staff),
                Cell::Count(students + staff),
            ]
        })
        .collect();
    Ok((cols(tr, &["direction", "students", "staff", "total"]), rows))
}

async fn mobilities_by_country(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
    let (cond, binds) = mobility_where(f)?;
    // Sum per partner first (a few thousand rows), then join for the country.
    let counts: Vec<(String, i64, i64)> = fetch(
        conn,
        format!(
            "SELECT i.country, CAST(SUM(x.i) AS BIGINT), CAST(SUM(x.o) AS BIGINT) FROM \
             (SELECT mc.partner_institution_id, {IN_OUT} FROM mobility_counts mc WHERE {cond} \
              GROUP BY mc.partner_institution_id) x \
             JOIN institutions i ON i.id = x.partner_institution_id GROUP BY i.country"
        ),
        &binds,
    )
    .await?;
    let lang = tr.locale().code();
    let mut rows: Vec<(String, [i64; 2], i64)> = counts.into_iter().map(|(c, i, o)| (c, [i, o], i + o)).collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let rows = rows
        .into_iter()
        .map(|(c, v, total)| {
            vec![
                Cell::Text(crate::institutions::reference::country_name(&c, lang)),
                Cell::Text(c),
                Cell::Count(v[0]),
                Cell::Count(v[1]),
                Cell::Count(total),
            ]
        })
        .collect();
    Ok((cols(tr, &["country", "code", "inbound", "outbound", "total"]), rows))
}

async fn mobilities_by_programme(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
    let (cond, binds) = mobility_where(f)?;
    let counts: Vec<(i64, String, String, i64, i64)> = fetch(
        conn,
        format!(
            "SELECT p.id, p.title, p.area, CAST(x.i AS BIGINT), CAST(x.o AS BIGINT) FROM \
             (SELECT mc.programme_id, {IN_OUT} FROM mobility_counts mc WHERE {cond} GROUP BY mc.programme_id) x \
             JOIN programmes p ON p.id = x.programme_id"
        ),
        &binds,
    )
    .await?;
    let lang = tr.locale().code();
    let mut rows = counts;
    rows.sort_by(|a, b| (b.3 + b.4).cmp(&(a.3 + a.4)).then_with(|| a.0.cmp(&b.0)));
    let rows = rows
        .into_iter()
        .map(|(_, title, area, inbound, outbound)| {
            vec![
                Cell::Text(title),
                Cell::Text(crate::cooperation::area_name(&area, lang).to_string()),
                Cell::Count(inbound),
                Cell::Count(outbound),
                Cell::Count(inbound + outbound),
            ]
        })
        .collect();
    Ok((cols(tr, &["programme", "area", "inbound", "outbound", "total"]), rows))
}

async fn mobilities_by_year(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
    let (cond, binds) = mobility_where(f)?;
    let counts: Vec<(String, i64, i64)> = fetch(
        conn,
        format!(
            "SELECT x.academic_year, CAST(x.i AS BIGINT), CAST(x.o AS BIGINT) FROM \
             (SELECT mc.academic_year, {IN_OUT} FROM mobility_counts mc WHERE {cond} GROUP BY mc.academic_year) x \
             ORDER BY x.academic_year"
        ),
        &binds,
    )
    .await?;
    let rows = counts.into_iter().map(|(y, i, o)| vec![Cell::Text(y), Cell::Count(i), Cell::Count(o), Cell::Count(i + o)]).collect();
    Ok((cols(tr, &["academic_year", "inbound", "outbound", "total"]), rows))
}

async fn visits_by_year(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
    let mut binds = Vec::new();
    let mut conds = Vec::new();
    match checked_status(f, VISIT_STATUSES)? {
        Some(s) => {
            binds.push(s);
            conds.push(format!("v.status = ${}", binds.len()));
        }
        None => conds.push("v.status <> 'cancelled'".to_string()),
    }
    if let Some(d) = f.direction {
        binds.push(d.to_string());
        conds.push(format!("v.direction = ${}", binds.len()));
    }
    if let Some(y) = f.year {
        binds.push(format!("{y}-01-01"));
        binds.push(format!("{y}-12-31"));
        conds.push(format!("v.start_date >= ${} AND v.start_date <= ${}", binds.len() - 1, binds.len()));
    }
    let counts: Vec<(String, String, i64)> = fetch(
        conn,
        format!(
            "SELECT substr(v.start_date, 1, 4) AS y, v.direction, COUNT(*) FROM visits v WHERE {} \
             GROUP BY y, v.direction ORDER BY y",
            conds.join(" AND ")
        ),
        &binds,
    )
    .await?;
    Ok((cols(tr, &["year", "inbound", "outbound", "total"]), by_direction(&counts)))
}

/// (label, direction, n) rows, already ordered by label → label, inbound, outbound, total.
fn by_direction(counts: &[(String, String, i64)]) -> Vec<Vec<Cell>> {
    let mut pivot = Pivot::new(2);
    for (k, d, n) in counts {
        pivot.add(k, direction_index(d), *n);
    }
    pivot.rows().into_iter().map(|(k, v, t)| vec![Cell::Text(k), Cell::Count(v[0]), Cell::Count(v[1]), Cell::Count(t)]).collect()
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

/// Computes the key figures as of `today` (`YYYY-MM-DD`).
pub async fn key_figures(conn: &mut AnyConnection, today: &str) -> Result<KeyFigures, AppError> {
    let one = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
    let active_partners =
        one("SELECT COUNT(*) FROM institutions WHERE is_home = 0 AND merged_into IS NULL AND partnership_status = 'active'")
            .fetch_one(&mut *conn)
            .await?;
    let agreements_in_effect = one("SELECT COUNT(*) FROM agreements WHERE status = 'in_effect'").fetch_one(&mut *conn).await?;
    let until = today
        .parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.checked_add(jiff::Span::new().days(90)).ok())
        .map_or_else(|| today.to_string(), |d| d.to_string());
    let expiring_90_days =
        one("SELECT COUNT(*) FROM agreements WHERE status IN ('signed', 'in_effect') AND expiry_date >= $1 AND expiry_date <= $2")
            .bind(today)
            .bind(&until)
            .fetch_one(&mut *conn)
            .await?;
    let academic_year = super::model::academic_year_of(today);
    let mobilities: Vec<(String, i64)> = sqlx::query_as(
        "SELECT direction, CAST(SUM(n) AS BIGINT) FROM mobility_counts WHERE academic_year = $1 AND status <> 'withdrawn' GROUP BY direction",
    )
    .bind(&academic_year)
    .fetch_all(&mut *conn)
    .await?;
    let dir = |d: &str| mobilities.iter().find(|(k, _)| k == d).map_or(0, |r| r.1);
    let year = today.get(..4).unwrap_or("2000");
    let visits_this_year = one("SELECT COUNT(*) FROM visits WHERE start_date >= $1 AND start_date <= $2 AND status <> 'cancelled'")
        .bind(format!("{year}-01-01"))
        .bind(format!("{year}-12-31"))
        .fetch_one(&mut *conn)
        .await?;
    Ok(KeyFigures {
        active_partners,
        agreements_in_effect,
        expiring_90_days,
        mobilities_in: dir("inbound"),
        mobilities_out: dir("outbound"),
        academic_year,
        visits_this_year,
    })
}
