//! An application as stored and shown, the student's input, its documents and choices,
//! the list filters, and what is still missing before it can be submitted.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApplicationStatus, Call, allocation::Outcome};

/// An application.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Application {
    /// Id.
    pub id: i64,
    /// The call.
    pub call_id: i64,
    /// The call's English title.
    pub call_title: String,
    /// The student (user id).
    pub user_id: i64,
    /// The student's name.
    pub student_name: String,
    /// The student's address.
    pub student_email: Option<String>,
    /// Status.
    #[sqlx(try_from = "String")]
    pub status: ApplicationStatus,
    /// undergraduate, master or doctoral ('' not given).
    pub level: String,
    /// GPA in hundredths.
    pub gpa_x100: Option<i64>,
    /// Student number.
    pub student_number: String,
    /// Faculty or school.
    pub faculty: String,
    /// Phone.
    pub phone: String,
    /// Language certificate (e.g. IELTS 6.5).
    pub language_certificate: String,
    /// Motivation.
    pub motivation: String,
    /// Why it is (in)eligible.
    pub eligibility_note: String,
    /// Interview time (UTC).
    pub interview_at: Option<String>,
    /// Interview place.
    pub interview_place: String,
    /// Combined score in hundredths.
    pub score_x100: Option<i64>,
    /// Rank at the last allocation.
    pub rank: Option<i64>,
    /// The call's partner row allocated.
    pub allocated_partner_id: Option<i64>,
    /// Which choice that was.
    pub allocated_choice: Option<i64>,
    /// The allocation's reasons (JSON of `Outcome`).
    #[serde(skip)]
    pub allocation_json: Option<String>,
    /// Why the office set the allocation by hand.
    pub override_note: Option<String>,
    /// Answer an offer by (UTC).
    pub respond_by: Option<String>,
    /// The partner's reason when it decided.
    pub partner_reason: String,
    /// The mobility made by the nomination.
    pub mobility_id: Option<i64>,
    /// When submitted.
    pub submitted_at: Option<String>,
    /// Created.
    pub created_at: String,
    /// Last changed.
    pub updated_at: String,
}

impl Application {
    /// The allocation's reasons, if it ran.
    pub fn outcome(&self) -> Option<Outcome> {
        self.allocation_json.as_deref().and_then(|j| serde_json::from_str(j).ok())
    }
}

/// One ranked choice.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Choice {
    /// 1 = first choice.
    pub priority: i64,
    /// The call's partner row.
    pub call_partner_id: i64,
    /// The partner's name.
    pub name: String,
}

/// An uploaded document.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ApplicationDocument {
    /// Id.
    pub id: i64,
    /// Which required document it is.
    pub kind: String,
    /// File name.
    pub name: String,
    /// Sniffed type.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// When uploaded.
    pub uploaded_at: String,
}

/// One reviewer's score.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ReviewScore {
    /// Reviewer (user id).
    pub reviewer_id: i64,
    /// Reviewer's name.
    pub reviewer: String,
    /// Criterion key.
    pub criterion: String,
    /// Score in hundredths.
    pub score_x100: i64,
    /// Comment.
    pub comment: String,
}

/// An application with everything its page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationDetail {
    /// The application.
    #[serde(flatten)]
    pub application: Application,
    /// Ranked partners.
    pub choices: Vec<Choice>,
    /// Uploaded documents.
    pub documents: Vec<ApplicationDocument>,
    /// What must be done before it can be submitted (field names and document kinds).
    pub missing: Vec<String>,
    /// Whether the student may still change it (the call is open and it is not screened).
    pub editable: bool,
    /// The steps the student may take now.
    pub student_actions: Vec<super::StudentAction>,
    /// The allocation in words (after publishing for students).
    pub explanation: Option<String>,
    /// Reviewers' scores (office only).
    pub scores: Vec<ReviewScore>,
}

/// What a student fills in; every field optional (absent: unchanged).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ApplicationInput {
    /// undergraduate, master or doctoral.
    pub level: Option<String>,
    /// GPA such as `3.45`.
    pub gpa: Option<String>,
    /// Student number.
    pub student_number: Option<String>,
    /// Faculty or school.
    pub faculty: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Language certificate (e.g. `IELTS 6.5`).
    pub language_certificate: Option<String>,
    /// Why this exchange.
    pub motivation: Option<String>,
    /// The call's partner rows in order of preference (replaces the list).
    pub choices: Option<Vec<i64>>,
}

/// Filters of the application list.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
pub struct ApplicationQuery {
    /// Of this call.
    pub call_id: Option<i64>,
    /// In this status.
    #[param(value_type = Option<ApplicationStatus>)]
    pub status: Option<String>,
    /// With this partner among its choices (an institution id).
    pub partner_id: Option<i64>,
    /// Name or student number contains this.
    pub q: Option<String>,
}

/// What is missing before an application can be submitted.
pub fn missing(call: &Call, a: &Application, choices: usize, documents: &[ApplicationDocument]) -> Vec<String> {
    let mut out = Vec::new();
    if a.level.is_empty() {
        out.push("level".to_string());
    }
    if a.gpa_x100.is_none() {
        out.push("gpa".to_string());
    }
    if a.student_number.trim().is_empty() {
        out.push("student_number".to_string());
    }
    if a.faculty.trim().is_empty() {
        out.push("faculty".to_string());
    }
    if call.language_certificate == 1 && a.language_certificate.trim().is_empty() {
        out.push("language_certificate".to_string());
    }
    if a.motivation.trim().is_empty() {
        out.push("motivation".to_string());
    }
    if choices == 0 {
        out.push("choices".to_string());
    }
    for kind in call.required_documents() {
        if !documents.iter().any(|d| d.kind == kind) {
            out.push(format!("document:{kind}"));
        }
    }
    out
}

/// Why an application does not meet the call's conditions (empty: it does).
pub fn eligibility_problems(call: &Call, a: &Application) -> Vec<String> {
    let mut out = Vec::new();
    if !call.level.is_empty() && a.level != call.level {
        out.push(format!("the call is for {} students", call.level));
    }
    if let (Some(min), Some(gpa)) = (call.min_gpa_x100, a.gpa_x100)
        && gpa < min
    {
        out.push(format!("GPA {} is below {}", super::hundredths(gpa), super::hundredths(min)));
    }
    if call.language_certificate == 1 && a.language_certificate.trim().is_empty() {
        out.push("no language certificate".to_string());
    }
    out
}
