//! Agreement reports: partners × cooperation areas, and agreements by status, country
//! and year.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::{Built, checked_status, cols, fetch};
use crate::{
    error::AppError,
    reports::model::{Cell, Filters},
    web::i18n::Tr,
};

const AGREEMENT_STATUSES: &[&str] = &["draft", "negotiation", "signed", "in_effect", "expired", "terminated"];

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

pub(super) async fn partners_areas(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
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

pub(super) async fn agreements_by_status(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
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

pub(super) async fn agreements_by_country(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
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

pub(super) async fn agreements_by_year(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
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
