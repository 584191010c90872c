//! Unit tests of the visit rules.

use super::*;
use crate::status::Status;

fn fields(start: &str, end: &str, head: i64, named: usize) -> Result<VisitFields, AppError> {
    let raw = VisitFields {
        direction: "inbound".into(),
        title: "IUKL".into(),
        purpose: String::new(),
        start_date: start.into(),
        end_date: end.into(),
        time_zone: "Asia/Shanghai".into(),
        head_count: head,
    };
    check_fields(&raw, named)
}

#[test]
fn a_head_count_may_exceed_the_named_members_but_not_fall_below() {
    assert!(fields("2024-05-08", "2024-05-08", 4, 1).is_ok());
    assert!(fields("2024-05-08", "2024-05-08", 0, 1).is_err());
}

#[test]
fn dates_must_be_real_and_in_order() {
    assert!(fields("2024-05-09", "2024-05-08", 1, 0).is_err());
    assert!(fields("2024-02-30", "2024-03-01", 1, 0).is_err());
}

#[test]
fn the_leader_must_be_a_member_and_only_one() {
    let m = |p, r: &str| MemberInput { person_id: p, role: r.into() };
    assert!(check_members(&[m(1, "member")], Some(2)).is_err());
    assert_eq!(check_members(&[m(1, "member")], Some(1)).expect("ok")[0].role, "leader");
    assert!(check_members(&[m(1, "leader"), m(2, "leader")], None).is_err());
    assert!(check_members(&[m(1, "member"), m(1, "interpreter")], None).is_err());
    assert!(check_members(&[m(1, "boss")], None).is_err());
}

#[test]
fn status_moves_one_step_at_a_time() {
    use VisitStatus::*;
    assert!(check_transition(Planned, Confirmed, None).is_ok());
    assert!(check_transition(Confirmed, Completed, None).is_ok());
    assert!(check_transition(Planned, Completed, None).is_err());
    assert!(check_transition(Planned, Cancelled, None).is_err());
    assert!(check_transition(Planned, Cancelled, Some("typhoon")).is_ok());
    assert!(check_transition(Completed, Cancelled, Some("x")).is_err());
    assert!(check_transition(Cancelled, Confirmed, None).is_err());
    assert!(check_transition(Confirmed, Confirmed, None).is_err());
    assert_eq!(Planned.allowed_next(), &[Confirmed, Cancelled]);
    assert!(Completed.allowed_next().is_empty() && Cancelled.allowed_next().is_empty());
}

#[test]
fn sessions_stay_inside_the_visit_in_the_venue_time_zone() {
    let s = |a: &str, b: &str| NewSession {
        kind: "symposium".into(),
        title: "Symposium".into(),
        starts_at: a.into(),
        ends_at: b.into(),
        room_id: None,
        venue: String::new(),
        participant_ids: vec![],
        topics: vec!["teacher_training".into()],
        minutes: String::new(),
        attendees: None,
    };
    let ok = s("2024-05-08T09:30:00+08:00", "2024-05-08T11:00:00+08:00");
    assert!(check_session(&ok, "2024-05-08", "2024-05-08", "Asia/Shanghai").is_ok());
    // 01:00 UTC on the 8th is 09:00 in Shanghai: inside, although UTC says otherwise for 23:30Z on the 7th.
    let early = s("2024-05-07T23:30:00Z", "2024-05-08T01:00:00Z");
    assert!(check_session(&early, "2024-05-08", "2024-05-08", "Asia/Shanghai").is_ok());
    let outside = s("2024-05-09T09:00:00+08:00", "2024-05-09T10:00:00+08:00");
    assert!(check_session(&outside, "2024-05-08", "2024-05-08", "Asia/Shanghai").is_err());
    let backwards = s("2024-05-08T11:00:00+08:00", "2024-05-08T09:00:00+08:00");
    assert!(check_session(&backwards, "2024-05-08", "2024-05-08", "Asia/Shanghai").is_err());
}

#[test]
fn actions_are_done_or_cancelled_and_may_be_reopened() {
    use ActionStatus::*;
    assert!(check_action_move(Open, Done).is_ok());
    assert!(check_action_move(Done, Open).is_ok());
    assert!(check_action_move(Open, Open).is_ok());
    assert!(ActionStatus::parse_field("status", "late").is_err());
}

#[test]
fn the_openapi_document_lists_the_status_values() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(crate::visits::ApiDoc::openapi()).expect("document");
    let values = |name: &str| doc["components"]["schemas"][name]["enum"].clone();
    assert_eq!(values("VisitStatus"), serde_json::json!(["planned", "confirmed", "completed", "cancelled"]));
    assert_eq!(values("ActionStatus"), serde_json::json!(["open", "done", "cancelled"]));
    assert_eq!(values("BookingStatus"), serde_json::json!(["pending", "confirmed", "cancelled"]));
    let change = &doc["components"]["schemas"]["StatusChange"]["properties"]["status"]["$ref"];
    assert_eq!(change, "#/components/schemas/VisitStatus");
}
