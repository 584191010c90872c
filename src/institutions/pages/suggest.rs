//! Suggestions as you type into a field that names an institution: partners first, then
//! directory entries, each with its country (in the UI language) and web domain. The
//! page script (`static/app.js`) shows them under the field; picking a partner fills the
//! field, picking a directory entry fills it and remembers the entry's domain, so saving
//! the form makes the entry a partner in the same step (`partner_field`). On the new
//! institution form a directory entry is promoted at once instead.

use askama::Template;
use axum::{extract::State, response::Response};
use serde::Deserialize;

use crate::{
    error::AppResult,
    institutions::directory::match_name,
    web::{AppState, context::Ctx, extract::ApiQuery, i18n::Tr, render},
};

/// Query of the suggestions.
#[derive(Debug, Default, Deserialize)]
pub struct SuggestQuery {
    #[serde(default)]
    q: String,
    /// `new`: on the new-institution form (a directory entry is promoted by its own
    /// button; a partner is opened, not picked).
    #[serde(default)]
    mode: String,
}

/// One suggestion.
pub struct Suggestion {
    name: String,
    institution_id: Option<i64>,
    domain: String,
    country: String,
}

#[derive(Template)]
#[template(path = "institutions/_suggest.html")]
struct SuggestList {
    tr: Tr,
    items: Vec<Suggestion>,
    new_form: bool,
    csrf: String,
}

/// `GET /suggest/institutions?q=…`: an HTML fragment (empty when the text is too short).
pub async fn suggest(State(state): State<AppState>, ctx: Ctx, ApiQuery(q): ApiQuery<SuggestQuery>) -> AppResult<Response> {
    let text = q.q.trim();
    let tr = Tr(ctx.locale);
    let mut items = Vec::new();
    if text.chars().count() >= 2 && text.len() <= 200 {
        for c in match_name(&state, text).await?.candidates {
            let country = c.country.as_deref().map(|code| crate::reference::country_name(code, ctx.locale.code())).unwrap_or_default();
            items.push(Suggestion { name: c.name, institution_id: c.institution_id, domain: c.domain.unwrap_or_default(), country });
        }
    }
    Ok(render(&SuggestList { tr, items, new_form: q.mode == "new", csrf: ctx.csrf.clone() }))
}
