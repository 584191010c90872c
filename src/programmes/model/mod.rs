//! Programme and mobility types, their input, and the rules that input must meet
//! (academic years, progression structures, the two status machines), parsed once, here.
//! Programmes are in `programme`, mobilities and balances in `mobility`; both are
//! re-exported so callers write `model::Programme`, `model::MobilityStatus`.

mod mobility;
mod programme;
#[cfg(test)]
mod tests;

pub use mobility::*;
pub use programme::*;

use crate::error::FieldError;

/// Inbound (they come to us) or outbound (we send them).
pub const DIRECTIONS: &[&str] = &["inbound", "outbound"];
/// Coordinator sides.
pub const SIDES: &[&str] = &["home", "partner"];
/// Kinds of participant.
pub const PARTICIPANT_KINDS: &[&str] = &["student", "staff"];

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

/// Trimmed text, or None when empty.
fn opt_text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// A date as typed (None when empty), with a message when it is not a date.
fn check_date(errors: &mut Vec<FieldError>, field: &str, v: &Option<String>) -> Option<String> {
    let text = opt_text(v)?;
    let parsed = crate::time::parse_date(&text);
    if parsed.is_none() {
        errors.push(FieldError::new(field, "use a date such as 2024-09-01"));
    }
    parsed
}
