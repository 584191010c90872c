//! What a call reads from elsewhere: programmes, their quotas and agreement partners,
//! institutions, users' addresses; and the instance's signing key.

use sqlx::AnyConnection;

use crate::{error::AppResult, time::now_text};

/// Whether a programme exists.
pub async fn programme_exists(conn: &mut AnyConnection, id: i64) -> AppResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM programmes WHERE id = $1").bind(id).fetch_one(conn).await?;
    Ok(n > 0)
}

/// The non-home, unmerged parties of a programme's agreement.
pub async fn programme_partners(conn: &mut AnyConnection, programme_id: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT ap.institution_id FROM programmes p JOIN agreement_parties ap ON ap.agreement_id = p.agreement_id
         JOIN institutions i ON i.id = ap.institution_id
         WHERE p.id = $1 AND i.is_home = 0 AND i.merged_into IS NULL ORDER BY ap.institution_id",
    )
    .bind(programme_id)
    .fetch_all(conn)
    .await?)
}

/// A programme's quota for a year and direction, if set.
pub async fn quota(conn: &mut AnyConnection, programme_id: i64, year: &str, direction: &str) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT quota FROM programme_quotas WHERE programme_id = $1 AND academic_year = $2 AND direction = $3")
        .bind(programme_id)
        .bind(year)
        .bind(direction)
        .fetch_optional(conn)
        .await?)
}

/// An institution's `(merged_into, is_home)`, if it exists.
pub async fn institution_state(conn: &mut AnyConnection, id: i64) -> AppResult<Option<(Option<i64>, i64)>> {
    Ok(sqlx::query_as("SELECT merged_into, is_home FROM institutions WHERE id = $1").bind(id).fetch_optional(conn).await?)
}

/// A user's shown name, address and language.
pub async fn user_contact(conn: &mut AnyConnection, user_id: i64) -> AppResult<(String, Option<String>, String)> {
    Ok(sqlx::query_as("SELECT display_name, email, locale FROM users WHERE id = $1").bind(user_id).fetch_one(conn).await?)
}

/// Adds a person to the directory of people (a nominee); answers the id.
pub async fn insert_person(conn: &mut AnyConnection, name: &str, email: Option<&str>, institution: Option<i64>) -> AppResult<i64> {
    let now = now_text();
    Ok(sqlx::query_scalar(
        "INSERT INTO people (name_en, email, institution_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(name)
    .bind(email)
    .bind(institution)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// The home institution's id.
pub async fn home_institution(conn: &mut AnyConnection) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM institutions WHERE is_home = 1").fetch_optional(conn).await?)
}

/// The secret of a named signing key, made on first use. Every instance reads the same
/// row: the first to insert wins and the others read its value back.
pub async fn signing_key(conn: &mut AnyConnection, name: &str) -> AppResult<String> {
    sqlx::query("INSERT INTO signing_keys (name, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(crate::secret::random_token(32))
        .bind(now_text())
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar("SELECT secret FROM signing_keys WHERE name = $1").bind(name).fetch_one(conn).await?)
}
