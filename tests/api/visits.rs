//! Visits over the API: the seed visit as recorded, the agenda booking rooms, status
//! steps, outcomes and actions, and bad input that stores nothing.

use serde_json::{Value, json};

use crate::helpers::{TestApp, get, post, seed, send, spawn_app};

async fn id_of(app: &TestApp, sql: &'static str, name: &str) -> i64 {
    sqlx::query_scalar(sql).bind(name).fetch_one(&app.db.pool).await.expect("id")
}

async fn person(app: &TestApp, name: &str) -> i64 {
    id_of(app, "SELECT id FROM people WHERE name_en = $1", name).await
}

async fn room(app: &TestApp, name: &str) -> i64 {
    id_of(app, "SELECT id FROM rooms WHERE name = $1", name).await
}

/// A day `offset` days ahead (always in the future), as YYYY-MM-DD.
fn day(offset: i64) -> String {
    let ts = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_hours(24 * offset)).expect("date");
    ts.strftime("%Y-%m-%d").to_string()
}

fn new_visit(iukl: i64, chen: i64, start: &str, end: &str) -> Value {
    json!({
        "direction": "inbound", "title": "IUKL follow-up visit", "purpose": "Agreement talks",
        "start_date": start, "end_date": end, "institution_ids": [iukl], "head_count": 3,
        "members": [{"person_id": chen, "role": "leader"}]
    })
}

#[tokio::test]
async fn the_seed_visit_is_recorded_as_the_story_tells_it() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;

    let v = get(&app, &token, &format!("/api/v1/visits/{}", ids.visit)).await;

    assert_eq!(v["direction"], "inbound");
    assert_eq!(v["start_date"], "2024-05-08");
    assert_eq!(v["status"], "completed");
    assert_eq!(v["head_count"], 4, "four members, one named");
    assert_eq!(v["members"].as_array().expect("members").len(), 1);
    assert_eq!(v["members"][0]["name_en"], "Chen Zhihui");
    assert_eq!(v["members"][0]["role"], "leader");
    assert_eq!(v["members"][0]["titles"], "Vice President; Director, Institute of Smart Industry");
    assert_eq!(v["institutions"][0]["acronym"], "IUKL");
    let hosts: Vec<&str> = v["hosts"].as_array().expect("hosts").iter().filter_map(|h| h["name"].as_str()).collect();
    assert_eq!(
        hosts,
        ["Ma Shaojian", "Qin Yongling", "Human Resources Department", "School of Foreign Studies (School of International Education)"]
    );
    let s = v["sessions"].as_array().expect("sessions");
    assert_eq!(s.len(), 2);
    assert_eq!((s[0]["kind"].as_str(), s[0]["room"].as_str()), (Some("courtesy_meeting"), Some("Conference room 1508, Shixun Building")));
    assert_eq!((s[1]["kind"].as_str(), s[1]["room"].as_str()), (Some("symposium"), Some("Conference room 1507, Shixun Building")));
    assert_eq!(s[0]["local_start"], "2024-05-08 09:00");
    assert_eq!(s[0]["starts_at"], "2024-05-08T01:00:00.000000Z");
    assert_eq!(s[1]["topics"].as_array().expect("topics").len(), 8);
    assert_eq!(s[0]["booking_status"], "confirmed");
    assert_eq!(v["outcomes"][0]["kind"], "consensus");
    let steps: Vec<&str> = v["history"].as_array().expect("history").iter().filter_map(|h| h["status"].as_str()).collect();
    assert_eq!(steps, ["planned", "confirmed", "completed"]);
}

#[tokio::test]
async fn an_agenda_session_books_its_room_and_a_second_visit_cannot_take_the_slot() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let (chen, r1508) = (person(&app, "Chen Zhihui").await, room(&app, "1508").await);
    let d = day(10);
    let (_, a) = post(&app, &token, "/api/v1/visits", new_visit(ids.iukl, chen, &d, &d)).await;
    let (_, b) =
        post(&app, &token, "/api/v1/visits", json!({"direction": "outbound", "title": "Other", "start_date": d, "end_date": d})).await;
    let session = |title: &str| {
        json!({"kind": "courtesy_meeting", "title": title, "starts_at": format!("{d}T09:00:00+08:00"),
        "ends_at": format!("{d}T10:00:00+08:00"), "room_id": r1508, "topics": ["academic_exchange"]})
    };

    let (first, made) = post(&app, &token, &format!("/api/v1/visits/{}/sessions", a["id"]), session("Courtesy meeting")).await;
    let (second, problem) = post(&app, &token, &format!("/api/v1/visits/{}/sessions", b["id"]), session("Clash")).await;

    assert_eq!(first, 201, "{made}");
    assert_eq!(made["session"]["booking_status"], "confirmed");
    assert_eq!(second, 409, "{problem}");
    assert_eq!(problem["conflicts"]["booking"]["id"], made["session"]["booking_id"]);
    let other = get(&app, &token, &format!("/api/v1/visits/{}", b["id"])).await;
    assert_eq!(other["sessions"].as_array().map(Vec::len), Some(0), "nothing stored for the loser");
}

#[tokio::test]
async fn a_visit_moves_one_status_step_at_a_time_and_cancelling_frees_its_rooms() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let (chen, r1507) = (person(&app, "Chen Zhihui").await, room(&app, "1507").await);
    let d = day(12);
    let (_, v) = post(&app, &token, "/api/v1/visits", new_visit(ids.iukl, chen, &d, &d)).await;
    let path = format!("/api/v1/visits/{}", v["id"]);
    let (_, s) = post(
        &app,
        &token,
        &format!("{path}/sessions"),
        json!({"kind": "symposium", "title": "Talks",
        "starts_at": format!("{d}T14:00:00+08:00"), "ends_at": format!("{d}T16:00:00+08:00"), "room_id": r1507}),
    )
    .await;

    let (skip, skip_problem) = post(&app, &token, &format!("{path}/status"), json!({"status": "completed"})).await;
    let (no_reason, reason_problem) = post(&app, &token, &format!("{path}/status"), json!({"status": "cancelled"})).await;
    let (cancel, _) =
        post(&app, &token, &format!("{path}/status"), json!({"status": "cancelled", "reason": "Flights cancelled by typhoon"})).await;

    assert_eq!(skip, 422);
    assert!(skip_problem["errors"][0]["message"].as_str().unwrap_or("").contains("confirm the visit before completing it"));
    assert_eq!(no_reason, 422);
    assert_eq!(reason_problem["errors"][0]["field"], "reason");
    assert_eq!(cancel, 200);
    let after = get(&app, &token, &path).await;
    assert_eq!(after["status"], "cancelled");
    assert_eq!(after["history"][1]["reason"], "Flights cancelled by typhoon");
    assert_eq!(after["sessions"][0]["booking_status"], "cancelled");
    assert!(after["sessions"][0]["sequence"].as_i64() > s["session"]["sequence"].as_i64(), "calendar clients see the change");
}

#[tokio::test]
async fn bad_visits_get_clear_messages_and_store_nothing() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let (chen, ma) = (person(&app, "Chen Zhihui").await, person(&app, "Ma Shaojian").await);
    let before = app.count("visits").await;

    let mut leader_not_member = new_visit(ids.iukl, chen, &day(5), &day(5));
    leader_not_member["members"] = json!([{"person_id": chen, "role": "member"}]);
    leader_not_member["leader_person_id"] = json!(ma);
    let (s1, p1) = post(&app, &token, "/api/v1/visits", leader_not_member).await;
    let (s2, p2) = post(&app, &token, "/api/v1/visits", new_visit(ids.iukl, chen, &day(6), &day(5))).await;
    let mut too_few = new_visit(ids.iukl, chen, &day(5), &day(5));
    too_few["head_count"] = json!(0);
    let (s3, p3) = post(&app, &token, "/api/v1/visits", too_few).await;
    let mut wrong_leader = new_visit(ids.iukl, chen, &day(5), &day(5));
    wrong_leader["members"] = json!([{"person_id": ma, "role": "leader"}]);
    let (s4, p4) = post(&app, &token, "/api/v1/visits", wrong_leader).await;

    assert_eq!((s1, p1["errors"][0]["field"].as_str()), (422, Some("leader_person_id")), "{p1}");
    assert_eq!((s2, p2["errors"][0]["field"].as_str()), (422, Some("end_date")), "{p2}");
    assert_eq!((s3, p3["errors"][0]["field"].as_str()), (422, Some("head_count")), "{p3}");
    assert_eq!(s4, 422, "{p4}");
    assert!(p4["errors"][0]["message"].as_str().unwrap_or("").contains("Ma Shaojian is not at any of this visit's institutions"));
    assert_eq!(app.count("visits").await, before, "nothing stored half-way");
    assert_eq!(app.count("visit_members").await, 1, "only the seed's member");
}

#[tokio::test]
async fn bad_sessions_get_clear_messages_and_a_small_room_a_warning() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let (chen, r1508) = (person(&app, "Chen Zhihui").await, room(&app, "1508").await);
    let d = day(20);
    let (_, v) = post(&app, &token, "/api/v1/visits", new_visit(ids.iukl, chen, &d, &d)).await;
    let path = format!("/api/v1/visits/{}/sessions", v["id"]);
    let at = |h: u8| format!("{d}T{h:02}:00:00+08:00");
    let next_day = format!("{}T09:00:00+08:00", day(21));

    let (outside, p1) = post(&app, &token, &path, json!({"kind": "banquet", "title": "Dinner", "starts_at": next_day, "ends_at": format!("{}T11:00:00+08:00", day(21)), "venue": "Hotel"})).await;
    let (backwards, p2) =
        post(&app, &token, &path, json!({"kind": "banquet", "title": "Dinner", "starts_at": at(20), "ends_at": at(18), "venue": "Hotel"}))
            .await;
    let (bad_topic, p3) = post(
        &app,
        &token,
        &path,
        json!({"kind": "symposium", "title": "Talks", "starts_at": at(9), "ends_at": at(10), "venue": "Hall", "topics": ["tourism"]}),
    )
    .await;
    let (crowded, made) = post(
        &app,
        &token,
        &path,
        json!({"kind": "symposium", "title": "Big talk", "starts_at": at(9), "ends_at": at(10), "room_id": r1508, "attendees": 30}),
    )
    .await;

    assert_eq!((outside, p1["errors"][0]["field"].as_str()), (422, Some("starts_at")), "{p1}");
    assert!(p1["errors"][0]["message"].as_str().unwrap_or("").contains("outside the visit's dates"));
    assert_eq!((backwards, p2["errors"][0]["field"].as_str()), (422, Some("ends_at")), "{p2}");
    assert_eq!((bad_topic, p3["errors"][0]["field"].as_str()), (422, Some("topics[0]")), "{p3}");
    assert_eq!(crowded, 201, "{made}");
    assert!(made["warnings"][0].as_str().unwrap_or("").contains("seats 16"), "{made}");
}

#[tokio::test]
async fn owners_see_their_actions_and_overdue_ones_are_listed() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let owner_id = app.add_user("coordinator", &["viewer"], None).await;
    let owner_token = liaison::auth::session::issue_token(&app.db, owner_id, "t").await.expect("token").token;
    let path = format!("/api/v1/visits/{}/actions", ids.visit);

    let (late, _) = post(&app, &token, &path, json!({"title": "Send the draft MoU", "owner_id": owner_id, "due_date": "2024-06-01"})).await;
    let (soon, _) = post(&app, &token, &path, json!({"title": "Book the return visit", "owner_id": owner_id, "due_date": day(30)})).await;
    let (bad, p) = post(&app, &token, &path, json!({"title": "", "owner_id": 9999, "due_date": "someday"})).await;
    let mine = get(&app, &owner_token, "/api/v1/actions?mine=true").await;
    let overdue = get(&app, &token, "/api/v1/actions?overdue=true").await;

    assert_eq!((late, soon, bad), (201, 201, 422));
    assert_eq!(p["errors"].as_array().map(Vec::len), Some(2), "{p}");
    let titles = |v: &Value| v.as_array().expect("list").iter().filter_map(|a| a["title"].as_str().map(str::to_string)).collect::<Vec<_>>();
    assert_eq!(titles(&mine), ["Send the draft MoU", "Book the return visit"]);
    assert_eq!(titles(&overdue), ["Send the draft MoU"], "the seed's actions are done; only the open late one");

    let action_id = mine[0]["id"].as_i64().expect("id");
    let (done, _) =
        send(&app, &owner_token, reqwest::Method::PATCH, &format!("/api/v1/actions/{action_id}"), Some(json!({"status": "done"}))).await;
    assert_eq!(done, 200, "owners close their own actions");
    assert_eq!(titles(&get(&app, &token, "/api/v1/actions?overdue=true").await), Vec::<String>::new());
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let res = app.client.get(app.url(path)).send().await.expect("get");
    (res.status().as_u16(), res.text().await.expect("body"))
}

#[tokio::test]
async fn the_visit_page_shows_the_delegation_agenda_and_outcome_in_both_languages() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("office", &["staff"]).await;

    let (status, html) = page(&app, &format!("/visits/{}", ids.visit)).await;
    let (_, itinerary) = page(&app, &format!("/visits/{}/itinerary", ids.visit)).await;
    let (_, day) = page(&app, "/agenda?date=2024-05-08").await;
    let (_, list) = page(&app, "/visits?year=2024&direction=inbound").await;
    let csrf = helpers_csrf(&html);
    app.client.post(app.url("/settings/language")).form(&[("_csrf", csrf.as_str()), ("lang", "zh")]).send().await.expect("lang");
    let (_, zh) = page(&app, &format!("/visits/{}", ids.visit)).await;

    assert_eq!(status, 200);
    for text in [
        "Chen Zhihui",
        "leader",
        "4 people",
        "Conference room 1508, Shixun Building",
        "09:00–09:45",
        "10:00–11:30",
        "School of Foreign Studies (School of International Education)",
        "Undergraduate-to-master&#39;s progression",
        "Consensus",
    ] {
        assert!(html.contains(text), "visit page lacks {text}");
    }
    assert!(itinerary.contains("Conference room 1507, Shixun Building") && itinerary.contains("Ma Shaojian"));
    assert!(day.contains("President Ma Shaojian meets the IUKL delegation"));
    assert!(list.contains("Delegation from Infrastructure University Kuala Lumpur"));
    assert!(zh.contains("座谈会") && zh.contains("团长") && zh.contains("本硕连读"), "Chinese labels");
}

fn helpers_csrf(html: &str) -> String {
    crate::helpers::extract_csrf(html)
}

#[tokio::test]
async fn a_session_form_that_double_books_a_room_names_the_clash_and_stores_nothing() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("office", &["staff"]).await;
    let token = app.token_for("api", &["staff"], None).await;
    let (chen, r1508) = (person(&app, "Chen Zhihui").await, room(&app, "1508").await);
    let d = day(9);
    let (_, a) = post(&app, &token, "/api/v1/visits", new_visit(ids.iukl, chen, &d, &d)).await;
    post(
        &app,
        &token,
        &format!("/api/v1/visits/{}/sessions", a["id"]),
        json!({"kind": "courtesy_meeting", "title": "First",
        "starts_at": format!("{d}T09:00:00+08:00"), "ends_at": format!("{d}T10:00:00+08:00"), "room_id": r1508}),
    )
    .await;
    let (_, b) =
        post(&app, &token, "/api/v1/visits", json!({"direction": "outbound", "title": "Second", "start_date": d, "end_date": d})).await;
    let path = format!("/visits/{}", b["id"]);
    let csrf = app.csrf_from(&app.client, &path).await;
    let sessions_before = app.count("visit_sessions").await;

    let res = app
        .client
        .post(app.url(&format!("{path}/sessions")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "symposium"),
            ("title", "Clash"),
            ("date", d.as_str()),
            ("start", "09:30"),
            ("end", "10:30"),
            ("room_id", &r1508.to_string()),
            ("topics", "teacher_training"),
        ])
        .send()
        .await
        .expect("post");
    let status = res.status().as_u16();
    let html = res.text().await.expect("body");
    let ok = app
        .client
        .post(app.url(&format!("{path}/sessions")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "symposium"),
            ("title", "Later"),
            ("date", d.as_str()),
            ("start", "10:00"),
            ("end", "11:00"),
            ("room_id", &r1508.to_string()),
        ])
        .send()
        .await
        .expect("post");

    assert_eq!(status, 409);
    assert!(html.contains("already booked") && html.contains("First"), "names the clash");
    assert!(html.contains("value=\"Clash\"") && html.contains("value=\"teacher_training\" checked"), "keeps the input");
    assert_eq!(ok.status().as_u16(), 303, "the next free slot books");
    assert_eq!(app.count("visit_sessions").await, sessions_before + 1);
}

#[tokio::test]
async fn simultaneous_changes_to_a_visit_on_two_instances_all_land() {
    // Each change reads the visit before it writes; on SQLite a deferred transaction
    // would fail at its first write once another connection had written meanwhile.
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let other = app.second_instance().await;
    let token = app.token_for("office", &["staff"], None).await;

    let mut tasks = Vec::new();
    for i in 0..20 {
        let base = if i % 2 == 0 { app.address.clone() } else { other.clone() };
        let (client, token, visit) = (app.client.clone(), token.clone(), ids.visit);
        tasks.push(tokio::spawn(async move {
            let res = client
                .post(format!("{base}/api/v1/visits/{visit}/outcomes"))
                .bearer_auth(&token)
                .json(&json!({"kind": "decision", "text": format!("Decision {i}")}))
                .send()
                .await
                .expect("post");
            res.status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }

    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    assert_eq!(app.count("visit_outcomes").await, 21, "the seed's consensus and twenty decisions");
}

#[tokio::test]
async fn visit_room_and_person_pages_make_calendar_links_that_work_without_logging_in() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("office", &["staff"]).await;
    let path = format!("/visits/{}", ids.visit);
    let csrf = app.csrf_from(&app.client, &path).await;

    let visit = ids.visit.to_string();
    let made = app
        .client
        .post(app.url("/calendar-links"))
        .form(&[("_csrf", csrf.as_str()), ("kind", "visit"), ("subject_id", visit.as_str())])
        .send()
        .await
        .expect("post");
    let (_, html) = page(&app, &path).await;
    let start = html.find("/calendar.ics?token=").expect("the page shows the link");
    let link = format!("{path}{}", html[start..].split('"').next().unwrap_or_default());
    let anonymous = crate::helpers::client().get(app.url(&link)).send().await.expect("feed");

    let (r1508, chen) = (room(&app, "1508").await.to_string(), person(&app, "Chen Zhihui").await.to_string());
    for (kind, id, page_path) in [("room", &r1508, format!("/rooms/{r1508}")), ("person", &chen, format!("/people/{chen}"))] {
        let res =
            app.client.post(app.url("/calendar-links")).form(&[("_csrf", csrf.as_str()), ("kind", kind), ("subject_id", id)]).send().await;
        assert_eq!(res.expect("post").status().as_u16(), 303);
        let (_, html) = page(&app, &page_path).await;
        assert!(html.contains(&format!("{page_path}/calendar.ics?token=")), "{kind} page shows its link");
    }

    assert_eq!(made.status().as_u16(), 303);
    assert_eq!(anonymous.status().as_u16(), 200);
    assert!(anonymous.text().await.expect("body").contains("BEGIN:VCALENDAR"));
}

#[tokio::test]
async fn an_agreement_signed_at_a_visit_is_listed_on_the_visit_page() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("api", &["staff"], None).await;
    app.logged_in("office", &["staff"]).await;

    let (status, _) = post(
        &app,
        &token,
        "/api/v1/agreements",
        json!({"kind": "exchange", "title": "Student exchange agreement signed at the visit",
        "parties": [{"institution_id": ids.home}, {"institution_id": ids.iukl}], "visit_id": ids.visit}),
    )
    .await;
    let (_, html) = page(&app, &format!("/visits/{}", ids.visit)).await;

    assert_eq!(status, 201);
    assert!(html.contains("Agreements signed at this visit") && html.contains("Student exchange agreement signed at the visit"));
}
