//! Units, people and their dated positions.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::opt;
use crate::error::{AppError, FieldError};

/// A unit with all its names.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Unit {
    /// Id.
    pub id: i64,
    /// Institution.
    pub institution_id: i64,
    /// Parent unit.
    pub parent_id: Option<i64>,
    /// Names, primary first.
    pub names: Vec<UnitName>,
}

impl Unit {
    /// The primary name in a language (falls back to the first name).
    pub fn name(&self, zh: bool) -> &str {
        let lang = if zh { "zh" } else { "en" };
        self.names.iter().find(|n| n.lang == lang).or_else(|| self.names.first()).map(|n| n.name.as_str()).unwrap_or("")
    }

    /// Other names, for "also known as".
    pub fn other_names(&self, zh: bool) -> Vec<&str> {
        let main = self.name(zh);
        self.names.iter().map(|n| n.name.as_str()).filter(|n| *n != main).collect()
    }
}

/// One name of a unit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnitName {
    /// en, zh or local.
    pub lang: String,
    /// The name.
    pub name: String,
    /// Shown first.
    #[serde(default)]
    pub primary: bool,
}

/// A person with their positions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Person {
    /// Id.
    pub id: i64,
    /// Romanised name, e.g. "Chen Zhihui".
    pub name_en: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Main institution.
    pub institution_id: Option<i64>,
    /// Positions, current first.
    pub positions: Vec<Position>,
}

/// A dated position (title at a unit or institution).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Position {
    /// Id.
    pub id: i64,
    /// Person.
    pub person_id: i64,
    /// Person's romanised name.
    pub person_name: String,
    /// Title in English.
    pub title_en: String,
    /// Title in Chinese.
    pub title_zh: Option<String>,
    /// Institution.
    pub institution_id: i64,
    /// Institution's English name.
    pub institution_name: String,
    /// Unit, if the position belongs to one.
    pub unit_id: Option<i64>,
    /// Unit's primary English name.
    pub unit_name: Option<String>,
    /// From (YYYY-MM-DD).
    pub start_date: Option<String>,
    /// To (YYYY-MM-DD).
    pub end_date: Option<String>,
}

impl Position {
    /// Title in a language.
    pub fn title(&self, zh: bool) -> &str {
        match (&self.title_zh, zh) {
            (Some(t), true) => t,
            _ => &self.title_en,
        }
    }
}

/// Input for a person.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PersonInput {
    /// Romanised name.
    pub name_en: String,
    /// Chinese name.
    #[serde(default)]
    pub name_zh: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Main institution.
    #[serde(default)]
    pub institution_id: Option<i64>,
    /// Positions to create with the person.
    #[serde(default)]
    pub positions: Vec<PositionInput>,
}

/// Input for a position.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PositionInput {
    /// Title in English.
    pub title_en: String,
    /// Title in Chinese.
    #[serde(default)]
    pub title_zh: Option<String>,
    /// Institution.
    pub institution_id: i64,
    /// Unit (must belong to the institution).
    #[serde(default)]
    pub unit_id: Option<i64>,
    /// From (YYYY-MM-DD).
    #[serde(default)]
    pub start_date: Option<String>,
    /// To (YYYY-MM-DD).
    #[serde(default)]
    pub end_date: Option<String>,
}

/// Validates a person's input (the unit/institution match is checked in the store).
pub fn check_person(p: &mut PersonInput) -> Result<(), AppError> {
    let mut errors = Vec::new();
    p.name_en = p.name_en.trim().to_string();
    if p.name_en.is_empty() {
        errors.push(FieldError::new("name_en", "the romanised name is required"));
    }
    p.name_zh = opt(p.name_zh.take());
    p.email = opt(p.email.take());
    if p.email.as_ref().is_some_and(|e| !e.contains('@')) {
        errors.push(FieldError::new("email", "this is not an e-mail address"));
    }
    for (i, pos) in p.positions.iter_mut().enumerate() {
        pos.title_en = pos.title_en.trim().to_string();
        if pos.title_en.is_empty() {
            errors.push(FieldError::new(format!("positions[{i}].title_en"), "the title is required"));
        }
        pos.title_zh = opt(pos.title_zh.take());
        for (field, value) in [("start_date", &mut pos.start_date), ("end_date", &mut pos.end_date)] {
            if let Some(v) = opt(value.take()) {
                match crate::time::parse_date(&v) {
                    Some(d) => *value = Some(d),
                    None => errors.push(FieldError::new(format!("positions[{i}].{field}"), "use a date like 2024-05-08")),
                }
            }
        }
        if let (Some(s), Some(e)) = (&pos.start_date, &pos.end_date)
            && e < s
        {
            errors.push(FieldError::new(format!("positions[{i}].end_date"), "the position ends before it starts"));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
}
