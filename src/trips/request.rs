//! A trip request as sent, and the checks that need no database (the references are
//! checked in `queries::check_references`); amounts typed in forms.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::FieldError;

/// A trip request as sent (JSON). Dates are `YYYY-MM-DD`; the budget is in the
/// currency's minor unit (cents, fen).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewTrip {
    /// The requesting unit (of the home institution): its head approves first.
    #[serde(default)]
    pub unit_id: Option<i64>,
    /// Where to, e.g. "Kuala Lumpur, Malaysia".
    #[serde(default)]
    pub destination: String,
    /// The partner institution visited, if any.
    #[serde(default)]
    pub institution_id: Option<i64>,
    /// Why.
    #[serde(default)]
    pub purpose: String,
    /// First day.
    #[serde(default)]
    pub start_date: String,
    /// Last day.
    #[serde(default)]
    pub end_date: String,
    /// Budget in minor units (e.g. 1200000 for 12,000.00).
    #[serde(default)]
    pub budget_cents: i64,
    /// ISO 4217 code (default CNY).
    #[serde(default)]
    pub currency: Option<String>,
    /// People (from the directory) who travel.
    #[serde(default)]
    pub traveller_ids: Vec<i64>,
    /// The outbound visit this trip belongs to, if recorded.
    #[serde(default)]
    pub visit_id: Option<i64>,
}

/// A request that passed the checks that need no database.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTrip {
    /// Unit.
    pub unit_id: i64,
    /// Destination, trimmed.
    pub destination: String,
    /// Partner institution.
    pub institution_id: Option<i64>,
    /// Purpose, trimmed.
    pub purpose: String,
    /// First day, normalised.
    pub start_date: String,
    /// Last day, normalised.
    pub end_date: String,
    /// Budget, minor units.
    pub budget_cents: i64,
    /// Currency code, upper case.
    pub currency: String,
    /// Travellers, without duplicates, in the order given.
    pub traveller_ids: Vec<i64>,
    /// Outbound visit.
    pub visit_id: Option<i64>,
}

/// Checks a request; every problem is reported at once. `Err` carries the field errors
/// and, where parsing got that far, the partly valid trip is not needed by callers.
pub fn check(t: &NewTrip) -> Result<ValidTrip, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut need = |ok: bool, field: &str, msg: &str| {
        if !ok {
            errors.push(FieldError::new(field, msg));
        }
    };
    need(t.unit_id.is_some(), "unit_id", "choose the unit whose head approves the trip");
    need(!t.destination.trim().is_empty(), "destination", "say where the trip goes");
    need(!t.purpose.trim().is_empty(), "purpose", "say what the trip is for");
    need(t.budget_cents >= 0, "budget_cents", "the budget cannot be below zero");
    need(!t.traveller_ids.is_empty(), "traveller_ids", "name at least one traveller");
    let currency = t.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or("CNY").to_ascii_uppercase();
    need(
        currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()),
        "currency",
        "use a three-letter ISO 4217 code such as CNY",
    );
    let start = crate::time::parse_date(&t.start_date);
    let end = crate::time::parse_date(&t.end_date);
    need(start.is_some(), "start_date", "give the first day as YYYY-MM-DD");
    need(end.is_some(), "end_date", "give the last day as YYYY-MM-DD");
    if let (Some(s), Some(e)) = (&start, &end) {
        need(e >= s, "end_date", "the trip ends before it starts");
    }
    let (Some(unit_id), Some(start_date), Some(end_date), true) = (t.unit_id, start, end, errors.is_empty()) else {
        return Err(errors);
    };
    let mut traveller_ids: Vec<i64> = Vec::new();
    for id in &t.traveller_ids {
        if !traveller_ids.contains(id) {
            traveller_ids.push(*id);
        }
    }
    Ok(ValidTrip {
        unit_id,
        destination: t.destination.trim().to_string(),
        institution_id: t.institution_id,
        purpose: t.purpose.trim().to_string(),
        start_date,
        end_date,
        budget_cents: t.budget_cents,
        currency,
        traveller_ids,
        visit_id: t.visit_id,
    })
}

/// Parses an amount typed in a form ("12000", "12,000.50") into minor units.
pub fn parse_amount(text: &str) -> Option<i64> {
    let t: String = text.trim().chars().filter(|c| *c != ',' && *c != ' ').collect();
    if t.is_empty() {
        return Some(0);
    }
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.as_str()),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 2 || !(whole.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    let cents = whole.checked_mul(100)?.checked_add(frac)?;
    Some(if neg { -cents } else { cents })
}

/// Shows minor units as an amount: 1200050 → "12,000.50".
pub fn format_amount(cents: i64) -> String {
    let (sign, abs) = if cents < 0 { ("-", cents.unsigned_abs()) } else { ("", cents.unsigned_abs()) };
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_reports_every_bad_field_at_once() {
        let bad = NewTrip {
            unit_id: None,
            start_date: "2024-06-07".into(),
            end_date: "2024-06-01".into(),
            budget_cents: -1,
            currency: Some("yuan".into()),
            ..NewTrip::default()
        };
        let errors = check(&bad).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["unit_id", "destination", "purpose", "budget_cents", "traveller_ids", "currency", "end_date"]);
    }

    #[test]
    fn a_good_request_is_normalised() {
        let ok = NewTrip {
            unit_id: Some(3),
            destination: " Kuala Lumpur ".into(),
            purpose: "Return visit".into(),
            start_date: "2024-06-01".into(),
            end_date: "2024-06-01".into(),
            currency: Some("myr".into()),
            traveller_ids: vec![4, 5, 4],
            ..NewTrip::default()
        };
        let v = check(&ok).expect("valid");
        assert_eq!((v.destination.as_str(), v.currency.as_str(), v.traveller_ids), ("Kuala Lumpur", "MYR", vec![4, 5]));
    }

    #[test]
    fn amounts_parse_to_minor_units_and_back() {
        assert_eq!(parse_amount("12,000.5"), Some(1_200_050));
        assert_eq!(parse_amount("0.05"), Some(5));
        assert_eq!(parse_amount(""), Some(0));
        assert_eq!(parse_amount("-3"), Some(-300));
        assert_eq!(parse_amount("1.234"), None);
        assert_eq!(parse_amount("ten"), None);
        assert_eq!(format_amount(1_200_050), "12,000.50");
        assert_eq!(format_amount(5), "0.05");
        assert_eq!(format_amount(100_000_000), "1,000,000.00");
    }
}
