//! The status machine, GPA parsing and call checks.

use super::*;

#[test]
fn a_student_drafts_submits_and_answers_an_offer() {
    use ApplicationStatus as S;
    assert!(check_step(S::Draft, S::Submitted).is_ok());
    assert!(check_step(S::Draft, S::Accepted).is_err());
    assert!(check_step(S::Offered, S::Accepted).is_ok());
    assert!(check_step(S::Declined, S::Accepted).is_err());
    assert!(check_step(S::Nominated, S::PartnerAccepted).is_ok());
    assert!(editable(S::Submitted, true) && !editable(S::Submitted, false) && !editable(S::Eligible, true));
    assert_eq!(StudentAction::Decline.target(), S::Declined);
}

#[test]
fn gpas_are_read_in_hundredths() {
    assert_eq!(parse_gpa("3.45"), Ok(345));
    assert_eq!(parse_gpa("3.5"), Ok(350));
    assert_eq!(parse_gpa("4"), Ok(400));
    assert!(parse_gpa("5.5").is_err() && parse_gpa("abc").is_err() && parse_gpa("3.456").is_err() && parse_gpa("").is_err());
    assert_eq!(hundredths(345), "3.45");
}

#[test]
fn call_times_without_an_offset_are_read_in_the_office_zone() {
    assert_eq!(parse_instant("2025-03-01T09:00").as_deref(), Some("2025-03-01T01:00:00.000000Z"));
    assert_eq!(parse_instant("2025-03-01T09:00:00+00:00").as_deref(), Some("2025-03-01T09:00:00.000000Z"));
    assert_eq!(parse_instant("soon"), None);
}

#[test]
fn a_call_with_bad_fields_names_each_of_them() {
    let c: NewCall = serde_json::from_value(serde_json::json!({
        "programme_id": 1, "academic_year": "2025-2026", "title_en": " ", "opens_at": "x", "closes_at": "y",
        "mobility_start": "2025-09-01", "mobility_end": "2026-01-31", "max_choices": 11, "level": "phd",
        "min_gpa": "9", "required_documents": ["selfie"], "criteria": [{"key": "A", "en": "", "weight": 0}]
    }))
    .expect("parses");
    let mut errors = Vec::new();
    check_call_fields(&c, &mut errors);
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    for f in
        ["title_en", "max_choices", "level", "min_gpa", "required_documents[0]", "criteria[0].key", "criteria[0].weight", "criteria[0].en"]
    {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
}
