//! A student's documents: PDF or images only, judged by their content (the file
//! store's sniffing and the agreements module's name checks), at most 10 MiB, streamed
//! to the store and kept with their row in one step (staged, row inserted, promoted,
//! committed; any failure removes the file).

use axum::{body::Body, http::HeaderMap, response::Response};

use super::{model::DOCUMENT_KINDS, queries, student};
use crate::{
    agreements::documents::{UploadMeta, claimed, clean_name, label, named_for},
    audit::{self, Action, Actor},
    error::{AppError, AppResult},
    files::{DocType, Files, Staged, sniff},
    web::{AppState, download::StoredFile},
};

/// Largest document: 10 MiB (a scanned transcript or passport page fits).
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;

fn check_meta(meta: &UploadMeta) -> AppResult<UploadMeta> {
    let name = clean_name(&meta.name);
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(crate::error::FieldError::new("name", "give the file name (?name=transcript.pdf), at most 200 characters"));
    }
    if !DOCUMENT_KINDS.contains(&meta.kind.as_str()) {
        errors.push(crate::error::FieldError::new("kind", format!("use one of {}", DOCUMENT_KINDS.join(", "))));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    if meta.length.is_some_and(|n| n > MAX_BYTES) {
        return Err(AppError::TooLarge);
    }
    Ok(UploadMeta { name, ..meta.clone() })
}

fn check_content(meta: &UploadMeta, st: &Staged) -> AppResult<DocType> {
    if st.size == 0 {
        return Err(AppError::field("file", "the file is empty"));
    }
    let actual = sniff(&st.head, st.has_word_document);
    match (claimed(meta), actual) {
        (Some(c), a) if a != Some(c) => {
            Err(AppError::field("file", format!("'{}' is not {} (judged by its content, not its name)", meta.name, label(c))))
        }
        (_, Some(a)) if a != DocType::Docx => Ok(a),
        _ => Err(AppError::UnsupportedMediaType(format!(
            "'{}' is not a type accepted here: upload a PDF, or a PNG, JPEG or WebP image",
            meta.name
        ))),
    }
}

/// Stores a student's document on their own application while they may still change it.
pub async fn upload(state: &AppState, actor: &Actor, user_id: i64, id: i64, meta: &UploadMeta, body: Body) -> AppResult<i64> {
    let meta = check_meta(meta)?;
    {
        let mut conn = state.db.pool.acquire().await?;
        let a = student::own(&mut conn, user_id, id).await?;
        let call = queries::get_call(&mut conn, a.call_id).await?;
        if !super::model::editable(a.status, call.is_open_at(&crate::time::now_text())) {
            return Err(AppError::Conflict(
                "The application can no longer be changed: the call has closed or it is being reviewed.".into(),
                None,
            ));
        }
    }
    let store: &Files = state.service::<Files>();
    let key = format!("applications/{id}/{}", crate::secret::random_token(16));
    let staged = store.stage(body, MAX_BYTES, &key).await?;
    let result = async {
        let t = check_content(&meta, &staged)?;
        let name = named_for(&meta.name, t);
        let mut tx = state.db.begin().await?;
        // Checked again inside the write: the deadline may have passed while the file streamed.
        let a = student::own(&mut tx, user_id, id).await?;
        let call = queries::get_call(&mut tx, a.call_id).await?;
        if !super::model::editable(a.status, call.is_open_at(&crate::time::now_text())) {
            return Err(AppError::Conflict(
                "The application can no longer be changed: the call has closed or it is being reviewed.".into(),
                None,
            ));
        }
        let row = queries::NewDocument {
            application_id: id,
            kind: &meta.kind,
            name: &name,
            content_type: t.mime(),
            size: staged.size as i64,
            sha256: &staged.sha256,
            key: &staged.key,
        };
        let doc = queries::insert_document(&mut tx, &row).await?;
        let audited = serde_json::json!({"document": doc, "kind": meta.kind, "name": name, "size": staged.size});
        audit::record(&mut tx, actor, Action::Create, "application_document", id, None, Some(&audited)).await?;
        store.promote(&staged).await?;
        tx.commit().await?;
        Ok(doc)
    }
    .await;
    if result.is_err() {
        store.discard(&staged).await;
        store.remove_quietly(&key).await;
    }
    result
}

/// Streams a document of an application the caller may read.
pub async fn download(state: &AppState, id: i64, doc: i64, headers: &HeaderMap) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let (key, content_type, name, size, sha) = queries::document_file(&mut conn, id, doc).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    let f = StoredFile {
        key: &key,
        content_type: &content_type,
        size: Some(size as u64),
        etag: sha,
        cache: "private, no-store",
        attachment: Some(&name),
    };
    crate::web::download::stored(state.service::<Files>(), headers, f).await
}
