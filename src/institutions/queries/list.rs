//! The institution list: filters, sorting and paging.

use sqlx::AssertSqlSafe;

use super::super::model::{Institution, PartnershipStatus};
use super::institutions::institutions_by_ids;
use crate::{
    db::Db,
    error::{AppError, AppResult},
    status::Status,
};

/// Filters, sorting and paging of the institution list.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct InstitutionQuery {
    /// Text in any name, the acronym or the city (case-insensitive).
    pub q: Option<String>,
    /// Country code.
    pub country: Option<String>,
    /// Latest partnership status.
    #[param(value_type = Option<PartnershipStatus>)]
    pub status: Option<String>,
    /// Strength tag.
    pub strength: Option<String>,
    /// World region: a UN M49 continent or sub-region code (142 Asia, 035 South-Eastern Asia).
    pub area: Option<String>,
    /// `name`, `-name`, `country`, `-country`, `updated`, `-updated` (default `name`).
    pub sort: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Items per page, 1–200 (default 50).
    pub per_page: Option<i64>,
}

impl InstitutionQuery {
    /// (page, per_page) clamped to their ranges.
    pub fn paging(&self) -> (i64, i64) {
        crate::web::paging::paging(self.page, self.per_page, 50, 200)
    }
}

/// One page of institutions and the total that match. Text search (`q`) is done by
/// the caller's matcher when it passes `matched` (ids, best first; the default order is
/// then relevance); without it `q` falls back to a substring search in SQL.
pub async fn list_institutions(db: &Db, q: &InstitutionQuery, matched: Option<&[i64]>) -> AppResult<(Vec<Institution>, i64)> {
    let mut wheres: Vec<String> = vec!["i.merged_into IS NULL".into()];
    let mut args: Vec<String> = Vec::new();
    let text = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty());
    match (text, matched) {
        (Some(_), Some(ids)) => {
            // Our own integers: safe to inline, and one statement on both engines.
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            wheres.push(format!("i.id IN ({})", if list.is_empty() { "0".to_string() } else { list.join(",") }));
        }
        (Some(text), None) => {
            args.push(format!("%{}%", text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
            let n = args.len();
            wheres.push(format!(
                "(LOWER(i.name_en) LIKE ${n} ESCAPE '\\' OR LOWER(COALESCE(i.name_zh, '')) LIKE ${n} ESCAPE '\\' \
                 OR LOWER(COALESCE(i.acronym, '')) LIKE ${n} ESCAPE '\\' OR LOWER(COALESCE(i.city, '')) LIKE ${n} ESCAPE '\\' \
                 OR LOWER(COALESCE(i.name_local, '')) LIKE ${n} ESCAPE '\\')"
            ));
        }
        (None, _) => {}
    }
    if let Some(c) = q.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        args.push(c.to_ascii_uppercase());
        wheres.push(format!("i.country = ${}", args.len()));
    }
    if let Some(s) = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if PartnershipStatus::parse(s).is_none() {
            return Err(AppError::field("status", format!("use {}", PartnershipStatus::names())));
        }
        args.push(s.to_string());
        wheres.push(format!("i.partnership_status = ${}", args.len()));
    }
    if let Some(t) = q.strength.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        args.push(t.to_lowercase());
        wheres.push(format!("i.id IN (SELECT institution_id FROM institution_strengths WHERE tag = ${})", args.len()));
    }
    if let Some(a) = q.area.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        let codes = super::super::reference::countries_in(a)
            .ok_or_else(|| AppError::field("area", format!("'{a}' is not a region code such as 142 (Asia) or 035 (South-Eastern Asia)")))?;
        // Codes come from the shipped CLDR table (two capital letters): safe to inline.
        let list: Vec<String> = codes.iter().map(|c| format!("'{c}'")).collect();
        wheres.push(format!("i.country IN ({})", list.join(",")));
    }
    let by_relevance = matched.is_some() && text.is_some() && q.sort.is_none();
    let order = match q.sort.as_deref().unwrap_or("name") {
        "name" => "i.name_en ASC, i.id ASC",
        "-name" => "i.name_en DESC, i.id DESC",
        "country" => "i.country ASC, i.name_en ASC, i.id ASC",
        "-country" => "i.country DESC, i.name_en ASC, i.id ASC",
        "updated" => "i.updated_at ASC, i.id ASC",
        "-updated" => "i.updated_at DESC, i.id DESC",
        other => {
            return Err(AppError::field(
                "sort",
                format!("cannot sort by '{other}'; use name, -name, country, -country, updated or -updated"),
            ));
        }
    };
    let where_sql = format!(" WHERE {}", wheres.join(" AND "));
    let (page, per_page) = q.paging();
    // Unfiltered, "all minus merged" is two index lookups instead of a scan.
    let count_sql = if wheres.len() == 1 {
        "SELECT (SELECT COUNT(*) FROM institutions) - (SELECT COUNT(*) FROM institutions WHERE merged_into IS NOT NULL)".to_string()
    } else {
        format!("SELECT COUNT(*) FROM institutions i{where_sql}")
    };
    let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql));
    for a in &args {
        count = count.bind(a);
    }
    let total = count.fetch_one(&db.pool).await?;
    // Two steps: the page's ids (an index walk, no per-row subqueries), then the full
    // rows of just those ids.
    let page_ids: Vec<i64> = if by_relevance {
        let sql = format!("SELECT i.id FROM institutions i{where_sql}");
        let mut query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
        for a in &args {
            query = query.bind(a);
        }
        let allowed: std::collections::HashSet<i64> = query.fetch_all(&db.pool).await?.into_iter().collect();
        let ranked = matched.unwrap_or(&[]).iter().copied().filter(|id| allowed.contains(id));
        ranked.skip(usize::try_from(crate::web::paging::offset(page, per_page)).unwrap_or(usize::MAX)).take(per_page as usize).collect()
    } else {
        let sql = format!(
            "SELECT i.id FROM institutions i{where_sql} ORDER BY {order} LIMIT {per_page} OFFSET {}",
            crate::web::paging::offset(page, per_page)
        );
        let mut query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
        for a in &args {
            query = query.bind(a);
        }
        query.fetch_all(&db.pool).await?
    };
    Ok((institutions_by_ids(db, &page_ids).await?, total))
}
