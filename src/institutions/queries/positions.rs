//! Dated positions of people.

use sqlx::{AnyConnection, AssertSqlSafe};

use super::super::model::{Position, PositionInput};
use crate::{
    db::Db,
    error::{AppError, AppResult},
    time::now_text,
};

pub(super) const SELECT_POSITION: &str =
    "SELECT p.id, p.person_id, pp.name_en AS person_name, p.title_en, p.title_zh, p.institution_id, i.name_en AS institution_name,
    p.unit_id, (SELECT n.name FROM unit_names n WHERE n.unit_id = p.unit_id ORDER BY n.is_primary DESC, n.id LIMIT 1) AS unit_name,
    p.start_date, p.end_date
    FROM positions p JOIN institutions i ON i.id = p.institution_id JOIN people pp ON pp.id = p.person_id";

/// Inserts positions for a person, checking that each unit belongs to its institution.
pub async fn insert_positions(conn: &mut AnyConnection, id: i64, positions: &[PositionInput]) -> AppResult<()> {
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

pub(super) fn fk_error(e: sqlx::Error, field: &str, msg: &str) -> AppError {
    if crate::db::is_constraint_violation(&e) { AppError::field(field, msg) } else { e.into() }
}

/// Positions held at an institution (for its page).
pub async fn positions_at(db: &Db, institution_id: i64) -> AppResult<Vec<Position>> {
    let sql = format!("{SELECT_POSITION} WHERE p.institution_id = $1 ORDER BY p.person_id, p.id");
    Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(institution_id).fetch_all(&db.pool).await?)
}

/// The person who holds a position.
pub async fn position_holder(conn: &mut AnyConnection, position_id: i64) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT person_id FROM positions WHERE id = $1").bind(position_id).fetch_optional(conn).await?)
}

/// Deletes a position.
pub async fn delete_position(conn: &mut AnyConnection, position_id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM positions WHERE id = $1").bind(position_id).execute(conn).await?;
    Ok(())
}
