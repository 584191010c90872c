//! Mobilities: their status machine and its one-step rule, input, rows, list filters,
//! and the exchange balance.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{error::AppError, status::Status};

crate::status_machine! {
    /// A mobility's status: one step forward at a time; `withdrawn` may end any step
    /// before `completed`.
    pub enum MobilityStatus {
        /// Put forward by the sending side (every mobility starts here).
        Nominated = "nominated" => [Accepted, Withdrawn],
        /// Accepted by the host.
        Accepted = "accepted" => [InProgress, Withdrawn],
        /// Under way.
        InProgress = "in_progress" => [Completed, Withdrawn],
        /// Done (final).
        Completed = "completed" => [],
        /// Called off (final).
        Withdrawn = "withdrawn" => [],
    }
}

impl TryFrom<String> for MobilityStatus {
    type Error = AppError;

    /// Reads the stored column.
    fn try_from(s: String) -> Result<Self, AppError> {
        Self::from_stored(&s)
    }
}

/// Checks one step of a mobility's status against `allowed_next`, explaining a refusal:
/// already there, final, going back, or skipping a step.
pub fn check_mobility_step(from: MobilityStatus, to: MobilityStatus) -> Result<(), AppError> {
    if from.can_move_to(to) {
        return Ok(());
    }
    let position = |s: MobilityStatus| MobilityStatus::ALL.iter().position(|x| *x == s);
    let message = if from == to {
        format!("the mobility is already {from}")
    } else if from.allowed_next().is_empty() {
        format!("the mobility is {from}; it cannot change any more")
    } else if position(to) < position(from) {
        format!("the mobility is {from}; it cannot go back to {to}")
    } else {
        let next = from.allowed_next().iter().find(|s| **s != MobilityStatus::Withdrawn).copied().unwrap_or(from);
        format!("one step at a time: a {from} mobility goes to {next} next (or is withdrawn)")
    };
    Err(AppError::field("status", message))
}

/// Filters of the mobility list.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct MobilityQuery {
    /// In this programme.
    pub programme_id: Option<i64>,
    /// E.g. `2024-2025`.
    pub academic_year: Option<String>,
    /// inbound or outbound.
    pub direction: Option<String>,
    /// nominated, accepted, in_progress, completed or withdrawn.
    #[param(value_type = Option<MobilityStatus>)]
    pub status: Option<String>,
    /// This participant.
    pub person_id: Option<i64>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Items per page (1–200, default 50).
    pub per_page: Option<i64>,
}

impl MobilityQuery {
    /// Page and page size, clamped.
    pub fn paging(&self) -> (i64, i64) {
        crate::web::paging::paging(self.page, self.per_page, 50, 200)
    }
}

/// A new mobility.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewMobility {
    /// The programme.
    pub programme_id: i64,
    /// The participant (from the directory of people).
    pub person_id: i64,
    /// student or staff.
    pub participant_kind: String,
    /// inbound or outbound.
    pub direction: String,
    /// The partner institution (default: the agreement's party that is not home).
    #[serde(default)]
    pub partner_institution_id: Option<i64>,
    /// E.g. `2024-2025`.
    pub academic_year: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Knowingly go over the quota or outside the programme's period.
    #[serde(default, rename = "override")]
    pub override_warnings: bool,
    /// Why (required with `override`).
    #[serde(default)]
    pub override_note: Option<String>,
}

/// A mobility's next status.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MobilityStatusChange {
    /// accepted, in_progress, completed (one step at a time) or withdrawn.
    #[schema(value_type = MobilityStatus)]
    pub status: String,
}

/// A mobility.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Mobility {
    /// Id.
    pub id: i64,
    /// Programme.
    pub programme_id: i64,
    /// The programme's title.
    pub programme_title: String,
    /// Participant.
    pub person_id: i64,
    /// Participant's name.
    pub person_name: String,
    /// Partner institution.
    pub partner_institution_id: i64,
    /// Partner institution's name.
    pub partner_name: String,
    /// student or staff.
    pub participant_kind: String,
    /// inbound or outbound.
    pub direction: String,
    /// Academic year.
    pub academic_year: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Status.
    #[sqlx(try_from = "String")]
    pub status: MobilityStatus,
    /// Set when a warning was knowingly overridden.
    pub override_note: Option<String>,
    /// When created.
    pub created_at: String,
    /// When last changed.
    pub updated_at: String,
}

/// One year of an agreement's exchange balance.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct BalanceRow {
    /// Academic year.
    pub academic_year: String,
    /// Inbound mobilities that are not withdrawn.
    pub inbound: i64,
    /// Outbound mobilities that are not withdrawn.
    pub outbound: i64,
    /// Inbound places over the agreement's programmes.
    pub quota_inbound: i64,
    /// Outbound places.
    pub quota_outbound: i64,
    /// inbound − outbound.
    pub balance: i64,
}

impl BalanceRow {
    /// A year with nothing counted yet.
    pub fn empty(academic_year: &str) -> BalanceRow {
        BalanceRow { academic_year: academic_year.to_string(), inbound: 0, outbound: 0, quota_inbound: 0, quota_outbound: 0, balance: 0 }
    }
}
