//! What an institution's page links to: its visits, agreements, programmes, mobilities
//! and news. The institution page sits in the lowest domain module and may not read the
//! modules above it, so this fragment is served from here and loaded into the page (with
//! plain links to the filtered lists for browsers without script).

use askama::Template;
use axum::{extract::State, response::Response};

use crate::{
    error::AppResult,
    web::{AppState, context::Ctx, extract::ApiPath, i18n::Tr, render},
};

/// One linked record: (link, label, detail line, status word for a pill).
pub type Linked = (String, String, String, String);

/// A group of linked records with how many there are and the list that shows them all.
pub struct Group {
    key: &'static str,
    /// The locale prefix of the status words.
    prefix: &'static str,
    total: i64,
    all: String,
    items: Vec<Linked>,
}

#[derive(Template)]
#[template(path = "institutions/_related.html")]
struct Related {
    tr: Tr,
    groups: Vec<Group>,
}

impl Related {
    fn status(&self, prefix: &str, s: &str) -> String {
        if s.is_empty() { String::new() } else { self.tr.t(&format!("{prefix}.{s}")).to_string() }
    }
}

/// `GET /institutions/{id}/related`: an HTML fragment.
pub async fn related(State(state): State<AppState>, ctx: Ctx, ApiPath(id): ApiPath<i64>) -> AppResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let kinds = [
        ("related.visits", "visits.status", format!("/visits?institution_id={id}")),
        ("related.agreements", "agreements.status", format!("/agreements?institution_id={id}")),
        ("related.programmes", "programmes.pstatus", String::new()),
        ("related.mobilities", "programmes.mstatus", String::new()),
        ("related.articles", "news.status", String::new()),
    ];
    let found = super::queries::related_of(&mut conn, id).await?;
    let groups =
        kinds.into_iter().zip(found).map(|((key, prefix, all), (total, items))| Group { key, prefix, total, all, items }).collect();
    Ok(render(&Related { tr: Tr(ctx.locale), groups }))
}
