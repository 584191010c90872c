//! Calls and students' applications over the API: a call's partners and places from the
//! programme's quota, bad calls storing nothing, a student's draft, choices, documents
//! judged by content and submission; nothing changes after the deadline; others'
//! applications are not revealed. Helpers here are shared with `applications_office`.

use serde_json::{Value, json};

use crate::helpers::{TestApp, get, post, post_bytes, seed, send, spawn_app};

/// A second partner, with its own agreement and programme (quota 1), and the IUKL
/// programme (quota 2); answers (programme of IUKL, programme of the other, other id).
pub async fn programmes(app: &TestApp, iukl: i64) -> (i64, i64, i64) {
    let other: i64 = sqlx::query_scalar(
        "INSERT INTO institutions (name_en, country, created_at, updated_at) VALUES ('Universiti Teknologi Demo', 'MY', 'x', 'x') RETURNING id",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("institution");
    let home: i64 = sqlx::query_scalar("SELECT id FROM institutions WHERE is_home = 1").fetch_one(&app.db.pool).await.expect("home");
    let mut ids = Vec::new();
    for (partner, quota) in [(iukl, 2), (other, 1)] {
        let agreement: i64 = sqlx::query_scalar(
            "INSERT INTO agreements (kind, title, status, created_at, updated_at) VALUES ('exchange', 'Exchange', 'in_effect', 'x', 'x') RETURNING id",
        )
        .fetch_one(&app.db.pool)
        .await
        .expect("agreement");
        for inst in [home, partner] {
            sqlx::query("INSERT INTO agreement_parties (agreement_id, institution_id) VALUES ($1, $2)")
                .bind(agreement)
                .bind(inst)
                .execute(&app.db.pool)
                .await
                .expect("party");
        }
        let programme: i64 = sqlx::query_scalar(
            "INSERT INTO programmes (agreement_id, area, title, status, created_at, updated_at)
             VALUES ($1, 'student_exchange', 'Undergraduate exchange', 'active', 'x', 'x') RETURNING id",
        )
        .bind(agreement)
        .fetch_one(&app.db.pool)
        .await
        .expect("programme");
        sqlx::query(
            "INSERT INTO programme_quotas (programme_id, academic_year, direction, quota) VALUES ($1, '2025-2026', 'outbound', $2)",
        )
        .bind(programme)
        .bind(quota)
        .execute(&app.db.pool)
        .await
        .expect("quota");
        ids.push(programme);
    }
    (ids[0], ids[1], other)
}

/// A call open now (from an hour ago to a day ahead) over both programmes' partners.
pub fn call_body(p1: i64, p2: i64, iukl: i64, other: i64) -> Value {
    let opens = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let closes = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24);
    json!({
        "programme_id": p1, "academic_year": "2025-2026", "title_en": "IUKL undergraduate exchange 2025/26",
        "title_zh": "IUKL 本科交换项目 2025/26", "opens_at": opens.to_string(), "closes_at": closes.to_string(),
        "mobility_start": "2025-09-01", "mobility_end": "2026-01-31", "level": "undergraduate", "min_gpa": "3.0",
        "required_documents": ["transcript"],
        "partners": [{"institution_id": iukl, "coordinator_email": "coordinator@iukl.edu.my"}, {"institution_id": other, "programme_id": p2}]
    })
}

/// A student with an address; answers (user id, token).
pub async fn student(app: &TestApp, name: &str) -> (i64, String) {
    let token = app.token_for(name, &["student"], None).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = $1").bind(name).fetch_one(&app.db.pool).await.expect("user");
    sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
        .bind(format!("{name}@students.example.edu"))
        .bind(id)
        .execute(&app.db.pool)
        .await
        .expect("email");
    (id, token)
}

/// A complete, submitted application with the given GPA and choices; answers its id.
pub async fn submitted(app: &TestApp, token: &str, call: i64, gpa: &str, choices: &[i64]) -> i64 {
    let (status, body) = post(app, token, &format!("/api/v1/calls/{call}/applications"), json!({})).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().expect("id");
    complete(app, token, id, gpa, choices).await;
    id
}

/// Fills in, uploads the transcript of and submits a draft.
pub async fn complete(app: &TestApp, token: &str, id: i64, gpa: &str, choices: &[i64]) {
    let fields = json!({"level": "undergraduate", "gpa": gpa, "student_number": "2021001", "faculty": "School of Civil Engineering",
                        "motivation": "Infrastructure at IUKL.", "choices": choices});
    let (status, body) = send(app, token, reqwest::Method::PATCH, &format!("/api/v1/applications/{id}"), Some(fields)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post_bytes(
        app,
        token,
        &format!("/api/v1/applications/{id}/documents?name=transcript.pdf&kind=transcript"),
        "application/pdf",
        b"%PDF-1.7\n1 0 obj\n".to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = post(app, token, &format!("/api/v1/applications/{id}/steps"), json!({"action": "submit"})).await;
    assert_eq!(status, 200, "{body}");
}

/// GETs a public JSON address without credentials.
pub async fn public_get(app: &TestApp, path: &str) -> Value {
    let res = app.client.get(app.url(path)).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 200, "{path}");
    res.json().await.expect("json")
}

/// Moves a call's deadline into the past (the clock cannot be wound on).
pub async fn close(app: &TestApp, call: i64) {
    let past = (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(1)).strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    sqlx::query("UPDATE calls SET closes_at = $1 WHERE id = $2").bind(past).bind(call).execute(&app.db.pool).await.expect("close");
}

/// A seeded app with a call open now; answers (app, staff token, call, partner rows).
pub async fn open_call() -> (TestApp, String, i64, Vec<i64>) {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let staff = app.token_for("office", &["staff"], None).await;
    let (p1, p2, other) = programmes(&app, ids.iukl).await;
    let (status, call) = post(&app, &staff, "/api/v1/calls", call_body(p1, p2, ids.iukl, other)).await;
    assert_eq!(status, 201, "{call}");
    let partners = call["partners"].as_array().expect("partners").iter().map(|p| p["id"].as_i64().expect("id")).collect();
    (app, staff, call["id"].as_i64().expect("id"), partners)
}

#[tokio::test]
async fn a_call_takes_its_places_from_the_programmes_quotas_and_is_listed_publicly() {
    let (app, _staff, call, _) = open_call().await;
    let body = public_get(&app, &format!("/api/v1/calls/{call}")).await;
    let places: Vec<(String, i64)> = body["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .map(|p| (p["name"].as_str().unwrap_or("").to_string(), p["places"].as_i64().unwrap_or(-1)))
        .collect();
    assert!(places.contains(&("Infrastructure University Kuala Lumpur".to_string(), 2)), "{places:?}");
    assert!(places.contains(&("Universiti Teknologi Demo".to_string(), 1)), "{places:?}");
    assert_eq!(body["phase"], "open");
    assert_eq!(body["max_choices"], 3);
    let open = public_get(&app, "/api/v1/calls?phase=open").await;
    assert_eq!(open.as_array().map(Vec::len), Some(1));
    let page = app.client.get(app.url("/calls")).header("accept-language", "zh-CN").send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("IUKL 本科交换项目 2025/26") && html.contains("开放中"), "the public list in Chinese");
}

#[tokio::test]
async fn a_bad_call_names_every_problem_and_stores_nothing() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let staff = app.token_for("office", &["staff"], None).await;
    let (p1, _, _) = programmes(&app, ids.iukl).await;
    let body = json!({"programme_id": p1, "academic_year": "2025-2027", "title_en": "", "opens_at": "2025-03-02T09:00",
        "closes_at": "2025-03-01T09:00", "mobility_start": "2025-09-01", "mobility_end": "2025-08-01", "max_choices": 0,
        "partners": [{"institution_id": ids.home, "places": 1}, {"institution_id": 999999, "places": -1}]});
    let (status, problem) = post(&app, &staff, "/api/v1/calls", body).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    for f in [
        "title_en",
        "academic_year",
        "closes_at",
        "mobility_end",
        "max_choices",
        "partners[0].institution_id",
        "partners[1].institution_id",
        "partners[1].places",
    ] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
    assert_eq!(app.count("calls").await, 0);
    let student = app.token_for("student.one", &["student"], None).await;
    let (status, _) = post(&app, &student, "/api/v1/calls", json!({})).await;
    assert_eq!(status, 403, "students do not open calls");
}

#[tokio::test]
async fn a_student_drafts_ranks_uploads_and_submits_and_sees_what_is_missing() {
    let (app, _staff, call, partners) = open_call().await;
    let (_, token) = student(&app, "li.wei").await;
    let (status, draft) = post(&app, &token, &format!("/api/v1/calls/{call}/applications"), json!({})).await;
    assert_eq!(status, 201, "{draft}");
    let id = draft["id"].as_i64().expect("id");
    assert_eq!(draft["status"], "draft");
    assert!(draft["missing"].as_array().expect("missing").contains(&json!("document:transcript")));
    let (status, _) = post(&app, &token, &format!("/api/v1/calls/{call}/applications"), json!({})).await;
    assert_eq!(status, 409, "one application per call");
    let (status, refused) = post(&app, &token, &format!("/api/v1/applications/{id}/steps"), json!({"action": "submit"})).await;
    assert_eq!(status, 422, "incomplete: {refused}");
    let too_many = json!({"choices": [partners[0], partners[0]]});
    let (status, problem) = send(&app, &token, reqwest::Method::PATCH, &format!("/api/v1/applications/{id}"), Some(too_many)).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "choices[1]");
    let (status, body) = post_bytes(
        &app,
        &token,
        &format!("/api/v1/applications/{id}/documents?name=transcript.pdf&kind=transcript"),
        "application/pdf",
        b"<html>not a pdf".to_vec(),
    )
    .await;
    assert_eq!(status, 422, "a fake PDF: {body}");
    let (status, _) =
        post_bytes(&app, &token, &format!("/api/v1/applications/{id}/documents?name=cv.txt&kind=cv"), "text/plain", b"plain text".to_vec())
            .await;
    assert_eq!(status, 415);
    let (status, _) = post_bytes(
        &app,
        &token,
        &format!("/api/v1/applications/{id}/documents?name=t.pdf&kind=transcript"),
        "application/pdf",
        vec![b'%'; 11 * 1024 * 1024],
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(app.count("application_documents").await, 0);
    complete(&app, &token, id, "3.5", &[partners[1], partners[0]]).await;
    let body = get(&app, &token, &format!("/api/v1/applications/{id}")).await;
    assert_eq!(body["status"], "submitted");
    assert_eq!(body["missing"], json!([]));
    assert_eq!(body["choices"][0]["call_partner_id"], partners[1]);
    let doc = body["documents"][0]["id"].as_i64().expect("doc");
    let file =
        app.client.get(app.url(&format!("/api/v1/applications/{id}/documents/{doc}"))).bearer_auth(&token).send().await.expect("download");
    assert_eq!(file.headers()["content-type"], "application/pdf");
    let (_, stranger) = student(&app, "zhang.san").await;
    let (status, _) = send(&app, &stranger, reqwest::Method::GET, &format!("/api/v1/applications/{id}"), None).await;
    assert_eq!(status, 404, "another student's application is not revealed");
    let mine = get(&app, &stranger, "/api/v1/applications").await;
    assert_eq!(mine, json!([]));
    let mails: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE to_addr = 'li.wei@students.example.edu'")
        .fetch_one(&app.db.pool)
        .await
        .expect("mail");
    assert_eq!(mails, 1, "submitting is mailed");
}

#[tokio::test]
async fn after_the_deadline_nothing_can_be_changed() {
    let (app, _staff, call, partners) = open_call().await;
    let (_, token) = student(&app, "late").await;
    let (_, draft) = post(&app, &token, &format!("/api/v1/calls/{call}/applications"), json!({})).await;
    let id = draft["id"].as_i64().expect("id");
    close(&app, call).await;
    let (status, problem) =
        send(&app, &token, reqwest::Method::PATCH, &format!("/api/v1/applications/{id}"), Some(json!({"choices": [partners[0]]}))).await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem["detail"].as_str().unwrap_or("").contains("closed"));
    let (status, _) = post(&app, &token, &format!("/api/v1/applications/{id}/steps"), json!({"action": "submit"})).await;
    assert_eq!(status, 409);
    let (status, _) = post(&app, &token, &format!("/api/v1/applications/{id}/steps"), json!({"action": "withdraw"})).await;
    assert_eq!(status, 409, "a draft is not withdrawn after the deadline either");
    let (status, _) = post_bytes(
        &app,
        &token,
        &format!("/api/v1/applications/{id}/documents?name=transcript.pdf&kind=transcript"),
        "application/pdf",
        b"%PDF-1.7".to_vec(),
    )
    .await;
    assert_eq!(status, 409);
    let (_, newcomer) = student(&app, "newcomer").await;
    let (status, _) = post(&app, &newcomer, &format!("/api/v1/calls/{call}/applications"), json!({})).await;
    assert_eq!(status, 409, "no new applications once closed");
    let body = get(&app, &token, &format!("/api/v1/applications/{id}")).await;
    assert_eq!((body["status"].as_str(), body["editable"].as_bool()), (Some("draft"), Some(false)));
}
