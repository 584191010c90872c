//! What the news desk reads from the directory: the names and acronyms the proofreading
//! aid should know, and the home institution's name.

use sqlx::AnyConnection;

use crate::error::AppResult;

/// Names of the home institution and the institutions linked to an article, their
/// people and units, the people linked, the home institution's buildings, and the users.
pub async fn proofread_names(conn: &mut AnyConnection, article_id: i64) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT name_en FROM institutions WHERE is_home = 1
            OR id IN (SELECT target_id FROM article_links WHERE article_id = $1 AND kind = 'institution')
            OR id = (SELECT institution_id FROM articles WHERE id = $1)
         UNION SELECT p.name_en FROM people p WHERE p.institution_id IN (
            SELECT id FROM institutions WHERE is_home = 1
            UNION SELECT target_id FROM article_links WHERE article_id = $1 AND kind = 'institution')
            OR p.id IN (SELECT target_id FROM article_links WHERE article_id = $1 AND kind = 'person')
         UNION SELECT n.name FROM unit_names n JOIN units u ON u.id = n.unit_id WHERE u.institution_id IN (
            SELECT id FROM institutions WHERE is_home = 1
            UNION SELECT target_id FROM article_links WHERE article_id = $1 AND kind = 'institution')
         UNION SELECT b.name_en FROM buildings b JOIN institutions h ON h.id = b.institution_id AND h.is_home = 1
         UNION SELECT display_name FROM users",
    )
    .bind(article_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Acronyms of the home institution and the institutions linked to an article.
pub async fn proofread_acronyms(conn: &mut AnyConnection, article_id: i64) -> AppResult<Vec<String>> {
    let acronyms: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT acronym FROM institutions WHERE is_home = 1 OR id IN (SELECT target_id FROM article_links WHERE article_id = $1 AND kind = 'institution')",
    )
    .bind(article_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(acronyms.into_iter().flatten().collect())
}

/// The home institution's English name, if there is a home record.
pub async fn home_name(conn: &mut AnyConnection) -> AppResult<Option<String>> {
    Ok(crate::institutions::lookup::home(conn).await?.map(|(_, name)| name))
}

/// Every recorded person's and user's name (the proofreading aid knows their words).
pub async fn people_names(conn: &mut AnyConnection) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT name_en FROM people WHERE merged_into IS NULL UNION SELECT display_name FROM users")
        .fetch_all(conn)
        .await?)
}
