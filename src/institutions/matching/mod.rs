//! Matching messy institution names — acronyms ("IUKL"), abbreviations ("Infrastructure
//! Univ. KL"), typos, other word orders, Chinese names, web domains and e-mail
//! addresses — against a set of known institutions.
//!
//! Like ROR's affiliation matching, it returns ranked candidates with scores and names a
//! single `chosen` candidate only when that is safe: a high score and a clear margin over
//! the runner-up. Names are normalised (case, accents, punctuation, abbreviations,
//! stop words) into tokens weighted by rarity (IDF); a name scores by weighted Dice
//! overlap with the query, with one-edit typos accepted at a discount. Candidates come
//! from the postings of the query's rarer tokens, so a query touches a few hundred names,
//! not all of them.

mod index;
mod text;

pub use index::Index;
pub use text::{acronym_of, host_of, tokens, words};

use serde::Serialize;
use utoipa::ToSchema;

/// One institution as the matcher sees it.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// Caller's key (directory row or institution id).
    pub key: u64,
    /// Names (the first is the main one).
    pub names: Vec<String>,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// Acronyms known for it (besides the ones derived from its names).
    pub acronyms: Vec<String>,
    /// Web domains.
    pub domains: Vec<String>,
}

/// How a candidate matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchedOn {
    /// Web domain or e-mail address.
    Domain,
    /// Acronym.
    Acronym,
    /// Name tokens.
    Name,
    /// Chinese name.
    Chinese,
}

/// One ranked candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index into the entries the index was built from.
    pub entry: usize,
    /// 0.0–1.0.
    pub score: f32,
    /// What matched.
    pub on: MatchedOn,
}

/// Score a top candidate needs to be chosen…
pub const CHOOSE_SCORE: f32 = 0.86;
/// …and its lead over the second.
pub const CHOOSE_MARGIN: f32 = 0.12;

/// The candidate that is safe to choose, if any.
pub fn chosen(hits: &[Hit]) -> Option<&Hit> {
    let top = hits.first()?;
    let second = hits.get(1).map(|h| h.score).unwrap_or(0.0);
    (top.score >= CHOOSE_SCORE && top.score - second >= CHOOSE_MARGIN).then_some(top)
}

#[cfg(test)]
mod tests;
