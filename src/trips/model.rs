//! The approval chain as pure functions.
//!
//! `submitted → unit_approved → approved → report_submitted → closed`, with `rejected`
//! at either approval step and `cancelled` by the requester before approval. Who may
//! take which step is decided here, from facts about the caller ([`Who`]), so the API,
//! the pages' buttons and the "waiting for me" list cannot disagree.

use crate::{
    auth::{CurrentUser, Permission, Role},
    error::{AppError, FieldError},
};

/// Where a trip is in its chain (stored as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Requested; waiting for the unit head.
    Submitted,
    /// The unit head approved; waiting for the international office.
    UnitApproved,
    /// The office approved; waiting for the post-trip report.
    Approved,
    /// Refused at one of the approval steps (final).
    Rejected,
    /// The report is in; waiting for the office to close the trip.
    ReportSubmitted,
    /// Done (final).
    Closed,
    /// Withdrawn by the requester before approval (final).
    Cancelled,
}

impl Status {
    /// Stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::UnitApproved => "unit_approved",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::ReportSubmitted => "report_submitted",
            Status::Closed => "closed",
            Status::Cancelled => "cancelled",
        }
    }

    /// All statuses in chain order.
    pub const ALL: [Status; 7] = [
        Status::Submitted,
        Status::UnitApproved,
        Status::Approved,
        Status::ReportSubmitted,
        Status::Closed,
        Status::Rejected,
        Status::Cancelled,
    ];

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
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
    pub status: Status,
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
fn decide(f: &Facts, who: Who, approve: bool) -> Result<Status, AppError> {
    let verb = if approve { "approve" } else { "reject" };
    match f.status {
        Status::Submitted => {
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
            Ok(if approve { Status::UnitApproved } else { Status::Rejected })
        }
        Status::UnitApproved => {
            if !who.is_office {
                return Err(AppError::Forbidden(format!("Only the international office can {verb} this step.")));
            }
            if who.is_requester {
                return Err(AppError::Forbidden("You requested this trip: someone else must decide on it.".into()));
            }
            Ok(if approve { Status::Approved } else { Status::Rejected })
        }
        Status::Approved | Status::ReportSubmitted => Err(out_of_order("This trip has already been approved.".into())),
        Status::Rejected | Status::Closed | Status::Cancelled => Err(final_state(f)),
    }
}

/// The status a step leads to, or why the caller may not take it now: 403 for the wrong
/// person (with who the right one is), 422 (field `action`) for a step out of order.
pub fn next_status(f: &Facts, who: Who, action: Action) -> Result<Status, AppError> {
    match action {
        Action::Approve => decide(f, who, true),
        Action::Reject => decide(f, who, false),
        Action::Cancel => match f.status {
            Status::Submitted | Status::UnitApproved if who.is_requester || who.is_admin => Ok(Status::Cancelled),
            Status::Submitted | Status::UnitApproved => Err(AppError::Forbidden("Only the requester can cancel this trip.".into())),
            Status::Approved | Status::ReportSubmitted => {
                Err(out_of_order("An approved trip can no longer be cancelled; file its report instead.".into()))
            }
            _ => Err(final_state(f)),
        },
        Action::Report => match f.status {
            Status::Approved if !(who.is_requester || who.is_office) => {
                Err(AppError::Forbidden("Only the requester or the international office can file the report.".into()))
            }
            Status::Approved if f.today < f.start_date => Err(AppError::Validation(vec![FieldError::new(
                "report",
                format!("The trip starts on {}: file the report once it has started.", f.start_date),
            )])),
            Status::Approved => Ok(Status::ReportSubmitted),
            Status::Submitted | Status::UnitApproved => {
                Err(out_of_order("The international office must approve this trip (step: approval) before its report is filed.".into()))
            }
            Status::ReportSubmitted => Err(out_of_order("The report has already been filed.".into())),
            _ => Err(final_state(f)),
        },
        Action::Close => match f.status {
            _ if !who.is_office && !matches!(f.status, Status::Rejected | Status::Closed | Status::Cancelled) => {
                Err(AppError::Forbidden("Only the international office can close a trip.".into()))
            }
            Status::ReportSubmitted => Ok(Status::Closed),
            Status::Approved => Err(out_of_order(
                "No post-trip report has been filed yet: the trip can be closed only after its report (step: report).".into(),
            )),
            Status::Submitted | Status::UnitApproved => {
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
        Status::Submitted | Status::UnitApproved => next_status(f, who, Action::Approve).is_ok(),
        Status::Approved => who.is_requester && next_status(f, who, Action::Report).is_ok(),
        Status::ReportSubmitted => next_status(f, who, Action::Close).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: Status) -> Facts<'static> {
        Facts { status, unit_name: "Human Resources Department", start_date: "2024-06-01", today: "2024-06-10" }
    }

    const HEAD: Who = Who { is_admin: false, is_office: false, heads_unit: true, is_requester: false };
    const OFFICE: Who = Who { is_admin: false, is_office: true, heads_unit: false, is_requester: false };
    const REQUESTER: Who = Who { is_admin: false, is_office: false, heads_unit: false, is_requester: true };
    const STRANGER: Who = Who { is_admin: false, is_office: false, heads_unit: false, is_requester: false };

    fn status_code(r: Result<Status, AppError>) -> u16 {
        match r {
            Ok(_) => 200,
            Err(e) => e.status().as_u16(),
        }
    }

    #[test]
    fn the_chain_runs_in_order_with_its_owners() {
        assert_eq!(next_status(&facts(Status::Submitted), HEAD, Action::Approve).ok(), Some(Status::UnitApproved));
        assert_eq!(next_status(&facts(Status::UnitApproved), OFFICE, Action::Approve).ok(), Some(Status::Approved));
        assert_eq!(next_status(&facts(Status::Approved), REQUESTER, Action::Report).ok(), Some(Status::ReportSubmitted));
        assert_eq!(next_status(&facts(Status::ReportSubmitted), OFFICE, Action::Close).ok(), Some(Status::Closed));
    }

    #[test]
    fn skipping_is_out_of_order_and_the_wrong_person_is_forbidden() {
        assert_eq!(status_code(next_status(&facts(Status::Submitted), OFFICE, Action::Approve)), 422);
        assert_eq!(status_code(next_status(&facts(Status::Submitted), STRANGER, Action::Approve)), 403);
        assert_eq!(status_code(next_status(&facts(Status::UnitApproved), HEAD, Action::Approve)), 403);
        assert_eq!(status_code(next_status(&facts(Status::Approved), OFFICE, Action::Close)), 422);
        assert_eq!(status_code(next_status(&facts(Status::Approved), STRANGER, Action::Report)), 403);
        let self_approval = Who { is_requester: true, ..HEAD };
        assert_eq!(status_code(next_status(&facts(Status::Submitted), self_approval, Action::Approve)), 403);
    }

    #[test]
    fn a_report_waits_for_the_start_date() {
        let early = Facts { today: "2024-05-31", ..facts(Status::Approved) };
        assert_eq!(status_code(next_status(&early, REQUESTER, Action::Report)), 422);
        let first_day = Facts { today: "2024-06-01", ..facts(Status::Approved) };
        assert!(next_status(&first_day, REQUESTER, Action::Report).is_ok());
    }

    #[test]
    fn only_the_requester_cancels_and_only_before_approval() {
        assert!(next_status(&facts(Status::UnitApproved), REQUESTER, Action::Cancel).is_ok());
        assert_eq!(status_code(next_status(&facts(Status::Submitted), OFFICE, Action::Cancel)), 403);
        assert_eq!(status_code(next_status(&facts(Status::Approved), REQUESTER, Action::Cancel)), 422);
        assert_eq!(status_code(next_status(&facts(Status::Cancelled), REQUESTER, Action::Cancel)), 422);
    }

    #[test]
    fn waiting_means_owning_the_next_step() {
        assert!(waits_for(&facts(Status::Submitted), HEAD));
        assert!(!waits_for(&facts(Status::Submitted), REQUESTER));
        assert!(!waits_for(&facts(Status::Submitted), OFFICE));
        assert!(waits_for(&facts(Status::UnitApproved), OFFICE));
        assert!(waits_for(&facts(Status::Approved), REQUESTER));
        assert!(!waits_for(&facts(Status::Approved), OFFICE));
        assert!(waits_for(&facts(Status::ReportSubmitted), OFFICE));
        assert_eq!(allowed_actions(&facts(Status::Submitted), HEAD), vec![Action::Approve, Action::Reject]);
    }
}
