//! Institution records: read, insert, update, delete, strengths, and the small reads of
//! the directory, the map and the partner index.

use sqlx::{AnyConnection, AssertSqlSafe};

use super::super::model::{Institution, InstitutionFields, InstitutionRow};
use crate::{
    audit::{self, Action, Actor},
    db::Db,
    error::{AppError, AppResult},
    time::now_text,
};

pub(super) const SELECT_INSTITUTION: &str = "SELECT i.id, i.name_en, i.name_zh, i.name_local, i.acronym, i.country, i.city,
    i.website, i.kind, i.is_home,
    i.partnership_status, i.partner_since,
    i.schac_code, i.ror_id, i.erasmus_code, i.is_public, i.directory_domain, i.merged_into,
    i.created_at, i.updated_at, i.version
    FROM institutions i";

/// Institutions whose latest partnership status is active.
pub const COUNT_ACTIVE_PARTNERS: &str =
    "SELECT COUNT(*) FROM institutions i WHERE i.merged_into IS NULL AND i.partnership_status = 'active'";

/// Full records for ids, in the order given.
pub async fn institutions_by_ids(db: &Db, ids: &[i64]) -> AppResult<Vec<Institution>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!("{SELECT_INSTITUTION} WHERE i.id IN ({})", list.join(","));
    let rows: Vec<InstitutionRow> = sqlx::query_as(AssertSqlSafe(sql)).persistent(false).fetch_all(&db.pool).await?;
    let mut items: Vec<Institution> = rows.into_iter().map(Institution::from).collect();
    let sql = format!("SELECT institution_id, tag FROM institution_strengths WHERE institution_id IN ({}) ORDER BY tag", list.join(","));
    let tags: Vec<(i64, String)> = sqlx::query_as(AssertSqlSafe(sql)).persistent(false).fetch_all(&db.pool).await?;
    for (iid, tag) in tags {
        if let Some(inst) = items.iter_mut().find(|i| i.id == iid) {
            inst.strengths.push(tag);
        }
    }
    items.sort_by_key(|i| ids.iter().position(|x| *x == i.id));
    Ok(items)
}

/// One institution.
pub async fn get_institution(conn: &mut AnyConnection, id: i64) -> AppResult<Institution> {
    let sql = format!("{SELECT_INSTITUTION} WHERE i.id = $1");
    let row: Option<InstitutionRow> = sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?;
    let mut inst = row.map(Institution::from).ok_or(AppError::NotFound)?;
    inst.strengths =
        sqlx::query_scalar("SELECT tag FROM institution_strengths WHERE institution_id = $1 ORDER BY tag").bind(id).fetch_all(conn).await?;
    Ok(inst)
}

/// Inserts an institution and its audit event.
/// Names which unique rule an insert or update broke.
fn unique_conflict(e: sqlx::Error) -> AppError {
    if !crate::db::is_unique_violation(&e) {
        return e.into();
    }
    let text = e.to_string();
    let msg = if text.contains("directory_domain") {
        "This directory entry is already a partner institution."
    } else if text.contains("ror") {
        "Another institution already has this ROR id."
    } else {
        "There is already a home institution."
    };
    AppError::Conflict(msg.into(), None)
}

/// Inserts an institution and its audit event; `directory_domain` links it to the
/// directory entry it was promoted from.
pub async fn insert_institution(conn: &mut AnyConnection, actor: &Actor, f: &InstitutionFields, is_home: bool) -> AppResult<i64> {
    insert_institution_from(conn, actor, f, is_home, None).await
}

/// Like [`insert_institution`], recording the directory entry it comes from.
pub async fn insert_institution_from(
    conn: &mut AnyConnection,
    actor: &Actor,
    f: &InstitutionFields,
    is_home: bool,
    directory_domain: Option<&str>,
) -> AppResult<i64> {
    let now = now_text();
    let res = sqlx::query_scalar(
        "INSERT INTO institutions (name_en, name_zh, name_local, acronym, country, city, website, kind, is_home, created_at, updated_at,
         schac_code, ror_id, erasmus_code, is_public, directory_domain)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(&f.name_en)
    .bind(&f.name_zh)
    .bind(&f.name_local)
    .bind(&f.acronym)
    .bind(&f.country)
    .bind(&f.city)
    .bind(&f.website)
    .bind(&f.kind)
    .bind(i64::from(is_home))
    .bind(&now)
    .bind(&f.schac_code)
    .bind(&f.ror_id)
    .bind(&f.erasmus_code)
    .bind(i64::from(f.is_public))
    .bind(directory_domain)
    .fetch_one(&mut *conn)
    .await;
    let id: i64 = res.map_err(unique_conflict)?;
    set_strengths(&mut *conn, id, &f.strengths).await?;
    audit::record(conn, actor, Action::Create, "institution", id, None, Some(f)).await?;
    Ok(id)
}

/// Updates an institution if its version still matches; audits before/after.
pub async fn update_institution(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    before: &InstitutionFields,
    f: &InstitutionFields,
) -> AppResult<()> {
    let n = sqlx::query(
        "UPDATE institutions SET name_en = $1, name_zh = $2, name_local = $3, acronym = $4, country = $5,
         city = $6, website = $7, kind = $8, updated_at = $9, version = version + 1,
         schac_code = $12, ror_id = $13, erasmus_code = $14, is_public = $15
         WHERE id = $10 AND version = $11 AND merged_into IS NULL",
    )
    .bind(&f.name_en)
    .bind(&f.name_zh)
    .bind(&f.name_local)
    .bind(&f.acronym)
    .bind(&f.country)
    .bind(&f.city)
    .bind(&f.website)
    .bind(&f.kind)
    .bind(now_text())
    .bind(id)
    .bind(expected_version)
    .bind(&f.schac_code)
    .bind(&f.ror_id)
    .bind(&f.erasmus_code)
    .bind(i64::from(f.is_public))
    .execute(&mut *conn)
    .await
    .map_err(unique_conflict)?
    .rows_affected();
    if n > 0 {
        set_strengths(&mut *conn, id, &f.strengths).await?;
    }
    if n == 0 {
        return Err(AppError::Conflict(
            "Someone changed this institution after you opened it. Reload it, reapply your change and save again.".into(),
            None,
        ));
    }
    audit::record(conn, actor, Action::Update, "institution", id, Some(before), Some(f)).await?;
    Ok(())
}

/// Deletes an institution (units, positions and partnership history go with it).
pub async fn delete_institution(conn: &mut AnyConnection, actor: &Actor, id: i64) -> AppResult<()> {
    let before = get_institution(&mut *conn, id).await?;
    if before.is_home {
        return Err(AppError::Conflict("The home institution cannot be deleted.".into(), None));
    }
    sqlx::query("DELETE FROM institutions WHERE id = $1").bind(id).execute(&mut *conn).await.map_err(|e| {
        if crate::db::is_constraint_violation(&e) {
            AppError::Conflict(
                format!(
                    "{} is part of recorded visits, trips or bookings, so it cannot be deleted; merge it into another record instead.",
                    before.name_en
                ),
                None,
            )
        } else {
            e.into()
        }
    })?;
    audit::record(conn, actor, Action::Delete, "institution", id, Some(&InstitutionFields::from(&before)), None).await?;
    Ok(())
}

async fn set_strengths(conn: &mut AnyConnection, id: i64, tags: &[String]) -> AppResult<()> {
    sqlx::query("DELETE FROM institution_strengths WHERE institution_id = $1").bind(id).execute(&mut *conn).await?;
    let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
    add_strengths(conn, id, &tags).await
}

/// Adds strength tags to an institution (existing ones are kept).
pub async fn add_strengths(conn: &mut AnyConnection, institution_id: i64, tags: &[&str]) -> AppResult<()> {
    for tag in tags {
        sqlx::query("INSERT INTO institution_strengths (institution_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(institution_id)
            .bind(tag.trim().to_lowercase())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The partners (not merged) linked to these directory domains: (domain, id).
pub async fn partners_by_directory_domains(db: &Db, domains: &[String]) -> AppResult<Vec<(String, i64)>> {
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=domains.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT directory_domain, id FROM institutions WHERE merged_into IS NULL AND directory_domain IN ({})",
        placeholders.join(",")
    );
    let mut q = sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(sql));
    for d in domains {
        q = q.bind(d.clone());
    }
    Ok(q.fetch_all(&db.pool).await?)
}

/// The partner (not merged) promoted from a directory entry.
pub async fn partner_by_directory_domain(db: &Db, domain: &str) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM institutions WHERE directory_domain = $1 AND merged_into IS NULL")
        .bind(domain)
        .fetch_optional(&db.pool)
        .await?)
}

/// Partners per country code: active ones, or with `public_only` those marked public.
pub async fn partners_per_country(db: &Db, public_only: bool) -> AppResult<Vec<(String, i64)>> {
    let sql = if public_only {
        "SELECT i.country, COUNT(*) FROM institutions i WHERE i.merged_into IS NULL AND i.is_home = 0 AND i.is_public = 1 GROUP BY i.country"
    } else {
        "SELECT i.country, COUNT(*) FROM institutions i WHERE i.merged_into IS NULL AND i.is_home = 0 AND i.partnership_status = 'active' GROUP BY i.country"
    };
    Ok(sqlx::query_as(sql).fetch_all(&db.pool).await?)
}

/// (rows, newest change, highest id): changes whenever institutions change.
pub type InstitutionsStamp = (i64, Option<String>, Option<i64>);

/// The stamp of the institutions table. Three subqueries rather than one aggregate:
/// each is then an index lookup.
pub async fn institutions_stamp(db: &Db) -> AppResult<InstitutionsStamp> {
    Ok(sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM institutions), (SELECT MAX(updated_at) FROM institutions), (SELECT MAX(id) FROM institutions)",
    )
    .fetch_one(&db.pool)
    .await?)
}

/// The names and identifiers of an institution the matcher indexes.
#[derive(Debug, sqlx::FromRow)]
pub struct MatchRow {
    /// Id.
    pub id: i64,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// Local name.
    pub name_local: Option<String>,
    /// Acronym.
    pub acronym: Option<String>,
    /// SCHAC code (a domain).
    pub schac_code: Option<String>,
    /// The directory entry it was promoted from.
    pub directory_domain: Option<String>,
    /// Website.
    pub website: Option<String>,
}

/// Every institution not merged, for the matcher, by id.
pub async fn match_rows(db: &Db) -> AppResult<Vec<MatchRow>> {
    Ok(sqlx::query_as(
        "SELECT id, name_en, name_zh, name_local, acronym, schac_code, directory_domain, website FROM institutions WHERE merged_into IS NULL ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await?)
}
