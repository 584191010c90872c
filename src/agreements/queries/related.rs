//! What agreements refer to in other tables: whether the parties, visit, user and unit
//! exist, a signatory's person and current position, and the choices of the forms.

use sqlx::AnyConnection;

use crate::{
    agreements::model::PartyInput,
    error::{AppResult, FieldError},
};

/// Checks that every party is a live institution and its unit belongs to it.
pub async fn check_parties(conn: &mut AnyConnection, parties: &[PartyInput]) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    for (i, p) in parties.iter().enumerate() {
        let found: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT merged_into FROM institutions WHERE id = $1").bind(p.institution_id).fetch_optional(&mut *conn).await?;
        let field = format!("parties[{i}].institution_id");
        match found {
            None => errors.push(FieldError::new(&field, format!("there is no institution {}", p.institution_id))),
            Some((Some(into),)) => {
                errors.push(FieldError::new(&field, format!("institution {} was merged into {into}; use that one", p.institution_id)))
            }
            Some((None,)) => {}
        }
        if let Some(u) = p.unit_id {
            let owner: Option<i64> =
                sqlx::query_scalar("SELECT institution_id FROM units WHERE id = $1").bind(u).fetch_optional(&mut *conn).await?;
            if owner != Some(p.institution_id) {
                errors.push(FieldError::new(format!("parties[{i}].unit_id"), format!("unit {u} is not a unit of that institution")));
            }
        }
    }
    Ok(errors)
}

/// Checks the references to a visit, a user and a unit.
pub async fn check_refs(conn: &mut AnyConnection, visit: Option<i64>, user: Option<i64>, unit: Option<i64>) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    for (field, table, id) in [("visit_id", "visits", visit), ("responsible_id", "users", user), ("unit_id", "units", unit)] {
        let Some(id) = id else { continue };
        let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT id FROM {table} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            errors.push(FieldError::new(field, format!("there is no {} {id}", &table[..table.len() - 1])));
        }
    }
    Ok(errors)
}

/// The title of a person's current position (started, not ended), preferring one at
/// `prefer` institutions; with the position's institution.
pub async fn current_position(conn: &mut AnyConnection, person: i64, prefer: &[i64]) -> AppResult<Option<(String, i64)>> {
    let today = crate::time::today();
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT title_en, institution_id FROM positions WHERE person_id = $1
           AND (start_date IS NULL OR start_date <= $2) AND (end_date IS NULL OR end_date >= $2) ORDER BY id",
    )
    .bind(person)
    .bind(&today)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().find(|(_, i)| prefer.contains(i)).or(rows.first()).cloned())
}

/// A live person's English name and institution, or `None`.
pub async fn person(conn: &mut AnyConnection, id: i64) -> AppResult<Option<(String, Option<i64>)>> {
    Ok(sqlx::query_as("SELECT name_en, institution_id FROM people WHERE id = $1 AND merged_into IS NULL")
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

pub use crate::institutions::lookup::home_unit_ids;

/// The latest visits (id, title, first day), for the new-agreement form.
pub async fn recent_visits(conn: &mut AnyConnection, limit: i64) -> AppResult<Vec<(i64, String, String)>> {
    Ok(sqlx::query_as("SELECT id, title, start_date FROM visits ORDER BY start_date DESC, id DESC LIMIT $1")
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// The institutions of a visit, by acronym or name.
pub async fn visit_institution_names(conn: &mut AnyConnection, visit_id: i64) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(i.acronym, i.name_en) FROM visit_institutions vi JOIN institutions i ON i.id = vi.institution_id WHERE vi.visit_id = $1",
    )
    .bind(visit_id)
    .fetch_all(conn)
    .await?)
}

/// Live people of an institution, or holding a position there (id, English name), by name.
pub async fn people_of_institution(conn: &mut AnyConnection, institution_id: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name_en FROM people WHERE merged_into IS NULL
           AND (institution_id = $1 OR id IN (SELECT person_id FROM positions WHERE institution_id = $1)) ORDER BY name_en",
    )
    .bind(institution_id)
    .fetch_all(conn)
    .await?)
}
