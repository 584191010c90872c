//! Agreements as they are read and shown: the agreement with everything about it, the
//! rows of the list, and their parts (parties, status history, signatories, documents,
//! the renewal chain).

use serde::Serialize;
use utoipa::ToSchema;

use super::AgreementStatus;

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
#[schema(as = AgreementStatusEvent)]
pub struct StatusEvent {
    /// New status.
    #[sqlx(try_from = "String")]
    pub status: AgreementStatus,
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
    #[sqlx(try_from = "String")]
    pub status: AgreementStatus,
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
    pub status: AgreementStatus,
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
    pub status: AgreementStatus,
    /// Effective date.
    pub effective_date: Option<String>,
    /// Expiry date.
    pub expiry_date: Option<String>,
    /// Partner institutions (not home), by acronym or name.
    pub partners: String,
}
