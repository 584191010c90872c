//! `/agreements/expiring`: the expiring agreements as a table, with the window and unit
//! filters, and the link to the reader's own expiry calendar.

use askama::Template;
use axum::{extract::State, response::Response};

use super::{
    model::{ExpiringAgreement, ExpiryQueryParams, Window},
    queries,
};
use crate::{
    error::{AppError, AppResult},
    feeds::FeedKind,
    web::{AppState, context::Ctx, extract::ApiQuery, pages::Base, render},
};

#[derive(Template)]
#[template(path = "expiry/list.html")]
struct ListPage {
    base: Base,
    items: Vec<ExpiringAgreement>,
    units: Vec<(i64, String)>,
    days: String,
    unit_id: Option<i64>,
    until: String,
    error: Option<String>,
    feed: Option<String>,
    feed_kind: &'static str,
    feed_subject: i64,
}

impl ListPage {
    /// True if the list is filtered by this unit.
    fn is_unit(&self, id: &i64) -> bool {
        self.unit_id == Some(*id)
    }

    /// Translated agreement kind.
    fn t_kind(&self, kind: &str) -> String {
        self.base.t(&format!("expiry.kind.{kind}")).to_string()
    }
}

/// `GET /agreements/expiring?days=&unit_id=`.
pub async fn list(State(state): State<AppState>, ctx: Ctx, ApiQuery(q): ApiQuery<ExpiryQueryParams>) -> AppResult<Response> {
    let base = Base::new(&ctx, crate::web::i18n::Tr(ctx.locale).t("expiry.title"), "agreements");
    let lang = base.tr.locale().code();
    let today = super::today();
    // A bad filter value shows the default window with the message, not an error page.
    let (w, error) = match Window::parse(&q, today) {
        Ok(w) => (w, None),
        Err(AppError::Validation(errors)) => (
            Window::parse(&ExpiryQueryParams::default(), today)?,
            Some(base.tr.field_errors(errors).into_iter().map(|e| e.message).collect::<Vec<_>>().join("; ")),
        ),
        Err(e) => return Err(e),
    };
    let mut conn = state.db.pool.acquire().await?;
    let items = queries::expiring(&mut conn, &w, lang).await?;
    let units = queries::home_units(&mut conn, lang).await?;
    let me = ctx.user.as_ref().map(|u| u.id).unwrap_or_default();
    let feed = crate::feeds::feed_path(&mut conn, FeedKind::Expiry, me).await?;
    let days = if error.is_some() { q.days.clone().unwrap_or_default() } else { w.days.to_string() };
    Ok(render(&ListPage {
        base,
        items,
        units,
        days,
        unit_id: w.unit_id,
        until: w.last().to_string(),
        error,
        feed,
        feed_kind: "expiry",
        feed_subject: me,
    }))
}
