//! Units and their names.

use sqlx::AnyConnection;

use super::super::model::{Unit, UnitName};
use crate::{
    audit::{self, Action, Actor},
    db::Db,
    error::{AppError, AppResult},
    time::now_text,
};

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

/// A unit's institution and parent (`None` when there is no such unit).
pub async fn unit_parent(conn: &mut AnyConnection, unit_id: i64) -> AppResult<Option<(i64, Option<i64>)>> {
    Ok(sqlx::query_as("SELECT institution_id, parent_id FROM units WHERE id = $1").bind(unit_id).fetch_optional(conn).await?)
}

/// Places a unit under `parent` (`None`: at the top).
pub async fn set_unit_parent(conn: &mut AnyConnection, unit_id: i64, parent: Option<i64>) -> AppResult<()> {
    sqlx::query("UPDATE units SET parent_id = $1, updated_at = $2 WHERE id = $3")
        .bind(parent)
        .bind(now_text())
        .bind(unit_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many units sit directly under this one.
pub async fn count_sub_units(conn: &mut AnyConnection, unit_id: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE parent_id = $1").bind(unit_id).fetch_one(conn).await?)
}

/// Deletes a unit (its names go with it; positions lose the unit).
pub async fn delete_unit(conn: &mut AnyConnection, unit_id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM units WHERE id = $1").bind(unit_id).execute(conn).await?;
    Ok(())
}
