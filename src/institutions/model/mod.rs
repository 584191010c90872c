//! Institutions, units, people and positions: the types and their parsing rules. This
//! file holds the institution; `people` the units, people and positions.

mod people;

pub use people::*;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, FieldError};

crate::status_machine! {
    /// A partnership's status. Its history is a list of dated events, recorded in any
    /// order (a late entry may be back-dated), so any status may follow any other.
    pub enum PartnershipStatus {
        /// Talks, no agreement yet.
        Prospective = "prospective" => [Active, Suspended, Ended],
        /// Working together.
        Active = "active" => [Prospective, Suspended, Ended],
        /// Paused.
        Suspended = "suspended" => [Prospective, Active, Ended],
        /// Over.
        Ended = "ended" => [Prospective, Active, Suspended],
    }
}

/// Kinds of institution.
pub const KINDS: [&str; 7] = ["university", "college", "institute", "school", "government", "company", "other"];

/// An institution as the API and pages show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Institution {
    /// Id.
    pub id: i64,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// Name in the local language.
    pub name_local: Option<String>,
    /// Acronym, e.g. IUKL.
    pub acronym: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// City.
    pub city: Option<String>,
    /// Website URL.
    pub website: Option<String>,
    /// One of university, college, institute, school, government, company, other.
    pub kind: String,
    /// The office's own institution.
    pub is_home: bool,
    /// Latest partnership status.
    #[schema(value_type = Option<PartnershipStatus>)]
    pub partnership_status: Option<String>,
    /// First date the partnership became active.
    pub partner_since: Option<String>,
    /// Known strengths, as tags.
    pub strengths: Vec<String>,
    /// SCHAC home-organisation code (a domain name).
    pub schac_code: Option<String>,
    /// ROR id, e.g. 05dxps055.
    pub ror_id: Option<String>,
    /// Erasmus code, e.g. "D  BERLIN01".
    pub erasmus_code: Option<String>,
    /// Listed on the public partners page.
    pub is_public: bool,
    /// The worldwide-directory entry (by domain) this institution was promoted from.
    pub directory_domain: Option<String>,
    /// Set when merged into another institution (this record then only points there).
    pub merged_into: Option<i64>,
    /// Created (UTC).
    pub created_at: String,
    /// Last changed (UTC).
    pub updated_at: String,
    /// Increases with every change; send it back to update safely.
    pub version: i64,
}

/// Row shape (booleans are 0/1 integers in the store).
#[derive(sqlx::FromRow)]
pub struct InstitutionRow {
    id: i64,
    name_en: String,
    name_zh: Option<String>,
    name_local: Option<String>,
    acronym: Option<String>,
    country: String,
    city: Option<String>,
    website: Option<String>,
    kind: String,
    is_home: i64,
    partnership_status: Option<String>,
    partner_since: Option<String>,
    schac_code: Option<String>,
    ror_id: Option<String>,
    erasmus_code: Option<String>,
    is_public: i64,
    directory_domain: Option<String>,
    merged_into: Option<i64>,
    created_at: String,
    updated_at: String,
    version: i64,
}

impl From<InstitutionRow> for Institution {
    fn from(r: InstitutionRow) -> Self {
        Institution {
            id: r.id,
            name_en: r.name_en,
            name_zh: r.name_zh,
            name_local: r.name_local,
            acronym: r.acronym,
            country: r.country,
            city: r.city,
            website: r.website,
            kind: r.kind,
            is_home: r.is_home == 1,
            partnership_status: r.partnership_status,
            partner_since: r.partner_since,
            strengths: Vec::new(),
            schac_code: r.schac_code,
            ror_id: r.ror_id,
            erasmus_code: r.erasmus_code,
            is_public: r.is_public == 1,
            directory_domain: r.directory_domain,
            merged_into: r.merged_into,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

impl Institution {
    /// The name to show in a language, falling back to English.
    pub fn display_name(&self, zh: bool) -> &str {
        match (&self.name_zh, zh) {
            (Some(n), true) if !n.is_empty() => n,
            _ => &self.name_en,
        }
    }
}

/// Input for creating or (merged with the current record) updating an institution.
/// For optional fields, an empty string clears the value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct InstitutionInput {
    /// English name (required on create).
    #[serde(default)]
    pub name_en: Option<String>,
    /// Chinese name.
    #[serde(default)]
    pub name_zh: Option<String>,
    /// Local-language name.
    #[serde(default)]
    pub name_local: Option<String>,
    /// Acronym.
    #[serde(default)]
    pub acronym: Option<String>,
    /// ISO 3166-1 alpha-2 country code (required on create).
    #[serde(default)]
    pub country: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// Website (http:// or https://).
    #[serde(default)]
    pub website: Option<String>,
    /// Kind (default university).
    #[serde(default)]
    pub kind: Option<String>,
    /// SCHAC home-organisation code.
    #[serde(default)]
    pub schac_code: Option<String>,
    /// ROR id (or ror.org URL).
    #[serde(default)]
    pub ror_id: Option<String>,
    /// Erasmus code.
    #[serde(default)]
    pub erasmus_code: Option<String>,
    /// List on the public partners page.
    #[serde(default)]
    pub is_public: Option<bool>,
    /// Strength tags, replacing the current ones.
    #[serde(default)]
    pub strengths: Option<Vec<String>>,
    /// On create: store it even if it looks like an existing institution (which
    /// otherwise answers 409 with the candidates).
    #[serde(default)]
    pub force: Option<bool>,
    /// On update: the version you read; a mismatch answers 409 instead of overwriting.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Validated institution fields, ready to store.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InstitutionFields {
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// Local name.
    pub name_local: Option<String>,
    /// Acronym.
    pub acronym: Option<String>,
    /// Country code.
    pub country: String,
    /// City.
    pub city: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Kind.
    pub kind: String,
    /// SCHAC code.
    pub schac_code: Option<String>,
    /// ROR id.
    pub ror_id: Option<String>,
    /// Erasmus code.
    pub erasmus_code: Option<String>,
    /// Public.
    pub is_public: bool,
    /// Strength tags, lower-case, sorted.
    pub strengths: Vec<String>,
}

pub(super) fn opt(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Lower-cases, trims, de-duplicates and sorts tags; empty ones are dropped.
pub fn clean_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = tags.iter().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty() && t.len() <= 80).collect();
    out.sort();
    out.dedup();
    out
}

/// Checks an ISO 3166-1 alpha-2 code's form and returns it upper-cased.
pub fn parse_country(text: &str) -> Result<String, String> {
    let c = text.trim().to_ascii_uppercase();
    if c.len() == 2 && super::reference::country(&c).is_some() {
        Ok(c)
    } else if let Some(country) = super::reference::country_by_name(text) {
        Ok(country.code.to_string())
    } else {
        Err(format!("'{}' is not a two-letter ISO 3166-1 country code such as MY or CN", text.trim()))
    }
}

impl InstitutionFields {
    /// Validates input; on update `current` supplies the fields the input leaves out.
    pub fn parse(input: InstitutionInput, current: Option<&InstitutionFields>) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let keep = |new: Option<String>, old: Option<&Option<String>>| match (new, old) {
            (None, Some(old)) => old.clone(),
            (new, _) => opt(new),
        };
        let name_en =
            opt(input.name_en.clone()).or_else(|| if input.name_en.is_none() { current.map(|c| c.name_en.clone()) } else { None });
        let name_en = match name_en {
            Some(n) if n.chars().count() <= 300 => n,
            Some(_) => {
                errors.push(FieldError::new("name_en", "use at most 300 characters"));
                String::new()
            }
            None => {
                errors.push(FieldError::new("name_en", "the English name is required"));
                String::new()
            }
        };
        let country = match input.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => parse_country(c).unwrap_or_else(|m| {
                errors.push(FieldError::new("country", m));
                String::new()
            }),
            None => match current {
                Some(cur) if input.country.is_none() => cur.country.clone(),
                _ => {
                    errors.push(FieldError::new("country", "the country is required (two-letter code such as MY)"));
                    String::new()
                }
            },
        };
        let acronym = keep(input.acronym, current.map(|c| &c.acronym));
        if acronym.as_ref().is_some_and(|a| a.len() > 20 || a.contains(char::is_whitespace)) {
            errors.push(FieldError::new("acronym", "an acronym has no spaces and at most 20 characters"));
        }
        let website = keep(input.website, current.map(|c| &c.website));
        if website
            .as_ref()
            .is_some_and(|w| !(w.starts_with("http://") || w.starts_with("https://")) || w.contains(char::is_whitespace) || w.len() > 300)
        {
            errors.push(FieldError::new("website", "give a full address starting with https:// or http://"));
        }
        let kind = opt(input.kind).or_else(|| current.map(|c| c.kind.clone())).unwrap_or_else(|| "university".into());
        if !KINDS.contains(&kind.as_str()) {
            errors.push(FieldError::new("kind", format!("use one of {}", KINDS.join(", "))));
        }
        let mut ident = |field: &str, new: Option<String>, old: Option<&Option<String>>, parse: fn(&str) -> Result<String, String>| {
            keep(new, old).and_then(|v| parse(&v).map_err(|m| errors.push(FieldError::new(field, m))).ok())
        };
        let schac_code = ident("schac_code", input.schac_code, current.map(|c| &c.schac_code), super::identifiers::parse_schac);
        let ror_id = ident("ror_id", input.ror_id, current.map(|c| &c.ror_id), super::identifiers::parse_ror);
        let erasmus_code = ident("erasmus_code", input.erasmus_code, current.map(|c| &c.erasmus_code), super::identifiers::parse_erasmus);
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(InstitutionFields {
            schac_code,
            ror_id,
            erasmus_code,
            is_public: input.is_public.or(current.map(|c| c.is_public)).unwrap_or(false),
            strengths: match input.strengths {
                Some(tags) => clean_tags(&tags),
                None => current.map(|c| c.strengths.clone()).unwrap_or_default(),
            },
            name_en,
            name_zh: keep(input.name_zh, current.map(|c| &c.name_zh)),
            name_local: keep(input.name_local, current.map(|c| &c.name_local)),
            acronym,
            country,
            city: keep(input.city, current.map(|c| &c.city)),
            website,
            kind,
        })
    }
}

impl From<&Institution> for InstitutionFields {
    fn from(i: &Institution) -> Self {
        InstitutionFields {
            name_en: i.name_en.clone(),
            name_zh: i.name_zh.clone(),
            name_local: i.name_local.clone(),
            acronym: i.acronym.clone(),
            country: i.country.clone(),
            city: i.city.clone(),
            website: i.website.clone(),
            kind: i.kind.clone(),
            schac_code: i.schac_code.clone(),
            ror_id: i.ror_id.clone(),
            erasmus_code: i.erasmus_code.clone(),
            is_public: i.is_public,
            strengths: i.strengths.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
