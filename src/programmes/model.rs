//! Programme and mobility types, their input, and the rules that input must meet
//! (academic years, progression structures, status steps), parsed once, here.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, FieldError};

/// Programme statuses.
pub const PROGRAMME_STATUSES: &[&str] = &["planned", "active", "suspended", "closed"];
/// Inbound (they come to us) or outbound (we send them).
pub const DIRECTIONS: &[&str] = &["inbound", "outbound"];
/// Coordinator sides.
pub const SIDES: &[&str] = &["home", "partner"];
/// Kinds of participant.
pub const PARTICIPANT_KINDS: &[&str] = &["student", "staff"];
/// Mobility statuses in their order; `withdrawn` may end any step before `completed`.
pub const MOBILITY_STATUSES: &[&str] = &["nominated", "accepted", "in_progress", "completed", "withdrawn"];

/// An academic year such as `2024-2025` (two consecutive years).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcademicYear(String);

impl AcademicYear {
    /// Parses `YYYY-YYYY` where the second year follows the first.
    pub fn parse(text: &str) -> Result<AcademicYear, String> {
        let text = text.trim();
        let bad = || format!("'{text}' is not an academic year such as 2024-2025");
        let (a, b) = text.split_once('-').ok_or_else(bad)?;
        let digits = |s: &str| s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit());
        if !digits(a) || !digits(b) {
            return Err(bad());
        }
        let (a, b): (u32, u32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
        if b != a + 1 {
            return Err(format!("an academic year spans two consecutive years, such as {a}-{}", a + 1));
        }
        Ok(AcademicYear(text.to_string()))
    }

    /// The text, e.g. `2024-2025`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A degree progression structure such as `3+1` or `3+1+1`: years at each place, each
/// 1–4, at least two places, six years at most in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Structure(String);

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

/// Checks one step of a mobility's status: one step forward, or withdrawn before completion.
pub fn check_mobility_step(from: &str, to: &str) -> Result<(), AppError> {
    if !MOBILITY_STATUSES.contains(&to) {
        return Err(AppError::field("status", "use nominated, accepted, in_progress, completed or withdrawn"));
    }
    if from == to {
        return Err(AppError::field("status", format!("the mobility is already {from}")));
    }
    if matches!(from, "completed" | "withdrawn") {
        return Err(AppError::field("status", format!("the mobility is {from}; it cannot change any more")));
    }
    if to == "withdrawn" {
        return Ok(());
    }
    let pos = |s: &str| MOBILITY_STATUSES.iter().position(|x| *x == s).unwrap_or(0);
    if pos(to) == pos(from) + 1 {
        Ok(())
    } else if pos(to) < pos(from) {
        Err(AppError::field("status", format!("the mobility is {from}; it cannot go back to {to}")))
    } else {
        let next = MOBILITY_STATUSES[pos(from) + 1];
        Err(AppError::field("status", format!("one step at a time: a {from} mobility goes to {next} next (or is withdrawn)")))
    }
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

/// The checked fields of a programme row.
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

fn opt_text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn check_date(errors: &mut Vec<FieldError>, field: &str, v: &Option<String>) -> Option<String> {
    let text = opt_text(v)?;
    let parsed = crate::time::parse_date(&text);
    if parsed.is_none() {
        errors.push(FieldError::new(field, "use a date such as 2024-09-01"));
    }
    parsed
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
    if !PROGRAMME_STATUSES.contains(&raw.status.as_str()) {
        errors.push(FieldError::new("status", "use planned, active, suspended or closed"));
    }
    let start = check_date(&mut errors, "start_date", &raw.start_date);
    let end = check_date(&mut errors, "end_date", &raw.end_date);
    if let (Some(s), Some(e)) = (&start, &end)
        && e < s
    {
        errors.push(FieldError::new("end_date", "the programme ends before it starts"));
    }
    let structure = match opt_text(&raw.structure) {
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
    };
    let project_title = opt_text(&raw.project_title);
    if raw.area == "collaborative_research" && project_title.is_none() {
        errors.push(FieldError::new("project_title", "a research programme needs the project's title"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(ProgrammeFields {
        area: raw.area.clone(),
        title: raw.title.trim().to_string(),
        status: raw.status.clone(),
        start_date: start,
        end_date: end,
        structure,
        structure_notes: raw.structure_notes.trim().to_string(),
        project_title,
        investigators: raw.investigators.trim().to_string(),
        funding: raw.funding.trim().to_string(),
    })
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
    pub status: String,
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
    pub status: String,
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
            status: self.status.clone(),
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
    pub status: String,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn academic_years_must_be_consecutive() {
        assert!(AcademicYear::parse("2024-2025").is_ok());
        assert!(AcademicYear::parse("2024-2026").is_err());
        assert!(AcademicYear::parse("2025-2024").is_err());
        assert!(AcademicYear::parse("24-25").is_err());
        assert!(AcademicYear::parse("2024/2025").is_err());
    }

    #[test]
    fn structures_are_years_of_one_to_four_up_to_six() {
        assert_eq!(Structure::parse("3+1").map(|s| s.0), Ok("3+1".into()));
        assert_eq!(Structure::parse(" 3 + 1 + 1 ").map(|s| s.0), Ok("3+1+1".into()));
        for bad in ["4", "3+", "5+1", "3+0", "a+b", "4+2+1", "", "3++1", "31+1"] {
            assert!(Structure::parse(bad).is_err(), "{bad}");
        }
        assert!(Structure::parse("2+2+2").is_ok());
    }

    #[test]
    fn mobility_steps_go_one_at_a_time() {
        assert!(check_mobility_step("nominated", "accepted").is_ok());
        assert!(check_mobility_step("accepted", "in_progress").is_ok());
        assert!(check_mobility_step("in_progress", "completed").is_ok());
        assert!(check_mobility_step("in_progress", "withdrawn").is_ok());
        assert!(check_mobility_step("nominated", "completed").is_err());
        assert!(check_mobility_step("completed", "withdrawn").is_err());
        assert!(check_mobility_step("withdrawn", "accepted").is_err());
        assert!(check_mobility_step("accepted", "nominated").is_err());
        assert!(check_mobility_step("accepted", "bogus").is_err());
    }

    #[test]
    fn negative_and_repeated_quotas_are_refused() {
        let q = |y: &str, d: &str, n| Quota { academic_year: y.into(), direction: d.into(), quota: n };
        assert!(check_quotas(&[q("2024-2025", "inbound", 3), q("2024-2025", "outbound", 0)]).is_ok());
        assert!(check_quotas(&[q("2024-2025", "inbound", -1)]).is_err());
        assert!(check_quotas(&[q("2024-2025", "inbound", 1), q("2024-2025", "inbound", 2)]).is_err());
    }
}
