//! The applications module's types and rules: the application's status machine and who
//! may take which step, calls and their input, and the two pure parts with their own
//! files: scoring (`scoring`) and the allocation of places (`allocation`).

pub mod allocation;
mod application;
mod call;
pub mod scoring;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use application::*;
pub use call::*;

use crate::{error::AppError, status::Status};

crate::status_machine! {
    /// An application's status. The student drafts, submits and withdraws; the office
    /// screens (eligible or not) and, by publishing an allocation, offers a place or
    /// puts the student on the waiting list; the student accepts or declines; the office
    /// nominates; the partner accepts or rejects.
    pub enum ApplicationStatus {
        /// Being written; nothing is checked yet.
        Draft = "draft" => [Submitted, Withdrawn],
        /// Sent before the deadline, complete.
        Submitted = "submitted" => [Eligible, Ineligible, Withdrawn],
        /// Meets the call's conditions: reviewed, scored, ranked.
        Eligible = "eligible" => [Ineligible, Offered, Waitlisted, Withdrawn],
        /// Does not meet them (with a reason).
        Ineligible = "ineligible" => [Eligible],
        /// A place was offered (published); the student answers by a date.
        Offered = "offered" => [Accepted, Declined, Withdrawn],
        /// No place yet; offered one if a place is freed.
        Waitlisted = "waitlisted" => [Offered, Withdrawn],
        /// The student took the place.
        Accepted = "accepted" => [Nominated, Withdrawn],
        /// The student turned the place down, or let the answer date pass (final).
        Declined = "declined" => [],
        /// Put forward to the partner: a mobility exists.
        Nominated = "nominated" => [PartnerAccepted, PartnerRejected, Withdrawn],
        /// The partner accepted the nominee (final).
        PartnerAccepted = "partner_accepted" => [],
        /// The partner did not accept the nominee (final).
        PartnerRejected = "partner_rejected" => [],
        /// Withdrawn by the student (final).
        Withdrawn = "withdrawn" => [],
    }
}

impl TryFrom<String> for ApplicationStatus {
    type Error = AppError;

    /// Reads the stored column.
    fn try_from(s: String) -> Result<Self, AppError> {
        Self::from_stored(&s)
    }
}

/// Checks one step against the status machine, with a message a student understands.
pub fn check_step(from: ApplicationStatus, to: ApplicationStatus) -> Result<(), AppError> {
    if from.can_move_to(to) {
        return Ok(());
    }
    Err(AppError::field("status", format!("the application is {from}; it cannot become {to}")))
}

/// A student's step on their own application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StudentAction {
    /// Send the application (before the deadline, complete).
    Submit,
    /// Withdraw it (any time before the partner decides).
    Withdraw,
    /// Take the place offered (before the answer date).
    Accept,
    /// Turn the place down (before the answer date); it goes to the next in rank.
    Decline,
}

impl StudentAction {
    /// The status the step leads to.
    pub fn target(self) -> ApplicationStatus {
        match self {
            StudentAction::Submit => ApplicationStatus::Submitted,
            StudentAction::Withdraw => ApplicationStatus::Withdrawn,
            StudentAction::Accept => ApplicationStatus::Accepted,
            StudentAction::Decline => ApplicationStatus::Declined,
        }
    }
}

/// Whether the student may still change the application's fields, choices and
/// documents: only while the call is open and before it is screened.
pub fn editable(status: ApplicationStatus, call_open: bool) -> bool {
    call_open && matches!(status, ApplicationStatus::Draft | ApplicationStatus::Submitted)
}

/// Study levels a call may require and a student states.
pub const LEVELS: &[&str] = &["undergraduate", "master", "doctoral"];

/// Kinds of document a call may require.
pub const DOCUMENT_KINDS: &[&str] = &["transcript", "language_certificate", "passport", "motivation_letter", "recommendation", "cv"];

/// Reads a GPA typed as `3.45` (0–5, two decimals) into hundredths.
pub fn parse_gpa(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let ok = !whole.is_empty()
        && whole.len() <= 1
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 2
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        return Err(format!("'{t}' is not a GPA such as 3.45"));
    }
    let w: i64 = whole.parse().map_err(|_| format!("'{t}' is not a GPA such as 3.45"))?;
    let f: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().unwrap_or(0) };
    let v = w * 100 + f;
    if v > 500 {
        return Err(format!("'{t}' is not a GPA such as 3.45"));
    }
    Ok(v)
}

/// Hundredths as `3.45`.
pub fn hundredths(v: i64) -> String {
    format!("{}.{:02}", v / 100, v % 100)
}
