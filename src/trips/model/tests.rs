//! Unit tests of the approval chain.

use super::*;

fn facts(status: TripStatus) -> Facts<'static> {
    Facts { status, unit_name: "Human Resources Department", start_date: "2024-06-01", today: "2024-06-10" }
}

const HEAD: Who = Who { is_admin: false, is_office: false, heads_unit: true, is_requester: false };
const OFFICE: Who = Who { is_admin: false, is_office: true, heads_unit: false, is_requester: false };
const REQUESTER: Who = Who { is_admin: false, is_office: false, heads_unit: false, is_requester: true };
const STRANGER: Who = Who { is_admin: false, is_office: false, heads_unit: false, is_requester: false };

fn status_code(r: Result<TripStatus, AppError>) -> u16 {
    match r {
        Ok(_) => 200,
        Err(e) => e.status().as_u16(),
    }
}

#[test]
fn the_chain_runs_in_order_with_its_owners() {
    assert_eq!(next_status(&facts(TripStatus::Submitted), HEAD, Action::Approve).ok(), Some(TripStatus::UnitApproved));
    assert_eq!(next_status(&facts(TripStatus::UnitApproved), OFFICE, Action::Approve).ok(), Some(TripStatus::Approved));
    assert_eq!(next_status(&facts(TripStatus::Approved), REQUESTER, Action::Report).ok(), Some(TripStatus::ReportSubmitted));
    assert_eq!(next_status(&facts(TripStatus::ReportSubmitted), OFFICE, Action::Close).ok(), Some(TripStatus::Closed));
}

#[test]
fn skipping_is_out_of_order_and_the_wrong_person_is_forbidden() {
    assert_eq!(status_code(next_status(&facts(TripStatus::Submitted), OFFICE, Action::Approve)), 422);
    assert_eq!(status_code(next_status(&facts(TripStatus::Submitted), STRANGER, Action::Approve)), 403);
    assert_eq!(status_code(next_status(&facts(TripStatus::UnitApproved), HEAD, Action::Approve)), 403);
    assert_eq!(status_code(next_status(&facts(TripStatus::Approved), OFFICE, Action::Close)), 422);
    assert_eq!(status_code(next_status(&facts(TripStatus::Approved), STRANGER, Action::Report)), 403);
    let self_approval = Who { is_requester: true, ..HEAD };
    assert_eq!(status_code(next_status(&facts(TripStatus::Submitted), self_approval, Action::Approve)), 403);
}

#[test]
fn a_report_waits_for_the_start_date() {
    let early = Facts { today: "2024-05-31", ..facts(TripStatus::Approved) };
    assert_eq!(status_code(next_status(&early, REQUESTER, Action::Report)), 422);
    let first_day = Facts { today: "2024-06-01", ..facts(TripStatus::Approved) };
    assert!(next_status(&first_day, REQUESTER, Action::Report).is_ok());
}

#[test]
fn only_the_requester_cancels_and_only_before_approval() {
    assert!(next_status(&facts(TripStatus::UnitApproved), REQUESTER, Action::Cancel).is_ok());
    assert_eq!(status_code(next_status(&facts(TripStatus::Submitted), OFFICE, Action::Cancel)), 403);
    assert_eq!(status_code(next_status(&facts(TripStatus::Approved), REQUESTER, Action::Cancel)), 422);
    assert_eq!(status_code(next_status(&facts(TripStatus::Cancelled), REQUESTER, Action::Cancel)), 422);
}

#[test]
fn waiting_means_owning_the_next_step() {
    assert!(waits_for(&facts(TripStatus::Submitted), HEAD));
    assert!(!waits_for(&facts(TripStatus::Submitted), REQUESTER));
    assert!(!waits_for(&facts(TripStatus::Submitted), OFFICE));
    assert!(waits_for(&facts(TripStatus::UnitApproved), OFFICE));
    assert!(waits_for(&facts(TripStatus::Approved), REQUESTER));
    assert!(!waits_for(&facts(TripStatus::Approved), OFFICE));
    assert!(waits_for(&facts(TripStatus::ReportSubmitted), OFFICE));
    assert_eq!(allowed_actions(&facts(TripStatus::Submitted), HEAD), vec![Action::Approve, Action::Reject]);
}

#[test]
fn every_step_the_chain_allows_is_one_of_the_machines_steps() {
    let whos = [HEAD, OFFICE, REQUESTER, STRANGER, Who { is_admin: true, is_office: true, heads_unit: false, is_requester: false }];
    for status in TripStatus::ALL {
        for who in whos {
            for action in Action::ALL {
                if let Ok(to) = next_status(&facts(*status), who, action) {
                    assert!(status.can_move_to(to), "{status} → {to}");
                }
            }
        }
    }
    assert_eq!(TripStatus::names(), "submitted, unit_approved, approved, report_submitted, closed, rejected, cancelled");
}

#[test]
fn the_openapi_document_lists_the_statuses() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(crate::trips::ApiDoc::openapi()).unwrap_or_default();
    let schemas = &doc["components"]["schemas"];
    let names: Vec<&str> = schemas["TripStatus"]["enum"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
    assert_eq!(names.join(", "), TripStatus::names(), "the stored words, not the variant names");
    assert_eq!(schemas["Trip"]["properties"]["status"]["$ref"], "#/components/schemas/TripStatus", "{}", schemas["Trip"]);
}
