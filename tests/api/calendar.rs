//! Calendar feeds and the invitation letter. The feeds are parsed by Python's
//! `icalendar` (tests/calendar/parse_ics.py), an independent reader, not by our code.

use serde_json::{Value, json};

use crate::helpers::{TestApp, client, seed, spawn_app};

/// The seed story's visit (2024-05-08) and its two sessions in the Shixun Building.
struct Visit {
    id: i64,
    courtesy: i64,
    symposium: i64,
}

async fn person(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM people WHERE name_en = $1").bind(name).fetch_one(&app.db.pool).await.expect("person")
}

async fn room(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM rooms WHERE name = $1").bind(name).fetch_one(&app.db.pool).await.expect("room")
}

async fn send(app: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
    let res = app.client.request(method, app.url(path)).bearer_auth(token).json(&body).send().await.expect("request");
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, json) = send(app, token, reqwest::Method::POST, path, body).await;
    assert_eq!(status, 201, "POST {path}: {json}");
    json
}

/// Loads the seed story; its visit has a courtesy meeting (1508) and a symposium (1507).
async fn seed_visit(app: &TestApp) -> Visit {
    let id = seed(app).await.visit;
    let session = |kind: &'static str| {
        sqlx::query_scalar::<_, i64>("SELECT id FROM visit_sessions WHERE visit_id = $1 AND kind = $2").bind(id).bind(kind)
    };
    let courtesy = session("courtesy_meeting").fetch_one(&app.db.pool).await.expect("courtesy meeting");
    let symposium = session("symposium").fetch_one(&app.db.pool).await.expect("symposium");
    Visit { id, courtesy, symposium }
}

/// A visit made through the visits API.
async fn new_visit(app: &TestApp, token: &str, direction: &str, institution: i64, dates: (&str, &str)) -> i64 {
    let body = json!({"direction": direction, "title": format!("{direction} visit"), "purpose": "Cooperation", "start_date": dates.0,
        "end_date": dates.1, "institution_ids": [institution], "head_count": 2});
    created(app, token, "/api/v1/visits", body).await["id"].as_i64().expect("visit id")
}

async fn subscribe(app: &TestApp, token: &str, path: &str, kind: &str, subject: i64) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&json!({"kind": kind, "subject_id": subject}))
        .send()
        .await
        .expect("subscribe");
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

/// Fetches a feed as a calendar client would (no cookies); returns status and body.
async fn fetch(app: &TestApp, path: &str) -> (u16, String, String) {
    let res = client().get(app.url(path)).send().await.expect("feed");
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (res.status().as_u16(), ct, res.text().await.expect("body"))
}

/// Parses a feed with Python's icalendar; one JSON object per VEVENT.
fn parse(app: &TestApp, ics: &str) -> Vec<Value> {
    let file = app.test_db.dir.join(format!("feed-{}.ics", liaison::auth::random_token(4)));
    std::fs::write(&file, ics).expect("write feed");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/calendar/parse_ics.py");
    let out = std::process::Command::new("python3").arg(script).arg(&file).output().expect("python3 runs (scripts/test-deps.sh)");
    assert!(out.status.success(), "parse_ics.py failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).expect("JSON").as_array().expect("events").clone()
}

fn event<'a>(events: &'a [Value], uid: &str) -> &'a Value {
    events.iter().find(|e| e["uid"] == uid).unwrap_or_else(|| panic!("no event {uid} in {events:?}"))
}

#[tokio::test]
async fn the_visit_feed_parses_with_icalendar_in_the_venue_time_zone() {
    let app = spawn_app().await;
    let v = seed_visit(&app).await;
    let token = app.token_for("office", &["staff"], None).await;

    let (status, feed) = subscribe(&app, &token, "/api/v1/calendar-feeds", "visit", v.id).await;
    let (fetched, content_type, ics) = fetch(&app, feed["path"].as_str().expect("path")).await;

    assert_eq!(status, 201, "{feed}");
    assert!(feed["url"].as_str().expect("url").starts_with("http://127.0.0.1:"), "{feed}");
    assert_eq!(fetched, 200, "{ics}");
    assert_eq!(content_type, "text/calendar; charset=utf-8");
    assert!(ics.contains("\r\n") && !ics.replace("\r\n", "").contains('\n'), "CRLF line endings only");
    let events = parse(&app, &ics);
    assert_eq!(events.len(), 3, "the visit and two sessions: {events:?}");
    let courtesy = event(&events, &format!("session-{}@liaison", v.courtesy));
    assert_eq!(courtesy["dtstart"], "2024-05-08T09:00:00+08:00");
    assert_eq!(courtesy["dtstart_vtimezone"], "2024-05-08T09:00:00+08:00", "our VTIMEZONE alone gives the same instant");
    assert_eq!(courtesy["dtend"], "2024-05-08T09:45:00+08:00");
    assert_eq!(courtesy["tzid"], "Asia/Shanghai");
    assert_eq!(courtesy["summary"], "President Ma Shaojian meets the IUKL delegation");
    assert_eq!(courtesy["location"], "1508, Shixun Building");
    assert_eq!(courtesy["status"], "CONFIRMED", "the seed visit is completed");
    assert!(courtesy["description"].as_str().expect("description").contains("Participants: Chen Zhihui, Ma Shaojian"), "{courtesy}");
    let visit = event(&events, &format!("visit-{}@liaison", v.id));
    assert_eq!((visit["dtstart"].as_str(), visit["dtend"].as_str()), (Some("2024-05-08"), Some("2024-05-09")));
}

#[tokio::test]
async fn long_chinese_descriptions_fold_without_breaking_characters() {
    let app = spawn_app().await;
    let v = seed_visit(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let (_, feed) = subscribe(&app, &token, "/api/v1/calendar-feeds", "visit", v.id).await;

    let (_, _, ics) = fetch(&app, &format!("{}&lang=zh", feed["path"].as_str().expect("path"))).await;

    assert!(ics.split("\r\n").all(|line| line.len() <= 75), "every line within 75 octets");
    let events = parse(&app, &ics);
    let symposium = event(&events, &format!("session-{}@liaison", v.symposium));
    let description = symposium["description"].as_str().expect("description");
    assert!(description.contains("议题：") || description.contains("议题: "), "{description}");
    for topic in ["合作办学项目", "学术交流", "师资培训", "本硕连读（学历提升）", "科研合作"] {
        assert!(description.contains(topic), "{topic} in {description}");
    }
    assert_eq!(symposium["location"], "实训楼 1507", "the building's Chinese name");
}

#[tokio::test]
async fn uids_are_stable_and_an_edited_session_is_replaced_with_a_higher_sequence() {
    let app = spawn_app().await;
    let v = seed_visit(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let (_, feed) = subscribe(&app, &token, "/api/v1/calendar-feeds", "visit", v.id).await;
    let path = feed["path"].as_str().expect("path").to_string();
    let uids = |events: &[Value]| {
        let mut u: Vec<String> = events.iter().map(|e| e["uid"].as_str().unwrap_or("").to_string()).collect();
        u.sort();
        u
    };
    let first = parse(&app, &fetch(&app, &path).await.2);
    let second = parse(&app, &fetch(&app, &path).await.2);

    let title = "Courtesy meeting; President Ma Shaojian meets the delegation, IUKL";
    let (patched, session) = send(
        &app,
        &token,
        reqwest::Method::PATCH,
        &format!("/api/v1/sessions/{}", v.courtesy),
        json!({"title": title, "starts_at": "2024-05-08T09:30:00+08:00", "ends_at": "2024-05-08T10:15:00+08:00"}),
    )
    .await;
    let after = parse(&app, &fetch(&app, &path).await.2);

    assert_eq!(uids(&first), uids(&second));
    assert_eq!(uids(&after), uids(&first), "same events, none duplicated");
    let uid = format!("session-{}@liaison", v.courtesy);
    let (before, edited) = (event(&first, &uid), event(&after, &uid));
    assert_eq!(patched, 200, "{session}");
    assert!(edited["sequence"].as_i64() > before["sequence"].as_i64(), "{before} -> {edited}");
    assert_eq!(edited["dtstart"], "2024-05-08T09:30:00+08:00");
    assert_eq!(edited["summary"], title, "TEXT escaping round-trips");
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_a_404_and_a_reset_retires_the_old_url() {
    let app = spawn_app().await;
    let v = seed_visit(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let (_, feed) = subscribe(&app, &token, "/api/v1/calendar-feeds", "visit", v.id).await;
    let old = feed["path"].as_str().expect("path").to_string();

    let wrong = fetch(&app, &format!("/visits/{}/calendar.ics?token={}", v.id, "0".repeat(64))).await.0;
    let missing = fetch(&app, &format!("/visits/{}/calendar.ics", v.id)).await.0;
    let other_visit = fetch(&app, &old.replace(&format!("/visits/{}/", v.id), &format!("/visits/{}/", v.id + 1))).await.0;
    let (again_status, again) = subscribe(&app, &token, "/api/v1/calendar-feeds", "visit", v.id).await;
    let (reset_status, reset) = subscribe(&app, &token, "/api/v1/calendar-feeds/reset", "visit", v.id).await;
    let old_after_reset = fetch(&app, &old).await.0;
    let new_after_reset = fetch(&app, reset["path"].as_str().expect("path")).await.0;

    assert_eq!((wrong, missing, other_visit), (404, 404, 404));
    assert_eq!((again_status, again["token"].clone()), (200, feed["token"].clone()), "the same link on every call");
    assert_eq!(reset_status, 200);
    assert_ne!(reset["token"], feed["token"]);
    assert_eq!((old_after_reset, new_after_reset), (404, 200));
}

#[tokio::test]
async fn a_logged_in_reader_fetches_a_feed_without_a_token() {
    let app = spawn_app().await;
    let v = seed_visit(&app).await;
    app.logged_in("reader", &["viewer"]).await;

    let res = app.client.get(app.url(&format!("/visits/{}/calendar.ics", v.id))).send().await.expect("feed");
    let missing = app.client.get(app.url(&format!("/visits/{}/calendar.ics", v.id + 100))).send().await.expect("feed");

    assert_eq!(res.status().as_u16(), 200);
    assert!(res.text().await.expect("body").starts_with("BEGIN:VCALENDAR\r\n"));
    assert_eq!(missing.status().as_u16(), 404);
}

#[tokio::test]
async fn feeds_are_made_only_for_subjects_that_exist_and_by_readers() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;

    let (no_visit, problem) = subscribe(&app, &token, "/api/v1/calendar-feeds", "visit", 999).await;
    let (bad_kind, kind_problem) = subscribe(&app, &token, "/api/v1/calendar-feeds", "building", 1).await;
    let anonymous = client().post(app.url("/api/v1/calendar-feeds")).json(&json!({"kind": "room", "subject_id": 1})).send().await;

    assert_eq!(no_visit, 422);
    assert_eq!(problem["errors"][0]["field"], "subject_id");
    assert_eq!(bad_kind, 422);
    assert_eq!(kind_problem["errors"][0]["field"], "kind");
    assert_eq!(anonymous.expect("post").status().as_u16(), 401);
    assert_eq!(app.count("calendar_feeds").await, 0);
}

#[tokio::test]
async fn the_room_feed_shows_its_bookings_with_their_status() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let r1508 = room(&app, "1508").await;
    let day = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_hours(24 * 10)).expect("date").strftime("%Y-%m-%d");
    let book = |title: &'static str, from: u8, to: u8| {
        let body = json!({"room_id": r1508, "title": title, "starts_at": format!("{day}T{from:02}:00:00+08:00"), "ends_at": format!("{day}T{to:02}:00:00+08:00")});
        app.client.post(app.url("/api/v1/bookings")).bearer_auth(&token).json(&body).send()
    };
    let kept: Value = book("Courtesy meeting with the IUKL delegation", 9, 10).await.expect("book").json().await.expect("json");
    let dropped: Value = book("Rehearsal", 14, 15).await.expect("book").json().await.expect("json");
    let cancel = app
        .client
        .patch(app.url(&format!("/api/v1/bookings/{}", dropped["booking"]["id"])))
        .bearer_auth(&token)
        .json(&json!({"status": "cancelled"}))
        .send()
        .await
        .expect("cancel");
    let (_, feed) = subscribe(&app, &token, "/api/v1/calendar-feeds", "room", r1508).await;

    let (status, _, ics) = fetch(&app, feed["path"].as_str().expect("path")).await;

    assert_eq!(cancel.status().as_u16(), 200);
    assert_eq!(status, 200);
    let events = parse(&app, &ics);
    let confirmed = event(&events, &format!("booking-{}@liaison", kept["booking"]["id"]));
    assert_eq!(confirmed["summary"], "Courtesy meeting with the IUKL delegation");
    assert_eq!(confirmed["status"], "CONFIRMED");
    assert_eq!(confirmed["dtstart"], format!("{day}T09:00:00+08:00"));
    assert_eq!(confirmed["location"], "1508, Shixun Building");
    let cancelled = event(&events, &format!("booking-{}@liaison", dropped["booking"]["id"]));
    assert_eq!(cancelled["status"], "CANCELLED", "kept so that clients remove it");
    assert!(cancelled["sequence"].as_i64() > Some(0), "{cancelled}");
}

#[tokio::test]
async fn a_person_feed_has_the_sessions_they_attend_visit_with_or_host() {
    let app = spawn_app().await;
    let v = seed_visit(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let guest = created(&app, &token, "/api/v1/people", json!({"name_en": "Xiao Jia"})).await["id"].as_i64().expect("id");
    let nobody = created(&app, &token, "/api/v1/people", json!({"name_en": "Lin Na"})).await["id"].as_i64().expect("id");
    let (ma, chen) = (person(&app, "Ma Shaojian").await, person(&app, "Chen Zhihui").await);
    let (patched, _) = send(
        &app,
        &token,
        reqwest::Method::PATCH,
        &format!("/api/v1/sessions/{}", v.courtesy),
        json!({"participant_ids": [ma, chen, guest]}),
    )
    .await;
    let mut seen = Vec::new();
    for id in [chen, person(&app, "Qin Yongling").await, guest, nobody] {
        let (_, feed) = subscribe(&app, &token, "/api/v1/calendar-feeds", "person", id).await;
        let events = parse(&app, &fetch(&app, feed["path"].as_str().expect("path")).await.2);
        let mut uids: Vec<String> = events.iter().map(|e| e["uid"].as_str().unwrap_or("").to_string()).collect();
        uids.sort();
        seen.push(uids);
    }

    assert_eq!(patched, 200);
    let both = {
        let mut u = vec![format!("session-{}@liaison", v.courtesy), format!("session-{}@liaison", v.symposium)];
        u.sort();
        u
    };
    assert_eq!(seen[0], both, "the leader (a delegation member) has every session");
    assert_eq!(seen[1], both, "a host has every session");
    assert_eq!(seen[2], [format!("session-{}@liaison", v.courtesy)], "a participant has the sessions they attend");
    assert!(seen[3].is_empty(), "{:?}", seen[3]);
}

#[tokio::test]
async fn a_session_in_a_building_with_summer_time_is_in_that_zone() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["admin"], None).await;
    let building: Value = app
        .client
        .post(app.url("/api/v1/buildings"))
        .bearer_auth(&token)
        .json(&json!({"institution_id": ids.iukl, "name_en": "Berlin Liaison Office", "time_zone": "Europe/Berlin"}))
        .send()
        .await
        .expect("building")
        .json()
        .await
        .expect("json");
    let hall: Value = app
        .client
        .post(app.url("/api/v1/rooms"))
        .bearer_auth(&token)
        .json(&json!({"building_id": building["id"], "name": "Hall A", "capacity": 30}))
        .send()
        .await
        .expect("room")
        .json()
        .await
        .expect("json");
    let visit = new_visit(&app, &token, "outbound", ids.iukl, ("2024-07-01", "2024-12-31")).await;
    let mut sessions = Vec::new();
    for (title, from, to) in [
        ("Summer symposium", "2024-07-10T14:00:00+02:00", "2024-07-10T15:00:00+02:00"),
        ("Winter symposium", "2024-12-10T14:00:00+01:00", "2024-12-10T15:00:00+01:00"),
    ] {
        let body = json!({"kind": "symposium", "title": title, "starts_at": from, "ends_at": to, "room_id": hall["id"]});
        let session = created(&app, &token, &format!("/api/v1/visits/{visit}/sessions"), body).await;
        sessions.push(session["session"]["id"].as_i64().expect("session id"));
    }
    let (summer, winter) = (sessions[0], sessions[1]);
    let (_, feed) = subscribe(&app, &token, "/api/v1/calendar-feeds", "visit", visit).await;

    let events = parse(&app, &fetch(&app, feed["path"].as_str().expect("path")).await.2);

    let (s, w) = (event(&events, &format!("session-{summer}@liaison")), event(&events, &format!("session-{winter}@liaison")));
    assert_eq!(s["tzid"], "Europe/Berlin", "the room's building zone, not the visit's");
    assert_eq!(s["dtstart"], "2024-07-10T14:00:00+02:00");
    assert_eq!(s["dtstart_vtimezone"], "2024-07-10T14:00:00+02:00", "our VTIMEZONE has the summer-time rule");
    assert_eq!(w["dtstart_vtimezone"], "2024-12-10T14:00:00+01:00");
}

#[tokio::test]
async fn the_invitation_letter_names_the_leader_and_head_count_in_both_languages() {
    let app = spawn_app().await;
    let v = seed_visit(&app).await;
    app.logged_in("office", &["staff"]).await;

    let res = app.client.get(app.url(&format!("/visits/{}/invitation", v.id))).send().await.expect("letter");
    let status = res.status().as_u16();
    let html = res.text().await.expect("body");
    let css = app.client.get(app.url("/static/print.css")).send().await.expect("css");

    assert_eq!(status, 200, "{html}");
    for text in ["Letter of Invitation", "邀请函", "Chen Zhihui", "Vice President", "副校长", "Infrastructure University Kuala Lumpur"]
    {
        assert!(html.contains(text), "{text} missing");
    }
    assert!(html.contains("a delegation of 4 from"), "head count in English");
    assert!(html.contains("一行4人"), "head count in Chinese");
    assert!(html.contains("8 May 2024") && html.contains("2024年5月8日"), "the date in both languages");
    assert!(html.contains("09:00–09:45 President Ma Shaojian meets the IUKL delegation"), "programme in the venue's time");
    assert!(html.contains("Dear Vice President Chen Zhihui,") && html.contains("尊敬的Chen Zhihui副校长："), "{html}");
    assert!(html.contains("Human Resources Department"), "host units");
    assert!(html.contains("<p>Ma Shaojian</p><p>President; Member of the CPC Committee</p>"), "signature block of the first host official");
    assert!(html.contains("href=\"/static/print.css\""));
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test]
async fn an_outbound_visit_has_no_invitation_letter() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("editor", &["staff"], None).await;
    let visit = new_visit(&app, &token, "outbound", ids.iukl, ("2030-05-08", "2030-05-10")).await;
    app.logged_in("office", &["staff"]).await;

    let page = app.client.get(app.url(&format!("/visits/{visit}/invitation"))).send().await.expect("letter");
    let api =
        app.client.get(app.url(&format!("/visits/{visit}/invitation"))).header("accept", "application/json").send().await.expect("json");

    assert_eq!(page.status().as_u16(), 409);
    assert!(page.text().await.expect("body").contains("no invitation letter for an outbound visit"));
    let problem: Value = api.json().await.expect("problem");
    assert_eq!(problem["status"], 409);
}
