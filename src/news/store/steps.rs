//! The editorial steps: taking one (checked by `workflow::plan`) and reading them back.

use serde::Deserialize;
use sqlx::{AnyConnection, Row};
use utoipa::ToSchema;

use super::articles::{get_article, head};
use crate::{
    audit::{self, Action},
    error::{AppError, AppResult},
    news::{
        model::{ArticleStatus, Step},
        workflow::{self, Editor, StepAction},
    },
    status::Status,
    time::now_text,
};

/// A step in the editorial chain, as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StepRequest {
    /// submit, send_back, publish or withdraw.
    pub action: StepAction,
    /// For send_back: the earlier status to return to (default: the one before).
    #[serde(default)]
    #[schema(value_type = Option<ArticleStatus>)]
    pub to: Option<String>,
    /// Comments (required to send back or withdraw).
    #[serde(default)]
    pub comment: String,
    /// For publish: when it goes public (RFC 3339, or YYYY-MM-DD; default now).
    #[serde(default)]
    pub publish_at: Option<String>,
}

fn parse_instant(field: &str, s: &str) -> Result<String, AppError> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(crate::time::to_text(ts));
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>()
        && let Ok(z) = d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
    {
        return Ok(crate::time::to_text(z.timestamp()));
    }
    Err(AppError::field(field, format!("'{s}' is not a time; use e.g. 2024-05-24T09:00:00+08:00 or 2024-05-24")))
}

/// Takes a step in the editorial chain; the step is recorded with who, when and the comment.
pub async fn take_step(conn: &mut AnyConnection, ed: &Editor, id: i64, req: &StepRequest) -> AppResult<()> {
    let (status, author_id, required, _) = head(conn, id).await?;
    let needs_translation = required.len() > 1;
    let to = req.to.as_deref().filter(|t| !t.is_empty()).map(|t| ArticleStatus::parse_field("to", t)).transpose()?;
    let target = workflow::plan(status, req.action, to, needs_translation, ed)?;
    let comment = req.comment.trim();
    if matches!(req.action, StepAction::SendBack | StepAction::Withdraw) && comment.is_empty() {
        return Err(AppError::field("comment", "say what needs to change: a comment is required to send an article back or withdraw it"));
    }
    if req.action == StepAction::Submit && status == ArticleStatus::Review && author_id.is_some() && author_id == ed.actor.id {
        return Err(AppError::Forbidden("A reviewer may not approve an article they wrote; ask another reviewer.".into()));
    }
    if (req.action == StepAction::Submit && status == ArticleStatus::Translation) || req.action == StepAction::Publish {
        let article = get_article(conn, id).await?;
        let missing = article.missing_langs();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|l| if l == "zh" { "Chinese" } else { "English" }).collect();
            return Err(AppError::field(
                "versions",
                format!(
                    "This article must appear in {} as well: the {} version needs a title and a body before it can {}.",
                    names.join(" and "),
                    names.join(" and "),
                    if req.action == StepAction::Publish { "be published" } else { "go to proofreading" }
                ),
            ));
        }
    }
    let now = now_text();
    let publish_at = match (req.action, req.publish_at.as_deref().filter(|s| !s.trim().is_empty())) {
        (StepAction::Publish, Some(at)) => Some(parse_instant("publish_at", at)?),
        (StepAction::Publish, None) => Some(now.clone()),
        _ => None,
    };
    sqlx::query(
        "INSERT INTO article_steps (article_id, action, from_status, to_status, role, user_id, actor_name, comment, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(req.action.as_str())
    .bind(status.as_str())
    .bind(target.as_str())
    .bind(workflow::owner(status).as_str())
    .bind(ed.actor.id)
    .bind(&ed.name)
    .bind(comment)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    let changed = match req.action {
        StepAction::Publish => {
            sqlx::query("UPDATE articles SET status = $1, published_at = $2, updated_at = $3 WHERE id = $4 AND status = $5")
                .bind(target.as_str())
                .bind(&publish_at)
                .bind(&now)
                .bind(id)
                .bind(status.as_str())
                .execute(&mut *conn)
                .await?
        }
        _ => {
            sqlx::query("UPDATE articles SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
                .bind(target.as_str())
                .bind(&now)
                .bind(id)
                .bind(status.as_str())
                .execute(&mut *conn)
                .await?
        }
    };
    if changed.rows_affected() != 1 {
        return Err(AppError::Conflict("the article moved on while you were deciding; reload it".into(), None));
    }
    let before = serde_json::json!({"status": status});
    let after = serde_json::json!({"status": target, "action": req.action.as_str(), "comment": comment, "published_at": publish_at});
    audit::record(conn, &ed.actor, Action::Update, "article", id, Some(&before), Some(&after)).await?;
    Ok(())
}

pub(super) async fn steps_of(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<Step>> {
    let rows = sqlx::query(
        "SELECT s.action, s.from_status, s.to_status, s.role, s.user_id, COALESCE(NULLIF(u.display_name, ''), s.actor_name), s.comment, s.at
         FROM article_steps s LEFT JOIN users u ON u.id = s.user_id WHERE s.article_id = $1 ORDER BY s.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Step {
                action: r.try_get(0)?,
                from_status: ArticleStatus::from_stored(&r.try_get::<String, _>(1)?)?,
                to_status: ArticleStatus::from_stored(&r.try_get::<String, _>(2)?)?,
                role: r.try_get(3)?,
                user_id: r.try_get(4)?,
                actor_name: r.try_get(5)?,
                comment: r.try_get(6)?,
                at: r.try_get(7)?,
            })
        })
        .collect()
}
