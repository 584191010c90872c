//! The matcher's view of the partner institutions in the database, cached per process
//! and rebuilt whenever the table has changed. The check is one cheap query per use,
//! so every instance sees every other instance's changes: the cache is derived state,
//! never a second source of truth.

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::RwLock;
use utoipa::ToSchema;

use super::{
    matching::{self, Index, MatchedOn},
    queries, transfer,
};
use crate::{db::Db, error::AppResult};

/// (rows, newest change, highest id): changes whenever institutions change.
type Stamp = queries::InstitutionsStamp;

/// The index with (id, name) of each entry, shared by the requests that use it.
type Shared = Arc<(Index, Vec<(i64, String)>)>;

/// Cached index of partner institutions.
#[derive(Default)]
pub struct PartnerCache {
    inner: RwLock<Option<(Stamp, Shared)>>,
}

/// A candidate institution for a messy name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    /// `partner` (a record in Liaison) or `directory` (the shipped worldwide directory).
    pub source: String,
    /// The institution's id, for partners.
    pub institution_id: Option<i64>,
    /// The directory entry's domain, for directory candidates (and partners promoted from one).
    pub domain: Option<String>,
    /// Name.
    pub name: String,
    /// Country code, when known.
    pub country: Option<String>,
    /// 0.0–1.0.
    pub score: f32,
    /// What matched.
    pub matched_on: MatchedOn,
}

impl PartnerCache {
    async fn current(&self, db: &Db) -> AppResult<Arc<(Index, Vec<(i64, String)>)>> {
        let stamp = queries::institutions_stamp(db).await?;
        if let Some((s, idx)) = self.inner.read().await.as_ref()
            && *s == stamp
        {
            return Ok(idx.clone());
        }
        // One rebuild at a time: requests that queued behind it find it fresh.
        let mut slot = self.inner.write().await;
        if let Some((s, idx)) = slot.as_ref()
            && *s == stamp
        {
            return Ok(idx.clone());
        }
        let built = Arc::new(transfer::partner_index(db).await?);
        *slot = Some((stamp, built.clone()));
        Ok(built)
    }

    /// Ranked partner candidates for a name.
    pub async fn search(&self, db: &Db, query: &str, limit: usize) -> AppResult<Vec<Candidate>> {
        let idx = self.current(db).await?;
        let (index, ids) = &*idx;
        Ok(index
            .search(query, limit)
            .into_iter()
            .map(|h| Candidate {
                source: "partner".into(),
                institution_id: Some(ids[h.entry].0),
                domain: index.entries()[h.entry].domains.first().cloned(),
                name: ids[h.entry].1.clone(),
                country: None,
                score: (h.score * 1000.0).round() / 1000.0,
                matched_on: h.on,
            })
            .collect())
    }
}

impl PartnerCache {
    /// Ids of the partner institutions a search box text finds, best first (for lists).
    pub async fn matching_ids(&self, db: &Db, text: &str) -> AppResult<Vec<i64>> {
        let idx = self.current(db).await?;
        let (index, ids) = &*idx;
        Ok(index.search_prefix(text, 2000).into_iter().map(|h| ids[h.entry].0).collect())
    }
}

/// The candidate safe to choose, by the matcher's rule (score and margin).
pub fn chosen(cands: &[Candidate]) -> Option<&Candidate> {
    let top = cands.first()?;
    let second = cands.get(1).map(|c| c.score).unwrap_or(0.0);
    (top.score >= matching::CHOOSE_SCORE && top.score - second >= matching::CHOOSE_MARGIN).then_some(top)
}
