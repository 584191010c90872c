//! Tests of the trips module: the approval chain with its owners, out-of-order steps,
//! the report before closing, validation, "waiting for me", and the pages.

use serde_json::{Value, json};

use crate::helpers::{TestApp, extract_csrf, seed, spawn_app};

/// The seed's units and people a trip needs.
struct Seeded {
    hr: i64,
    sfs: i64,
    ma: i64,
    qin: i64,
}

async fn setup() -> (TestApp, Seeded) {
    let app = spawn_app().await;
    seed(&app).await;
    let unit = |name: &'static str| {
        sqlx::query_scalar::<_, i64>("SELECT unit_id FROM unit_names WHERE name = $1").bind(name).fetch_one(&app.db.pool)
    };
    let person =
        |name: &'static str| sqlx::query_scalar::<_, i64>("SELECT id FROM people WHERE name_en = $1").bind(name).fetch_one(&app.db.pool);
    let s = Seeded {
        hr: unit("Human Resources Department").await.expect("HR"),
        sfs: unit("School of Foreign Studies").await.expect("SFS"),
        ma: person("Ma Shaojian").await.expect("Ma"),
        qin: person("Qin Yongling").await.expect("Qin"),
    };
    (app, s)
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let res = app.client.post(app.url(path)).bearer_auth(token).json(&body).send().await.expect("post");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    app.client.get(app.url(path)).bearer_auth(token).send().await.expect("get").json().await.expect("json")
}

/// A trip to Kuala Lumpur that has already started (so its report may be filed).
fn kl_trip(s: &Seeded) -> Value {
    json!({
        "unit_id": s.hr,
        "destination": "Kuala Lumpur, Malaysia",
        "purpose": "Return visit to IUKL: joint programmes and teacher training",
        "start_date": "2024-06-03",
        "end_date": "2024-06-07",
        "budget_cents": 4_500_000,
        "traveller_ids": [s.qin, s.ma],
    })
}

async fn step(app: &TestApp, token: &str, trip: i64, body: Value) -> (u16, Value) {
    post(app, token, &format!("/api/v1/trips/{trip}/steps"), body).await
}

async fn requested(app: &TestApp, token: &str, body: Value) -> i64 {
    let (status, trip) = post(app, token, "/api/v1/trips", body).await;
    assert_eq!(status, 201, "{trip}");
    trip["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_trip_goes_from_request_through_both_approvals_and_its_report_to_closed() {
    let (app, s) = setup().await;
    let requester = app.token_for("li.requester", &["staff"], None).await;
    let head = app.token_for("hr.head", &["coordinator"], Some(s.hr)).await;
    let office = app.token_for("wang.office", &["staff"], None).await;

    let (created, trip) = post(&app, &requester, "/api/v1/trips", kl_trip(&s)).await;
    let id = trip["id"].as_i64().expect("id");
    let unit = step(&app, &head, id, json!({"action": "approve", "comment": "Fits the unit's plan"})).await;
    let approved = step(&app, &office, id, json!({"action": "approve"})).await;
    let report = "Met the Institute of Smart Industry; agreed a teacher-training pilot for autumn.";
    let reported = step(&app, &requester, id, json!({"action": "report", "report": report})).await;
    let closed = step(&app, &office, id, json!({"action": "close"})).await;

    assert_eq!(created, 201, "{trip}");
    assert_eq!(
        (trip["status"].as_str(), trip["currency"].as_str(), &trip["budget_cents"]),
        (Some("submitted"), Some("CNY"), &json!(4_500_000))
    );
    assert_eq!(trip["unit_name"], "Human Resources Department");
    let names: Vec<&str> = trip["travellers"].as_array().expect("travellers").iter().filter_map(|t| t["name_en"].as_str()).collect();
    assert_eq!(names, ["Ma Shaojian", "Qin Yongling"]);
    assert_eq!((unit.0, unit.1["status"].as_str()), (200, Some("unit_approved")), "{}", unit.1);
    assert_eq!((approved.0, approved.1["status"].as_str()), (200, Some("approved")), "{}", approved.1);
    assert_eq!((reported.0, reported.1["report"].as_str()), (200, Some(report)), "{}", reported.1);
    assert_eq!((closed.0, closed.1["status"].as_str()), (200, Some("closed")), "{}", closed.1);
    let detail = get(&app, &office, &format!("/api/v1/trips/{id}")).await;
    let history: Vec<(String, String)> = detail["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| (e["step"].as_str().unwrap_or("").to_string(), e["actor"].as_str().unwrap_or("").to_string()))
        .collect();
    let expected = [
        ("submitted", "li.requester"),
        ("unit_approved", "hr.head"),
        ("approved", "wang.office"),
        ("report_submitted", "li.requester"),
        ("closed", "wang.office"),
    ];
    assert_eq!(history, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    assert_eq!(detail["events"][1]["comment"], "Fits the unit's plan");
    assert_eq!(detail["allowed_actions"], json!([]));
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE entity = 'trip' AND entity_id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .expect("audit");
    assert_eq!(audited, 5, "every step is audited");
}

#[tokio::test]
async fn the_office_approving_before_the_unit_head_is_told_which_step_comes_first() {
    let (app, s) = setup().await;
    let requester = app.token_for("li.requester", &["staff"], None).await;
    let office = app.token_for("wang.office", &["staff"], None).await;
    let id = requested(&app, &requester, kl_trip(&s)).await;

    let (status, problem) = step(&app, &office, id, json!({"action": "approve"})).await;

    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "action");
    let message = problem["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("head of Human Resources Department must approve this trip first"), "{message}");
    let trip = get(&app, &office, &format!("/api/v1/trips/{id}")).await;
    assert_eq!((trip["status"].as_str(), trip["events"].as_array().map(Vec::len)), (Some("submitted"), Some(1)));
}

#[tokio::test]
async fn a_coordinator_of_another_unit_may_not_approve_and_is_told_who_may() {
    let (app, s) = setup().await;
    let requester = app.token_for("li.requester", &["staff"], None).await;
    let other_head = app.token_for("sfs.head", &["coordinator"], Some(s.sfs)).await;
    let id = requested(&app, &requester, kl_trip(&s)).await;

    let (status, problem) = step(&app, &other_head, id, json!({"action": "approve"})).await;
    let (own, _) = step(&app, &requester, id, json!({"action": "approve"})).await;

    assert_eq!(status, 403, "{problem}");
    assert_eq!(problem["detail"], "Only the head of Human Resources Department can approve this step.");
    assert_eq!(own, 422, "staff who are not the unit head are told the unit head comes first");
    assert_eq!(app.count("trip_events").await, 1);
}

#[tokio::test]
async fn a_coordinator_requests_trips_for_their_own_unit_only() {
    let (app, s) = setup().await;
    let coordinator = app.token_for("sfs.coordinator", &["coordinator"], Some(s.sfs)).await;
    let mut own_unit = kl_trip(&s);
    own_unit["unit_id"] = json!(s.sfs);

    let (other, problem) = post(&app, &coordinator, "/api/v1/trips", kl_trip(&s)).await;
    let (own, _) = post(&app, &coordinator, "/api/v1/trips", own_unit).await;

    assert_eq!(other, 403, "{problem}");
    assert_eq!(own, 201);
    assert_eq!(app.count("trips").await, 1);
}

#[tokio::test]
async fn a_trip_cannot_be_closed_before_its_report_and_the_report_cannot_be_empty() {
    let (app, s) = setup().await;
    let requester = app.token_for("li.requester", &["staff"], None).await;
    let head = app.token_for("hr.head", &["coordinator"], Some(s.hr)).await;
    let office = app.token_for("wang.office", &["staff"], None).await;
    let id = requested(&app, &requester, kl_trip(&s)).await;
    step(&app, &head, id, json!({"action": "approve"})).await;
    step(&app, &office, id, json!({"action": "approve"})).await;

    let (close, problem) = step(&app, &office, id, json!({"action": "close"})).await;
    let (empty, empty_problem) = step(&app, &requester, id, json!({"action": "report", "report": "  "})).await;
    let (by_head, _) = step(&app, &head, id, json!({"action": "report", "report": "I was not there."})).await;

    assert_eq!(close, 422, "{problem}");
    let message = problem["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("No post-trip report has been filed yet"), "{message}");
    assert_eq!((empty, empty_problem["errors"][0]["field"].as_str()), (422, Some("report")), "{empty_problem}");
    assert_eq!(by_head, 403, "only the requester or the office files the report");
    let trip = get(&app, &office, &format!("/api/v1/trips/{id}")).await;
    assert_eq!((trip["status"].as_str(), &trip["report"]), (Some("approved"), &Value::Null));
}

#[tokio::test]
async fn a_report_waits_until_the_trip_has_started() {
    let (app, s) = setup().await;
    let requester = app.token_for("li.requester", &["staff"], None).await;
    let head = app.token_for("hr.head", &["coordinator"], Some(s.hr)).await;
    let office = app.token_for("wang.office", &["staff"], None).await;
    let mut future = kl_trip(&s);
    future["start_date"] = json!("2999-06-03");
    future["end_date"] = json!("2999-06-07");
    let id = requested(&app, &requester, future).await;
    step(&app, &head, id, json!({"action": "approve"})).await;
    step(&app, &office, id, json!({"action": "approve"})).await;

    let (status, problem) = step(&app, &requester, id, json!({"action": "report", "report": "Written in advance."})).await;

    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("report")), "{problem}");
}

#[tokio::test]
async fn a_rejection_needs_a_comment_and_ends_the_chain() {
    let (app, s) = setup().await;
    let requester = app.token_for("li.requester", &["staff"], None).await;
    let head = app.token_for("hr.head", &["coordinator"], Some(s.hr)).await;
    let id = requested(&app, &requester, kl_trip(&s)).await;

    let (bare, problem) = step(&app, &head, id, json!({"action": "reject"})).await;
    let (blank, _) = step(&app, &head, id, json!({"action": "reject", "comment": "   "})).await;
    let (rejected, trip) = step(&app, &head, id, json!({"action": "reject", "comment": "No budget left this year"})).await;
    let (again, _) = step(&app, &head, id, json!({"action": "approve"})).await;

    assert_eq!((bare, problem["errors"][0]["field"].as_str()), (422, Some("comment")), "{problem}");
    assert_eq!(blank, 422);
    assert_eq!((rejected, trip["status"].as_str()), (200, Some("rejected")), "{trip}");
    assert_eq!(trip["events"][1]["comment"], "No budget left this year");
    assert_eq!(again, 422, "a rejected trip takes no further steps");
}

#[tokio::test]
async fn the_requester_may_cancel_before_approval_and_no_one_else_may() {
    let (app, s) = setup().await;
    let requester = app.token_for("li.requester", &["staff"], None).await;
    let head = app.token_for("hr.head", &["coordinator"], Some(s.hr)).await;
    let id = requested(&app, &requester, kl_trip(&s)).await;

    let (by_head, problem) = step(&app, &head, id, json!({"action": "cancel"})).await;
    let (by_requester, trip) = step(&app, &requester, id, json!({"action": "cancel"})).await;

    assert_eq!(by_head, 403, "{problem}");
    assert_eq!((by_requester, trip["status"].as_str()), (200, Some("cancelled")), "{trip}");
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_nothing_is_stored() {
    let (app, s) = setup().await;
    let requester = app.token_for("li.requester", &["staff"], None).await;
    let body = json!({
        "unit_id": 999_999,
        "destination": " ",
        "purpose": "",
        "start_date": "2024-06-07",
        "end_date": "2024-06-03",
        "budget_cents": -100,
        "traveller_ids": [s.qin, 999_999],
    });

    let (status, problem) = post(&app, &requester, "/api/v1/trips", body).await;
    let (unknown_action, _) = step(&app, &requester, 1, json!({"action": "approve"})).await;

    assert_eq!(status, 422, "{problem}");
    let mut fields: Vec<&str> = problem["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["budget_cents", "destination", "end_date", "purpose", "traveller_ids", "unit_id"]);
    let travellers = problem["errors"].as_array().expect("errors").iter().find(|e| e["field"] == "traveller_ids").expect("travellers");
    assert!(travellers["message"].as_str().unwrap_or("").contains("999999"), "{travellers}");
    assert_eq!((app.count("trips").await, app.count("trip_travellers").await, app.count("trip_events").await), (0, 0, 0));
    assert_eq!(unknown_action, 404, "there is no trip 1");
}

#[tokio::test]
async fn waiting_for_me_lists_the_trips_whose_next_step_is_mine() {
    let (app, s) = setup().await;
    let requester = app.token_for("li.requester", &["staff"], None).await;
    let head = app.token_for("hr.head", &["coordinator"], Some(s.hr)).await;
    let other_head = app.token_for("sfs.head", &["coordinator"], Some(s.sfs)).await;
    let office = app.token_for("wang.office", &["staff"], None).await;
    let id = requested(&app, &requester, kl_trip(&s)).await;
    let ids = |v: Value| -> Vec<i64> { v.as_array().expect("list").iter().filter_map(|t| t["id"].as_i64()).collect() };

    let head_before = ids(get(&app, &head, "/api/v1/trips?waiting=true").await);
    let other_before = ids(get(&app, &other_head, "/api/v1/trips?waiting=true").await);
    let office_before = ids(get(&app, &office, "/api/v1/trips?waiting=true").await);
    step(&app, &head, id, json!({"action": "approve"})).await;
    let head_after = ids(get(&app, &head, "/api/v1/trips?waiting=true").await);
    let office_after = ids(get(&app, &office, "/api/v1/trips?waiting=true").await);
    let mine = ids(get(&app, &requester, "/api/v1/trips?mine=true").await);
    let not_mine = ids(get(&app, &office, "/api/v1/trips?mine=true").await);
    let by_status = ids(get(&app, &office, "/api/v1/trips?status=unit_approved").await);
    let bad = app.client.get(app.url("/api/v1/trips?status=done")).bearer_auth(&office).send().await.expect("bad").status().as_u16();

    assert_eq!((head_before, other_before, office_before), (vec![id], vec![], vec![]));
    assert_eq!((head_after, office_after), (vec![], vec![id]));
    assert_eq!((mine, not_mine, by_status), (vec![id], vec![], vec![id]));
    assert_eq!(bad, 422);
}

#[tokio::test]
async fn the_request_form_keeps_the_input_and_shows_messages_then_the_trip_page_offers_the_heads_step() {
    let (app, s) = setup().await;
    app.logged_in("li.requester", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/trips/new").await;
    let qin = s.qin.to_string();
    let hr = s.hr.to_string();
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("unit_id", hr.as_str()),
        ("destination", "Kuala Lumpur"),
        ("purpose", ""),
        ("start_date", "2024-06-03"),
        ("end_date", "2024-06-07"),
        ("budget", "45,000.00"),
        ("currency", "CNY"),
        ("travellers", qin.as_str()),
    ];

    let bad = app.client.post(app.url("/trips/new")).form(&fields).send().await.expect("bad form");
    let bad_status = bad.status().as_u16();
    let bad_html = bad.text().await.expect("html");
    fields[3] = ("purpose", "Return visit to IUKL");
    let good = app.client.post(app.url("/trips/new")).form(&fields).send().await.expect("good form");
    let location = good.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_string();
    let head = crate::helpers::client();
    app.add_user("hr.head", &["coordinator"], Some(s.hr)).await;
    app.login(&head, "hr.head", crate::helpers::PASSWORD).await;
    let page = head.get(app.url(&location)).send().await.expect("trip page").text().await.expect("html");
    let zh = head.get(app.url("/trips?view=waiting&lang=zh")).send().await.expect("list").text().await.expect("html");

    assert_eq!(bad_status, 422);
    assert!(bad_html.contains("Say what the trip is for"), "the message is shown");
    assert!(bad_html.contains("value=\"Kuala Lumpur\""), "the input is kept");
    assert!(bad_html.contains(&format!("<option value=\"{qin}\" selected>")), "the traveller stays chosen");
    assert_eq!(app.count("trips").await, 1);
    assert!(location.starts_with("/trips/"), "{location}");
    assert!(page.contains("45,000.00 CNY") && page.contains("Qin Yongling"), "{page}");
    assert!(page.contains("value=\"approve\"") && page.contains("value=\"reject\"") && !page.contains("value=\"close\""));
    assert!(zh.contains("待我处理") && zh.contains("Kuala Lumpur"), "{zh}");
    let csrf = extract_csrf(&page);
    let approve = head
        .post(app.url(&format!("{location}/steps")))
        .form(&[("_csrf", csrf.as_str()), ("action", "approve"), ("comment", "")])
        .send()
        .await
        .expect("approve");
    assert_eq!(approve.status().as_u16(), 303);
    let reject_page = head
        .post(app.url(&format!("{location}/steps")))
        .form(&[("_csrf", csrf.as_str()), ("action", "reject"), ("comment", "")])
        .send()
        .await
        .expect("again");
    assert_eq!(reject_page.status().as_u16(), 403, "the unit step is done; the office decides now");
}

#[tokio::test]
async fn twenty_simultaneous_approvals_on_two_instances_take_effect_once() {
    let (app, s) = setup().await;
    let requester = app.token_for("li.requester", &["staff"], None).await;
    let head = app.token_for("hr.head", &["coordinator"], Some(s.hr)).await;
    let id = requested(&app, &requester, kl_trip(&s)).await;
    let other = app.second_instance().await;

    let mut tasks = Vec::new();
    for i in 0..20 {
        let base = if i % 2 == 0 { app.address.clone() } else { other.clone() };
        let (client, head) = (app.client.clone(), head.clone());
        tasks.push(tokio::spawn(async move {
            let url = format!("{base}/api/v1/trips/{id}/steps");
            client.post(url).bearer_auth(&head).json(&json!({"action": "approve"})).send().await.expect("step").status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }

    // The first approval moves the trip on; the others then find it at the office's step.
    let approved = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 403).count();
    assert_eq!((approved, refused), (1, 19), "{statuses:?}");
    let steps: Vec<String> = sqlx::query_scalar("SELECT step FROM trip_events WHERE trip_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&app.db.pool)
        .await
        .expect("events");
    assert_eq!(steps, ["submitted", "unit_approved"]);
}

#[tokio::test]
async fn twenty_simultaneous_requests_on_two_instances_are_all_stored() {
    let (app, s) = setup().await;
    let requester = app.token_for("li.requester", &["staff"], None).await;
    let other = app.second_instance().await;

    let mut tasks = Vec::new();
    for i in 0..20 {
        let base = if i % 2 == 0 { app.address.clone() } else { other.clone() };
        let (client, token, mut body) = (app.client.clone(), requester.clone(), kl_trip(&s));
        body["destination"] = json!(format!("Destination {i}"));
        tasks.push(tokio::spawn(async move {
            client.post(format!("{base}/api/v1/trips")).bearer_auth(&token).json(&body).send().await.expect("post").status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }

    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    assert_eq!((app.count("trips").await, app.count("trip_travellers").await, app.count("trip_events").await), (20, 40, 20));
}

#[tokio::test]
async fn a_trip_may_belong_to_an_outbound_visit_but_not_to_an_inbound_one() {
    let (app, s) = setup().await;
    let office = app.token_for("wang.office", &["staff"], None).await;
    let iukl: i64 = sqlx::query_scalar("SELECT id FROM institutions WHERE acronym = 'IUKL'").fetch_one(&app.db.pool).await.expect("IUKL");
    let visit = |direction: &str| {
        json!({"direction": direction, "title": format!("{direction} IUKL"), "start_date": "2024-06-03", "end_date": "2024-06-07",
               "institution_ids": [iukl]})
    };
    let (out_status, outbound) = post(&app, &office, "/api/v1/visits", visit("outbound")).await;
    let (in_status, inbound) = post(&app, &office, "/api/v1/visits", visit("inbound")).await;
    assert_eq!((out_status, in_status), (201, 201), "{outbound} {inbound}");
    let mut linked = kl_trip(&s);
    linked["visit_id"] = outbound["id"].clone();
    linked["institution_id"] = json!(iukl);
    let mut wrong = linked.clone();
    wrong["visit_id"] = inbound["id"].clone();

    let (ok, trip) = post(&app, &office, "/api/v1/trips", linked).await;
    let (refused, problem) = post(&app, &office, "/api/v1/trips", wrong).await;

    assert_eq!(
        (ok, &trip["visit_id"], trip["institution_name"].as_str()),
        (201, &outbound["id"], Some("Infrastructure University Kuala Lumpur"))
    );
    assert_eq!((refused, problem["errors"][0]["field"].as_str()), (422, Some("visit_id")), "{problem}");
    assert_eq!(app.count("trips").await, 1);
}
