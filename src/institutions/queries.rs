//! All SQL of the institutions module. Writes take the caller's transaction and
//! record their audit event on it.

use sqlx::{AnyConnection, AssertSqlSafe};

use super::model::{Institution, InstitutionFields, InstitutionRow, Person, PersonInput, Position, Unit, UnitName};
use crate::{
    audit::{self, Action, Actor},
    db::Db,
    error::{AppError, AppResult},
    time::now_text,
};

const SELECT_INSTITUTION: &str = "SELECT i.id, i.name_en, i.name_zh, i.name_local, i.acronym, i.country, i.city,
    i.website, i.kind, i.is_home,
    i.partnership_status, i.partner_since,
    i.schac_code, i.ror_id, i.erasmus_code, i.is_public, i.directory_domain, i.merged_into,
    i.created_at, i.updated_at, i.version
    FROM institutions i";

/// Institutions whose latest partnership status is active.
pub const COUNT_ACTIVE_PARTNERS: &str =
    "SELECT COUNT(*) FROM institutions i WHERE i.merged_into IS NULL AND i.partnership_status = 'active'";

/// Filters, sorting and paging of the institution list.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct InstitutionQuery {
    /// Text in any name, the acronym or the city (case-insensitive).
    pub q: Option<String>,
    /// Country code.
    pub country: Option<String>,
    /// Latest partnership status.
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
        (self.page.unwrap_or(1).max(1), self.per_page.unwrap_or(50).clamp(1, 200))
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
        if !["prospective", "active", "suspended", "ended"].contains(&s) {
            return Err(AppError::field("status", "use prospective, active, suspended or ended"));
        }
        args.push(s.to_string());
        wheres.push(format!("i.partnership_status = ${}", args.len()));
    }
    if let Some(t) = q.strength.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        args.push(t.to_lowercase());
        wheres.push(format!("i.id IN (SELECT institution_id FROM institution_strengths WHERE tag = ${})", args.len()));
    }
    if let Some(a) = q.area.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        let codes = super::reference::countries_in(a)
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
        ranked.skip(((page - 1) * per_page) as usize).take(per_page as usize).collect()
    } else {
        let sql = format!("SELECT i.id FROM institutions i{where_sql} ORDER BY {order} LIMIT {per_page} OFFSET {}", (page - 1) * per_page);
        let mut query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
        for a in &args {
            query = query.bind(a);
        }
        query.fetch_all(&db.pool).await?
    };
    Ok((institutions_by_ids(db, &page_ids).await?, total))
}

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

/// Adds a dated partnership status.
pub async fn add_partnership_event(
    conn: &mut AnyConnection,
    institution_id: i64,
    status: &str,
    since: &str,
    note: Option<&str>,
) -> AppResult<()> {
    sqlx::query("INSERT INTO partnership_events (institution_id, status, since, note, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(institution_id)
        .bind(status)
        .bind(since)
        .bind(note)
        .bind(now_text())
        .execute(&mut *conn)
        .await?;
    refresh_partnership(conn, institution_id).await
}

/// Recomputes an institution's current status and first active date from its history
/// (call in the transaction that changed the history).
pub async fn refresh_partnership(conn: &mut AnyConnection, institution_id: i64) -> AppResult<()> {
    sqlx::query(
        "UPDATE institutions SET
            partnership_status = (SELECT pe.status FROM partnership_events pe WHERE pe.institution_id = $1 ORDER BY pe.since DESC, pe.id DESC LIMIT 1),
            partner_since = (SELECT MIN(pe.since) FROM partnership_events pe WHERE pe.institution_id = $1 AND pe.status = 'active')
         WHERE id = $1",
    )
    .bind(institution_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Creates a unit with its names (the first name given is primary unless one says so).
pub async fn insert_unit(
    conn: &mut AnyConnection,
    actor: &Actor,
    institution_id: i64,
    parent_id: Option<i64>,
    names: &[UnitName],
) -> AppResult<i64> {
    if names.is_empty() {
        return Err(AppError::field("names", "a unit needs at least one name"));
    }
    if let Some(pid) = parent_id {
        let parent_inst: Option<i64> =
            sqlx::query_scalar("SELECT institution_id FROM units WHERE id = $1").bind(pid).fetch_optional(&mut *conn).await?;
        if parent_inst != Some(institution_id) {
            return Err(AppError::field("parent_id", "the parent unit belongs to another institution"));
        }
    }
    let now = now_text();
    let id: i64 =
        sqlx::query_scalar("INSERT INTO units (institution_id, parent_id, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id")
            .bind(institution_id)
            .bind(parent_id)
            .bind(&now)
            .fetch_one(&mut *conn)
            .await?;
    write_unit_names(conn, id, names).await?;
    audit::record(conn, actor, Action::Create, "unit", id, None, Some(&names)).await?;
    Ok(id)
}

async fn write_unit_names(conn: &mut AnyConnection, unit_id: i64, names: &[UnitName]) -> AppResult<()> {
    let has_primary = names.iter().any(|n| n.primary);
    for (i, n) in names.iter().enumerate() {
        if !["en", "zh", "local"].contains(&n.lang.as_str()) || n.name.trim().is_empty() {
            return Err(AppError::field(&format!("names[{i}]"), "each name needs lang en, zh or local and a non-empty name"));
        }
        let primary = n.primary || (!has_primary && i == 0);
        sqlx::query("INSERT INTO unit_names (unit_id, lang, name, is_primary) VALUES ($1, $2, $3, $4)")
            .bind(unit_id)
            .bind(&n.lang)
            .bind(n.name.trim())
            .bind(i64::from(primary))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Replaces a unit's names.
pub async fn rename_unit(conn: &mut AnyConnection, actor: &Actor, unit_id: i64, names: &[UnitName]) -> AppResult<()> {
    if names.is_empty() {
        return Err(AppError::field("names", "a unit needs at least one name"));
    }
    let before = unit_names(&mut *conn, unit_id).await?;
    if before.is_empty() {
        return Err(AppError::NotFound);
    }
    sqlx::query("DELETE FROM unit_names WHERE unit_id = $1").bind(unit_id).execute(&mut *conn).await?;
    write_unit_names(conn, unit_id, names).await?;
    sqlx::query("UPDATE units SET updated_at = $1 WHERE id = $2").bind(now_text()).bind(unit_id).execute(&mut *conn).await?;
    audit::record(conn, actor, Action::Update, "unit", unit_id, Some(&before), Some(&names.to_vec())).await?;
    Ok(())
}

async fn unit_names(conn: &mut AnyConnection, unit_id: i64) -> AppResult<Vec<UnitName>> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT lang, name, is_primary FROM unit_names WHERE unit_id = $1 ORDER BY is_primary DESC, id")
            .bind(unit_id)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(lang, name, p)| UnitName { lang, name, primary: p == 1 }).collect())
}

/// The units of an institution, with names.
pub async fn units_of(db: &Db, institution_id: i64) -> AppResult<Vec<Unit>> {
    let rows: Vec<(i64, Option<i64>, String, String, i64)> = sqlx::query_as(
        "SELECT u.id, u.parent_id, n.lang, n.name, n.is_primary FROM units u JOIN unit_names n ON n.unit_id = u.id
         WHERE u.institution_id = $1 ORDER BY u.id, n.is_primary DESC, n.id",
    )
    .bind(institution_id)
    .fetch_all(&db.pool)
    .await?;
    let mut units: Vec<Unit> = Vec::new();
    for (id, parent_id, lang, name, primary) in rows {
        if units.last().map(|u| u.id) != Some(id) {
            units.push(Unit { id, institution_id, parent_id, names: Vec::new() });
        }
        if let Some(u) = units.last_mut() {
            u.names.push(UnitName { lang, name, primary: primary == 1 });
        }
    }
    Ok(units)
}

/// The institution a unit belongs to.
pub async fn unit_institution(db: &Db, unit_id: i64) -> AppResult<i64> {
    sqlx::query_scalar("SELECT institution_id FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)
}

const SELECT_POSITION: &str =
    "SELECT p.id, p.person_id, pp.name_en AS person_name, p.title_en, p.title_zh, p.institution_id, i.name_en AS institution_name,
    p.unit_id, (SELECT n.name FROM unit_names n WHERE n.unit_id = p.unit_id ORDER BY n.is_primary DESC, n.id LIMIT 1) AS unit_name,
    p.start_date, p.end_date
    FROM positions p JOIN institutions i ON i.id = p.institution_id JOIN people pp ON pp.id = p.person_id";

/// Inserts a person with positions, checking that each unit belongs to its institution.
pub async fn insert_person(conn: &mut AnyConnection, actor: &Actor, p: &PersonInput) -> AppResult<i64> {
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO people (name_en, name_zh, email, institution_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(&p.name_en)
    .bind(&p.name_zh)
    .bind(&p.email)
    .bind(p.institution_id)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| fk_error(e, "institution_id", "no such institution"))?;
    insert_positions(&mut *conn, id, &p.positions).await?;
    let person = get_person(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Create, "person", id, None, Some(&person)).await?;
    Ok(id)
}

/// Inserts positions for a person, checking that each unit belongs to its institution.
pub async fn insert_positions(conn: &mut AnyConnection, id: i64, positions: &[super::model::PositionInput]) -> AppResult<()> {
    let now = now_text();
    for (i, pos) in positions.iter().enumerate() {
        if let Some(unit) = pos.unit_id {
            let inst: Option<i64> =
                sqlx::query_scalar("SELECT institution_id FROM units WHERE id = $1").bind(unit).fetch_optional(&mut *conn).await?;
            if inst != Some(pos.institution_id) {
                return Err(AppError::field(&format!("positions[{i}].unit_id"), "this unit does not belong to the position's institution"));
            }
        }
        sqlx::query("INSERT INTO positions (person_id, title_en, title_zh, institution_id, unit_id, start_date, end_date, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(id)
            .bind(&pos.title_en)
            .bind(&pos.title_zh)
            .bind(pos.institution_id)
            .bind(pos.unit_id)
            .bind(&pos.start_date)
            .bind(&pos.end_date)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| fk_error(e, &format!("positions[{i}].institution_id"), "no such institution"))?;
    }
    Ok(())
}

fn fk_error(e: sqlx::Error, field: &str, msg: &str) -> AppError {
    if crate::db::is_constraint_violation(&e) { AppError::field(field, msg) } else { e.into() }
}

/// One person with positions.
pub async fn get_person(conn: &mut AnyConnection, id: i64) -> AppResult<Person> {
    let row: Option<(i64, String, Option<String>, Option<String>, Option<i64>)> =
        sqlx::query_as("SELECT id, name_en, name_zh, email, institution_id FROM people WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let (id, name_en, name_zh, email, institution_id) = row.ok_or(AppError::NotFound)?;
    let sql = format!("{SELECT_POSITION} WHERE p.person_id = $1 ORDER BY p.end_date IS NOT NULL, p.id");
    let positions: Vec<Position> = sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_all(conn).await?;
    Ok(Person { id, name_en, name_zh, email, institution_id, positions })
}

/// People, optionally filtered by text or institution.
pub async fn list_people(db: &Db, q: Option<&str>, institution_id: Option<i64>, page: i64, per_page: i64) -> AppResult<(Vec<Person>, i64)> {
    let mut wheres = Vec::new();
    let mut text_arg = None;
    if let Some(t) = q.map(str::trim).filter(|t| !t.is_empty()) {
        text_arg = Some(format!("%{}%", t.to_lowercase()));
        wheres.push("(LOWER(name_en) LIKE $1 OR LOWER(COALESCE(name_zh, '')) LIKE $1)".to_string());
    }
    if let Some(inst) = institution_id {
        wheres.push(format!("id IN (SELECT person_id FROM positions WHERE institution_id = {inst}) OR institution_id = {inst}"));
    }
    let where_sql = if wheres.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", wheres.iter().map(|w| format!("({w})")).collect::<Vec<_>>().join(" AND "))
    };
    let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!("SELECT COUNT(*) FROM people{where_sql}"))).persistent(false);
    let mut ids = sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
        "SELECT id FROM people{where_sql} ORDER BY name_en, id LIMIT {per_page} OFFSET {}",
        (page - 1) * per_page
    )));
    if let Some(t) = &text_arg {
        count = count.bind(t.clone());
        ids = ids.bind(t.clone());
    }
    let total = count.fetch_one(&db.pool).await?;
    let ids = ids.fetch_all(&db.pool).await?;
    let mut conn = db.pool.acquire().await?;
    let mut people = Vec::with_capacity(ids.len());
    for id in ids {
        people.push(get_person(&mut conn, id).await?);
    }
    Ok((people, total))
}

/// Positions held at an institution (for its page).
pub async fn positions_at(db: &Db, institution_id: i64) -> AppResult<Vec<Position>> {
    let sql = format!("{SELECT_POSITION} WHERE p.institution_id = $1 ORDER BY p.person_id, p.id");
    Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(institution_id).fetch_all(&db.pool).await?)
}
