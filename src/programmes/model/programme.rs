//! Programmes: their status machine, structures, input and checks, quotas and
//! coordinators.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AcademicYear, DIRECTIONS, check_date, opt_text};
use crate::{
    error::{AppError, FieldError},
    status::Status,
};

crate::status_machine! {
    /// A programme's status. The office may move a programme between any two states
    /// (a suspended or closed programme can be reopened).
    pub enum ProgrammeStatus {
        /// Agreed on paper, not running yet (the default).
        Planned = "planned" => [Active, Suspended, Closed],
        /// Running.
        Active = "active" => [Planned, Suspended, Closed],
        /// Paused.
        Suspended = "suspended" => [Planned, Active, Closed],
        /// Ended.
        Closed = "closed" => [Planned, Active, Suspended],
    }
}

impl TryFrom<String> for ProgrammeStatus {
    type Error = AppError;

    /// Reads the stored column.
    fn try_from(s: String) -> Result<Self, AppError> {
        Self::from_stored(&s)
    }
}

/// Checks a change of a programme's status (staying put is no change).
pub fn check_programme_step(from: ProgrammeStatus, to: ProgrammeStatus) -> Result<(), AppError> {
    if from == to || from.can_move_to(to) {
        Ok(())
    } else {
        Err(AppError::field("status", format!("a {from} programme cannot become {to}")))
    }
}

/// The statuses the status form offers for a programme now: its own and the allowed
/// next ones, in the usual order.
pub fn programme_status_choices(current: ProgrammeStatus) -> Vec<ProgrammeStatus> {
    ProgrammeStatus::ALL.iter().copied().filter(|s| check_programme_step(current, *s).is_ok()).collect()
}

/// A degree progression structure such as `3+1` or `3+1+1`: years at each place, each
/// 1–4, at least two places, six years at most in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Structure(pub(super) String);

impl Structure {
    /// Parses the structure text (spaces around '+' are allowed and dropped).
    pub fn parse(text: &str) -> Result<Structure, String> {
        let parts: Vec<&str> = text.split('+').map(str::trim).collect();
        let ok_part = |p: &&str| p.len() == 1 && matches!(p.as_bytes()[0], b'1'..=b'4');
        if parts.len() < 2 || !parts.iter().all(ok_part) {
            return Err(format!("'{}' is not a structure such as 3+1 or 3+1+1 (years of 1 to 4 joined by '+')", text.trim()));
        }
        let total: u32 = parts.iter().map(|p| u32::from(p.as_bytes()[0] - b'0')).sum();
        if total > 6 {
            return Err(format!("the structure adds up to {total} years; at most 6 are allowed"));
        }
        Ok(Structure(parts.join("+")))
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Filters of the programme list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ProgrammeQuery {
    /// Programmes under this agreement.
    pub agreement_id: Option<i64>,
    /// Cooperation area key.
    pub area: Option<String>,
    /// planned, active, suspended or closed.
    #[param(value_type = Option<ProgrammeStatus>)]
    pub status: Option<String>,
}

/// A new programme.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewProgramme {
    /// The agreement it runs under.
    pub agreement_id: i64,
    /// Cooperation area key, e.g. `degree_progression` (see `crate::cooperation`).
    pub area: String,
    /// Title, e.g. "3+1+1 progression in civil engineering".
    pub title: String,
    /// planned (default), active, suspended or closed.
    #[serde(default)]
    #[schema(value_type = Option<ProgrammeStatus>)]
    pub status: Option<String>,
    /// First day (YYYY-MM-DD).
    #[serde(default)]
    pub start_date: Option<String>,
    /// Last day (YYYY-MM-DD).
    #[serde(default)]
    pub end_date: Option<String>,
    /// Degree progression: e.g. `3+1+1` (required for that area).
    #[serde(default)]
    pub structure: Option<String>,
    /// Which years are where, in words.
    #[serde(default)]
    pub structure_notes: String,
    /// Collaborative research: the project's title (required for that area).
    #[serde(default)]
    pub project_title: Option<String>,
    /// Collaborative research: investigators.
    #[serde(default)]
    pub investigators: String,
    /// Collaborative research: funding.
    #[serde(default)]
    pub funding: String,
}

/// Changes to a programme (only the fields given).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateProgramme {
    /// Title.
    pub title: Option<String>,
    /// planned, active, suspended or closed.
    #[schema(value_type = Option<ProgrammeStatus>)]
    pub status: Option<String>,
    /// First day ("" clears it).
    pub start_date: Option<String>,
    /// Last day ("" clears it).
    pub end_date: Option<String>,
    /// Progression structure.
    pub structure: Option<String>,
    /// Notes on the structure.
    pub structure_notes: Option<String>,
    /// Research project title.
    pub project_title: Option<String>,
    /// Investigators.
    pub investigators: Option<String>,
    /// Funding.
    pub funding: Option<String>,
}

/// A programme's fields as typed (`status` as text) and, once checked, as stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProgrammeFields {
    /// Area key.
    pub area: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: String,
    /// First day.
    pub start_date: Option<String>,
    /// Last day.
    pub end_date: Option<String>,
    /// Structure (progression).
    pub structure: Option<String>,
    /// Notes on the structure.
    pub structure_notes: String,
    /// Research project title.
    pub project_title: Option<String>,
    /// Investigators.
    pub investigators: String,
    /// Funding.
    pub funding: String,
}

/// The checked structure: required for progression programmes.
fn check_structure(errors: &mut Vec<FieldError>, raw: &ProgrammeFields) -> Option<String> {
    match opt_text(&raw.structure) {
        Some(s) => match Structure::parse(&s) {
            Ok(s) => Some(s.as_str().to_string()),
            Err(m) => {
                errors.push(FieldError::new("structure", m));
                None
            }
        },
        None if raw.area == "degree_progression" => {
            errors.push(FieldError::new("structure", "a progression programme needs its structure, such as 3+1 or 3+1+1"));
            None
        }
        None => None,
    }
}

/// Checks a programme's fields as typed, collecting every problem.
pub fn check_programme(raw: &ProgrammeFields) -> Result<ProgrammeFields, AppError> {
    let mut errors = Vec::new();
    if crate::cooperation::area(&raw.area).is_none() {
        let keys: Vec<&str> = crate::cooperation::AREAS.iter().map(|a| a.key).collect();
        errors.push(FieldError::new("area", format!("choose a cooperation area: {}", keys.join(", "))));
    }
    if raw.title.trim().is_empty() {
        errors.push(FieldError::new("title", "give the programme a title"));
    }
    let status = ProgrammeStatus::parse_field("status", raw.status.trim());
    if let Err(AppError::Validation(v)) = &status {
        errors.extend(v.iter().cloned());
    }
    let start = check_date(&mut errors, "start_date", &raw.start_date);
    let end = check_date(&mut errors, "end_date", &raw.end_date);
    if let (Some(s), Some(e)) = (&start, &end)
        && e < s
    {
        errors.push(FieldError::new("end_date", "the programme ends before it starts"));
    }
    let structure = check_structure(&mut errors, raw);
    let project_title = opt_text(&raw.project_title);
    if raw.area == "collaborative_research" && project_title.is_none() {
        errors.push(FieldError::new("project_title", "a research programme needs the project's title"));
    }
    match status {
        Ok(status) if errors.is_empty() => Ok(ProgrammeFields {
            area: raw.area.clone(),
            title: raw.title.trim().to_string(),
            status: status.as_str().to_string(),
            start_date: start,
            end_date: end,
            structure,
            structure_notes: raw.structure_notes.trim().to_string(),
            project_title,
            investigators: raw.investigators.trim().to_string(),
            funding: raw.funding.trim().to_string(),
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

/// A quota for one academic year and direction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Quota {
    /// E.g. `2024-2025`.
    pub academic_year: String,
    /// inbound or outbound.
    pub direction: String,
    /// Places (zero or more).
    pub quota: i64,
}

/// Checks a full set of quotas: years, directions, not below zero, no pair twice.
pub fn check_quotas(quotas: &[Quota]) -> Result<Vec<Quota>, AppError> {
    let mut errors = Vec::new();
    let mut out: Vec<Quota> = Vec::new();
    for (i, q) in quotas.iter().enumerate() {
        let year = AcademicYear::parse(&q.academic_year);
        if let Err(m) = &year {
            errors.push(FieldError::new(format!("[{i}].academic_year"), m.clone()));
        }
        if !DIRECTIONS.contains(&q.direction.as_str()) {
            errors.push(FieldError::new(format!("[{i}].direction"), "use inbound or outbound"));
        }
        if q.quota < 0 {
            errors.push(FieldError::new(format!("[{i}].quota"), "a quota cannot be below zero"));
        }
        let year = year.map(|y| y.as_str().to_string()).unwrap_or_default();
        if out.iter().any(|o| o.academic_year == year && o.direction == q.direction) {
            errors.push(FieldError::new(format!("[{i}]"), format!("{year} {} is given twice", q.direction)));
        }
        out.push(Quota { academic_year: year, direction: q.direction.clone(), quota: q.quota });
    }
    if errors.is_empty() { Ok(out) } else { Err(AppError::Validation(errors)) }
}

/// A coordinator to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CoordinatorInput {
    /// The person (from the directory of people).
    pub person_id: i64,
    /// home or partner.
    pub side: String,
}

/// A coordinator of a programme.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Coordinator {
    /// The person.
    pub person_id: i64,
    /// Their name.
    pub name_en: String,
    /// home or partner.
    pub side: String,
}

/// A programme as listed.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ProgrammeSummary {
    /// Id.
    pub id: i64,
    /// Agreement.
    pub agreement_id: i64,
    /// The agreement's title.
    pub agreement_title: String,
    /// Area key.
    pub area: String,
    /// Title.
    pub title: String,
    /// Status.
    #[sqlx(try_from = "String")]
    pub status: ProgrammeStatus,
    /// First day.
    pub start_date: Option<String>,
    /// Last day.
    pub end_date: Option<String>,
    /// Progression structure.
    pub structure: Option<String>,
}

/// A programme with its quotas and coordinators.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Programme {
    /// Id.
    pub id: i64,
    /// Agreement.
    pub agreement_id: i64,
    /// The agreement's title.
    pub agreement_title: String,
    /// The agreement's unit (coordinators of it may record mobilities).
    pub unit_id: Option<i64>,
    /// Area key.
    pub area: String,
    /// Title.
    pub title: String,
    /// Status.
    #[sqlx(try_from = "String")]
    pub status: ProgrammeStatus,
    /// First day.
    pub start_date: Option<String>,
    /// Last day.
    pub end_date: Option<String>,
    /// Progression structure.
    pub structure: Option<String>,
    /// Which years are where.
    pub structure_notes: String,
    /// Research project title.
    pub project_title: Option<String>,
    /// Investigators.
    pub investigators: String,
    /// Funding.
    pub funding: String,
    /// Quotas by year and direction.
    #[sqlx(skip)]
    pub quotas: Vec<Quota>,
    /// Coordinators on both sides.
    #[sqlx(skip)]
    pub coordinators: Vec<Coordinator>,
    /// When created.
    pub created_at: String,
    /// When last changed.
    pub updated_at: String,
}

impl Programme {
    /// The programme's own fields, as checked input (for updates).
    pub fn fields(&self) -> ProgrammeFields {
        ProgrammeFields {
            area: self.area.clone(),
            title: self.title.clone(),
            status: self.status.as_str().to_string(),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            structure: self.structure.clone(),
            structure_notes: self.structure_notes.clone(),
            project_title: self.project_title.clone(),
            investigators: self.investigators.clone(),
            funding: self.funding.clone(),
        }
    }
}
