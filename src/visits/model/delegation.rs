//! The delegation (named members with roles) and the hosts of a visit.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, FieldError};

/// Roles in a delegation.
pub const MEMBER_ROLES: &[&str] = &["leader", "member", "interpreter", "other"];

/// A named member of the delegation, as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MemberInput {
    /// The person (from the directory of people).
    pub person_id: i64,
    /// leader, member, interpreter or other (default member).
    #[serde(default = "default_role")]
    pub role: String,
}

fn default_role() -> String {
    "member".into()
}

/// A host: an official (person) or a unit of the home institution — one of the two.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct HostInput {
    /// A person.
    #[serde(default)]
    pub person_id: Option<i64>,
    /// A unit.
    #[serde(default)]
    pub unit_id: Option<i64>,
}

/// Checks the delegation: roles known, nobody twice, at most one leader, and a leader
/// given separately must be one of the members. Returns the members with the leader's
/// role applied.
pub fn check_members(members: &[MemberInput], leader: Option<i64>) -> Result<Vec<MemberInput>, AppError> {
    let mut errors = Vec::new();
    let mut out: Vec<MemberInput> = members.to_vec();
    for (i, m) in out.iter().enumerate() {
        if !MEMBER_ROLES.contains(&m.role.as_str()) {
            errors.push(FieldError::new(format!("members[{i}].role"), "use leader, member, interpreter or other"));
        }
        if out[..i].iter().any(|o| o.person_id == m.person_id) {
            errors.push(FieldError::new(format!("members[{i}].person_id"), "this person is already in the delegation"));
        }
    }
    if let Some(l) = leader {
        match out.iter_mut().find(|m| m.person_id == l) {
            Some(m) => m.role = "leader".into(),
            None => errors.push(FieldError::new(
                "leader_person_id",
                "the leader must be one of the named members of the delegation: add them to the members first",
            )),
        }
    }
    if out.iter().filter(|m| m.role == "leader").count() > 1 {
        errors.push(FieldError::new("members", "a delegation has one leader; give the others the role member"));
    }
    if errors.is_empty() { Ok(out) } else { Err(AppError::Validation(errors)) }
}

/// Checks that each host is a person or a unit, not both, not neither.
pub fn check_hosts(hosts: &[HostInput]) -> Result<(), AppError> {
    let errors: Vec<FieldError> = hosts
        .iter()
        .enumerate()
        .filter(|(_, h)| h.person_id.is_some() == h.unit_id.is_some())
        .map(|(i, _)| FieldError::new(format!("hosts[{i}]"), "a host is either a person (person_id) or a unit (unit_id)"))
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
}

/// A partner institution of a visit.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct VisitInstitution {
    /// Id.
    pub id: i64,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// Acronym.
    pub acronym: Option<String>,
    /// Country code.
    pub country: String,
}

/// A named member of the delegation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Member {
    /// Person id.
    pub person_id: i64,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// Role in the delegation.
    pub role: String,
    /// Current positions, joined ("Vice President; Director, Institute of Smart Industry").
    pub titles: String,
    /// The same in Chinese where the records have it (else as `titles`).
    pub titles_zh: String,
    /// The person's institution.
    pub institution_id: Option<i64>,
}

/// A host (person or unit).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Host {
    /// Row id.
    pub id: i64,
    /// Person, if an official.
    pub person_id: Option<i64>,
    /// Unit, if a unit.
    pub unit_id: Option<i64>,
    /// Name (person's or all of the unit's names, "School of Foreign Studies (School of International Education)").
    pub name: String,
    /// The Chinese name where the records have one (a person's Chinese name, a unit's).
    pub name_zh: Option<String>,
    /// Positions of a person.
    pub titles: String,
    /// The titles in Chinese where the records have them (else as `titles`).
    pub titles_zh: String,
}
