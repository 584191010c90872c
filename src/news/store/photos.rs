//! Photo rows (`article_photos`); the files and their rules are in `news::photos`.

use sqlx::AnyConnection;

use crate::error::AppResult;

/// A photo's row as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhotoRow {
    /// Id.
    pub id: i64,
    /// Order on the page.
    pub position: i64,
    /// File-store key the variants' names start with.
    pub file_key: String,
    /// Type of the variants.
    pub content_type: String,
    /// Width of the largest variant.
    pub width: i64,
    /// Height of the largest variant.
    pub height: i64,
    /// Widths of the variants, comma-separated, smallest first.
    pub widths: String,
    /// Photographer's account.
    pub photographer_id: Option<i64>,
    /// Photographer credited.
    pub photographer_name: String,
    /// Caption in Chinese.
    pub caption_zh: String,
    /// Caption in English.
    pub caption_en: String,
}

const COLUMNS: &str = "id, position, file_key, content_type, width, height, widths, photographer_id, \
                       photographer_name, caption_zh, caption_en";

/// A new photo's row (its file key is set once the id is known).
#[derive(Debug)]
pub struct NewPhotoRow<'a> {
    /// Type of the variants.
    pub content_type: &'a str,
    /// Width of the largest variant.
    pub width: i64,
    /// Height of the largest variant.
    pub height: i64,
    /// Widths of the variants, comma-separated.
    pub widths: String,
    /// Size of the upload, bytes.
    pub bytes: i64,
    /// SHA-256 of the upload.
    pub sha256: &'a str,
    /// Photographer's account.
    pub photographer_id: Option<i64>,
    /// Photographer credited.
    pub photographer_name: &'a str,
    /// Caption in Chinese.
    pub caption_zh: &'a str,
    /// Caption in English.
    pub caption_en: &'a str,
    /// When.
    pub created_at: &'a str,
    /// Who uploaded it.
    pub created_by: &'a str,
}

/// The photos of an article, in page order.
pub async fn photo_rows(conn: &mut AnyConnection, article_id: i64) -> AppResult<Vec<PhotoRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM article_photos WHERE article_id = $1 ORDER BY position, id")))
        .bind(article_id)
        .fetch_all(&mut *conn)
        .await?)
}

/// One photo of an article.
pub async fn photo_row(conn: &mut AnyConnection, article_id: i64, photo_id: i64) -> AppResult<Option<PhotoRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM article_photos WHERE id = $1 AND article_id = $2")))
        .bind(photo_id)
        .bind(article_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// An article's stored status, if the article exists.
pub async fn article_status(conn: &mut AnyConnection, article_id: i64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT status FROM articles WHERE id = $1").bind(article_id).fetch_optional(&mut *conn).await?)
}

/// The roles granted to a user (stored names).
pub async fn user_roles(conn: &mut AnyConnection, user_id: i64) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT role FROM role_grants WHERE user_id = $1").bind(user_id).fetch_all(&mut *conn).await?)
}

/// A user's display name, if the user exists.
pub async fn user_display_name(conn: &mut AnyConnection, user_id: i64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut *conn).await?)
}

/// Inserts a photo last on its article's page; answers its id.
pub async fn insert_photo(conn: &mut AnyConnection, article_id: i64, p: &NewPhotoRow<'_>) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO article_photos (article_id, position, file_key, content_type, width, height, widths, bytes, sha256,
             photographer_id, photographer_name, caption_zh, caption_en, created_at, created_by)
         VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM article_photos WHERE article_id = $1), '', $2, $3, $4, $5, $6, $7,
             $8, $9, $10, $11, $12, $13)
         RETURNING id",
    )
    .bind(article_id)
    .bind(p.content_type)
    .bind(p.width)
    .bind(p.height)
    .bind(&p.widths)
    .bind(p.bytes)
    .bind(p.sha256)
    .bind(p.photographer_id)
    .bind(p.photographer_name)
    .bind(p.caption_zh)
    .bind(p.caption_en)
    .bind(p.created_at)
    .bind(p.created_by)
    .fetch_one(&mut *conn)
    .await?)
}

/// Sets the file-store key of a photo.
pub async fn set_file_key(conn: &mut AnyConnection, photo_id: i64, file_key: &str) -> AppResult<()> {
    sqlx::query("UPDATE article_photos SET file_key = $1 WHERE id = $2").bind(file_key).bind(photo_id).execute(&mut *conn).await?;
    Ok(())
}

/// Sets a photo's captions and photographer.
pub async fn update_credit(
    conn: &mut AnyConnection,
    photo_id: i64,
    (caption_en, caption_zh): (&str, &str),
    photographer_name: &str,
    photographer_id: Option<i64>,
) -> AppResult<()> {
    sqlx::query("UPDATE article_photos SET caption_en = $1, caption_zh = $2, photographer_name = $3, photographer_id = $4 WHERE id = $5")
        .bind(caption_en)
        .bind(caption_zh)
        .bind(photographer_name)
        .bind(photographer_id)
        .bind(photo_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Puts a photo at `position` (no write when it is there already).
pub async fn set_position(conn: &mut AnyConnection, photo_id: i64, position: i64) -> AppResult<()> {
    sqlx::query("UPDATE article_photos SET position = $1 WHERE id = $2 AND position <> $1")
        .bind(position)
        .bind(photo_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes a photo's row.
pub async fn delete_photo(conn: &mut AnyConnection, photo_id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM article_photos WHERE id = $1").bind(photo_id).execute(&mut *conn).await?;
    Ok(())
}

/// What serving a variant needs: the photo's file key, type and widths, and its
/// article's status and publication time.
#[derive(Debug, sqlx::FromRow)]
pub struct PhotoFile {
    /// File-store key the variants' names start with.
    pub file_key: String,
    /// Type of the variants.
    pub content_type: String,
    /// Widths of the variants, comma-separated.
    pub widths: String,
    /// The article's status.
    pub status: String,
    /// When the article is (or will be) public.
    pub published_at: Option<String>,
    /// SHA-256 of the uploaded image (the variants' ETags derive from it).
    pub sha256: String,
}

/// The file of a photo with its article's status (for serving it).
pub async fn photo_file(conn: &mut AnyConnection, photo_id: i64) -> AppResult<Option<PhotoFile>> {
    Ok(sqlx::query_as(
        "SELECT p.file_key, p.content_type, p.widths, a.status, a.published_at, p.sha256
         FROM article_photos p JOIN articles a ON a.id = p.article_id WHERE p.id = $1",
    )
    .bind(photo_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The file key, type and widths of every photo (the files the database names).
pub async fn all_photo_files(conn: &mut AnyConnection) -> AppResult<Vec<(String, String, String)>> {
    Ok(sqlx::query_as("SELECT file_key, content_type, widths FROM article_photos").fetch_all(&mut *conn).await?)
}
