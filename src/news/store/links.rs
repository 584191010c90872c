//! Links to office records and tags.

use sqlx::{AnyConnection, Row};

use crate::{
    error::{AppError, AppResult, FieldError},
    news::model::{self, Link},
};

pub(super) async fn check_links(conn: &mut AnyConnection, links: &[Link]) -> Result<Vec<Link>, AppError> {
    let mut out: Vec<Link> = Vec::new();
    let mut errors = Vec::new();
    for (i, l) in links.iter().enumerate() {
        let table = match l.kind.as_str() {
            "visit" => "visits",
            "agreement" => "agreements",
            "institution" => "institutions",
            "person" => "people",
            other => {
                errors.push(FieldError::new(
                    format!("links[{i}].kind"),
                    format!("'{other}' cannot be linked; use one of {}", model::LINK_KINDS.join(", ")),
                ));
                continue;
            }
        };
        let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT id FROM {table} WHERE id = $1")))
            .bind(l.target_id)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            errors.push(FieldError::new(format!("links[{i}].target_id"), format!("there is no {} with id {}", l.kind, l.target_id)));
        } else if !out.iter().any(|o| o.kind == l.kind && o.target_id == l.target_id) {
            out.push(Link { kind: l.kind.clone(), target_id: l.target_id, label: String::new() });
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(AppError::Validation(errors)) }
}

pub(super) async fn write_links(conn: &mut AnyConnection, id: i64, links: &[Link]) -> AppResult<()> {
    sqlx::query("DELETE FROM article_links WHERE article_id = $1").bind(id).execute(&mut *conn).await?;
    for l in links {
        sqlx::query("INSERT INTO article_links (article_id, kind, target_id) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(&l.kind)
            .bind(l.target_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(super) async fn write_tags(conn: &mut AnyConnection, id: i64, tags: &[String]) -> AppResult<()> {
    sqlx::query("DELETE FROM article_tags WHERE article_id = $1").bind(id).execute(&mut *conn).await?;
    for t in tags {
        sqlx::query("INSERT INTO article_tags (article_id, tag) VALUES ($1, $2)").bind(id).bind(t).execute(&mut *conn).await?;
    }
    Ok(())
}

pub(super) async fn links_of(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<Link>> {
    let rows = sqlx::query(
        "SELECT l.kind, l.target_id,
                COALESCE(v.title, ag.title, i.name_en, p.name_en, '') AS label
         FROM article_links l
         LEFT JOIN visits v ON l.kind = 'visit' AND v.id = l.target_id
         LEFT JOIN agreements ag ON l.kind = 'agreement' AND ag.id = l.target_id
         LEFT JOIN institutions i ON l.kind = 'institution' AND i.id = l.target_id
         LEFT JOIN people p ON l.kind = 'person' AND p.id = l.target_id
         WHERE l.article_id = $1 ORDER BY l.kind, l.target_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok(Link { kind: r.try_get(0)?, target_id: r.try_get(1)?, label: r.try_get(2)? })).collect()
}

/// The tags of an article, in order.
pub(super) async fn tags_of(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT tag FROM article_tags WHERE article_id = $1 ORDER BY tag").bind(id).fetch_all(&mut *conn).await?)
}
