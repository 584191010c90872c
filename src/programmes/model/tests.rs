use super::*;
use crate::status::Status;

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
    use MobilityStatus::*;
    assert!(check_mobility_step(Nominated, Accepted).is_ok());
    assert!(check_mobility_step(Accepted, InProgress).is_ok());
    assert!(check_mobility_step(InProgress, Completed).is_ok());
    assert!(check_mobility_step(InProgress, Withdrawn).is_ok());
    assert!(check_mobility_step(Nominated, Completed).is_err());
    assert!(check_mobility_step(Completed, Withdrawn).is_err());
    assert!(check_mobility_step(Withdrawn, Accepted).is_err());
    assert!(check_mobility_step(Accepted, Nominated).is_err());
    assert!(MobilityStatus::parse("bogus").is_none());
}

#[test]
fn mobility_refusals_say_why() {
    use MobilityStatus::*;
    let message = |from, to| match check_mobility_step(from, to) {
        Err(crate::error::AppError::Validation(v)) => v.first().map(|e| e.message.clone()).unwrap_or_default(),
        _ => String::new(),
    };
    assert_eq!(message(Nominated, Completed), "one step at a time: a nominated mobility goes to accepted next (or is withdrawn)");
    assert_eq!(message(Accepted, Nominated), "the mobility is accepted; it cannot go back to nominated");
    assert_eq!(message(Completed, Withdrawn), "the mobility is completed; it cannot change any more");
    assert_eq!(message(Accepted, Accepted), "the mobility is already accepted");
}

#[test]
fn programmes_move_freely_and_the_form_offers_every_status() {
    use ProgrammeStatus::*;
    assert!(check_programme_step(Closed, Active).is_ok());
    assert!(check_programme_step(Planned, Planned).is_ok());
    assert_eq!(programme_status_choices(Suspended), ProgrammeStatus::ALL.to_vec());
    assert_eq!(ProgrammeStatus::names(), "planned, active, suspended, closed");
}

#[test]
fn negative_and_repeated_quotas_are_refused() {
    let q = |y: &str, d: &str, n| Quota { academic_year: y.into(), direction: d.into(), quota: n };
    assert!(check_quotas(&[q("2024-2025", "inbound", 3), q("2024-2025", "outbound", 0)]).is_ok());
    assert!(check_quotas(&[q("2024-2025", "inbound", -1)]).is_err());
    assert!(check_quotas(&[q("2024-2025", "inbound", 1), q("2024-2025", "inbound", 2)]).is_err());
}

#[test]
fn the_openapi_document_lists_both_status_machines() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(crate::programmes::ApiDoc::openapi()).unwrap_or_default();
    let schemas = &doc["components"]["schemas"];
    let names =
        |schema: &str| schemas[schema]["enum"].as_array().map(|v| v.iter().filter_map(|s| s.as_str()).collect::<Vec<_>>().join(", "));
    assert_eq!(names("ProgrammeStatus").as_deref(), Some("planned, active, suspended, closed"), "{schemas}");
    assert_eq!(names("MobilityStatus").as_deref(), Some("nominated, accepted, in_progress, completed, withdrawn"));
    for (dto, schema) in [
        ("Programme", "ProgrammeStatus"),
        ("ProgrammeSummary", "ProgrammeStatus"),
        ("NewProgramme", "ProgrammeStatus"),
        ("UpdateProgramme", "ProgrammeStatus"),
        ("Mobility", "MobilityStatus"),
        ("MobilityStatusChange", "MobilityStatus"),
    ] {
        let field = schemas[dto]["properties"]["status"].to_string();
        assert!(field.contains(&format!("#/components/schemas/{schema}")), "{dto}: {field}");
    }
}
