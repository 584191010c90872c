//! The worldwide directory (shipped, read-only) and name matching across it and the
//! partners: search, `GET /api/v1/match`, and promoting a directory entry to a partner
//! in one step.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    matching::MatchedOn,
    model::{Institution, InstitutionFields},
    partner_index::{Candidate, chosen},
    queries,
    reference::{self, DirectoryEntry},
};
use crate::{
    audit::Actor,
    db::Db,
    error::{AppError, AppResult, Problem},
    web::{
        AppState,
        context::User,
        extract::{ApiPath, ApiQuery},
    },
};

/// A directory entry as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DirectoryItem {
    /// Main web domain (the entry's key).
    pub domain: String,
    /// Name.
    pub name: String,
    /// Other names.
    pub other_names: Vec<String>,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// ISO country code, if the domain tells it.
    pub country: Option<String>,
    /// The partner institution made from this entry, if any.
    pub institution_id: Option<i64>,
    /// Match score, when searched.
    pub score: Option<f32>,
}

fn item(e: &DirectoryEntry, score: Option<f32>) -> DirectoryItem {
    DirectoryItem {
        domain: e.domain.into(),
        name: e.name.into(),
        other_names: e.other_names.iter().map(|n| n.to_string()).collect(),
        name_zh: (!e.name_zh.is_empty()).then(|| e.name_zh.to_string()),
        country: (!e.country.is_empty()).then(|| e.country.to_string()),
        institution_id: None,
        score,
    }
}

/// Fills in which entries are partners already.
async fn mark_partners(db: &Db, items: &mut [DirectoryItem]) -> AppResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let domains: Vec<String> = items.iter().map(|i| i.domain.clone()).collect();
    for (domain, id) in super::queries::partners_by_directory_domains(db, &domains).await? {
        items.iter_mut().filter(|i| i.domain == domain).for_each(|i| i.institution_id = Some(id));
    }
    Ok(())
}

/// Search of the directory.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct DirectoryQuery {
    /// Messy name, acronym, domain or e-mail address; ranked by match score.
    pub q: Option<String>,
    /// Country code.
    pub country: Option<String>,
    /// Page (without `q`), from 1.
    pub page: Option<i64>,
    /// Items per page, 1–200 (default 50).
    pub per_page: Option<i64>,
}

/// Searches or lists the directory.
pub async fn search_directory(db: &Db, q: &DirectoryQuery) -> AppResult<(Vec<DirectoryItem>, i64)> {
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200) as usize;
    let country = q.country.as_deref().map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty());
    let in_country = |e: &DirectoryEntry| country.as_deref().is_none_or(|c| e.country == c);
    let (mut items, total) = match q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            let dir = reference::directory();
            let hits: Vec<DirectoryItem> = reference::directory_index()
                .search(text, 200)
                .into_iter()
                .filter(|h| in_country(&dir[h.entry]))
                .take(per_page)
                .map(|h| item(&dir[h.entry], Some((h.score * 1000.0).round() / 1000.0)))
                .collect();
            let n = hits.len() as i64;
            (hits, n)
        }
        None => {
            let all: Vec<&DirectoryEntry> = reference::directory().iter().filter(|e| in_country(e)).collect();
            let (page, _) = crate::web::paging::paging(q.page, None, 1, 1);
            let skip = usize::try_from(crate::web::paging::offset(page, per_page as i64)).unwrap_or(usize::MAX);
            let items = all.iter().skip(skip).take(per_page).map(|e| item(e, None)).collect();
            (items, all.len() as i64)
        }
    };
    mark_partners(db, &mut items).await?;
    Ok((items, total))
}

/// `GET /api/v1/directory`: the worldwide directory shipped with Liaison.
#[utoipa::path(get, path = "/api/v1/directory", tag = "institutions", params(DirectoryQuery),
    responses((status = 200, body = super::api::Page<DirectoryItem>)))]
pub async fn list_directory(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<DirectoryQuery>,
) -> AppResult<Json<super::api::Page<DirectoryItem>>> {
    let (items, total) = search_directory(&state.db, &q).await?;
    Ok(Json(super::api::Page {
        page: crate::web::paging::paging(q.page, None, 1, 1).0,
        per_page: q.per_page.unwrap_or(50).clamp(1, 200),
        total,
        items,
    }))
}

/// Input of the matcher.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MatchQuery {
    /// The messy name: an acronym, abbreviation, Chinese name, typo, domain or e-mail.
    pub q: String,
}

/// Ranked candidates and, only when it is safe, one chosen.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchResult {
    /// The query as given.
    pub query: String,
    /// Candidates, best first: partners and directory entries (a promoted entry
    /// appears once, as the partner).
    pub candidates: Vec<Candidate>,
    /// The candidate that is safe to pick automatically, if any.
    pub chosen: Option<Candidate>,
}

/// Matches a messy name against partners and the directory.
pub async fn match_name(state: &AppState, query: &str) -> AppResult<MatchResult> {
    let mut cands = state.service::<crate::institutions::partner_index::PartnerCache>().search(&state.db, query, 5).await?;
    let dir = reference::directory();
    for h in reference::directory_index().search(query, 5) {
        let e = &dir[h.entry];
        if cands.iter().any(|c| c.domain.as_deref() == Some(e.domain)) {
            continue;
        }
        cands.push(Candidate {
            source: "directory".into(),
            institution_id: None,
            domain: Some(e.domain.into()),
            name: e.name.into(),
            country: (!e.country.is_empty()).then(|| e.country.to_string()),
            score: (h.score * 1000.0).round() / 1000.0,
            matched_on: h.on,
        });
    }
    // Partners first on equal scores: the office's own record beats the directory's.
    cands.sort_by(|a, b| b.score.total_cmp(&a.score).then((a.source != "partner").cmp(&(b.source != "partner"))));
    // A directory entry that is the same institution as a partner candidate (same
    // name) is one candidate, not two rivals.
    let mut merged: Vec<Candidate> = Vec::new();
    for c in cands {
        if c.source == "directory" && merged.iter().any(|m| m.source == "partner" && m.name.eq_ignore_ascii_case(&c.name)) {
            continue;
        }
        merged.push(c);
    }
    merged.truncate(8);
    let pick = chosen(&merged).cloned();
    Ok(MatchResult { query: query.to_string(), candidates: merged, chosen: pick })
}

/// `GET /api/v1/match?q=…`: ranked candidates with scores; `chosen` only when safe.
#[utoipa::path(get, path = "/api/v1/match", tag = "institutions", params(MatchQuery),
    responses((status = 200, body = MatchResult), (status = 422, body = Problem)))]
pub async fn match_institution(State(state): State<AppState>, ApiQuery(q): ApiQuery<MatchQuery>) -> AppResult<Json<MatchResult>> {
    if q.q.trim().is_empty() || q.q.len() > 500 {
        return Err(AppError::field("q", "give a name, acronym, domain or e-mail address (at most 500 characters)"));
    }
    Ok(Json(match_name(&state, &q.q).await?))
}

/// Options when promoting a directory entry.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Promote {
    /// Country code, required when the entry's domain does not tell it.
    #[serde(default)]
    pub country: Option<String>,
    /// Create even if a partner with a matching name exists.
    #[serde(default)]
    pub force: Option<bool>,
}

/// Makes a partner institution from a directory entry (once).
pub async fn promote(state: &AppState, actor: &Actor, domain: &str, opts: Promote) -> AppResult<Institution> {
    let e = reference::directory_entry(domain).ok_or(AppError::NotFound)?;
    let existing = super::queries::partner_by_directory_domain(&state.db, domain).await?;
    if let Some(id) = existing {
        return Err(AppError::Conflict(
            format!("{} is already partner #{id}.", e.name),
            Some(serde_json::json!([{ "institution_id": id, "name": e.name }])),
        ));
    }
    let country = opts.country.clone().filter(|c| !c.trim().is_empty()).unwrap_or_else(|| e.country.to_string());
    let input = super::model::InstitutionInput {
        name_en: Some(e.name.into()),
        name_zh: Some(e.name_zh.into()),
        country: Some(country),
        website: Some(format!("https://{}", e.domain)),
        schac_code: Some(e.domain.into()),
        force: opts.force,
        ..Default::default()
    };
    let fields = InstitutionFields::parse(input, None)?;
    if !opts.force.unwrap_or(false) {
        let cands = state.service::<crate::institutions::partner_index::PartnerCache>().search(&state.db, &fields.name_en, 5).await?;
        if let Some(c) = chosen(&cands) {
            return Err(AppError::Conflict(
                format!(
                    "This looks like {} (#{}), already a partner. Merge them, or send \"force\": true.",
                    c.name,
                    c.institution_id.unwrap_or_default()
                ),
                Some(serde_json::to_value(&cands).unwrap_or_default()),
            ));
        }
    }
    let mut tx = state.db.begin().await?;
    let id = queries::insert_institution_from(&mut tx, actor, &fields, false, Some(domain)).await?;
    queries::add_partnership_event(&mut tx, id, "prospective", &crate::time::now_text()[..10], Some("promoted from the directory")).await?;
    let inst = queries::get_institution(&mut tx, id).await?;
    tx.commit().await?;
    Ok(inst)
}

/// `POST /api/v1/directory/{domain}/promote`: makes a partner institution (status
/// prospective) from a directory entry; a second promotion answers 409.
#[utoipa::path(post, path = "/api/v1/directory/{domain}/promote", tag = "institutions", request_body = Promote, params(("domain" = String, Path, description = "The entry's domain")),
    responses((status = 201, body = Institution), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn promote_entry(
    State(state): State<AppState>,
    User(user): User,
    ApiPath(domain): ApiPath<String>,
    body: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<Institution>)> {
    // The body is optional: an empty one means the defaults.
    let opts: Promote = if body.iter().all(u8::is_ascii_whitespace) {
        Promote::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest(format!("The body is not valid JSON options: {e}")))?
    };
    Ok((StatusCode::CREATED, Json(promote(&state, &Actor::from(&*user), &domain, opts).await?)))
}

/// What the UI shows for "matched on".
pub fn matched_label(on: MatchedOn) -> &'static str {
    match on {
        MatchedOn::Domain => "domain",
        MatchedOn::Acronym => "acronym",
        MatchedOn::Name => "name",
        MatchedOn::Chinese => "Chinese name",
    }
}
