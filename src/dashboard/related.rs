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
    let q = super::queries::related_of(&mut conn, id).await?;
    let groups = vec![
        Group {
            key: "related.visits",
            prefix: "visits.status",
            total: q.visits.0,
            all: format!("/visits?institution_id={id}"),
            items: q.visits.1,
        },
        Group {
            key: "related.agreements",
            prefix: "agreements.status",
            total: q.agreements.0,
            all: format!("/agreements?institution_id={id}"),
            items: q.agreements.1,
        },
        Group { key: "related.programmes", prefix: "programmes.pstatus", total: q.programmes.0, all: String::new(), items: q.programmes.1 },
        Group { key: "related.mobilities", prefix: "programmes.mstatus", total: q.mobilities.0, all: String::new(), items: q.mobilities.1 },
        Group { key: "related.articles", prefix: "news.status", total: q.articles.0, all: String::new(), items: q.articles.1 },
    ];
    Ok(render(&Related { tr: Tr(ctx.locale), groups }))
}
