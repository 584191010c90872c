//! Agreement documents: versioned by name, typed by their content (never by their name),
//! size-limited, their bytes in the file store and their row in `agreement_documents`.
//!
//! The file and its row go together: the body is staged in the file store (streamed, never
//! whole in memory), the row is inserted, the file is promoted to its final key, then the
//! transaction commits. Any failure removes the staged or promoted file, so nothing is
//! half-stored and no file is left without its row; a file store that is down answers 503
//! before any row is written.

use axum::{body::Body, http::HeaderMap, response::Response};

use super::{
    model::{DOCUMENT_KINDS, Document},
    queries::{self, NewDocument},
};
use crate::{
    audit::{self, Action, Actor},
    error::{AppError, AppResult},
    files::{DocType, Files, Staged, sniff},
    web::{AppState, download::StoredFile},
};

/// Largest document accepted: 25 MiB (a scanned, signed agreement with annexes fits).
/// This route reads its body as a stream and enforces this itself; the router's
/// general `max_body_bytes` is for JSON and forms and is not raised.
pub const MAX_DOCUMENT_BYTES: u64 = 25 * 1024 * 1024;

/// What the client says about an upload.
#[derive(Debug, Clone)]
pub struct UploadMeta {
    /// File name (the version chain is per name).
    pub name: String,
    /// agreement, annex, amendment or other.
    pub kind: String,
    /// The `Content-Type` sent, if it names a type (not `application/octet-stream`).
    pub declared: Option<String>,
    /// The `Content-Length` sent.
    pub length: Option<u64>,
}

/// The file name as kept: the last path segment, trimmed.
pub fn clean_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or("").trim().to_string()
}

/// The type a name or declared Content-Type claims, if it is one we know.
pub fn claimed(meta: &UploadMeta) -> Option<DocType> {
    let lower = meta.name.to_ascii_lowercase();
    let by_name = match lower.rsplit_once('.').map(|(_, e)| e) {
        Some("pdf") => Some(DocType::Pdf),
        Some("docx") => Some(DocType::Docx),
        Some("png") => Some(DocType::Png),
        Some("jpg" | "jpeg") => Some(DocType::Jpeg),
        Some("webp") => Some(DocType::Webp),
        _ => None,
    };
    let by_header = meta.declared.as_deref().and_then(|d| {
        let d = d.split(';').next().unwrap_or("").trim();
        [DocType::Pdf, DocType::Docx, DocType::Png, DocType::Jpeg, DocType::Webp].into_iter().find(|t| t.mime() == d)
    });
    by_header.or(by_name)
}

/// The name a document is kept under: its own stem with the extension of what it is, so
/// a PDF sent as `notes.html` is kept (and downloaded) as `notes.pdf`.
pub fn named_for(name: &str, t: DocType) -> String {
    let ext = match t {
        DocType::Pdf => "pdf",
        DocType::Docx => "docx",
        DocType::Png => "png",
        DocType::Jpeg => "jpg",
        DocType::Webp => "webp",
    };
    let (stem, current) = match name.rsplit_once('.') {
        Some((stem, e)) if !stem.is_empty() && e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()) => (stem, Some(e)),
        _ => (name, None),
    };
    match current.map(str::to_ascii_lowercase) {
        Some(e) if e == ext || (ext == "jpg" && e == "jpeg") => name.to_string(),
        _ => format!("{stem}.{ext}"),
    }
}

/// How a message names a type ("a PDF").
pub fn label(t: DocType) -> &'static str {
    match t {
        DocType::Pdf => "a PDF",
        DocType::Docx => "a Word (DOCX) document",
        DocType::Png => "a PNG image",
        DocType::Jpeg => "a JPEG image",
        DocType::Webp => "a WebP image",
    }
}

/// Checks the name and kind before reading any of the body.
fn check_meta(meta: &UploadMeta) -> AppResult<UploadMeta> {
    let name = clean_name(&meta.name);
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push(crate::error::FieldError::new("name", "give the file name (?name=agreement.pdf)"));
    } else if name.chars().count() > 200 {
        errors.push(crate::error::FieldError::new("name", "the file name is longer than 200 characters"));
    }
    if !DOCUMENT_KINDS.contains(&meta.kind.as_str()) {
        errors.push(crate::error::FieldError::new("kind", format!("use one of {}", DOCUMENT_KINDS.join(", "))));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    if meta.length.is_some_and(|n| n > MAX_DOCUMENT_BYTES) {
        return Err(AppError::TooLarge);
    }
    Ok(UploadMeta { name, ..meta.clone() })
}

/// The sniffed type of a staged upload, or why it is refused.
fn check_content(meta: &UploadMeta, st: &Staged) -> AppResult<DocType> {
    if st.size == 0 {
        return Err(AppError::field("file", "the file is empty"));
    }
    let actual = sniff(&st.head, st.has_word_document);
    match (claimed(meta), actual) {
        (Some(c), a) if a != Some(c) => {
            Err(AppError::field("file", format!("'{}' is not {} (judged by its content, not its name)", meta.name, label(c))))
        }
        (_, Some(a)) => Ok(a),
        (_, None) => Err(AppError::UnsupportedMediaType(format!(
            "'{}' is not a type we keep: upload a PDF, a Word (DOCX) document, or a PNG, JPEG or WebP image",
            meta.name
        ))),
    }
}

/// Stores an uploaded document as the next version of its name; returns its row.
pub async fn upload(
    state: &AppState,
    store: &Files,
    actor: &Actor,
    agreement_id: i64,
    meta: &UploadMeta,
    body: Body,
) -> AppResult<Document> {
    let meta = check_meta(meta)?;
    // 404 before reading a byte of the body (and no connection held while it streams).
    if !queries::agreement_exists(&mut *state.db.pool.acquire().await?, agreement_id).await? {
        return Err(AppError::NotFound);
    }
    let key = format!("agreements/{agreement_id}/{}", crate::auth::random_token(16));
    let staged = store.stage(body, MAX_DOCUMENT_BYTES, &key).await?;
    let result = async {
        let doc_type = check_content(&meta, &staged)?;
        let meta = UploadMeta { name: named_for(&meta.name, doc_type), ..meta.clone() };
        save(state, store, actor, agreement_id, &meta, &staged, doc_type).await
    }
    .await;
    if result.is_err() {
        store.discard(&staged).await;
        store.remove_quietly(&key).await;
    }
    result
}

/// The row, the rename and the commit, in that order (see the module header).
async fn save(
    state: &AppState,
    store: &Files,
    actor: &Actor,
    agreement_id: i64,
    meta: &UploadMeta,
    st: &Staged,
    doc_type: DocType,
) -> AppResult<Document> {
    let mut tx = state.db.begin().await?;
    let version = queries::next_version(&mut tx, agreement_id, &meta.name).await?;
    let row = NewDocument {
        agreement_id,
        kind: &meta.kind,
        name: &meta.name,
        version,
        content_type: doc_type.mime(),
        size_bytes: st.size as i64,
        sha256: &st.sha256,
        storage_key: &st.key,
        uploaded_by: actor.id,
    };
    let doc = queries::insert_document(&mut tx, &row).await?;
    queries::touch(&mut tx, agreement_id).await?;
    audit::record(&mut tx, actor, Action::Create, "agreement_document", doc.id, None, Some(&doc)).await?;
    store.promote(st).await?;
    tx.commit().await?;
    Ok(doc)
}

/// A document, if it belongs to the agreement, streamed from the store: whole, or the
/// byte range asked for (a PDF viewer reads pages as it needs them), or `304` when the
/// client holds it already (its ETag is the content's SHA-256).
pub async fn download(state: &AppState, agreement_id: i64, doc_id: i64, headers: &HeaderMap) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let key = queries::storage_key(&mut conn, agreement_id, doc_id).await?.ok_or(AppError::NotFound)?;
    let doc = queries::documents(&mut conn, agreement_id).await?.into_iter().find(|d| d.id == doc_id).ok_or(AppError::NotFound)?;
    drop(conn);
    let file = StoredFile {
        key: &key,
        content_type: &doc.content_type,
        size: u64::try_from(doc.size_bytes).ok(),
        etag: doc.sha256.clone(),
        cache: "private, no-cache",
        attachment: Some(&doc.name),
    };
    crate::web::download::stored(state.service::<Files>(), headers, file).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(name: &str, declared: Option<&str>) -> UploadMeta {
        UploadMeta { name: name.into(), kind: "agreement".into(), declared: declared.map(str::to_string), length: None }
    }

    #[test]
    fn a_document_is_named_for_what_it_is() {
        assert_eq!(named_for("notes.html", DocType::Pdf), "notes.pdf");
        assert_eq!(named_for("MOU.PDF", DocType::Pdf), "MOU.PDF");
        assert_eq!(named_for("photo.jpeg", DocType::Jpeg), "photo.jpeg");
        assert_eq!(named_for("signing-photo", DocType::Png), "signing-photo.png");
        assert_eq!(named_for("v1.2 draft", DocType::Docx), "v1.2 draft.docx");
    }

    #[test]
    fn names_and_declared_types_make_claims() {
        assert_eq!(claimed(&meta("MoU.PDF", None)), Some(DocType::Pdf));
        assert_eq!(claimed(&meta("scan", Some("application/pdf"))), Some(DocType::Pdf));
        assert_eq!(claimed(&meta("notes.txt", None)), None);
        assert_eq!(clean_name("C:\\Users\\x\\mou.pdf"), "mou.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
    }

    #[test]
    fn oversized_declared_lengths_are_refused_before_reading() {
        let m = UploadMeta { length: Some(MAX_DOCUMENT_BYTES + 1), ..meta("a.pdf", None) };
        assert!(matches!(check_meta(&m), Err(AppError::TooLarge)));
    }
}
