//! Changing a photo's captions, photographer or place, and deleting it.

use serde::Deserialize;
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::{MAX_CAPTION, MAX_NAME, check_may_change, check_text, photographer, row, rows_of, touch};
use crate::{
    audit::{self, Action, Actor},
    error::{AppError, AppResult, FieldError},
    news::{model::Photo, store::photos as rows},
    time::now_text,
};

/// Changes to a photo (absent fields stay).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdatePhoto {
    /// Caption in English ("" clears).
    pub caption_en: Option<String>,
    /// Caption in Chinese ("" clears).
    pub caption_zh: Option<String>,
    /// Photographer credited (a person without an account, unless `photographer_id` is
    /// also given).
    pub photographer_name: Option<String>,
    /// Photographer's account; their display name is credited unless
    /// `photographer_name` is given too. 0 unlinks the account and keeps the name.
    pub photographer_id: Option<i64>,
    /// Place on the page, from 1 (the others move to make room).
    pub position: Option<i64>,
}

/// Changes a photo's captions, photographer or place; returns it as changed.
pub async fn update_photo_record(
    conn: &mut AnyConnection,
    actor: &Actor,
    article_id: i64,
    photo_id: i64,
    u: &UpdatePhoto,
) -> AppResult<Photo> {
    check_may_change(conn, actor, article_id).await?;
    let before = row(conn, article_id, photo_id).await?;
    let mut errors = Vec::new();
    check_text("caption_en", u.caption_en.as_deref().unwrap_or(""), MAX_CAPTION, &mut errors);
    check_text("caption_zh", u.caption_zh.as_deref().unwrap_or(""), MAX_CAPTION, &mut errors);
    check_text("photographer_name", u.photographer_name.as_deref().unwrap_or(""), MAX_NAME, &mut errors);
    if u.position.is_some_and(|p| p < 1) {
        errors.push(FieldError::new("position", "positions start at 1"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (name, account) = match (u.photographer_id, u.photographer_name.as_deref()) {
        (None, None) => (before.photographer_name.clone(), before.photographer_id),
        (Some(0), name) => (name.map(str::trim).unwrap_or(&before.photographer_name).to_string(), None),
        (Some(id), name) => photographer(conn, name, Some(id)).await?,
        (None, Some(name)) => photographer(conn, Some(name), None).await?,
    };
    if name.trim().is_empty() {
        return Err(AppError::field("photographer_name", "name the photographer"));
    }
    let captions = (
        u.caption_en.as_deref().map(str::trim).unwrap_or(&before.caption_en),
        u.caption_zh.as_deref().map(str::trim).unwrap_or(&before.caption_zh),
    );
    rows::update_credit(conn, photo_id, captions, &name, account).await?;
    if let Some(p) = u.position {
        reorder(conn, article_id, Some((photo_id, p))).await?;
    }
    touch(conn, article_id, &now_text()).await?;
    let after = row(conn, article_id, photo_id).await?.photo();
    audit::record(conn, actor, Action::Update, "article_photo", photo_id, Some(&before.photo()), Some(&after)).await?;
    Ok(after)
}

/// Numbers an article's photos 1, 2, … in their order, with `moved` (a photo and its
/// new place) put where it was asked to go.
async fn reorder(conn: &mut AnyConnection, article_id: i64, moved: Option<(i64, i64)>) -> AppResult<()> {
    let mut ids: Vec<i64> = rows_of(conn, article_id).await?.iter().map(|r| r.id).collect();
    if let Some((id, place)) = moved {
        ids.retain(|&i| i != id);
        let at = usize::try_from(place - 1).unwrap_or(0).min(ids.len());
        ids.insert(at, id);
    }
    for (i, id) in ids.iter().enumerate() {
        rows::set_position(conn, *id, i as i64 + 1).await?;
    }
    Ok(())
}

/// Deletes a photo's row (the caller commits, then removes the returned file keys).
pub async fn delete_photo_record(conn: &mut AnyConnection, actor: &Actor, article_id: i64, photo_id: i64) -> AppResult<Vec<String>> {
    check_may_change(conn, actor, article_id).await?;
    let before = row(conn, article_id, photo_id).await?;
    rows::delete_photo(conn, photo_id).await?;
    reorder(conn, article_id, None).await?;
    touch(conn, article_id, &now_text()).await?;
    audit::record(conn, actor, Action::Delete, "article_photo", photo_id, Some(&before.photo()), None).await?;
    Ok(before.keys())
}
