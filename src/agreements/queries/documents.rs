//! Agreement document rows (the bytes are in the file store; see `agreements::documents`).

use sqlx::AnyConnection;

use crate::{
    agreements::model::Document,
    error::{AppError, AppResult},
    time::now_text,
};

/// True if there is an agreement `id`.
pub async fn agreement_exists(conn: &mut AnyConnection, id: i64) -> AppResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM agreements WHERE id = $1").bind(id).fetch_optional(conn).await?;
    Ok(found.is_some())
}

/// Every version of every document of an agreement.
pub async fn documents(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<Document>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, name, version, content_type, size_bytes, sha256, uploaded_at FROM agreement_documents
         WHERE agreement_id = $1 ORDER BY name, version",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// The next version number of the document `name` of an agreement (1 for a new name).
pub async fn next_version(conn: &mut AnyConnection, agreement_id: i64, name: &str) -> AppResult<i64> {
    Ok(sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM agreement_documents WHERE agreement_id = $1 AND name = $2")
        .bind(agreement_id)
        .bind(name)
        .fetch_one(conn)
        .await?)
}

/// A document row to insert (its bytes already staged under `storage_key`).
#[derive(Debug, Clone, Copy)]
pub struct NewDocument<'a> {
    /// The agreement.
    pub agreement_id: i64,
    /// agreement, annex, amendment or other.
    pub kind: &'a str,
    /// File name.
    pub name: &'a str,
    /// Version of that name.
    pub version: i64,
    /// Sniffed type.
    pub content_type: &'a str,
    /// Size.
    pub size_bytes: i64,
    /// SHA-256 (hex).
    pub sha256: &'a str,
    /// Where the bytes are kept.
    pub storage_key: &'a str,
    /// The uploading user.
    pub uploaded_by: Option<i64>,
}

/// Inserts a document row; the same name and version twice (two uploads at once)
/// answers 409.
pub async fn insert_document(conn: &mut AnyConnection, d: &NewDocument<'_>) -> AppResult<Document> {
    sqlx::query_as(
        "INSERT INTO agreement_documents (agreement_id, kind, name, version, content_type, size_bytes, sha256, storage_key, uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         RETURNING id, kind, name, version, content_type, size_bytes, sha256, uploaded_at",
    )
    .bind(d.agreement_id)
    .bind(d.kind)
    .bind(d.name)
    .bind(d.version)
    .bind(d.content_type)
    .bind(d.size_bytes)
    .bind(d.sha256)
    .bind(d.storage_key)
    .bind(d.uploaded_by)
    .bind(now_text())
    .fetch_one(conn)
    .await
    .map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::Conflict(format!("another version of '{}' was uploaded at the same moment; upload again", d.name), None)
        } else {
            e.into()
        }
    })
}

/// Where a document's bytes are kept, if it belongs to the agreement.
pub async fn storage_key(conn: &mut AnyConnection, agreement_id: i64, doc_id: i64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT storage_key FROM agreement_documents WHERE id = $1 AND agreement_id = $2")
        .bind(doc_id)
        .bind(agreement_id)
        .fetch_optional(conn)
        .await?)
}

/// Every document's storage key (the agreement files the database names).
pub async fn all_storage_keys(conn: &mut AnyConnection) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT storage_key FROM agreement_documents").fetch_all(conn).await?)
}
