//! Visit types, their input, and the rules that input must meet (parsed once, here):
//! the visit itself and its status machine here, the delegation and hosts in
//! `delegation`, the agenda in `agenda`, outcomes and follow-up actions in `followup`.

mod agenda;
mod delegation;
mod followup;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use self::{agenda::*, delegation::*, followup::*};
use crate::{
    error::{AppError, AppResult, FieldError},
    status::Status,
};

/// Inbound (a delegation comes to us) or outbound (we send one).
pub const DIRECTIONS: &[&str] = &["inbound", "outbound"];

crate::status_machine! {
    /// A visit's status: planned → confirmed → completed, one step at a time; a visit not
    /// yet completed may be cancelled (with a reason).
    pub enum VisitStatus {
        /// Recorded, not yet confirmed.
        Planned = "planned" => [Confirmed, Cancelled],
        /// Confirmed with the partner.
        Confirmed = "confirmed" => [Completed, Cancelled],
        /// Took place; closed.
        Completed = "completed" => [],
        /// Called off; closed.
        Cancelled = "cancelled" => [],
    }
}

impl TryFrom<String> for VisitStatus {
    type Error = AppError;

    fn try_from(s: String) -> AppResult<Self> {
        Self::from_stored(&s)
    }
}

/// A new visit.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewVisit {
    /// inbound or outbound.
    pub direction: String,
    /// Short title, e.g. "IUKL delegation: symposium on educational cooperation".
    pub title: String,
    /// Why they come (or we go).
    #[serde(default)]
    pub purpose: String,
    /// First day (YYYY-MM-DD, in the venue's time zone).
    pub start_date: String,
    /// Last day (YYYY-MM-DD).
    pub end_date: String,
    /// IANA time zone of the venue (default Asia/Shanghai).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Partner institutions: the visiting ones (inbound) or the ones visited (outbound).
    #[serde(default)]
    pub institution_ids: Vec<i64>,
    /// People in the delegation, named or not (default: the named members).
    #[serde(default)]
    pub head_count: Option<i64>,
    /// Named members with their roles.
    #[serde(default)]
    pub members: Vec<MemberInput>,
    /// The leader, who must be one of `members` (alternative to giving a member the role leader).
    #[serde(default)]
    pub leader_person_id: Option<i64>,
    /// Hosts: officials and units of the home institution.
    #[serde(default)]
    pub hosts: Vec<HostInput>,
}

/// Changes to a visit's own fields (the delegation, hosts and agenda have their own calls).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateVisit {
    /// Title.
    pub title: Option<String>,
    /// Purpose.
    pub purpose: Option<String>,
    /// First day.
    pub start_date: Option<String>,
    /// Last day.
    pub end_date: Option<String>,
    /// Time zone.
    pub time_zone: Option<String>,
    /// Head count.
    pub head_count: Option<i64>,
}

/// The checked fields of a visit row.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitFields {
    /// inbound/outbound.
    pub direction: String,
    /// Title.
    pub title: String,
    /// Purpose.
    pub purpose: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// IANA zone.
    pub time_zone: String,
    /// Head count.
    pub head_count: i64,
}

/// Checks the visit's own fields (as typed), collecting every problem; `named` is the
/// number of named members, which the head count must reach.
pub fn check_fields(raw: &VisitFields, named: usize) -> Result<VisitFields, AppError> {
    let VisitFields { direction, title, purpose, start_date: start, end_date: end, time_zone: tz, head_count } = raw;
    let head_count = *head_count;
    let mut errors = Vec::new();
    if !DIRECTIONS.contains(&direction.as_str()) {
        errors.push(FieldError::new("direction", "choose inbound (they visit us) or outbound (we visit them)"));
    }
    if title.trim().is_empty() {
        errors.push(FieldError::new("title", "give the visit a title"));
    }
    let s = crate::time::parse_date(start);
    let e = crate::time::parse_date(end);
    if s.is_none() {
        errors.push(FieldError::new("start_date", "use a date such as 2024-05-08"));
    }
    if e.is_none() {
        errors.push(FieldError::new("end_date", "use a date such as 2024-05-08"));
    }
    if let (Some(s), Some(e)) = (&s, &e)
        && e < s
    {
        errors.push(FieldError::new("end_date", "the visit ends before it starts"));
    }
    if jiff::tz::TimeZone::get(tz).is_err() {
        errors.push(FieldError::new("time_zone", format!("'{tz}' is not an IANA time zone such as Asia/Shanghai")));
    }
    if head_count < 0 {
        errors.push(FieldError::new("head_count", "the head count cannot be negative"));
    } else if (head_count as usize) < named {
        errors.push(FieldError::new(
            "head_count",
            format!("the delegation has {named} named members, so the head count must be at least {named}"),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(VisitFields {
        direction: direction.to_string(),
        title: title.trim().to_string(),
        purpose: purpose.trim().to_string(),
        start_date: s.unwrap_or_default(),
        end_date: e.unwrap_or_default(),
        time_zone: tz.to_string(),
        head_count,
    })
}

/// Whether a visit may go from `from` to `to` (one of `from.allowed_next()`); cancelling
/// needs a reason. Refusals explain the path.
pub fn check_transition(from: VisitStatus, to: VisitStatus, reason: Option<&str>) -> Result<(), AppError> {
    use VisitStatus::*;
    let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
    if from == to {
        return Err(AppError::field("status", format!("the visit is already {from}")));
    }
    if from.can_move_to(to) {
        if to == Cancelled && !has_reason {
            return Err(AppError::field("reason", "say why the visit is cancelled"));
        }
        return Ok(());
    }
    let msg = match (from, to) {
        (Planned, Completed) => "confirm the visit before completing it (planned → confirmed → completed)".to_string(),
        (Completed, _) => "a completed visit is closed; its status no longer changes".into(),
        (Cancelled, _) => "a cancelled visit stays cancelled; record a new visit instead".into(),
        (_, Planned) => "a visit cannot go back to planned".into(),
        _ => format!("a visit cannot go from {from} to {to}"),
    };
    Err(AppError::field("status", msg))
}

/// A visit in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitSummary {
    /// Id.
    pub id: i64,
    /// inbound/outbound.
    pub direction: String,
    /// Title.
    pub title: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Status.
    pub status: VisitStatus,
    /// Head count.
    pub head_count: i64,
    /// Partner institutions' names, joined.
    pub institutions: String,
}

/// One status change.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct StatusEvent {
    /// New status.
    #[sqlx(try_from = "String")]
    pub status: VisitStatus,
    /// Why (required for cancelling).
    pub reason: Option<String>,
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
}

/// A visit with everything recorded about it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Visit {
    /// Id.
    pub id: i64,
    /// inbound/outbound.
    pub direction: String,
    /// Title.
    pub title: String,
    /// Purpose.
    pub purpose: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// The venue's time zone.
    pub time_zone: String,
    /// planned, confirmed, completed or cancelled.
    pub status: VisitStatus,
    /// People in the delegation (may exceed the named members).
    pub head_count: i64,
    /// Partner institutions.
    pub institutions: Vec<VisitInstitution>,
    /// Named members.
    pub members: Vec<Member>,
    /// Hosts.
    pub hosts: Vec<Host>,
    /// Agenda, in time order.
    pub sessions: Vec<Session>,
    /// Outcomes.
    pub outcomes: Vec<Outcome>,
    /// Follow-up actions.
    pub actions: Vec<Action>,
    /// Status history.
    pub history: Vec<StatusEvent>,
}

impl Visit {
    /// The delegation's leader.
    pub fn leader(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.role == "leader")
    }

    /// The agenda's days, in order, each with its sessions.
    pub fn days(&self) -> Vec<(String, Vec<&Session>)> {
        let mut out: Vec<(String, Vec<&Session>)> = Vec::new();
        for s in &self.sessions {
            match out.last_mut() {
                Some((d, v)) if d == s.day() => v.push(s),
                _ => out.push((s.day().to_string(), vec![s])),
            }
        }
        out
    }

    /// Statuses this visit may move to next (the status form's choices).
    pub fn next_statuses(&self) -> &'static [VisitStatus] {
        self.status.allowed_next()
    }
}
