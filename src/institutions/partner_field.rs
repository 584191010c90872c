//! Reading a partner institution from what someone typed into a form's partner field.

use super::partner_index::{PartnerCache, chosen};
use crate::{
    error::{AppResult, FieldError},
    web::AppState,
};

/// The partner institution a typed text clearly names (empty: none), else a message for
/// the `institution` field naming the candidates. Every page with a partner field reads
/// it through this one function.
pub async fn partner_from_text(state: &AppState, text: &str) -> AppResult<Result<Option<i64>, FieldError>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Ok(None));
    }
    let cands = state.service::<PartnerCache>().search(&state.db, text, 5).await?;
    if let Some(c) = chosen(&cands) {
        return Ok(Ok(c.institution_id));
    }
    let names: Vec<String> = cands.iter().take(3).map(|c| c.name.clone()).collect();
    let msg = if names.is_empty() {
        format!("No partner institution matches '{text}'. Add it first (or promote it from the directory).")
    } else {
        format!("'{text}' could mean several institutions: {}. Type more of the name, or its acronym or domain.", names.join("; "))
    };
    Ok(Err(FieldError::new("institution", msg)))
}
