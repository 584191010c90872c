//! Agreement types, their input, the status machine, and the rules that input must meet
//! (parsed once, here). The types as read and shown are in `records`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod records;

pub use records::{Agreement, AgreementSummary, ChainLink, Document, Party, Signatory, StatusEvent, VisitRef};

use crate::{
    error::{AppError, FieldError},
    status::Status,
};

/// Kinds of agreement.
pub const KINDS: &[&str] = &["mou", "programme", "exchange", "progression", "research"];
/// Kinds of document.
pub const DOCUMENT_KINDS: &[&str] = &["agreement", "annex", "amendment", "other"];

crate::status_machine! {
    /// An agreement's status: draft → negotiation → signed → in_effect → expired, and
    /// terminated from signed or in_effect (ended early). Expired and terminated are final
    /// (renew to continue).
    pub enum AgreementStatus {
        /// Being drafted.
        Draft = "draft" => [Negotiation],
        /// Under negotiation with the partner.
        Negotiation = "negotiation" => [Signed],
        /// Signed, not yet in effect.
        Signed = "signed" => [InEffect, Terminated],
        /// Running.
        InEffect = "in_effect" => [Expired, Terminated],
        /// Ran out (final).
        Expired = "expired" => [],
        /// Ended early (final).
        Terminated = "terminated" => [],
    }
}

impl TryFrom<String> for AgreementStatus {
    type Error = AppError;

    /// Reads a stored status (rows are decoded through this).
    fn try_from(s: String) -> Result<Self, AppError> {
        AgreementStatus::from_stored(&s)
    }
}

/// Checks that `to` is one step from `from`, naming what is allowed when it is not (the
/// API and the status form both come through here; the form offers `allowed_next`).
pub fn check_transition(from: AgreementStatus, to: AgreementStatus) -> Result<(), AppError> {
    if from.can_move_to(to) {
        return Ok(());
    }
    let allowed: Vec<&str> = from.allowed_next().iter().map(|s| s.as_str()).collect();
    let msg = if allowed.is_empty() {
        format!("the agreement is {from}, which is final; renew it to continue the cooperation")
    } else {
        format!("an agreement that is {from} can only become {} (one step at a time), not {to}", allowed.join(" or "))
    };
    Err(AppError::field("status", msg))
}

/// A party to an agreement, as sent.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct PartyInput {
    /// The institution.
    pub institution_id: i64,
    /// Optionally the unit that signs for it.
    #[serde(default)]
    pub unit_id: Option<i64>,
}

/// A new agreement.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewAgreement {
    /// mou, programme, exchange, progression or research.
    pub kind: String,
    /// Title, e.g. "Memorandum of understanding with IUKL".
    pub title: String,
    /// Two or more institutions (usually home and a partner).
    #[serde(default)]
    pub parties: Vec<PartyInput>,
    /// Cooperation area keys (see `crate::cooperation`).
    #[serde(default)]
    pub areas: Vec<String>,
    /// Date signed (YYYY-MM-DD).
    #[serde(default)]
    pub signed_date: Option<String>,
    /// Date it takes effect.
    #[serde(default)]
    pub effective_date: Option<String>,
    /// Date it expires (not before the effective date).
    #[serde(default)]
    pub expiry_date: Option<String>,
    /// Days of notice before expiry.
    #[serde(default)]
    pub notice_days: Option<i64>,
    /// Renews itself unless notice is given.
    #[serde(default)]
    pub auto_renew: bool,
    /// The visit at which it was signed.
    #[serde(default)]
    pub visit_id: Option<i64>,
    /// The user at home who looks after it.
    #[serde(default)]
    pub responsible_id: Option<i64>,
    /// The unit at home that looks after it.
    #[serde(default)]
    pub unit_id: Option<i64>,
    /// Free notes.
    #[serde(default)]
    pub notes: String,
}

/// Changes to an agreement (absent fields stay; `""` clears a date, `0` clears an id).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateAgreement {
    /// Kind.
    pub kind: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Parties (replaces all).
    pub parties: Option<Vec<PartyInput>>,
    /// Areas (replaces all).
    pub areas: Option<Vec<String>>,
    /// Signed date.
    pub signed_date: Option<String>,
    /// Effective date.
    pub effective_date: Option<String>,
    /// Expiry date.
    pub expiry_date: Option<String>,
    /// Notice days (negative clears).
    pub notice_days: Option<i64>,
    /// Auto-renewal.
    pub auto_renew: Option<bool>,
    /// Visit (0 clears).
    pub visit_id: Option<i64>,
    /// Responsible user (0 clears).
    pub responsible_id: Option<i64>,
    /// Responsible unit (0 clears).
    pub unit_id: Option<i64>,
    /// Notes.
    pub notes: Option<String>,
}

/// The checked own fields of an agreement row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Signed date.
    pub signed_date: Option<String>,
    /// Effective date.
    pub effective_date: Option<String>,
    /// Expiry date.
    pub expiry_date: Option<String>,
    /// Notice days.
    pub notice_days: Option<i64>,
    /// Auto-renewal.
    pub auto_renew: bool,
    /// Notes.
    pub notes: String,
}

fn date(errors: &mut Vec<FieldError>, field: &str, v: &Option<String>) -> Option<String> {
    let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    let d = crate::time::parse_date(v);
    if d.is_none() {
        errors.push(FieldError::new(field, format!("'{v}' is not a date such as 2024-05-08")));
    }
    d
}

/// Checks the own fields, collecting every problem, and normalises them.
pub fn check_fields(raw: &Fields) -> Result<Fields, Vec<FieldError>> {
    let mut errors = Vec::new();
    if !KINDS.contains(&raw.kind.as_str()) {
        errors.push(FieldError::new("kind", format!("choose one of {}", KINDS.join(", "))));
    }
    if raw.title.trim().is_empty() {
        errors.push(FieldError::new("title", "give the agreement a title"));
    }
    let signed_date = date(&mut errors, "signed_date", &raw.signed_date);
    let effective_date = date(&mut errors, "effective_date", &raw.effective_date);
    let expiry_date = date(&mut errors, "expiry_date", &raw.expiry_date);
    if let (Some(e), Some(x)) = (&effective_date, &expiry_date)
        && x < e
    {
        errors.push(FieldError::new("expiry_date", format!("the agreement would expire ({x}) before it takes effect ({e})")));
    }
    if raw.notice_days.is_some_and(|n| n < 0) {
        errors.push(FieldError::new("notice_days", "the notice period cannot be negative"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Fields {
        kind: raw.kind.clone(),
        title: raw.title.trim().to_string(),
        signed_date,
        effective_date,
        expiry_date,
        notice_days: raw.notice_days,
        auto_renew: raw.auto_renew,
        notes: raw.notes.trim().to_string(),
    })
}

/// Checks the area keys and the shape of the party list (at least two, none twice);
/// whether each party is an institution is checked against the database.
pub fn check_lists(parties: &[PartyInput], areas: &[String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if parties.len() < 2 {
        errors.push(FieldError::new("parties", "an agreement needs at least two parties (our institution and a partner)"));
    }
    for (i, p) in parties.iter().enumerate() {
        if parties[..i].iter().any(|o| o.institution_id == p.institution_id) {
            errors.push(FieldError::new(format!("parties[{i}].institution_id"), "this institution is already a party"));
        }
    }
    for (i, a) in areas.iter().enumerate() {
        if crate::cooperation::area(a).is_none() {
            let keys: Vec<&str> = crate::cooperation::AREAS.iter().map(|a| a.key).collect();
            errors.push(FieldError::new(format!("areas[{i}]"), format!("'{a}' is not a cooperation area; use one of {}", keys.join(", "))));
        }
    }
    errors
}

/// A new signatory.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewSignatory {
    /// The person.
    pub person_id: i64,
    /// Their position at signing (default: their current position's title).
    #[serde(default)]
    pub position_title: Option<String>,
    /// For which institution (default: that of the position, or the person's).
    #[serde(default)]
    pub institution_id: Option<i64>,
    /// When (default: the agreement's signed date).
    #[serde(default)]
    pub signed_date: Option<String>,
}

/// Filters of the agreement list.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct AgreementQuery {
    /// draft, negotiation, signed, in_effect, expired or terminated.
    #[param(value_type = Option<AgreementStatus>)]
    pub status: Option<String>,
    /// mou, programme, exchange, progression or research.
    pub kind: Option<String>,
    /// With this institution as a party.
    pub institution_id: Option<i64>,
    /// Covering this cooperation area.
    pub area: Option<String>,
    /// Looked after by this unit.
    pub unit_id: Option<i64>,
    /// Expiring on or before this date (YYYY-MM-DD).
    pub expiring_before: Option<String>,
    /// Page, from 1.
    pub page: Option<i64>,
    /// Per page, 1–200 (default 50).
    pub per_page: Option<i64>,
}

impl AgreementQuery {
    /// Page number and size, clamped.
    pub fn paging(&self) -> (i64, i64) {
        crate::web::paging::paging(self.page, self.per_page, 50, 200)
    }
}

#[cfg(test)]
mod tests;
