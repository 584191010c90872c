//! People.

use sqlx::{AnyConnection, AssertSqlSafe};

use super::{
    super::model::{Person, PersonInput, Position},
    positions::{SELECT_POSITION, fk_error, insert_positions},
};
use crate::{
    audit::{self, Action, Actor},
    db::Db,
    error::{AppError, AppResult},
    time::now_text,
};

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

/// id, name_en, name_zh, email, institution_id.
type PersonRow = (i64, String, Option<String>, Option<String>, Option<i64>);

/// One person with positions.
pub async fn get_person(conn: &mut AnyConnection, id: i64) -> AppResult<Person> {
    let row: Option<PersonRow> = sqlx::query_as("SELECT id, name_en, name_zh, email, institution_id FROM people WHERE id = $1")
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
        crate::web::paging::offset(page, per_page)
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

/// Replaces a person's own fields (not the positions).
pub async fn update_person(conn: &mut AnyConnection, id: i64, p: &PersonInput) -> AppResult<()> {
    sqlx::query("UPDATE people SET name_en = $1, name_zh = $2, email = $3, institution_id = $4, updated_at = $5 WHERE id = $6")
        .bind(&p.name_en)
        .bind(&p.name_zh)
        .bind(&p.email)
        .bind(p.institution_id)
        .bind(now_text())
        .bind(id)
        .execute(conn)
        .await
        .map_err(|e| fk_error(e, "institution_id", "no such institution"))?;
    Ok(())
}

/// Deletes a person (their positions go with them).
pub async fn delete_person(conn: &mut AnyConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM people WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}
