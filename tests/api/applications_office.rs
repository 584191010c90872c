//! The office's side of a call over the API and the pages: screening, scores from two
//! reviewers, the ranking and allocation with a reason per student, a manual allocation
//! (audited), publishing, a declined place offered to the next in rank, nomination
//! creating mobilities counted like any other, the partner's signed link, the export,
//! and incoming nominees.

use serde_json::{Value, json};

use crate::{
    applications::{close, open_call, student, submitted},
    helpers::{TestApp, client, extract_csrf, get, post, send},
};

async fn score(app: &TestApp, token: &str, id: i64, academic: f64, motivation: f64) {
    let body = json!({"scores": [{"criterion": "academic", "score": academic, "comment": "ok"}, {"criterion": "motivation", "score": motivation}]});
    let (status, res) = send(app, token, reqwest::Method::PUT, &format!("/api/v1/applications/{id}/scores"), Some(body)).await;
    assert_eq!(status, 200, "{res}");
}

/// Three students over two partners (IUKL 2 places, the other 1): answers the app, the
/// office's token, the call, the partner rows and the students' (token, application).
async fn three_applicants() -> (TestApp, String, i64, Vec<i64>, Vec<(String, i64)>) {
    let (app, staff, call, partners) = open_call().await;
    // partners are listed by name: [0] = IUKL (2 places), [1] = the other (1 place).
    let mut students = Vec::new();
    for (name, gpa, choices) in [
        ("a.best", "3.9", vec![partners[1], partners[0]]),
        ("b.second", "3.6", vec![partners[1], partners[0]]),
        ("c.third", "3.4", vec![partners[1], partners[0]]),
        ("d.low", "2.1", vec![partners[0]]),
    ] {
        let (_, token) = student(&app, name).await;
        let id = submitted(&app, &token, call, gpa, &choices).await;
        students.push((token, id));
    }
    close(&app, call).await;
    (app, staff, call, partners, students)
}

#[tokio::test]
async fn the_office_screens_scores_allocates_by_rank_and_explains_each_place() {
    let (app, staff, call, partners, s) = three_applicants().await;
    let (status, screened) = post(&app, &staff, &format!("/api/v1/calls/{call}/screen"), json!({})).await;
    assert_eq!(status, 200, "{screened}");
    assert_eq!(screened, json!({"eligible": 3, "ineligible": 1}), "GPA 2.1 is below 3.0");
    let low = get(&app, &s[3].0, &format!("/api/v1/applications/{}", s[3].1)).await;
    assert_eq!(low["status"], "ineligible");
    assert!(low["eligibility_note"].as_str().unwrap_or("").contains("below 3.00"));
    let second = app.token_for("reviewer2", &["staff"], None).await;
    score(&app, &staff, s[0].1, 90.0, 80.0).await;
    score(&app, &second, s[0].1, 80.0, 80.0).await;
    score(&app, &staff, s[1].1, 70.0, 70.0).await;
    score(&app, &staff, s[2].1, 60.0, 50.0).await;
    let slot = json!({"at": "2025-03-20T10:00", "place": "Shixun Building 1507"});
    let (status, body) = send(&app, &staff, reqwest::Method::PUT, &format!("/api/v1/applications/{}/interview", s[0].1), Some(slot)).await;
    assert_eq!((status, body["interview_at"].as_str()), (200, Some("2025-03-20T02:00:00.000000Z")), "{body}");
    let mailed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE dedupe_key LIKE 'application-interview:%'")
        .fetch_one(&app.db.pool)
        .await
        .expect("mail");
    assert_eq!(mailed, 1, "the student is told the slot");
    let first = get(&app, &staff, &format!("/api/v1/applications/{}", s[0].1)).await;
    assert_eq!(first["score_x100"], 8300, "academic (90+80)/2 = 85 × 0.6 + 80 × 0.4");
    assert_eq!(first["scores"].as_array().map(Vec::len), Some(4));
    let (status, student_scores) =
        send(&app, &s[0].0, reqwest::Method::PUT, &format!("/api/v1/applications/{}/scores", s[0].1), Some(json!({"scores": []}))).await;
    assert_eq!(status, 403, "students do not score: {student_scores}");

    let (status, outcomes) = post(&app, &staff, &format!("/api/v1/calls/{call}/allocate"), json!({})).await;
    assert_eq!(status, 200, "{outcomes}");
    let by_app = |id: i64| outcomes.as_array().expect("list").iter().find(|o| o["application_id"] == id).cloned().unwrap_or(Value::Null);
    assert_eq!((by_app(s[0].1)["rank"].as_i64(), by_app(s[0].1)["partner"].as_i64()), (Some(1), Some(partners[1])));
    assert_eq!(by_app(s[1].1)["partner"].as_i64(), Some(partners[0]));
    assert_eq!(
        by_app(s[1].1)["explanation"],
        "Rank 2: got choice 2 (Infrastructure University Kuala Lumpur) because choice 1 (Universiti Teknologi Demo) was full at rank 1."
    );
    assert_eq!(by_app(s[2].1)["priority"], 2);
    let own = get(&app, &s[1].0, &format!("/api/v1/applications/{}", s[1].1)).await;
    assert_eq!(own["explanation"], Value::Null, "students see the result only once published");

    let (status, _) =
        post(&app, &staff, &format!("/api/v1/applications/{}/allocation", s[2].1), json!({"call_partner_id": null, "note": ""})).await;
    assert_eq!(status, 422, "a manual allocation needs a reason");
    let (status, _) = post(
        &app,
        &staff,
        &format!("/api/v1/applications/{}/allocation", s[2].1),
        json!({"call_partner_id": null, "note": "Interview not attended"}),
    )
    .await;
    assert_eq!(status, 200);
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE entity = 'application_allocation' AND entity_id = $1")
        .bind(s[2].1)
        .fetch_one(&app.db.pool)
        .await
        .expect("audit");
    assert_eq!(audited, 1);
    let (status, again) = post(&app, &staff, &format!("/api/v1/calls/{call}/allocate"), json!({})).await;
    assert_eq!(status, 200, "{again}");
    let kept = get(&app, &staff, &format!("/api/v1/applications/{}", s[2].1)).await;
    assert_eq!(
        (kept["allocated_partner_id"].clone(), kept["override_note"].clone()),
        (Value::Null, json!("Interview not attended")),
        "runs keep manual allocations"
    );

    let csv = app.client.get(app.url(&format!("/calls/{call}/export.csv?status=eligible"))).bearer_auth(&staff).send().await.expect("csv");
    assert_eq!(csv.status().as_u16(), 200);
    let text = csv.text().await.expect("text");
    assert!(text.starts_with("\u{feff}id,rank,student"), "{text}");
    assert_eq!(text.lines().count(), 4, "three eligible rows and the header: {text}");
    assert!(text.contains("was full at rank 1"));
    let xlsx = app.client.get(app.url(&format!("/calls/{call}/export.xlsx"))).bearer_auth(&staff).send().await.expect("xlsx");
    assert!(xlsx.bytes().await.expect("bytes").starts_with(b"PK"));
}

async fn allocated_and_published() -> (TestApp, String, i64, Vec<i64>, Vec<(String, i64)>) {
    let (app, staff, call, partners, s) = three_applicants().await;
    post(&app, &staff, &format!("/api/v1/calls/{call}/screen"), json!({})).await;
    for (i, (_, id)) in s.iter().take(3).enumerate() {
        score(&app, &staff, *id, 90.0 - 10.0 * i as f64, 80.0).await;
    }
    // Everyone wants the other partner (1 place): a.best gets it, b.second IUKL (cut to one
    // place here), and c.third waits.
    sqlx::query("UPDATE call_partners SET places = 1 WHERE id = $1").bind(partners[0]).execute(&app.db.pool).await.expect("places");
    let (status, _) = post(&app, &staff, &format!("/api/v1/calls/{call}/allocate"), json!({})).await;
    assert_eq!(status, 200);
    let (status, body) = post(&app, &staff, &format!("/api/v1/calls/{call}/publish"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    (app, staff, call, partners, s)
}

#[tokio::test]
async fn a_declined_place_goes_to_the_next_in_rank_and_nomination_creates_mobilities() {
    let (app, staff, call, partners, s) = allocated_and_published().await;
    let a = get(&app, &s[0].0, &format!("/api/v1/applications/{}", s[0].1)).await;
    assert_eq!(a["status"], "offered");
    assert!(a["explanation"].as_str().unwrap_or("").starts_with("Rank 1: got choice 1"));
    assert_eq!(a["student_actions"], json!(["accept", "decline", "withdraw"]));
    let c = get(&app, &s[2].0, &format!("/api/v1/applications/{}", s[2].1)).await;
    assert_eq!(c["status"], "waitlisted");
    assert!(
        c["explanation"].as_str().unwrap_or("").contains("no place, because choice 1 (Universiti Teknologi Demo) was full at rank 1"),
        "{c}"
    );
    let (status, _) = post(&app, &s[1].0, &format!("/api/v1/applications/{}/steps", s[1].1), json!({"action": "decline"})).await;
    assert_eq!(status, 200);
    let c = get(&app, &s[2].0, &format!("/api/v1/applications/{}", s[2].1)).await;
    assert_eq!((c["status"].as_str(), c["allocated_partner_id"].as_i64()), (Some("offered"), Some(partners[0])), "{c}");
    assert!(c["respond_by"].is_string());
    for who in [&s[0], &s[2]] {
        let (status, body) = post(&app, &who.0, &format!("/api/v1/applications/{}/steps", who.1), json!({"action": "accept"})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, late) = post(&app, &s[1].0, &format!("/api/v1/applications/{}/steps", s[1].1), json!({"action": "accept"})).await;
    assert_eq!(status, 422, "a declined place cannot be taken back: {late}");

    let (status, nominated) = post(&app, &staff, &format!("/api/v1/calls/{call}/nominate"), json!({})).await;
    assert_eq!(status, 200, "{nominated}");
    assert_eq!(nominated["mobilities"].as_array().map(Vec::len), Some(2));
    let counted: i64 =
        sqlx::query_scalar("SELECT CAST(SUM(n) AS BIGINT) FROM mobility_counts WHERE status = 'nominated' AND direction = 'outbound'")
            .fetch_one(&app.db.pool)
            .await
            .expect("counts");
    assert_eq!(counted, 2, "nominated mobilities are counted like any other");
    let mail: (String, String) = sqlx::query_as("SELECT to_addr, body FROM mail_outbox WHERE dedupe_key LIKE 'nominations:%'")
        .fetch_one(&app.db.pool)
        .await
        .expect("partner mail");
    assert_eq!(mail.0, "coordinator@iukl.edu.my");
    let link = mail.1.split_whitespace().find(|w| w.contains("/partner/review/")).expect("link").to_string();
    let path = &link[link.find("/partner/").expect("path")..];

    let partner = client();
    let page = partner.get(app.url(path)).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("c.third"), "the nominee is listed");
    let csrf = extract_csrf(&html);
    let id = s[2].1.to_string();
    let refused = partner
        .post(app.url(path))
        .form(&[("_csrf", csrf.as_str()), ("application_id", id.as_str()), ("decision", "reject"), ("reason", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status().as_u16(), 200, "a rejection without a reason is the form again");
    let done = partner
        .post(app.url(path))
        .form(&[("_csrf", csrf.as_str()), ("application_id", id.as_str()), ("decision", "accept"), ("reason", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(done.status().as_u16(), 303);
    let c = get(&app, &s[2].0, &format!("/api/v1/applications/{}", s[2].1)).await;
    assert_eq!(c["status"], "partner_accepted");
    let mobility = get(&app, &staff, &format!("/api/v1/mobilities/{}", c["mobility_id"].as_i64().expect("mobility"))).await;
    assert_eq!(mobility["status"], "accepted");
    let funnel = get(&app, &staff, "/api/v1/reports/applications-funnel?year=2025").await;
    assert_eq!(funnel["rows"], json!([["IUKL undergraduate exchange 2025/26 (2025-2026)", 4, 3, 3, 3, 2, 2, 1]]), "{funnel}");
    let faculty = get(&app, &staff, "/api/v1/reports/applications-by-faculty").await;
    assert_eq!(faculty["rows"][0][0], "School of Civil Engineering");
    let partners_report = get(&app, &staff, "/api/v1/reports/applications-by-partner?lang=zh").await;
    assert_eq!(partners_report["columns"][7], "合作院校接收");
    assert_eq!(partners_report["rows"].as_array().map(Vec::len), Some(2));
    let forged = path.replace("/partner/review/", "/partner/review/9");
    assert_eq!(client().get(app.url(&forged)).send().await.expect("forged").status().as_u16(), 404);
    let other_purpose = path.replace("/partner/review/", "/partner/nominate/");
    assert_eq!(
        client().get(app.url(&other_purpose)).send().await.expect("purpose").status().as_u16(),
        404,
        "a link opens only its own purpose"
    );
}

#[tokio::test]
async fn partners_nominate_incoming_students_through_their_link() {
    let (app, staff, call, partners) = open_call().await;
    let (status, _) =
        post(&app, &staff, &format!("/api/v1/calls/{call}/incoming"), json!({"call_partner_id": partners[0], "name": "X"})).await;
    assert_eq!(status, 409, "an outgoing call takes no incoming nominees");
    let p = get(&app, &staff, &format!("/api/v1/calls/{call}")).await["programme_id"].as_i64().expect("programme");
    sqlx::query("INSERT INTO programme_quotas (programme_id, academic_year, direction, quota) VALUES ($1, '2025-2026', 'inbound', 3)")
        .bind(p)
        .execute(&app.db.pool)
        .await
        .expect("quota");
    let now = jiff::Timestamp::now();
    let body = json!({"programme_id": p, "academic_year": "2025-2026", "direction": "inbound", "title_en": "Incoming 2025/26",
        "opens_at": (now - jiff::SignedDuration::from_hours(1)).to_string(), "closes_at": (now + jiff::SignedDuration::from_hours(48)).to_string(),
        "mobility_start": "2025-09-01", "mobility_end": "2026-01-31"});
    let (status, incoming) = post(&app, &staff, "/api/v1/calls", body).await;
    assert_eq!(status, 201, "{incoming}");
    let (id, cp) = (incoming["id"].as_i64().expect("id"), incoming["partners"][0]["id"].as_i64().expect("cp"));
    let (status, made) = post(
        &app,
        &staff,
        &format!("/api/v1/calls/{id}/incoming"),
        json!({"call_partner_id": cp, "name": "Nur Aisyah", "email": "nur@iukl.edu.my"}),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let (status, link) = post(&app, &staff, &format!("/api/v1/calls/{id}/partners/{cp}/link"), json!({})).await;
    assert_eq!(status, 200);
    let url = link["url"].as_str().expect("url");
    let path = &url[url.find("/partner/").expect("path")..];
    let partner = client();
    let csrf = extract_csrf(&partner.get(app.url(path)).send().await.expect("page").text().await.expect("html"));
    let res = partner
        .post(app.url(path))
        .form(&[("_csrf", csrf.as_str()), ("name", "Ahmad Faiz"), ("email", "ahmad@iukl.edu.my")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status().as_u16(), 303);
    let inbound = get(&app, &staff, &format!("/api/v1/mobilities?programme_id={p}&direction=inbound")).await;
    assert_eq!(inbound["total"], 2);
    assert_eq!(inbound["items"][0]["status"], "nominated");
}

#[tokio::test]
async fn an_offer_left_unanswered_lapses_on_the_mail_tick_and_the_place_goes_on() {
    let (app, _staff, _call, partners, s) = allocated_and_published().await;
    let past = "2020-01-01T00:00:00.000000Z";
    sqlx::query("UPDATE applications SET respond_by = $1 WHERE id = $2").bind(past).bind(s[1].1).execute(&app.db.pool).await.expect("past");
    let (status, late) = post(&app, &s[1].0, &format!("/api/v1/applications/{}/steps", s[1].1), json!({"action": "accept"})).await;
    assert_eq!(status, 409, "too late to accept: {late}");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_liaison"));
    cmd.args(["mail", "run-once"]).env_remove("LIAISON_DATABASE_URL").env_remove("LIAISON_SMTP_URL");
    for (k, v) in app.test_db.env() {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let b = get(&app, &s[1].0, &format!("/api/v1/applications/{}", s[1].1)).await;
    assert_eq!(b["status"], "declined");
    let c = get(&app, &s[2].0, &format!("/api/v1/applications/{}", s[2].1)).await;
    assert_eq!((c["status"].as_str(), c["allocated_partner_id"].as_i64()), (Some("offered"), Some(partners[0])), "the next in rank: {c}");
}
