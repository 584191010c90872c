//! Reading a partner institution from what someone typed into a form's partner field.

use super::partner_index::{PartnerCache, chosen};
use crate::{
    audit::Actor,
    error::{AppError, AppResult, FieldError},
    web::AppState,
};

/// The partner a form's institution field names: when a directory entry was picked from
/// the suggestions (its domain posted as `<field>_domain`), that entry — made a partner
/// now if it is not one yet; otherwise what the typed text clearly names
/// ([`partner_from_text`]).
pub async fn partner_from_form(state: &AppState, actor: &Actor, text: &str, domain: &str) -> AppResult<Result<Option<i64>, FieldError>> {
    let domain = domain.trim();
    if !domain.is_empty() && !text.trim().is_empty() && super::reference::directory_entry(domain).is_some() {
        if let Some(id) = super::queries::partner_by_directory_domain(&state.db, domain).await? {
            return Ok(Ok(Some(id)));
        }
        match super::directory::promote(state, actor, domain, Default::default()).await {
            Ok(inst) => return Ok(Ok(Some(inst.id))),
            // The entry looks like a partner already recorded under another name: that one.
            Err(AppError::Conflict(_, Some(cands))) => {
                let id = cands.as_array().and_then(|c| c.first()).and_then(|c| c["institution_id"].as_i64());
                if let Some(id) = id {
                    return Ok(Ok(Some(id)));
                }
            }
            Err(AppError::Conflict(..)) => {}
            Err(e) => return Err(e),
        }
    }
    partner_from_text(state, text).await
}

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
        format!(
            "No partner institution matches '{text}'. Pick one of the suggestions under the field (a directory entry becomes a partner when you save), or add the institution first."
        )
    } else {
        format!("'{text}' could mean several institutions: {}. Type more of the name, or its acronym or domain.", names.join("; "))
    };
    Ok(Err(FieldError::new("institution", msg)))
}
