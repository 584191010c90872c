//! Outcomes (consensus, decisions) and follow-up actions with their status machine.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    error::{AppError, AppResult, FieldError},
    status::Status,
};

/// Kinds of outcome.
pub const OUTCOME_KINDS: &[&str] = &["consensus", "decision"];

crate::status_machine! {
    /// A follow-up action's status. An action is closed as done or cancelled, and a
    /// closed one may be reopened or closed the other way.
    pub enum ActionStatus {
        /// To do.
        Open = "open" => [Done, Cancelled],
        /// Done.
        Done = "done" => [Open, Cancelled],
        /// No longer to be done.
        Cancelled = "cancelled" => [Open, Done],
    }
}

impl TryFrom<String> for ActionStatus {
    type Error = AppError;

    fn try_from(s: String) -> AppResult<Self> {
        Self::from_stored(&s)
    }
}

/// Whether an action may go from `from` to `to` (keeping its status is always allowed).
pub fn check_action_move(from: ActionStatus, to: ActionStatus) -> AppResult<()> {
    if from == to || from.can_move_to(to) {
        Ok(())
    } else {
        Err(AppError::field("status", format!("an action cannot go from {from} to {to}")))
    }
}

/// Checks an outcome's kind and text.
pub fn check_outcome(o: &NewOutcome) -> AppResult<()> {
    let mut errors = Vec::new();
    if !OUTCOME_KINDS.contains(&o.kind.as_str()) {
        errors.push(FieldError::new("kind", "use consensus or decision"));
    }
    if o.text.trim().is_empty() {
        errors.push(FieldError::new("text", "say what was agreed or decided"));
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
}

/// Checks a new action's title and due date; returns the due date.
pub fn check_action(a: &NewAction) -> AppResult<String> {
    let mut errors = Vec::new();
    if a.title.trim().is_empty() {
        errors.push(FieldError::new("title", "say what is to be done"));
    }
    let due = crate::time::parse_date(&a.due_date);
    if due.is_none() {
        errors.push(FieldError::new("due_date", "use a date such as 2024-06-30"));
    }
    match due {
        Some(d) if errors.is_empty() => Ok(d),
        _ => Err(AppError::Validation(errors)),
    }
}

/// Checks an action's change against the action as it is; returns the status and due
/// date it will have.
pub fn check_action_update(before: &Action, u: &UpdateAction) -> AppResult<(ActionStatus, String)> {
    let mut errors = Vec::new();
    let status = match u.status.as_deref() {
        None => Some(before.status),
        Some(s) => ActionStatus::parse_field("status", s).map_err(|e| errors.extend(field_errors(e))).ok(),
    };
    if let Some(s) = status
        && let Err(e) = check_action_move(before.status, s)
    {
        errors.extend(field_errors(e));
    }
    let due = match &u.due_date {
        Some(d) => crate::time::parse_date(d).ok_or_else(|| errors.push(FieldError::new("due_date", "use a date such as 2024-06-30"))).ok(),
        None => Some(before.due_date.clone()),
    };
    match (status, due) {
        (Some(s), Some(d)) if errors.is_empty() => Ok((s, d)),
        _ => Err(AppError::Validation(errors)),
    }
}

fn field_errors(e: AppError) -> Vec<FieldError> {
    match e {
        AppError::Validation(v) => v,
        other => vec![FieldError::new("status", other.to_string())],
    }
}

/// An outcome: consensus or decision.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Outcome {
    /// Id.
    pub id: i64,
    /// consensus or decision.
    pub kind: String,
    /// What was agreed.
    pub text: String,
    /// Recorded at.
    pub created_at: String,
}

/// A new outcome.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewOutcome {
    /// consensus or decision.
    pub kind: String,
    /// What was agreed.
    pub text: String,
}

/// A follow-up action.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Action {
    /// Id.
    pub id: i64,
    /// Visit.
    pub visit_id: i64,
    /// The visit's title.
    pub visit_title: String,
    /// The outcome it follows from.
    pub outcome_id: Option<i64>,
    /// What to do.
    pub title: String,
    /// Owner (user).
    pub owner_id: Option<i64>,
    /// Owner's name.
    pub owner: Option<String>,
    /// Due date.
    pub due_date: String,
    /// open, done or cancelled.
    #[sqlx(try_from = "String")]
    pub status: ActionStatus,
}

impl Action {
    /// Open and due before `today`.
    pub fn is_overdue(&self, today: &str) -> bool {
        self.status == ActionStatus::Open && self.due_date.as_str() < today
    }

    /// Whether the page offers "mark done": only for open actions (a closed one is
    /// reopened through the API).
    pub fn can_mark_done(&self) -> bool {
        self.status == ActionStatus::Open && self.status.can_move_to(ActionStatus::Done)
    }
}

/// A new action.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewAction {
    /// What to do.
    pub title: String,
    /// Owner (a user id).
    pub owner_id: Option<i64>,
    /// Due date (YYYY-MM-DD).
    pub due_date: String,
    /// The outcome it follows from.
    #[serde(default)]
    pub outcome_id: Option<i64>,
}

/// Changes to an action.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateAction {
    /// open, done or cancelled.
    #[schema(value_type = Option<ActionStatus>)]
    pub status: Option<String>,
    /// New due date.
    pub due_date: Option<String>,
    /// New owner.
    pub owner_id: Option<i64>,
}
