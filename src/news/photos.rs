//! Article photos: JPEG, PNG or WebP uploads, recognised by their content, at most
//! [`MAX_PHOTO_BYTES`], stored as re-encoded variants (upright, metadata stripped — no
//! EXIF, no GPS position) 480, 960 and 1600 pixels wide, with a caption per language and
//! a photographer credit. Variants live in the file store under
//! `news/{article_id}/{photo_id}-{width}.{ext}`, the row in `article_photos`.
//!
//! The row, the files and the audit event go together: the files are written inside the
//! transaction that inserts the row and removed again if anything fails before the
//! commit, so no row lacks its files and no file outlives a failed upload. A delete
//! commits first and then removes the files (a crash in between leaves unreachable files,
//! never a row without its files).
//!
//! Who may change photos: any holder of `edit_news` while the article is not published;
//! once it is published, only a reviewer (as with its text).

pub mod api;
mod edit;
mod process;

use sqlx::AnyConnection;

pub use edit::{UpdatePhoto, delete_photo_record, update_photo_record};
pub use process::{WIDTHS, demo_image};

use super::{
    model::{ArticleStatus, Photo, extension},
    store::{
        self,
        photos::{self as rows, NewPhotoRow, PhotoRow},
    },
    workflow::Editor,
};
use crate::{
    audit::{self, Action, Actor},
    auth::{Permission, Role, role_allows},
    error::{AppError, AppResult, FieldError},
    files::Files,
    status::Status,
    time::now_text,
    web::{AppState, routes::Routes},
};

/// Largest photo accepted: 20 MiB (a full-resolution phone or camera JPEG fits).
pub const MAX_PHOTO_BYTES: u64 = 20 * 1024 * 1024;
const MAX_CAPTION: usize = 1000;
const MAX_NAME: usize = 200;

/// What comes with an upload besides the image.
#[derive(Debug, Clone, Default)]
pub struct PhotoMeta {
    /// Caption in English.
    pub caption_en: String,
    /// Caption in Chinese.
    pub caption_zh: String,
    /// The photographer's name when they have no account (or to credit an account
    /// under another name).
    pub photographer_name: Option<String>,
    /// The photographer's account (default: the uploader's).
    pub photographer_id: Option<i64>,
}

/// Routes of this part.
pub fn routes() -> Routes {
    api::routes()
}

impl PhotoRow {
    fn photo(&self) -> Photo {
        Photo {
            id: self.id,
            position: self.position,
            content_type: self.content_type.clone(),
            width: self.width,
            height: self.height,
            widths: parse_widths(&self.widths),
            photographer_name: self.photographer_name.clone(),
            photographer_id: self.photographer_id,
            caption_zh: self.caption_zh.clone(),
            caption_en: self.caption_en.clone(),
        }
    }

    /// File-store keys of the variants.
    fn keys(&self) -> Vec<String> {
        variant_keys(&self.file_key, &parse_widths(&self.widths), &self.content_type)
    }
}

fn parse_widths(text: &str) -> Vec<i64> {
    text.split(',').filter_map(|w| w.trim().parse().ok()).collect()
}

fn variant_keys(file_key: &str, widths: &[i64], content_type: &str) -> Vec<String> {
    widths.iter().map(|w| format!("{file_key}-{w}.{}", extension(content_type))).collect()
}

/// The photos of an article, in page order.
pub async fn list(conn: &mut AnyConnection, article_id: i64) -> AppResult<Vec<Photo>> {
    Ok(rows_of(conn, article_id).await?.iter().map(PhotoRow::photo).collect())
}

/// File-store keys of every variant of every photo of an article. Deleting an article
/// cascades to its photo rows but cannot reach the files: read these before the
/// delete and pass them to [`remove_files`] after the commit.
pub async fn stored_keys(conn: &mut AnyConnection, article_id: i64) -> AppResult<Vec<String>> {
    let rows = rows_of(conn, article_id).await?;
    Ok(rows.iter().flat_map(PhotoRow::keys).collect())
}

/// Removes files from the store (those already gone are skipped; those the store cannot
/// remove now are collected later).
pub async fn remove_files(state: &AppState, keys: &[String]) {
    let store = state.service::<Files>();
    for k in keys {
        store.remove_quietly(k).await;
    }
}

/// File-store keys of every variant of every photo: the news files the database names.
pub async fn all_stored_keys(conn: &mut AnyConnection) -> AppResult<Vec<String>> {
    let rows = rows::all_photo_files(conn).await?;
    Ok(rows.iter().flat_map(|(key, content_type, widths)| variant_keys(key, &parse_widths(widths), content_type)).collect())
}

async fn rows_of(conn: &mut AnyConnection, article_id: i64) -> AppResult<Vec<PhotoRow>> {
    rows::photo_rows(conn, article_id).await
}

async fn row(conn: &mut AnyConnection, article_id: i64, photo_id: i64) -> AppResult<PhotoRow> {
    rows::photo_row(conn, article_id, photo_id).await?.ok_or(AppError::NotFound)
}

/// 404 for an unknown article; 403 when its photos are not the actor's to change.
pub(crate) async fn check_may_change(conn: &mut AnyConnection, actor: &Actor, article_id: i64) -> AppResult<()> {
    let status = rows::article_status(conn, article_id).await?.ok_or(AppError::NotFound)?;
    // The system (demo loader, CLI) has no account and answers to no role.
    let Some(user_id) = actor.id else { return Ok(()) };
    let roles = rows::user_roles(conn, user_id).await?;
    let editor = Editor { actor: actor.clone(), name: actor.label.clone(), roles: roles.iter().filter_map(|r| Role::parse(r)).collect() };
    if !editor.roles.iter().any(|&r| role_allows(r, Permission::EditNews)) {
        return Err(AppError::Forbidden("Changing an article's photos needs the 'edit_news' permission.".into()));
    }
    if ArticleStatus::from_stored(&status)? == ArticleStatus::Published {
        // As with its text: a published article is the reviewer's.
        editor.require_any(&[Role::Reviewer], "Changing the photos of a published article")?;
    }
    Ok(())
}

fn check_text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    if value.chars().count() > max {
        errors.push(FieldError::new(field, format!("keep it under {max} characters")));
    }
}

/// The name and account credited: `name` if given, else the account's display name.
async fn photographer(conn: &mut AnyConnection, name: Option<&str>, id: Option<i64>) -> AppResult<(String, Option<i64>)> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    let Some(id) = id else {
        return name.map(|n| (n.to_string(), None)).ok_or_else(|| AppError::field("photographer_name", "name the photographer"));
    };
    let display = rows::user_display_name(conn, id)
        .await?
        .ok_or_else(|| AppError::field("photographer_id", format!("there is no user with id {id}")))?;
    Ok((name.map(str::to_string).unwrap_or(display), Some(id)))
}

/// Stores a photo for an article: checks the image, makes its variants, writes the row,
/// the files and the audit event together. Usable without HTTP (the demo loader calls it).
pub async fn add_photo(state: &AppState, actor: &Actor, article_id: i64, bytes: Vec<u8>, meta: &PhotoMeta) -> AppResult<Photo> {
    let photo = store_photo(&state.db, state.service::<Files>(), actor, article_id, bytes, meta).await?;
    super::api::changed(state);
    Ok(photo)
}

/// [`add_photo`] without the application state (the demo loader, before serving): the
/// database and the file store that receives the variants.
pub async fn store_photo(
    db: &crate::db::Db,
    store: &Files,
    actor: &Actor,
    article_id: i64,
    bytes: Vec<u8>,
    meta: &PhotoMeta,
) -> AppResult<Photo> {
    let mut errors = Vec::new();
    check_text("caption_en", &meta.caption_en, MAX_CAPTION, &mut errors);
    check_text("caption_zh", &meta.caption_zh, MAX_CAPTION, &mut errors);
    check_text("photographer_name", meta.photographer_name.as_deref().unwrap_or(""), MAX_NAME, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    {
        // Refuse early (before the CPU work) what the transaction would refuse anyway.
        let mut conn = db.pool.acquire().await?;
        check_may_change(&mut conn, actor, article_id).await?;
    }
    if bytes.len() as u64 > MAX_PHOTO_BYTES {
        return Err(AppError::TooLarge);
    }
    let processed = tokio::task::spawn_blocking(move || process::process(&bytes))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("photo processing stopped: {e}")))??;
    let mut written = Vec::new();
    let result = save(db, store, actor, article_id, meta, &processed, &mut written).await;
    if result.is_err() {
        for key in &written {
            store.remove_quietly(key).await;
        }
    }
    result
}

/// The row, the files, the audit event and the commit (see the module header).
async fn save(
    db: &crate::db::Db,
    store: &Files,
    actor: &Actor,
    article_id: i64,
    meta: &PhotoMeta,
    p: &process::Processed,
    written: &mut Vec<String>,
) -> AppResult<Photo> {
    let mut tx = db.begin().await?;
    check_may_change(&mut tx, actor, article_id).await?;
    // Credited by default: the uploader (a person without an account when only a name
    // is given).
    let given = meta.photographer_name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let account = meta.photographer_id.or(if given.is_none() { actor.id } else { None });
    let (name, photographer_id) = photographer(&mut tx, given, account).await?;
    let widths: Vec<i64> = p.variants.iter().map(|v| i64::from(v.width)).collect();
    let largest = p.variants.last().ok_or_else(|| AppError::Internal(anyhow::anyhow!("a photo without variants")))?;
    let now = now_text();
    let new = NewPhotoRow {
        content_type: p.content_type,
        width: i64::from(largest.width),
        height: i64::from(largest.height),
        widths: widths.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
        bytes: p.size as i64,
        sha256: &p.sha256,
        photographer_id,
        photographer_name: &name,
        caption_zh: meta.caption_zh.trim(),
        caption_en: meta.caption_en.trim(),
        created_at: &now,
        created_by: &actor.label,
    };
    let id = rows::insert_photo(&mut tx, article_id, &new).await?;
    let file_key = format!("news/{article_id}/{id}");
    rows::set_file_key(&mut tx, id, &file_key).await?;
    for (key, v) in variant_keys(&file_key, &widths, p.content_type).into_iter().zip(&p.variants) {
        written.push(key.clone());
        store.put(&key, axum::body::Bytes::copy_from_slice(&v.bytes)).await?;
    }
    touch(&mut tx, article_id, &now).await?;
    let photo = row(&mut tx, article_id, id).await?.photo();
    audit::record(&mut tx, actor, Action::Create, "article_photo", id, None, Some(&photo)).await?;
    tx.commit().await?;
    Ok(photo)
}

/// Public pages and feeds of the article change with its photos.
async fn touch(conn: &mut AnyConnection, article_id: i64, now: &str) -> AppResult<()> {
    store::touch(conn, article_id, now).await
}

/// A variant to send: where it is, its type and validator, and whether the public may
/// see it.
#[derive(Debug)]
pub struct Served {
    /// Its file-store key.
    pub key: String,
    /// Its Content-Type.
    pub content_type: String,
    /// Its ETag: the upload's SHA-256 and the width (a variant never changes).
    pub etag: String,
    /// True when the article is published and its publication time has come.
    pub public: bool,
}

/// The variant `file` (`{width}.{ext}`) of a photo: to anyone once its article is
/// public, before that only when `staff` (a signed-in user who may read records).
pub async fn variant(state: &AppState, photo_id: i64, file: &str, staff: bool) -> AppResult<Served> {
    let (width, ext) = file.split_once('.').ok_or(AppError::NotFound)?;
    let width: i64 = width.parse().map_err(|_| AppError::NotFound)?;
    let found = {
        let mut conn = state.db.pool.acquire().await?;
        rows::photo_file(&mut conn, photo_id).await?
    };
    let rows::PhotoFile { file_key, content_type, widths, status, published_at, sha256 } = found.ok_or(AppError::NotFound)?;
    let public = ArticleStatus::from_stored(&status)? == ArticleStatus::Published && published_at.is_some_and(|at| at <= now_text());
    if ext != extension(&content_type) || !parse_widths(&widths).contains(&width) || !(public || staff) {
        return Err(AppError::NotFound);
    }
    let key = format!("{file_key}-{width}.{ext}");
    Ok(Served { key, content_type, etag: format!("{}-{width}", sha256.get(..32).unwrap_or(&sha256)), public })
}
