//! Trip types (the trip, its travellers and history, the step input and list filters)
//! and the approval chain as pure functions.
//!
//! `submitted → unit_approved → approved → report_submitted → closed`, with `rejected`
//! at either approval step and `cancelled` by the requester before approval. Who may
//! take which step is decided here, from facts about the caller ([`Who`]), so the API,
//! the pages' buttons and the "waiting for me" list cannot disagree. The chain's shape
//! is [`TripStatus`] (a `status_machine!`); [`next_status`] adds who may act.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::{CurrentUser, Permission, Role},
    error::{AppError, FieldError},
    status::Status,
};

crate::status_machine! {
    /// Where a trip is in its chain (stored as text). The allowed steps are the chain's
    /// shape; who may take each one is [`next_status`]'s business.
    pub enum TripStatus {
        /// Requested; waiting for the unit head.
        Submitted = "submitted" => [UnitApproved, Rejected, Cancelled],
        /// The unit head approved; waiting for the international office.
        UnitApproved = "unit_approved" => [Approved, Rejected, Cancelled],
        /// The office approved; waiting for the post-trip report.
        Approved = "approved" => [ReportSubmitted],
        /// The report is in; waiting for the office to close the trip.
        ReportSubmitted = "report_submitted" => [Closed],
        /// Done (final).
        Closed = "closed" => [],
        /// Refused at one of the approval steps (final).
        Rejected = "rejected" => [],
        /// Withdrawn by the requester before approval (final).
        Cancelled = "cancelled" => [],
    }
}

impl TryFrom<String> for TripStatus {
    type Error = AppError;

    /// Reads a stored status (rows are decoded through this).
    fn try_from(s: String) -> Result<Self, AppError> {
        TripStatus::from_stored(&s)
    }
}

/// A step someone takes on a trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Approve the current approval step.
    Approve,
    /// Refuse at the current approval step (a comment is required).
    Reject,
    /// Withdraw the request (requester, before approval).
    Cancel,
    /// File the post-trip report.
    Report,
    /// Close the trip (office, after the report).
    Close,
}

impl Action {
    /// All actions, in the order buttons are shown.
    pub const ALL: [Action; 5] = [Action::Approve, Action::Reject, Action::Report, Action::Close, Action::Cancel];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Cancel => "cancel",
            Action::Report => "report",
            Action::Close => "close",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }
}

/// What the chain needs to know about the caller, relative to one trip.
#[derive(Debug, Clone, Copy, Default)]
pub struct Who {
    /// Holds the admin role (may act as unit head).
    pub is_admin: bool,
    /// The international office (EditVisits: staff, admin).
    pub is_office: bool,
    /// Holds a coordinator grant on the trip's unit.
    pub heads_unit: bool,
    /// Requested this trip.
    pub is_requester: bool,
}

impl Who {
    /// The caller's relation to a trip of `unit_id` requested by `requester_id`.
    pub fn of(user: &CurrentUser, unit_id: i64, requester_id: Option<i64>) -> Who {
        Who {
            is_admin: user.grants.iter().any(|g| g.role == Role::Admin),
            is_office: user.can(Permission::EditVisits),
            // A coordinator grant for exactly this unit; a global grant (staff) does not
            // make someone the unit's head.
            heads_unit: user.grants.iter().any(|g| g.role == Role::Coordinator && g.unit_id == Some(unit_id))
                && user.can_in_unit(Permission::RequestTrips, unit_id),
            is_requester: requester_id == Some(user.id),
        }
    }
}

/// The facts about a trip the chain looks at.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// Current status.
    pub status: TripStatus,
    /// The unit's name, for messages.
    pub unit_name: &'a str,
    /// First day of the trip (`YYYY-MM-DD`).
    pub start_date: &'a str,
    /// Today in the office's time zone (`YYYY-MM-DD`).
    pub today: &'a str,
}

fn out_of_order(message: String) -> AppError {
    AppError::Validation(vec![FieldError::new("action", message)])
}

fn final_state(f: &Facts) -> AppError {
    out_of_order(format!("This trip is {}: it takes no further steps.", f.status.as_str()))
}

/// An approval or rejection: the unit head at `submitted`, the office at `unit_approved`.
fn decide(f: &Facts, who: Who, approve: bool) -> Result<TripStatus, AppError> {
    let verb = if approve { "approve" } else { "reject" };
    match f.status {
        TripStatus::Submitted => {
            if !(who.heads_unit || who.is_admin) {
                if who.is_office {
                    return Err(out_of_order(format!(
                        "The head of {} must approve this trip first (step: unit approval); the international office decides after that.",
                        f.unit_name
                    )));
                }
                return Err(AppError::Forbidden(format!("Only the head of {} can {verb} this step.", f.unit_name)));
            }
            if who.is_requester {
                return Err(AppError::Forbidden("You requested this trip: someone else must decide on it.".into()));
            }
            Ok(if approve { TripStatus::UnitApproved } else { TripStatus::Rejected })
        }
        TripStatus::UnitApproved => {
            if !who.is_office {
                return Err(AppError::Forbidden(format!("Only the international office can {verb} this step.")));
            }
            if who.is_requester {
                return Err(AppError::Forbidden("You requested this trip: someone else must decide on it.".into()));
            }
            Ok(if approve { TripStatus::Approved } else { TripStatus::Rejected })
        }
        TripStatus::Approved | TripStatus::ReportSubmitted => Err(out_of_order("This trip has already been approved.".into())),
        TripStatus::Rejected | TripStatus::Closed | TripStatus::Cancelled => Err(final_state(f)),
    }
}

/// The status a step leads to, or why the caller may not take it now: 403 for the wrong
/// person (with who the right one is), 422 (field `action`) for a step out of order.
///
/// This is the one rule the API, the pages' buttons and the "waiting for me" list share:
/// the chain's shape is [`TripStatus::allowed_next`], and who may take a step is decided
/// here on top of it.
pub fn next_status(f: &Facts, who: Who, action: Action) -> Result<TripStatus, AppError> {
    if f.status.allowed_next().is_empty() {
        return Err(final_state(f));
    }
    let to = step(f, who, action)?;
    if !f.status.can_move_to(to) {
        // The match in `step` and the enum's steps disagree: a defect here, not the caller's.
        return Err(AppError::Internal(anyhow::anyhow!("trip step {} → {to} is not in the chain", f.status)));
    }
    Ok(to)
}

/// Who may take `action` from a status that is not final, and where it leads.
fn step(f: &Facts, who: Who, action: Action) -> Result<TripStatus, AppError> {
    match action {
        Action::Approve => decide(f, who, true),
        Action::Reject => decide(f, who, false),
        Action::Cancel => match f.status {
            TripStatus::Submitted | TripStatus::UnitApproved if who.is_requester || who.is_admin => Ok(TripStatus::Cancelled),
            TripStatus::Submitted | TripStatus::UnitApproved => Err(AppError::Forbidden("Only the requester can cancel this trip.".into())),
            TripStatus::Approved | TripStatus::ReportSubmitted => {
                Err(out_of_order("An approved trip can no longer be cancelled; file its report instead.".into()))
            }
            _ => Err(final_state(f)),
        },
        Action::Report => match f.status {
            TripStatus::Approved if !(who.is_requester || who.is_office) => {
                Err(AppError::Forbidden("Only the requester or the international office can file the report.".into()))
            }
            TripStatus::Approved if f.today < f.start_date => Err(AppError::Validation(vec![FieldError::new(
                "report",
                format!("The trip starts on {}: file the report once it has started.", f.start_date),
            )])),
            TripStatus::Approved => Ok(TripStatus::ReportSubmitted),
            TripStatus::Submitted | TripStatus::UnitApproved => {
                Err(out_of_order("The international office must approve this trip (step: approval) before its report is filed.".into()))
            }
            TripStatus::ReportSubmitted => Err(out_of_order("The report has already been filed.".into())),
            _ => Err(final_state(f)),
        },
        Action::Close => match f.status {
            _ if !who.is_office => Err(AppError::Forbidden("Only the international office can close a trip.".into())),
            TripStatus::ReportSubmitted => Ok(TripStatus::Closed),
            TripStatus::Approved => Err(out_of_order(
                "No post-trip report has been filed yet: the trip can be closed only after its report (step: report).".into(),
            )),
            TripStatus::Submitted | TripStatus::UnitApproved => {
                Err(out_of_order("This trip is still waiting for approval; it can be closed only after approval and its report.".into()))
            }
            _ => Err(final_state(f)),
        },
    }
}

/// The steps the caller may take now.
pub fn allowed_actions(f: &Facts, who: Who) -> Vec<Action> {
    Action::ALL.into_iter().filter(|a| next_status(f, who, *a).is_ok()).collect()
}

/// True if the trip waits for the caller: they own its next step (approving, the
/// requester's report, closing). Cancelling one's own request is possible but not awaited.
pub fn waits_for(f: &Facts, who: Who) -> bool {
    match f.status {
        TripStatus::Submitted | TripStatus::UnitApproved => next_status(f, who, Action::Approve).is_ok(),
        TripStatus::Approved => who.is_requester && next_status(f, who, Action::Report).is_ok(),
        TripStatus::ReportSubmitted => next_status(f, who, Action::Close).is_ok(),
        _ => false,
    }
}

/// A trip request.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Trip {
    /// Id.
    pub id: i64,
    /// The user who requested it.
    pub requester_id: Option<i64>,
    /// Their display name.
    pub requester: Option<String>,
    /// The requesting unit; its head approves first.
    pub unit_id: i64,
    /// The unit's English name.
    pub unit_name: Option<String>,
    /// The unit's Chinese name.
    pub unit_name_zh: Option<String>,
    /// Where to.
    pub destination: String,
    /// Partner institution visited.
    pub institution_id: Option<i64>,
    /// Its name.
    pub institution_name: Option<String>,
    /// Why.
    pub purpose: String,
    /// First day (YYYY-MM-DD).
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Budget in minor units.
    pub budget_cents: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// The outbound visit it belongs to.
    pub visit_id: Option<i64>,
    /// Where it is in the chain.
    #[sqlx(try_from = "String")]
    pub status: TripStatus,
    /// The post-trip report.
    pub report: Option<String>,
    /// When requested (UTC).
    pub created_at: String,
    /// Last change (UTC).
    pub updated_at: String,
}

impl Trip {
    /// The unit's name for messages (English).
    pub fn unit_label(&self) -> String {
        self.unit_name.clone().unwrap_or_else(|| format!("unit #{}", self.unit_id))
    }

    /// The budget as an amount, e.g. `12,000.00 CNY`.
    pub fn budget(&self) -> String {
        format!("{} {}", super::request::format_amount(self.budget_cents), self.currency)
    }
}

/// A person on a trip.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Traveller {
    /// The person.
    pub person_id: i64,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: Option<String>,
}

/// One step of a trip's chain.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct TripEvent {
    /// The status the step led to.
    #[sqlx(try_from = "String")]
    pub step: TripStatus,
    /// Why (required for rejections).
    pub comment: Option<String>,
    /// Who (username).
    pub actor: String,
    /// When (UTC).
    pub at: String,
}

/// A trip with its travellers, its history, and what the caller may do next.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TripDetail {
    /// The trip.
    #[serde(flatten)]
    pub trip: Trip,
    /// Who travels.
    pub travellers: Vec<Traveller>,
    /// Every step so far, oldest first.
    pub events: Vec<TripEvent>,
    /// Steps the caller may take now (approve, reject, cancel, report, close).
    pub allowed_actions: Vec<String>,
}

/// A step on a trip.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct StepInput {
    /// approve, reject, cancel, report or close.
    #[serde(default)]
    pub action: String,
    /// Why; required to reject.
    #[serde(default)]
    pub comment: Option<String>,
    /// The post-trip report; required for `report`.
    #[serde(default)]
    pub report: Option<String>,
}

/// Filters of trip lists.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct TripQuery {
    /// Only trips in this status.
    #[param(value_type = Option<TripStatus>)]
    pub status: Option<String>,
    /// Only the caller's own requests.
    pub mine: Option<bool>,
    /// Only trips whose next step is the caller's.
    pub waiting: Option<bool>,
}

/// The most trips one list returns (newest first).
pub const LIST_LIMIT: i64 = 500;

#[cfg(test)]
mod tests;
