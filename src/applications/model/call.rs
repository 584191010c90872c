//! Calls for applications: what the office sends (`NewCall`), what is stored and shown
//! (`Call`, `CallPartner`), the scoring criteria, and the checks on a new call that need
//! no database.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{DOCUMENT_KINDS, LEVELS, parse_gpa};
use crate::error::FieldError;

/// One scoring criterion with its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Criterion {
    /// Key, e.g. `academic`.
    pub key: String,
    /// Name in English.
    pub en: String,
    /// Name in Chinese.
    #[serde(default)]
    pub zh: String,
    /// Weight (1–100); scores are combined in proportion to the weights.
    pub weight: i64,
}

/// A partner offered in a new call; places default from the programme's quota.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewCallPartner {
    /// The partner institution.
    pub institution_id: i64,
    /// The programme the places belong to (default: the call's).
    pub programme_id: Option<i64>,
    /// Places (default: the programme's quota for the year and direction).
    pub places: Option<i64>,
    /// Where nominations go (the partner's coordinator).
    pub coordinator_email: Option<String>,
}

/// A new call.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewCall {
    /// The programme (its agreement's partners are the default partners).
    pub programme_id: i64,
    /// E.g. `2025-2026`.
    pub academic_year: String,
    /// `outbound` (our students apply) or `inbound` (partners nominate theirs).
    #[serde(default = "outbound")]
    pub direction: String,
    /// Title in English.
    pub title_en: String,
    /// Title in Chinese.
    #[serde(default)]
    pub title_zh: String,
    /// Text in English.
    #[serde(default)]
    pub description_en: String,
    /// Text in Chinese.
    #[serde(default)]
    pub description_zh: String,
    /// Opening time: RFC 3339 with an offset, or a date-time without one, read in the
    /// office's time zone (Asia/Shanghai).
    pub opens_at: String,
    /// Closing time, the same way; nothing can be changed after it.
    pub closes_at: String,
    /// How many partners a student may rank (1–10, default 3).
    pub max_choices: Option<i64>,
    /// Required level: undergraduate, master or doctoral (none: any).
    pub level: Option<String>,
    /// Lowest GPA, e.g. `3.0`.
    pub min_gpa: Option<String>,
    /// Whether a language certificate is required.
    #[serde(default)]
    pub language_certificate: bool,
    /// Documents to upload (transcript, language_certificate, passport, motivation_letter,
    /// recommendation, cv).
    #[serde(default)]
    pub required_documents: Vec<String>,
    /// Scoring criteria (default: academic 60, motivation 40).
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    /// How reviewers' scores combine: mean (default) or median.
    pub scoring_rule: Option<String>,
    /// Days a student has to answer an offer (default 7).
    pub response_days: Option<i64>,
    /// First day of the mobility.
    pub mobility_start: String,
    /// Last day of the mobility.
    pub mobility_end: String,
    /// Partners and places (default: the programme agreement's partners).
    #[serde(default)]
    pub partners: Vec<NewCallPartner>,
}

fn outbound() -> String {
    "outbound".into()
}

/// A partner of a call with its places.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CallPartner {
    /// Id of the call's partner row (what choices name).
    pub id: i64,
    /// The institution.
    pub institution_id: i64,
    /// Its name.
    pub name: String,
    /// Its Chinese name, if known.
    pub name_zh: Option<String>,
    /// The programme of the places.
    pub programme_id: i64,
    /// Places offered.
    pub places: i64,
    /// The partner's coordinator address for nominations.
    pub coordinator_email: Option<String>,
}

/// A call as stored and shown.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Call {
    /// Id.
    pub id: i64,
    /// Programme.
    pub programme_id: i64,
    /// Academic year.
    pub academic_year: String,
    /// outbound or inbound.
    pub direction: String,
    /// Title in English.
    pub title_en: String,
    /// Title in Chinese.
    pub title_zh: String,
    /// Text in English.
    pub description_en: String,
    /// Text in Chinese.
    pub description_zh: String,
    /// Opening instant (UTC).
    pub opens_at: String,
    /// Closing instant (UTC).
    pub closes_at: String,
    /// Partners a student may rank.
    pub max_choices: i64,
    /// Required level ('' = any).
    pub level: String,
    /// Lowest GPA in hundredths.
    pub min_gpa_x100: Option<i64>,
    /// Language certificate required (0/1).
    pub language_certificate: i64,
    /// JSON list of required documents.
    #[serde(skip)]
    pub required_documents_json: String,
    /// JSON list of criteria.
    #[serde(skip)]
    pub criteria_json: String,
    /// mean or median.
    pub scoring_rule: String,
    /// Days to answer an offer.
    pub response_days: i64,
    /// Mobility's first day.
    pub mobility_start: String,
    /// Mobility's last day.
    pub mobility_end: String,
    /// When the allocation last ran.
    pub allocated_at: Option<String>,
    /// When results were published to students.
    pub published_at: Option<String>,
    /// Created.
    pub created_at: String,
}

impl Call {
    /// Required documents.
    pub fn required_documents(&self) -> Vec<String> {
        serde_json::from_str(&self.required_documents_json).unwrap_or_default()
    }

    /// Scoring criteria.
    pub fn criteria(&self) -> Vec<Criterion> {
        serde_json::from_str(&self.criteria_json).unwrap_or_default()
    }

    /// Open at `now` (UTC text): opened and not yet closed.
    pub fn is_open_at(&self, now: &str) -> bool {
        self.opens_at.as_str() <= now && now < self.closes_at.as_str()
    }

    /// `upcoming`, `open` or `closed` at `now`.
    pub fn phase(&self, now: &str) -> &'static str {
        if now < self.opens_at.as_str() {
            "upcoming"
        } else if now < self.closes_at.as_str() {
            "open"
        } else {
            "closed"
        }
    }

    /// The title in a language (the English one when there is no Chinese).
    pub fn title(&self, zh: bool) -> &str {
        if zh && !self.title_zh.is_empty() { &self.title_zh } else { &self.title_en }
    }

    /// The text in a language.
    pub fn description(&self, zh: bool) -> &str {
        if zh && !self.description_zh.is_empty() { &self.description_zh } else { &self.description_en }
    }
}

/// A call with its partners, as the API answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallDetail {
    /// The call.
    #[serde(flatten)]
    pub call: Call,
    /// `upcoming`, `open` or `closed` now.
    pub phase: String,
    /// Required documents.
    pub required_documents: Vec<String>,
    /// Scoring criteria.
    pub criteria: Vec<Criterion>,
    /// Partners and places.
    pub partners: Vec<CallPartner>,
}

/// The default criteria: academic record 60, motivation 40.
pub fn default_criteria() -> Vec<Criterion> {
    vec![
        Criterion { key: "academic".into(), en: "Academic record".into(), zh: "学业成绩".into(), weight: 60 },
        Criterion { key: "motivation".into(), en: "Motivation".into(), zh: "动机".into(), weight: 40 },
    ]
}

/// Checks the fields of a new call that need no lookup; answers the checked level, GPA,
/// rule and criteria.
pub fn check_call_fields(c: &NewCall, errors: &mut Vec<FieldError>) -> (String, Option<i64>, String, Vec<Criterion>) {
    if c.title_en.trim().is_empty() {
        errors.push(FieldError::new("title_en", "give the call a title"));
    }
    if !["inbound", "outbound"].contains(&c.direction.as_str()) {
        errors.push(FieldError::new("direction", "use inbound (they come to us) or outbound (we send them)"));
    }
    if c.max_choices.is_some_and(|n| !(1..=10).contains(&n)) {
        errors.push(FieldError::new("max_choices", "a student may rank from 1 to 10 partners"));
    }
    if c.response_days.is_some_and(|n| !(1..=60).contains(&n)) {
        errors.push(FieldError::new("response_days", "give 1 to 60 days to answer an offer"));
    }
    let level = c.level.clone().unwrap_or_default().trim().to_string();
    if !level.is_empty() && !LEVELS.contains(&level.as_str()) {
        errors.push(FieldError::new("level", "use undergraduate, master or doctoral"));
    }
    let gpa = match c.min_gpa.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        Some(g) => parse_gpa(g).map_err(|e| errors.push(FieldError::new("min_gpa", e))).ok(),
        None => None,
    };
    for (i, d) in c.required_documents.iter().enumerate() {
        if !DOCUMENT_KINDS.contains(&d.as_str()) {
            errors.push(FieldError::new(format!("required_documents[{i}]"), format!("use one of {}", DOCUMENT_KINDS.join(", "))));
        }
    }
    let rule = c.scoring_rule.clone().unwrap_or_else(|| "mean".into());
    if !["mean", "median"].contains(&rule.as_str()) {
        errors.push(FieldError::new("scoring_rule", "use mean or median"));
    }
    let criteria = if c.criteria.is_empty() { default_criteria() } else { c.criteria.clone() };
    for (i, k) in criteria.iter().enumerate() {
        let key_ok = !k.key.is_empty() && k.key.len() <= 40 && k.key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if !key_ok || criteria.iter().filter(|o| o.key == k.key).count() > 1 {
            errors.push(FieldError::new(format!("criteria[{i}].key"), "use a unique key of lower-case letters and _"));
        }
        if !(1..=100).contains(&k.weight) {
            errors.push(FieldError::new(format!("criteria[{i}].weight"), "a weight is from 1 to 100"));
        }
        if k.en.trim().is_empty() {
            errors.push(FieldError::new(format!("criteria[{i}].en"), "name the criterion"));
        }
    }
    (level, gpa, rule, criteria)
}

/// Reads a call's opening or closing time: RFC 3339 with an offset, or a local
/// date-time (`2025-03-01T09:00` or `2025-03-01 09:00`) in the office's time zone.
pub fn parse_instant(text: &str) -> Option<String> {
    let t = text.trim();
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Some(crate::time::to_text(ts));
    }
    let dt: jiff::civil::DateTime = t.replace(' ', "T").parse().ok()?;
    let zoned = dt.in_tz(crate::time::OFFICE_TIME_ZONE).ok()?;
    Some(crate::time::to_text(zoned.timestamp()))
}
