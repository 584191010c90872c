//! Unit tests of the agreement rules.

use super::*;
use crate::status::Status;

#[test]
fn statuses_move_one_step_at_a_time() {
    use AgreementStatus::*;
    for (from, to) in [(Draft, Negotiation), (Negotiation, Signed), (Signed, InEffect), (InEffect, Expired)] {
        assert!(check_transition(from, to).is_ok(), "{from} → {to}");
    }
    assert!(check_transition(Signed, Terminated).is_ok());
    assert!(check_transition(InEffect, Terminated).is_ok());
    assert!(check_transition(Draft, Signed).is_err());
    assert!(check_transition(Draft, Terminated).is_err());
    assert!(check_transition(Expired, InEffect).is_err());
    assert!(AgreementStatus::parse_field("status", "lost").is_err());
    assert_eq!(AgreementStatus::from_stored("in_effect").ok(), Some(InEffect));
}

#[test]
fn refusals_name_the_next_step_or_finality() {
    let message = |r: Result<(), AppError>| match r {
        Err(AppError::Validation(e)) => e[0].message.clone(),
        other => format!("{other:?}"),
    };
    assert!(message(check_transition(AgreementStatus::Draft, AgreementStatus::Signed)).contains("can only become negotiation"));
    assert!(message(check_transition(AgreementStatus::Terminated, AgreementStatus::Draft)).contains("which is final"));
    let unknown = AgreementStatus::parse_field("status", "lost").map(|_| ());
    assert!(message(unknown).starts_with("'lost' is not a status; use one of draft, negotiation,"));
}

#[test]
fn expiry_before_effect_is_refused() {
    let raw = Fields {
        kind: "mou".into(),
        title: "MoU".into(),
        effective_date: Some("2024-06-01".into()),
        expiry_date: Some("2024-05-01".into()),
        ..Default::default()
    };
    let errors = check_fields(&raw).expect_err("refused");
    assert_eq!(errors[0].field, "expiry_date");
}

#[test]
fn party_lists_need_two_distinct_institutions_and_known_areas() {
    let p = |i| PartyInput { institution_id: i, unit_id: None };
    assert_eq!(check_lists(&[p(1)], &[]).len(), 1);
    assert_eq!(check_lists(&[p(1), p(1)], &[]).len(), 1);
    assert!(check_lists(&[p(1), p(2)], &["joint_education".into()]).is_empty());
    assert_eq!(check_lists(&[p(1), p(2)], &["cooking".into()]).len(), 1);
}

#[test]
fn the_openapi_document_lists_the_statuses() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(crate::agreements::ApiDoc::openapi()).unwrap_or_default();
    let schemas = &doc["components"]["schemas"];
    let names: Vec<&str> = schemas["AgreementStatus"]["enum"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
    assert_eq!(names.join(", "), AgreementStatus::names());
    for dto in ["Agreement", "AgreementStatusChange", "AgreementSummary", "AgreementStatusEvent"] {
        assert_eq!(schemas[dto]["properties"]["status"]["$ref"], "#/components/schemas/AgreementStatus", "{dto}: {}", schemas[dto]);
    }
}
