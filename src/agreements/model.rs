//! Agreement types, their input, and the rules that input must meet (parsed once, here).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, FieldError};

/// Kinds of agreement.
pub const KINDS: &[&str] = &["mou", "programme", "exchange", "progression", "research"];
/// Statuses, in their order; `terminated` ends a signed or running agreement early.
pub const STATUSES: &[&str] = &["draft", "negotiation", "signed", "in_effect", "expired", "terminated"];
/// Kinds of document.
pub const DOCUMENT_KINDS: &[&str] = &["agreement", "annex", "amendment", "other"];

/// The statuses an agreement may move to from `from`, one step at a time:
/// draft → negotiation → signed → in_effect → expired, and terminated from signed or
/// in_effect. Expired and terminated are final (renew to continue).
pub fn next_statuses(from: &str) -> &'static [&'static str] {
    match from {
        "draft" => &["negotiation"],
        "negotiation" => &["signed"],
        "signed" => &["in_effect", "terminated"],
        "in_effect" => &["expired", "terminated"],
        _ => &[],
    }
}

/// Checks a status change, naming what is allowed when it is not.
pub fn check_transition(from: &str, to: &str) -> Result<(), AppError> {
    if !STATUSES.contains(&to) {
        return Err(AppError::field("status", format!("'{to}' is not a status; use one of {}", STATUSES.join(", "))));
    }
    let allowed = next_statuses(from);
    if allowed.contains(&to) {
        return Ok(());
    }
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

/// A party as shown.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Party {
    /// Institution.
    pub institution_id: i64,
    /// Its English name.
    pub name_en: String,
    /// Its acronym.
    pub acronym: Option<String>,
    /// 1 if our own institution.
    pub is_home: i64,
    /// The unit, if one.
    pub unit_id: Option<i64>,
}

/// A dated status change.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct StatusEvent {
    /// New status.
    pub status: String,
    /// The date it happened (YYYY-MM-DD).
    pub on_date: String,
    /// Note.
    pub note: Option<String>,
    /// When it was recorded (UTC).
    pub at: String,
    /// Who recorded it.
    pub actor: String,
}

/// A signatory.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Signatory {
    /// Row id.
    pub id: i64,
    /// The person.
    pub person_id: i64,
    /// Their name.
    pub name_en: String,
    /// Their position when they signed.
    pub position_title: String,
    /// For which institution.
    pub institution_id: Option<i64>,
    /// When.
    pub signed_date: Option<String>,
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

/// One version of a document (the bytes are in the file store).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Document {
    /// Row id (download at `/api/v1/agreements/{id}/documents/{doc_id}`).
    pub id: i64,
    /// agreement, annex, amendment or other.
    pub kind: String,
    /// File name as uploaded; the same name again is a new version.
    pub name: String,
    /// 1, 2, …
    pub version: i64,
    /// Sniffed from the content.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// SHA-256 (hex).
    pub sha256: String,
    /// When (UTC).
    pub uploaded_at: String,
}

/// A link in the renewal chain.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ChainLink {
    /// Agreement id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Status.
    pub status: String,
    /// Effective date.
    pub effective_date: Option<String>,
    /// Expiry date.
    pub expiry_date: Option<String>,
}

/// The visit at which it was signed.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct VisitRef {
    /// Visit id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// First day.
    pub start_date: String,
}

/// An agreement with everything about it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Agreement {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Current status.
    pub status: String,
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
    /// The visit at which it was signed.
    pub visit: Option<VisitRef>,
    /// Responsible user.
    pub responsible_id: Option<i64>,
    /// Their name.
    pub responsible_name: Option<String>,
    /// Responsible unit.
    pub unit_id: Option<i64>,
    /// Notes.
    pub notes: String,
    /// Parties.
    pub parties: Vec<Party>,
    /// Cooperation area keys.
    pub areas: Vec<String>,
    /// Status history, in the order it was recorded.
    pub status_history: Vec<StatusEvent>,
    /// Signatories.
    pub signatories: Vec<Signatory>,
    /// Documents, every version, by name then version.
    pub documents: Vec<Document>,
    /// The agreements this one renews, oldest first.
    pub predecessors: Vec<ChainLink>,
    /// The agreements that renew it, next first.
    pub successors: Vec<ChainLink>,
    /// Created (UTC).
    pub created_at: String,
    /// Last changed (UTC).
    pub updated_at: String,
}

/// A row of the agreement list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementSummary {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: String,
    /// Effective date.
    pub effective_date: Option<String>,
    /// Expiry date.
    pub expiry_date: Option<String>,
    /// Partner institutions (not home), by acronym or name.
    pub partners: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_move_one_step_at_a_time() {
        for (from, to) in [("draft", "negotiation"), ("negotiation", "signed"), ("signed", "in_effect"), ("in_effect", "expired")] {
            assert!(check_transition(from, to).is_ok(), "{from} → {to}");
        }
        assert!(check_transition("signed", "terminated").is_ok());
        assert!(check_transition("in_effect", "terminated").is_ok());
        assert!(check_transition("draft", "signed").is_err());
        assert!(check_transition("draft", "terminated").is_err());
        assert!(check_transition("expired", "in_effect").is_err());
        assert!(check_transition("draft", "lost").is_err());
    }

    #[test]
    fn expiry_before_effect_is_refused() {
        let raw = Fields {
            kind: "mou".into(),
            title: "MoU".into(),
            effective_date: Some("2024-06-01".into()),
            expiry_date: Some("2024-05-01".into()),
            ..Default::default()
        };
        let errors = check_fields(&raw).expect_err("refused");
        assert_eq!(errors[0].field, "expiry_date");
    }

    #[test]
    fn party_lists_need_two_distinct_institutions_and_known_areas() {
        let p = |i| PartyInput { institution_id: i, unit_id: None };
        assert_eq!(check_lists(&[p(1)], &[]).len(), 1);
        assert_eq!(check_lists(&[p(1), p(1)], &[]).len(), 1);
        assert!(check_lists(&[p(1), p(2)], &["joint_education".into()]).is_empty());
        assert_eq!(check_lists(&[p(1), p(2)], &["cooking".into()]).len(), 1);
    }
}
