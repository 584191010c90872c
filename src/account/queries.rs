//! SQL of the account pages beyond `auth`'s: the units a coordinator grant can name.

use crate::db::Db;

/// The home institution's units: id and name (in `lang` if it has one, else the
/// primary name), by name.
pub async fn home_units(db: &Db, lang: &str) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT u.id, COALESCE(
                (SELECT n.name FROM unit_names n WHERE n.unit_id = u.id AND n.lang = $1 ORDER BY n.is_primary DESC, n.id LIMIT 1),
                (SELECT n.name FROM unit_names n WHERE n.unit_id = u.id ORDER BY n.is_primary DESC, n.id LIMIT 1),
                '#' || CAST(u.id AS TEXT)) AS name
         FROM units u JOIN institutions i ON i.id = u.institution_id
         WHERE i.is_home = 1 ORDER BY name",
    )
    .bind(lang)
    .fetch_all(&db.pool)
    .await
}
