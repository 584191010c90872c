//! Mobility reports by direction, country, programme and academic year, from the kept
//! `mobility_counts`. Statuses and directions are the programmes module's.

use sqlx::AnyConnection;

use super::{Built, checked_status, cols, fetch};
use crate::{
    error::AppError,
    programmes::model::{DIRECTIONS, MobilityStatus},
    reports::model::{Cell, Filters},
    status::Status,
    web::i18n::Tr,
};

/// WHERE clause over `mobility_counts` `mc`: withdrawn excluded unless asked for.
fn mobility_where(f: &Filters) -> Result<(String, Vec<String>), AppError> {
    let mut binds = Vec::new();
    let mut conds = Vec::new();
    let statuses: Vec<&str> = MobilityStatus::ALL.iter().map(|s| s.as_str()).collect();
    match checked_status(f, &statuses)? {
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

/// Inbound and outbound sums in one pass: one group per key instead of two, so the
/// engines sort or hash half the groups (and Rust pivots nothing).
const IN_OUT: &str = "SUM(CASE WHEN mc.direction = 'inbound' THEN mc.n ELSE 0 END) AS i, \
                      SUM(CASE WHEN mc.direction = 'outbound' THEN mc.n ELSE 0 END) AS o";

pub(super) async fn mobilities_by_direction(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
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

pub(super) async fn mobilities_by_country(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
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

pub(super) async fn mobilities_by_programme(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
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

pub(super) async fn mobilities_by_year(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
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
