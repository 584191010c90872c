//! Photos of articles (the listing; upload and serving are being written).

use sqlx::{AnyConnection, Row};

use super::model::Photo;
use crate::{error::AppResult, web::routes::Routes};

/// The photos of an article, in order.
pub async fn list(conn: &mut AnyConnection, article_id: i64) -> AppResult<Vec<Photo>> {
    let rows = sqlx::query(
        "SELECT id, position, content_type, width, height, widths, photographer_name, photographer_id, caption_zh, caption_en
         FROM article_photos WHERE article_id = $1 ORDER BY position, id",
    )
    .bind(article_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let widths: String = r.try_get(5)?;
            Ok(Photo {
                id: r.try_get(0)?,
                position: r.try_get(1)?,
                content_type: r.try_get(2)?,
                width: r.try_get(3)?,
                height: r.try_get(4)?,
                widths: widths.split(',').filter_map(|w| w.parse().ok()).collect(),
                photographer_name: r.try_get(6)?,
                photographer_id: r.try_get(7)?,
                caption_zh: r.try_get(8)?,
                caption_en: r.try_get(9)?,
            })
        })
        .collect()
}

/// Routes of this part.
pub fn routes() -> Routes {
    Routes::new()
}
