use serde_json::{Value, json};

use crate::helpers::{TestApp, seed, spawn_app};

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let res = app.client.post(app.url(path)).bearer_auth(token).json(&body).send().await.expect("post");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    app.client.get(app.url(path)).bearer_auth(token).send().await.expect("get").json().await.expect("json")
}

#[tokio::test]
async fn merging_a_duplicate_moves_every_reference_and_leaves_a_trace() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let (_, dup) =
        post(&app, &token, "/api/v1/institutions", json!({"name_en": "Infrastructure Univ. Kuala Lumpur", "country": "MY", "force": true}))
            .await;
    let dup_id = dup["id"].as_i64().expect("id");
    let (_, person) = post(
        &app,
        &token,
        "/api/v1/people",
        json!({"name_en": "Lim Mei Ling", "institution_id": dup_id, "positions": [{"title_en": "Lecturer", "institution_id": dup_id}]}),
    )
    .await;
    post(
        &app,
        &token,
        &format!("/api/v1/institutions/{dup_id}/units"),
        json!({"names": [{"lang": "en", "name": "Faculty of Engineering"}]}),
    )
    .await;

    let (status, report) = post(&app, &token, &format!("/api/v1/institutions/{}/merge", ids.iukl), json!({"from": dup_id})).await;
    let (again, _) = post(&app, &token, &format!("/api/v1/institutions/{}/merge", ids.iukl), json!({"from": dup_id})).await;

    assert_eq!(status, 200, "{report}");
    let lim = get(&app, &token, &format!("/api/v1/people/{}", person["id"])).await;
    assert_eq!(lim["institution_id"], ids.iukl);
    assert_eq!(lim["positions"][0]["institution_id"], ids.iukl);
    let units = get(&app, &token, &format!("/api/v1/institutions/{}/units", ids.iukl)).await;
    assert_eq!(units.as_array().map(Vec::len), Some(2));
    let old = get(&app, &token, &format!("/api/v1/institutions/{dup_id}")).await;
    assert_eq!(old["merged_into"], ids.iukl, "the duplicate points to the record kept");
    let list = get(&app, &token, "/api/v1/institutions?country=MY").await;
    assert_eq!(list["total"], 1, "merged records leave the lists");
    let history = get(&app, &token, &format!("/api/v1/institutions/{dup_id}/history")).await;
    assert!(history.as_array().and_then(|h| h.last()).and_then(|e| e["after_json"].as_str()).is_some_and(|a| a.contains("merged_into")));
    assert_eq!(again, 409);
}

#[tokio::test]
async fn units_form_a_tree_inside_one_institution() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let iukl_unit: i64 = get(&app, &token, &format!("/api/v1/institutions/{}/units", ids.iukl)).await[0]["id"].as_i64().expect("unit");

    let (cross, problem) = post(
        &app,
        &token,
        &format!("/api/v1/institutions/{}/units", ids.home),
        json!({"parent_id": iukl_unit, "names": [{"lang": "en", "name": "Office of International Affairs"}]}),
    )
    .await;
    let (ok, child) = post(
        &app,
        &token,
        &format!("/api/v1/institutions/{}/units", ids.iukl),
        json!({"parent_id": iukl_unit, "names": [{"lang": "en", "name": "Smart Manufacturing Lab"}]}),
    )
    .await;
    let cycle = app
        .client
        .patch(app.url(&format!("/api/v1/units/{iukl_unit}")))
        .bearer_auth(&token)
        .json(&json!({"parent_id": child["id"]}))
        .send()
        .await
        .expect("patch");
    let parent_delete = app.client.delete(app.url(&format!("/api/v1/units/{iukl_unit}"))).bearer_auth(&token).send().await.expect("delete");

    assert_eq!(cross, 422);
    assert_eq!(problem["errors"][0]["field"], "parent_id");
    assert_eq!(ok, 201);
    assert_eq!(child["parent_id"], iukl_unit);
    assert_eq!(cycle.status().as_u16(), 422);
    assert_eq!(parent_delete.status().as_u16(), 409, "a unit with sub-units is kept");
}

#[tokio::test]
async fn partner_since_is_a_query_over_the_dated_status_history() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;
    let (_, um) = post(&app, &token, "/api/v1/institutions", json!({"name_en": "Universiti Malaya", "country": "MY"})).await;
    let id = um["id"].as_i64().expect("id");

    post(&app, &token, &format!("/api/v1/institutions/{id}/partnership"), json!({"status": "prospective", "since": "2022-03-01"})).await;
    post(&app, &token, &format!("/api/v1/institutions/{id}/partnership"), json!({"status": "active", "since": "2023-09-15"})).await;
    let (bad, problem) =
        post(&app, &token, &format!("/api/v1/institutions/{id}/partnership"), json!({"status": "friends", "since": "yesterday"})).await;
    let active = get(&app, &token, "/api/v1/institutions?status=active").await;
    post(
        &app,
        &token,
        &format!("/api/v1/institutions/{id}/partnership"),
        json!({"status": "suspended", "since": "2025-01-01", "note": "funding paused"}),
    )
    .await;
    let after = get(&app, &token, &format!("/api/v1/institutions/{id}")).await;

    assert_eq!(bad, 422);
    assert_eq!(problem["errors"].as_array().map(Vec::len), Some(2));
    assert_eq!(active["total"], 1);
    assert_eq!(after["partnership_status"], "suspended");
    assert_eq!(after["partner_since"], "2023-09-15");
}

#[tokio::test]
async fn identifiers_are_checked_and_a_ror_id_belongs_to_one_institution() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;

    let (bad, problem) = post(
        &app,
        &token,
        "/api/v1/institutions",
        json!({"name_en": "Universiti Malaya", "country": "MY", "schac_code": "um", "ror_id": "00rzspn61", "erasmus_code": "MALAYA"}),
    )
    .await;
    let (ok, um) = post(
        &app,
        &token,
        "/api/v1/institutions",
        json!({"name_en": "Universiti Malaya", "country": "MY", "schac_code": "UM.edu.my", "ror_id": "https://ror.org/00rzspn62"}),
    )
    .await;
    let (dup, _) =
        post(&app, &token, "/api/v1/institutions", json!({"name_en": "University of Malaya", "country": "MY", "ror_id": "00rzspn62"}))
            .await;

    assert_eq!(bad, 422);
    let fields: Vec<&str> = problem["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().unwrap_or("")).collect();
    assert_eq!(fields, ["schac_code", "ror_id", "erasmus_code"]);
    assert_eq!(ok, 201, "{um}");
    assert_eq!(um["schac_code"], "um.edu.my");
    assert_eq!(um["ror_id"], "00rzspn62");
    assert_eq!(dup, 409);
}

#[tokio::test]
async fn people_and_positions_are_edited_with_their_history() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let chen = get(&app, &token, "/api/v1/people?q=chen").await["items"][0].clone();
    let chen_id = chen["id"].as_i64().expect("id");

    let patch = app
        .client
        .patch(app.url(&format!("/api/v1/people/{chen_id}")))
        .bearer_auth(&token)
        .json(&json!({"email": "chen@example.edu.my"}))
        .send()
        .await
        .expect("patch");
    let (added, person) = post(
        &app,
        &token,
        &format!("/api/v1/people/{chen_id}/positions"),
        json!({"title_en": "Visiting Professor", "institution_id": ids.home, "start_date": "2024-05-08", "end_date": "2025-05-07"}),
    )
    .await;
    let (backwards, _) = post(
        &app,
        &token,
        &format!("/api/v1/people/{chen_id}/positions"),
        json!({"title_en": "Adviser", "institution_id": ids.home, "start_date": "2025-01-01", "end_date": "2024-01-01"}),
    )
    .await;
    let history = get(&app, &token, &format!("/api/v1/people/{chen_id}/history")).await;

    assert_eq!(patch.status().as_u16(), 200);
    assert_eq!(added, 201);
    assert_eq!(person["positions"].as_array().map(Vec::len), Some(3));
    assert_eq!(backwards, 422);
    assert_eq!(history.as_array().map(Vec::len), Some(3), "create, e-mail change, new position");
}

#[tokio::test]
async fn creating_a_probable_duplicate_answers_409_with_the_candidates() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;

    let (dup, problem) = post(&app, &token, "/api/v1/institutions", json!({"name_en": "Infrastructure Univ. KL", "country": "MY"})).await;
    let (by_domain, _) = post(
        &app,
        &token,
        "/api/v1/institutions",
        json!({"name_en": "IUKL Malaysia Campus", "country": "MY", "schac_code": "iukl.edu.my"}),
    )
    .await;
    let (different, _) =
        post(&app, &token, "/api/v1/institutions", json!({"name_en": "Universiti Teknologi Malaysia", "country": "MY"})).await;
    let (forced, _) =
        post(&app, &token, "/api/v1/institutions", json!({"name_en": "Infrastructure Univ. KL", "country": "MY", "force": true})).await;

    assert_eq!(dup, 409);
    assert_eq!(problem["conflicts"][0]["institution_id"], ids.iukl);
    assert_eq!(problem["conflicts"][0]["source"], "partner");
    assert_eq!(by_domain, 409);
    assert_eq!(different, 201);
    assert_eq!(forced, 201);
}

#[tokio::test]
async fn the_form_offers_the_existing_institution_instead_of_a_duplicate() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/institutions/new").await;

    let res = app
        .client
        .post(app.url("/institutions/new"))
        .form(&[("_csrf", csrf.as_str()), ("name_en", "Infrastructure University Kuala Lumpur"), ("country", "MY"), ("kind", "university")])
        .send()
        .await
        .expect("post");

    assert_eq!(res.status().as_u16(), 409);
    let html = res.text().await.expect("html");
    assert!(html.contains(&format!("href=\"/institutions/{}\"", ids.iukl)), "{html}");
    assert!(html.contains("name=\"force\""));
}

#[tokio::test]
async fn staff_merge_a_duplicate_from_the_institution_page() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let (_, dup) =
        post(&app, &token, "/api/v1/institutions", json!({"name_en": "IUKL (old record)", "country": "MY", "force": true})).await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, &format!("/institutions/{}", ids.iukl)).await;

    let bad = app
        .client
        .post(app.url(&format!("/institutions/{}/merge", ids.iukl)))
        .form(&[("_csrf", csrf.as_str()), ("from", "forty-two")])
        .send()
        .await
        .expect("merge");
    let res = app
        .client
        .post(app.url(&format!("/institutions/{}/merge", ids.iukl)))
        .form(&[("_csrf", csrf.as_str()), ("from", &dup["id"].to_string())])
        .send()
        .await
        .expect("merge");
    let old_page = app.client.get(app.url(&format!("/institutions/{}", dup["id"]))).send().await.expect("page").text().await.expect("html");

    assert_eq!(bad.status().as_u16(), 422);
    assert!(bad.text().await.expect("html").contains("give the duplicate"), "a clear message");
    assert_eq!(res.status().as_u16(), 303);
    assert!(old_page.contains("This record was merged into") && old_page.contains(&format!("/institutions/{}", ids.iukl)));
}
