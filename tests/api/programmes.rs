//! Programmes, quotas, mobilities and the exchange balance over the API: areas with
//! their own fields, bad input storing nothing, warnings with an explicit override,
//! status steps, the balance, and the kept counts equal to a fresh count.

use serde_json::{Value, json};

use crate::helpers::{TestApp, get, post, seed, send, spawn_app};

/// An agreement between home and `partner_id`, inserted directly (the agreements module
/// is not needed to test programmes).
async fn agreement_in(app: &TestApp, partner_id: i64, unit: Option<i64>) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agreements (kind, title, status, unit_id, created_at, updated_at)
         VALUES ('exchange', 'IUKL exchange agreement', 'in_effect', $1, '2024-05-08T00:00:00Z', '2024-05-08T00:00:00Z') RETURNING id",
    )
    .bind(unit)
    .fetch_one(&app.db.pool)
    .await
    .expect("agreement");
    let home: i64 = sqlx::query_scalar("SELECT id FROM institutions WHERE is_home = 1").fetch_one(&app.db.pool).await.expect("home");
    for inst in [home, partner_id] {
        sqlx::query("INSERT INTO agreement_parties (agreement_id, institution_id) VALUES ($1, $2)")
            .bind(id)
            .bind(inst)
            .execute(&app.db.pool)
            .await
            .expect("party");
    }
    id
}

async fn agreement(app: &TestApp, partner_id: i64) -> i64 {
    agreement_in(app, partner_id, None).await
}

async fn person(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM people WHERE name_en = $1").bind(name).fetch_one(&app.db.pool).await.expect("person")
}

async fn exchange(app: &TestApp, token: &str, agreement_id: i64, start: &str, end: &str) -> i64 {
    let (status, body) = post(
        app,
        token,
        "/api/v1/programmes",
        json!({"agreement_id": agreement_id, "area": "student_exchange", "title": "Semester exchange", "start_date": start, "end_date": end}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().expect("id")
}

async fn quotas(app: &TestApp, token: &str, programme: i64, q: Value) -> (u16, Value) {
    send(app, token, reqwest::Method::PUT, &format!("/api/v1/programmes/{programme}/quotas"), Some(q)).await
}

fn mobility(programme: i64, person: i64, direction: &str, start: &str, end: &str) -> Value {
    json!({"programme_id": programme, "person_id": person, "participant_kind": "student", "direction": direction,
           "academic_year": "2024-2025", "start_date": start, "end_date": end})
}

async fn new_mobility(app: &TestApp, token: &str, body: Value) -> i64 {
    let (status, res) = post(app, token, "/api/v1/mobilities", body).await;
    assert_eq!(status, 201, "{res}");
    res["id"].as_i64().expect("id")
}

async fn status(app: &TestApp, token: &str, id: i64, to: &str) -> (u16, Value) {
    post(app, token, &format!("/api/v1/mobilities/{id}/status"), json!({"status": to})).await
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn programmes_of_several_areas_keep_their_own_fields() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let a = agreement(&app, ids.iukl).await;

    let (s1, prog) = post(
        &app,
        &token,
        "/api/v1/programmes",
        json!({
            "agreement_id": a, "area": "degree_progression", "title": "Civil engineering progression",
            "structure": "3 + 1 + 1", "structure_notes": "Years 1-3 at IUKL, year 4 here, master's year here"
        }),
    )
    .await;
    let (s2, research) = post(
        &app,
        &token,
        "/api/v1/programmes",
        json!({
            "agreement_id": a, "area": "collaborative_research", "title": "Smart infrastructure research",
            "project_title": "Sensors for bridges", "investigators": "Chen Zhihui; Qin Yongling", "funding": "Joint seed fund"
        }),
    )
    .await;
    let (s3, _) =
        post(&app, &token, "/api/v1/programmes", json!({"agreement_id": a, "area": "teacher_training", "title": "Teacher training"})).await;

    assert_eq!((s1, s2, s3), (201, 201, 201), "{prog} {research}");
    assert_eq!(prog["structure"], "3+1+1");
    assert_eq!(prog["status"], "planned");
    assert_eq!(prog["agreement_id"], a);
    let got = get(&app, &token, &format!("/api/v1/programmes/{}", research["id"])).await;
    assert_eq!(got["project_title"], "Sensors for bridges");
    assert_eq!(got["investigators"], "Chen Zhihui; Qin Yongling");
    assert_eq!(got["funding"], "Joint seed fund");
    let listed = get(&app, &token, &format!("/api/v1/programmes?area=degree_progression&agreement_id={a}")).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(get(&app, &token, &format!("/api/v1/programmes?agreement_id={a}")).await.as_array().map(Vec::len), Some(3));

    let (s, patched) = send(
        &app,
        &token,
        reqwest::Method::PATCH,
        &format!("/api/v1/programmes/{}", prog["id"]),
        Some(json!({"status": "active", "structure": "3+1"})),
    )
    .await;
    assert_eq!(s, 200, "{patched}");
    assert_eq!((patched["status"].as_str(), patched["structure"].as_str()), (Some("active"), Some("3+1")));
}

#[tokio::test]
async fn bad_programmes_are_refused_with_the_field_and_store_nothing() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let a = agreement(&app, ids.iukl).await;
    let programmes_before = app.count("programmes").await;
    let progression = |structure: &str| json!({"agreement_id": a, "area": "degree_progression", "title": "P", "structure": structure});

    for bad in ["5+1", "3+", "4+2+1", "3+1+1+1+1", "three plus one", "4"] {
        let (s, body) = post(&app, &token, "/api/v1/programmes", progression(bad)).await;
        assert_eq!(s, 422, "{bad}: {body}");
        assert_eq!(fields(&body), vec!["structure"], "{bad}");
    }
    let (s, body) = post(&app, &token, "/api/v1/programmes", json!({"agreement_id": a, "area": "degree_progression", "title": "P"})).await;
    assert_eq!((s, fields(&body)), (422, vec!["structure".to_string()]));
    let (s, body) =
        post(&app, &token, "/api/v1/programmes", json!({"agreement_id": a, "area": "collaborative_research", "title": "R"})).await;
    assert_eq!((s, fields(&body)), (422, vec!["project_title".to_string()]));
    let (s, body) = post(&app, &token, "/api/v1/programmes", json!({"agreement_id": a + 999, "area": "gardening", "title": " "})).await;
    assert_eq!(s, 422);
    for f in ["area", "title", "agreement_id"] {
        assert!(fields(&body).contains(&f.to_string()), "{f}: {body}");
    }
    assert_eq!(app.count("programmes").await, programmes_before);
}

#[tokio::test]
async fn quotas_are_checked_and_replaced_as_a_set() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let p = exchange(&app, &token, agreement(&app, ids.iukl).await, "2024-09-01", "2026-08-31").await;

    // The seed's demo programmes have quotas of their own.
    let quotas_before = app.count("programme_quotas").await;
    let (s, body) = quotas(&app, &token, p, json!([{"academic_year": "2024-2025", "direction": "inbound", "quota": -1}])).await;
    assert_eq!((s, fields(&body)), (422, vec!["[0].quota".to_string()]));
    let (s, body) = quotas(&app, &token, p, json!([{"academic_year": "2024-2026", "direction": "inbound", "quota": 2}])).await;
    assert_eq!((s, fields(&body)), (422, vec!["[0].academic_year".to_string()]));
    assert_eq!(app.count("programme_quotas").await, quotas_before);

    let (s, body) = quotas(
        &app,
        &token,
        p,
        json!([
            {"academic_year": "2024-2025", "direction": "inbound", "quota": 2},
            {"academic_year": "2024-2025", "direction": "outbound", "quota": 0}
        ]),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (s, _) = quotas(&app, &token, p, json!([{"academic_year": "2025-2026", "direction": "outbound", "quota": 4}])).await;
    assert_eq!(s, 200);
    let got = get(&app, &token, &format!("/api/v1/programmes/{p}")).await;
    assert_eq!(got["quotas"], json!([{"academic_year": "2025-2026", "direction": "outbound", "quota": 4}]));
}

#[tokio::test]
async fn coordinators_are_added_on_either_side() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let p = exchange(&app, &token, agreement(&app, ids.iukl).await, "2024-09-01", "2026-08-31").await;
    let (chen, qin) = (person(&app, "Chen Zhihui").await, person(&app, "Qin Yongling").await);

    let (s1, _) = post(&app, &token, &format!("/api/v1/programmes/{p}/coordinators"), json!({"person_id": chen, "side": "partner"})).await;
    let (s2, list) = post(&app, &token, &format!("/api/v1/programmes/{p}/coordinators"), json!({"person_id": qin, "side": "home"})).await;
    let (s3, bad) =
        post(&app, &token, &format!("/api/v1/programmes/{p}/coordinators"), json!({"person_id": 999999, "side": "middle"})).await;

    assert_eq!((s1, s2, s3), (201, 201, 422));
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(fields(&bad), vec!["side", "person_id"]);
}

#[tokio::test]
async fn a_mobility_over_quota_is_warned_then_recorded_with_an_override() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let p = exchange(&app, &token, agreement(&app, ids.iukl).await, "2024-09-01", "2026-08-31").await;
    quotas(&app, &token, p, json!([{"academic_year": "2024-2025", "direction": "inbound", "quota": 1}])).await;
    let chen = person(&app, "Chen Zhihui").await;
    let first = new_mobility(&app, &token, mobility(p, chen, "inbound", "2024-09-01", "2025-01-31")).await;

    let (s, warned) = post(&app, &token, "/api/v1/mobilities", mobility(p, chen, "inbound", "2025-02-01", "2025-06-30")).await;
    assert_eq!(s, 409, "{warned}");
    assert!(warned["detail"].as_str().unwrap_or("").contains("Over quota"), "{warned}");
    assert!(warned["conflicts"]["warnings"].as_array().is_some_and(|w| w.len() == 1), "{warned}");
    let mut body = mobility(p, chen, "inbound", "2025-02-01", "2025-06-30");
    body["override"] = json!(true);
    let (s, no_note) = post(&app, &token, "/api/v1/mobilities", body.clone()).await;
    assert_eq!((s, fields(&no_note)), (422, vec!["override_note".to_string()]));
    assert_eq!(app.count("mobilities").await, 1);

    body["override_note"] = json!("Dean approved an extra place");
    let (s, stored) = post(&app, &token, "/api/v1/mobilities", body).await;
    assert_eq!(s, 201, "{stored}");
    assert_eq!(stored["override_note"], "Dean approved an extra place");
    assert_eq!(stored["partner_institution_id"], ids.iukl, "the partner defaults to the agreement's other party");
    let audited: String = sqlx::query_scalar("SELECT after_json FROM audit_events WHERE entity = 'mobility' AND entity_id = $1")
        .bind(stored["id"].as_i64())
        .fetch_one(&app.db.pool)
        .await
        .expect("audit");
    assert!(audited.contains("Over quota") && audited.contains("Dean approved"), "{audited}");
    // Withdrawing the first frees its place: the next one needs no override.
    status(&app, &token, first, "withdrawn").await;
    let (s, _) = post(&app, &token, "/api/v1/mobilities", mobility(p, chen, "outbound", "2025-02-01", "2025-06-30")).await;
    assert_eq!(s, 201);
}

#[tokio::test]
async fn a_mobility_outside_the_programmes_period_needs_an_override() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let p = exchange(&app, &token, agreement(&app, ids.iukl).await, "2024-09-01", "2025-06-30").await;
    let qin = person(&app, "Qin Yongling").await;

    let (s, warned) = post(&app, &token, "/api/v1/mobilities", mobility(p, qin, "outbound", "2025-03-01", "2025-08-31")).await;
    assert_eq!(s, 409, "{warned}");
    assert!(warned["detail"].as_str().unwrap_or("").contains("Outside the programme's period"), "{warned}");
    assert_eq!(app.count("mobilities").await, 0);

    let mut body = mobility(p, qin, "outbound", "2025-03-01", "2025-08-31");
    body["override"] = json!(true);
    body["override_note"] = json!("Summer school extension agreed by both sides");
    let (s, stored) = post(&app, &token, "/api/v1/mobilities", body).await;
    assert_eq!(s, 201, "{stored}");
    assert_eq!(stored["override_note"], "Summer school extension agreed by both sides");
}

#[tokio::test]
async fn mobility_status_moves_one_step_at_a_time() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let p = exchange(&app, &token, agreement(&app, ids.iukl).await, "2024-09-01", "2026-08-31").await;
    let chen = person(&app, "Chen Zhihui").await;
    let m = new_mobility(&app, &token, mobility(p, chen, "inbound", "2024-09-01", "2025-01-31")).await;

    let (s, skip) = status(&app, &token, m, "completed").await;
    assert_eq!(s, 422);
    assert!(skip["errors"][0]["message"].as_str().unwrap_or("").contains("one step at a time"), "{skip}");
    for to in ["accepted", "in_progress", "completed"] {
        let (s, body) = status(&app, &token, m, to).await;
        assert_eq!((s, body["status"].as_str()), (200, Some(to)), "{body}");
    }
    assert_eq!(status(&app, &token, m, "withdrawn").await.0, 422, "completed is final");

    let other = new_mobility(&app, &token, mobility(p, chen, "inbound", "2025-02-01", "2025-06-30")).await;
    assert_eq!(status(&app, &token, other, "accepted").await.0, 200);
    assert_eq!(status(&app, &token, other, "nominated").await.0, 422, "no going back");
    assert_eq!(status(&app, &token, other, "withdrawn").await.0, 200);
    assert_eq!(status(&app, &token, other, "accepted").await.0, 422, "withdrawn is final");
    let history: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mobility_status_events WHERE mobility_id = $1")
        .bind(m)
        .fetch_one(&app.db.pool)
        .await
        .expect("events");
    assert_eq!(history, 4);
}

#[tokio::test]
async fn the_balance_per_year_counts_mobilities_that_are_not_withdrawn() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let a = agreement(&app, ids.iukl).await;
    let p = exchange(&app, &token, a, "2024-09-01", "2026-08-31").await;
    quotas(
        &app,
        &token,
        p,
        json!([
            {"academic_year": "2024-2025", "direction": "inbound", "quota": 5},
            {"academic_year": "2024-2025", "direction": "outbound", "quota": 3},
            {"academic_year": "2025-2026", "direction": "outbound", "quota": 2}
        ]),
    )
    .await;
    let (chen, qin) = (person(&app, "Chen Zhihui").await, person(&app, "Qin Yongling").await);
    for _ in 0..3 {
        new_mobility(&app, &token, mobility(p, chen, "inbound", "2024-09-01", "2025-01-31")).await;
    }
    new_mobility(&app, &token, mobility(p, qin, "outbound", "2024-09-01", "2025-01-31")).await;
    let withdrawn = new_mobility(&app, &token, mobility(p, qin, "outbound", "2024-09-01", "2025-01-31")).await;
    status(&app, &token, withdrawn, "withdrawn").await;
    let mut next_year = mobility(p, qin, "outbound", "2025-09-01", "2026-01-31");
    next_year["academic_year"] = json!("2025-2026");
    new_mobility(&app, &token, next_year).await;

    let all = get(&app, &token, &format!("/api/v1/agreements/{a}/balance")).await;
    let one = get(&app, &token, &format!("/api/v1/agreements/{a}/balance?academic_year=2024-2025")).await;

    assert_eq!(
        all,
        json!([
            {"academic_year": "2024-2025", "inbound": 3, "outbound": 1, "quota_inbound": 5, "quota_outbound": 3, "balance": 2},
            {"academic_year": "2025-2026", "inbound": 0, "outbound": 1, "quota_inbound": 0, "quota_outbound": 2, "balance": -1}
        ])
    );
    assert_eq!(one, json!([all[0].clone()]));
    let (s, _) = send(&app, &token, reqwest::Method::GET, &format!("/api/v1/agreements/{a}/balance?academic_year=2024-2026"), None).await;
    assert_eq!(s, 422);
}

async fn counts(app: &TestApp, sql: &'static str) -> Vec<(i64, i64, String, String, String, String, i64)> {
    sqlx::query_as(sql).fetch_all(&app.db.pool).await.expect("counts")
}

#[tokio::test]
async fn kept_counts_equal_a_fresh_count_after_a_series_of_changes() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let dup: i64 = sqlx::query_scalar(
        "INSERT INTO institutions (name_en, country, created_at, updated_at) VALUES ('IUKL (duplicate)', 'MY', 'x', 'x') RETURNING id",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("dup");
    let p = exchange(&app, &token, agreement(&app, ids.iukl).await, "2024-09-01", "2026-08-31").await;
    let (chen, qin) = (person(&app, "Chen Zhihui").await, person(&app, "Qin Yongling").await);
    let mut made = Vec::new();
    for i in 0..8 {
        let mut body =
            mobility(p, if i % 2 == 0 { chen } else { qin }, if i % 3 == 0 { "outbound" } else { "inbound" }, "2024-09-01", "2025-01-31");
        if i % 4 == 1 {
            body["partner_institution_id"] = json!(dup);
        }
        if i == 5 {
            body["participant_kind"] = json!("staff");
        }
        made.push(new_mobility(&app, &token, body).await);
    }
    for (m, to) in
        [(0, "accepted"), (0, "in_progress"), (1, "accepted"), (2, "withdrawn"), (5, "withdrawn"), (6, "accepted"), (0, "completed")]
    {
        assert_eq!(status(&app, &token, made[m], to).await.0, 200);
    }
    let (s, _) = send(&app, &token, reqwest::Method::DELETE, &format!("/api/v1/mobilities/{}", made[3]), None).await;
    assert_eq!(s, 204);
    let (s, body) = post(&app, &token, &format!("/api/v1/institutions/{}/merge", ids.iukl), json!({"from": dup})).await;
    assert_eq!(s, 200, "{body}");

    let kept = counts(
        &app,
        "SELECT programme_id, partner_institution_id, academic_year, direction, participant_kind, status, n
        FROM mobility_counts ORDER BY 1, 2, 3, 4, 5, 6",
    )
    .await;
    let fresh = counts(&app, "SELECT programme_id, partner_institution_id, academic_year, direction, participant_kind, status, COUNT(*)
        FROM mobilities GROUP BY programme_id, partner_institution_id, academic_year, direction, participant_kind, status ORDER BY 1, 2, 3, 4, 5, 6").await;
    assert_eq!(kept, fresh);
    assert!(kept.iter().all(|r| r.1 == ids.iukl), "the duplicate's counts moved: {kept:?}");
    assert_eq!(kept.iter().map(|r| r.6).sum::<i64>(), 7);
}

#[tokio::test]
async fn a_mobility_for_a_person_who_does_not_exist_is_refused_and_nothing_stored() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let p = exchange(&app, &token, agreement(&app, ids.iukl).await, "2024-09-01", "2026-08-31").await;

    let (s, body) = post(&app, &token, "/api/v1/mobilities", mobility(p, 987654, "inbound", "2024-09-01", "2025-01-31")).await;
    let mut bad = mobility(p, 987654, "sideways", "2025-01-31", "2024-09-01");
    bad["academic_year"] = json!("2024");
    bad["participant_kind"] = json!("alumnus");
    let (s2, body2) = post(&app, &token, "/api/v1/mobilities", bad).await;

    assert_eq!((s, fields(&body)), (422, vec!["person_id".to_string()]));
    assert_eq!(s2, 422);
    for f in ["participant_kind", "direction", "academic_year", "end_date", "person_id"] {
        assert!(fields(&body2).contains(&f.to_string()), "{f}: {body2}");
    }
    assert_eq!(app.count("mobilities").await, 0);
    assert_eq!(app.count("mobility_counts").await, 0);
    assert_eq!(app.count("mobility_status_events").await, 0);
}

#[tokio::test]
async fn a_coordinator_records_mobilities_only_in_their_units_programmes() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let staff = app.token_for("office", &["staff"], None).await;
    let units: Vec<i64> = sqlx::query_scalar("SELECT id FROM units WHERE institution_id = $1 ORDER BY id")
        .bind(ids.home)
        .fetch_all(&app.db.pool)
        .await
        .expect("units");
    let coordinator = app.token_for("coord", &["coordinator"], Some(units[0])).await;
    let mine = exchange(&app, &staff, agreement_in(&app, ids.iukl, Some(units[0])).await, "2024-09-01", "2026-08-31").await;
    let other = exchange(&app, &staff, agreement(&app, ids.iukl).await, "2024-09-01", "2026-08-31").await;
    let chen = person(&app, "Chen Zhihui").await;

    let (s1, body) = post(&app, &coordinator, "/api/v1/mobilities", mobility(mine, chen, "inbound", "2024-09-01", "2025-01-31")).await;
    let (s2, _) = post(&app, &coordinator, "/api/v1/mobilities", mobility(other, chen, "inbound", "2024-09-01", "2025-01-31")).await;
    let theirs = new_mobility(&app, &staff, mobility(other, chen, "inbound", "2024-09-01", "2025-01-31")).await;
    let (s3, _) = status(&app, &coordinator, theirs, "accepted").await;
    let (s4, _) = status(&app, &coordinator, body["id"].as_i64().unwrap_or(0), "accepted").await;

    assert_eq!((s1, s2, s3, s4), (201, 403, 403, 200));
}

#[tokio::test]
async fn mobilities_are_listed_with_filters_and_pages() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let p = exchange(&app, &token, agreement(&app, ids.iukl).await, "2024-09-01", "2026-08-31").await;
    let (chen, qin) = (person(&app, "Chen Zhihui").await, person(&app, "Qin Yongling").await);
    for _ in 0..3 {
        new_mobility(&app, &token, mobility(p, chen, "inbound", "2024-09-01", "2025-01-31")).await;
    }
    let out = new_mobility(&app, &token, mobility(p, qin, "outbound", "2024-09-01", "2025-01-31")).await;

    let page = get(&app, &token, &format!("/api/v1/mobilities?programme_id={p}&direction=inbound&per_page=2")).await;
    let by_person = get(&app, &token, &format!("/api/v1/mobilities?person_id={qin}&academic_year=2024-2025&status=nominated")).await;
    let one = get(&app, &token, &format!("/api/v1/mobilities/{out}")).await;

    assert_eq!((page["total"].as_i64(), page["items"].as_array().map(Vec::len), page["per_page"].as_i64()), (Some(3), Some(2), Some(2)));
    assert_eq!(by_person["total"], 1);
    assert_eq!(one["person_name"], "Qin Yongling");
    assert_eq!(one["partner_name"], "Infrastructure University Kuala Lumpur");
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let res = app.client.get(app.url(path)).send().await.expect("page");
    (res.status().as_u16(), res.text().await.expect("html"))
}

async fn form(app: &TestApp, path: &str, csrf: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
    let mut all = vec![("_csrf", csrf)];
    all.extend_from_slice(fields);
    let res = app.client.post(app.url(path)).form(&all).send().await.expect("post");
    let location = res.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_string();
    (res.status().as_u16(), location, res.text().await.unwrap_or_default())
}

#[tokio::test]
async fn a_progression_programme_is_created_through_the_form_in_both_languages() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("office", &["staff"]).await;
    let a = agreement(&app, ids.iukl).await;
    let new_path = format!("/programmes/new?agreement_id={a}");
    let csrf = app.csrf_from(&app.client, &new_path).await;

    let (s, _, html) = form(
        &app,
        "/programmes/new",
        &csrf,
        &[("agreement_id", &a.to_string()), ("area", "degree_progression"), ("title", "Civil engineering 3+1+1"), ("structure", "5+1")],
    )
    .await;
    assert_eq!(s, 422);
    assert!(html.contains("at most 6") || html.contains("not a structure"), "the structure message is shown");
    assert!(html.contains("value=\"Civil engineering 3+1+1\""), "the title is kept");
    let (s, location, _) = form(
        &app,
        "/programmes/new",
        &csrf,
        &[
            ("agreement_id", &a.to_string()),
            ("area", "degree_progression"),
            ("title", "Civil engineering 3+1+1"),
            ("structure", "3+1+1"),
            ("structure_notes", "Years 1-3 at IUKL"),
        ],
    )
    .await;
    assert_eq!(s, 303);
    let (s, html) = page(&app, &location).await;
    assert_eq!(s, 200);
    assert!(html.contains("3+1+1") && html.contains("Years 1-3 at IUKL") && html.contains("Undergraduate-to-master"));
    let (_, list) = page(&app, "/programmes").await;
    assert!(list.contains("Civil engineering 3+1+1"));

    app.client.post(app.url("/settings/language")).form(&[("_csrf", csrf.as_str()), ("lang", "zh")]).send().await.expect("lang");
    let (_, zh) = page(&app, &location).await;
    assert!(zh.contains("本硕连读") && zh.contains("名额"), "Chinese page");
    let (s, _) = page(&app, "/mobilities").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn the_mobility_form_warns_over_quota_and_records_with_the_override() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("office", &["staff"]).await;
    let token = app.token_for("api", &["staff"], None).await;
    let p = exchange(&app, &token, agreement(&app, ids.iukl).await, "2024-09-01", "2026-08-31").await;
    let path = format!("/programmes/{p}");
    let csrf = app.csrf_from(&app.client, &path).await;
    let (s, _, _) = form(
        &app,
        &format!("{path}/quotas"),
        &csrf,
        &[
            ("academic_year", "2024-2025"),
            ("direction", "inbound"),
            ("quota", "0"),
            ("academic_year", ""),
            ("direction", "outbound"),
            ("quota", ""),
        ],
    )
    .await;
    assert_eq!(s, 303);
    let (s, _, html) =
        form(&app, &format!("{path}/quotas"), &csrf, &[("academic_year", "2024-2025"), ("direction", "inbound"), ("quota", "-2")]).await;
    assert_eq!(s, 422);
    assert!(html.contains("cannot be below zero"));
    let chen = person(&app, "Chen Zhihui").await.to_string();
    let fields = [
        ("person_id", chen.as_str()),
        ("participant_kind", "student"),
        ("direction", "inbound"),
        ("partner_institution_id", ""),
        ("academic_year", "2024-2025"),
        ("start_date", "2024-09-01"),
        ("end_date", "2025-01-31"),
    ];

    let (s, _, html) = form(&app, &format!("{path}/mobilities"), &csrf, &fields).await;
    assert_eq!(s, 409);
    assert!(html.contains("Over quota") && html.contains("name=\"override\""), "warning with an override box");
    assert_eq!(app.count("mobilities").await, 0);
    let mut with_override = fields.to_vec();
    with_override.extend([("override", "1"), ("override_note", "Agreed at the 2024-05-08 visit")]);
    let (s, _, _) = form(&app, &format!("{path}/mobilities"), &csrf, &with_override).await;
    assert_eq!(s, 303);
    let (_, html) = page(&app, &path).await;
    assert!(html.contains("Agreed at the 2024-05-08 visit"));
    let id: i64 = sqlx::query_scalar("SELECT id FROM mobilities").fetch_one(&app.db.pool).await.expect("id");

    let (s, location, _) = form(&app, &format!("/mobilities/{id}/status"), &csrf, &[("status", "completed"), ("back", &path)]).await;
    assert_eq!(s, 303);
    assert!(location.contains("notice=") && location.contains("one%20step"), "{location}");
    let (s, _, _) = form(&app, &format!("/mobilities/{id}/status"), &csrf, &[("status", "accepted"), ("back", &path)]).await;
    assert_eq!(s, 303);
    let status: String =
        sqlx::query_scalar("SELECT status FROM mobilities WHERE id = $1").bind(id).fetch_one(&app.db.pool).await.expect("status");
    assert_eq!(status, "accepted");
}
