use serde_json::{Value, json};

use crate::helpers::{seed, spawn_app};

async fn staff(app: &crate::helpers::TestApp) -> String {
    app.token_for("office", &["staff"], None).await
}

#[tokio::test]
async fn the_seed_story_skeleton_is_stored_as_in_the_article() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = staff(&app).await;

    let iukl: Value = app
        .client
        .get(app.url(&format!("/api/v1/institutions/{}", ids.iukl)))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let people: Value = app
        .client
        .get(app.url(&format!("/api/v1/people?institution_id={}", ids.iukl)))
        .bearer_auth(&token)
        .send()
        .await
        .expect("people")
        .json()
        .await
        .expect("json");
    let home_people: Value = app
        .client
        .get(app.url(&format!("/api/v1/people?institution_id={}", ids.home)))
        .bearer_auth(&token)
        .send()
        .await
        .expect("people")
        .json()
        .await
        .expect("json");

    assert_eq!(iukl["name_en"], "Infrastructure University Kuala Lumpur");
    assert_eq!(iukl["acronym"], "IUKL");
    assert_eq!(iukl["country"], "MY");
    assert_eq!(iukl["city"], "Kuala Lumpur");
    assert_eq!(iukl["partnership_status"], "active");
    assert!(iukl["partner_since"].as_str().unwrap_or("").starts_with("2024"));
    assert_eq!(iukl["strengths"], json!(["electronic information technology", "engineering", "infrastructure"]));
    let chen = &people["items"][0];
    assert_eq!(chen["name_en"], "Chen Zhihui");
    let titles: Vec<String> = chen["positions"]
        .as_array()
        .expect("positions")
        .iter()
        .map(|p| format!("{} {}", p["title_en"].as_str().unwrap_or(""), p["unit_name"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(titles, ["Vice President ", "Director Institute of Smart Industry"]);
    let names: Vec<&str> = home_people["items"].as_array().expect("items").iter().map(|p| p["name_en"].as_str().unwrap_or("")).collect();
    assert_eq!(names, ["Ma Shaojian", "Qin Yongling"]);
    assert_eq!(home_people["items"][0]["positions"].as_array().map(Vec::len), Some(2), "President and CPC Committee member at once");
}

#[tokio::test]
async fn the_institution_page_shows_units_with_all_their_names_and_people() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("mei", &["viewer"]).await;

    let html = app.client.get(app.url(&format!("/institutions/{}", ids.home))).send().await.expect("page").text().await.expect("html");

    assert!(html.contains("School of Foreign Studies"));
    assert!(html.contains("School of International Education"), "second name of the same unit");
    assert!(html.contains("Ma Shaojian") && html.contains("Member of the CPC Committee"));
    assert!(html.contains("History"));
}

#[tokio::test]
async fn creating_an_institution_validates_every_field_and_stores_nothing_on_error() {
    let app = spawn_app().await;
    let token = staff(&app).await;

    let bad = app
        .client
        .post(app.url("/api/v1/institutions"))
        .bearer_auth(&token)
        .json(&json!({"name_en": " ", "country": "ZZ", "website": "iukl"}))
        .send()
        .await
        .expect("post");

    assert_eq!(bad.status().as_u16(), 422);
    assert_eq!(bad.headers()["content-type"], "application/problem+json");
    let problem: Value = bad.json().await.expect("json");
    let fields: Vec<&str> = problem["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().unwrap_or("")).collect();
    assert_eq!(fields, ["name_en", "country", "website"]);
    assert_eq!(app.count("institutions").await, 0);
    assert_eq!(app.count("audit_events").await, 1, "only the test user's creation");
}

#[tokio::test]
async fn institutions_are_listed_with_filters_sorting_and_pages() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    for (name, country) in [
        ("Universiti Malaya", "MY"),
        ("Chulalongkorn University", "TH"),
        ("Universiti Putra Malaysia", "MY"),
        ("Mahidol University", "TH"),
        ("University of Yangon", "MM"),
    ] {
        let res = app
            .client
            .post(app.url("/api/v1/institutions"))
            .bearer_auth(&token)
            .json(&json!({"name_en": name, "country": country}))
            .send()
            .await
            .expect("create");
        assert_eq!(res.status().as_u16(), 201);
    }

    let my: Value = app
        .client
        .get(app.url("/api/v1/institutions?country=my&sort=-name"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let page2: Value = app
        .client
        .get(app.url("/api/v1/institutions?per_page=2&page=2"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let search: Value = app
        .client
        .get(app.url("/api/v1/institutions?q=MAHIDOL"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let bad_sort = app.client.get(app.url("/api/v1/institutions?sort=rank")).bearer_auth(&token).send().await.expect("list");
    let sea: Value = app
        .client
        .get(app.url("/api/v1/institutions?area=035&sort=country"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let bad_area = app.client.get(app.url("/api/v1/institutions?area=atlantis")).bearer_auth(&token).send().await.expect("list");

    let names = |v: &Value| {
        v["items"].as_array().expect("items").iter().map(|i| i["name_en"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>()
    };
    assert_eq!(names(&my), ["Universiti Putra Malaysia", "Universiti Malaya"]);
    assert_eq!(my["total"], 2);
    assert_eq!(names(&page2), ["Universiti Malaya", "Universiti Putra Malaysia"]);
    assert_eq!(page2["total"], 5);
    assert_eq!(names(&search), ["Mahidol University"]);
    assert_eq!(bad_sort.status().as_u16(), 422);
    assert_eq!(sea["total"], 5, "all five are in South-Eastern Asia");
    assert_eq!(bad_area.status().as_u16(), 422);
}

#[tokio::test]
async fn a_stale_update_is_refused_and_the_history_keeps_before_and_after() {
    let app = spawn_app().await;
    let token = staff(&app).await;
    let created: Value = app
        .client
        .post(app.url("/api/v1/institutions"))
        .bearer_auth(&token)
        .json(&json!({"name_en": "Universiti Malaya", "country": "MY"}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_i64().expect("id");
    let url = app.url(&format!("/api/v1/institutions/{id}"));

    let first =
        app.client.patch(&url).bearer_auth(&token).json(&json!({"city": "Kuala Lumpur", "version": 1})).send().await.expect("patch");
    let stale =
        app.client.patch(&url).bearer_auth(&token).json(&json!({"city": "Petaling Jaya", "version": 1})).send().await.expect("patch");
    let history: Value = app
        .client
        .get(app.url(&format!("/api/v1/institutions/{id}/history")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("history")
        .json()
        .await
        .expect("json");

    assert_eq!(first.status().as_u16(), 200);
    assert_eq!(stale.status().as_u16(), 409);
    let current: Value = app.client.get(&url).bearer_auth(&token).send().await.expect("get").json().await.expect("json");
    assert_eq!(current["city"], "Kuala Lumpur");
    assert_eq!(current["version"], 2);
    let actions: Vec<&str> = history.as_array().expect("history").iter().map(|e| e["action"].as_str().unwrap_or("")).collect();
    assert_eq!(actions, ["create", "update"]);
    assert_eq!(history[1]["actor"], "office");
    let before: Value = serde_json::from_str(history[1]["before_json"].as_str().expect("before")).expect("json");
    let after: Value = serde_json::from_str(history[1]["after_json"].as_str().expect("after")).expect("json");
    assert_eq!(before["city"], Value::Null);
    assert_eq!(after["city"], "Kuala Lumpur");
}

#[tokio::test]
async fn deleting_an_institution_is_audited_and_the_home_institution_is_protected() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = staff(&app).await;

    let home = app.client.delete(app.url(&format!("/api/v1/institutions/{}", ids.home))).bearer_auth(&token).send().await.expect("delete");
    let in_a_visit =
        app.client.delete(app.url(&format!("/api/v1/institutions/{}", ids.iukl))).bearer_auth(&token).send().await.expect("delete");
    let other: Value = app
        .client
        .post(app.url("/api/v1/institutions"))
        .bearer_auth(&token)
        .json(&json!({"name_en": "Universiti Malaya", "country": "MY"}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let other_id = other["id"].as_i64().expect("id");
    let iukl = app.client.delete(app.url(&format!("/api/v1/institutions/{other_id}"))).bearer_auth(&token).send().await.expect("delete");
    let gone = app.client.get(app.url(&format!("/api/v1/institutions/{other_id}"))).bearer_auth(&token).send().await.expect("get");
    let history: Value = app
        .client
        .get(app.url(&format!("/api/v1/institutions/{other_id}/history")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("history")
        .json()
        .await
        .expect("json");

    assert_eq!(home.status().as_u16(), 409);
    assert_eq!(in_a_visit.status().as_u16(), 409, "IUKL's visit keeps it");
    assert_eq!(iukl.status().as_u16(), 204);
    assert_eq!(gone.status().as_u16(), 404);
    assert_eq!(history.as_array().and_then(|h| h.last()).map(|e| e["action"].clone()), Some(json!("delete")));
}

#[tokio::test]
async fn a_person_whose_position_is_invalid_is_not_stored_at_all() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = staff(&app).await;
    let iukl_unit: i64 =
        sqlx::query_scalar("SELECT id FROM units WHERE institution_id = $1").bind(ids.iukl).fetch_one(&app.db.pool).await.expect("unit");
    let people_before = app.count("people").await;

    let backwards = app.client.post(app.url("/api/v1/people")).bearer_auth(&token).json(&json!({"name_en": "Lee Wei", "positions": [{"title_en": "Dean", "institution_id": ids.home, "start_date": "2024-09-01", "end_date": "2024-01-01"}]})).send().await.expect("post");
    let wrong_unit = app.client.post(app.url("/api/v1/people")).bearer_auth(&token).json(&json!({"name_en": "Lee Wei", "positions": [{"title_en": "Dean", "institution_id": ids.home}, {"title_en": "Director", "institution_id": ids.home, "unit_id": iukl_unit}]})).send().await.expect("post");
    let ok = app.client.post(app.url("/api/v1/people")).bearer_auth(&token).json(&json!({"name_en": "Lee Wei", "positions": [{"title_en": "Director", "institution_id": ids.iukl, "unit_id": iukl_unit, "start_date": "2024-01-01"}]})).send().await.expect("post");

    assert_eq!(backwards.status().as_u16(), 422);
    let p: Value = backwards.json().await.expect("json");
    assert_eq!(p["errors"][0]["field"], "positions[0].end_date");
    assert_eq!(wrong_unit.status().as_u16(), 422);
    let p: Value = wrong_unit.json().await.expect("json");
    assert_eq!(p["errors"][0]["field"], "positions[1].unit_id");
    assert_eq!(ok.status().as_u16(), 201);
    assert_eq!(app.count("people").await, people_before + 1, "the failed requests left no half-made person");
}

#[tokio::test]
async fn the_form_keeps_the_input_and_shows_inline_messages() {
    let app = spawn_app().await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/institutions/new").await;

    let res = app
        .client
        .post(app.url("/institutions/new"))
        .form(&[("_csrf", csrf.as_str()), ("name_en", "Universiti Teknologi Malaysia"), ("country", "Malaisia"), ("kind", "university")])
        .send()
        .await
        .expect("post");

    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.expect("html");
    assert!(html.contains("value=\"Universiti Teknologi Malaysia\""), "input kept");
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("is not a two-letter ISO 3166-1 country code"));
    assert_eq!(app.count("institutions").await, 0);

    let ok = app
        .client
        .post(app.url("/institutions/new"))
        .form(&[("_csrf", csrf.as_str()), ("name_en", "Universiti Teknologi Malaysia"), ("country", "my"), ("kind", "university")])
        .send()
        .await
        .expect("post");
    assert_eq!(ok.status().as_u16(), 303);
    let page = app
        .client
        .get(app.url(ok.headers()["location"].to_str().expect("location")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Universiti Teknologi Malaysia") && page.contains("MY"));
}

#[tokio::test]
async fn live_search_returns_only_the_rows_for_htmx() {
    let app = spawn_app().await;
    seed(&app).await;
    app.logged_in("mei", &["viewer"]).await;

    let partial =
        app.client.get(app.url("/institutions?q=iukl")).header("hx-request", "true").send().await.expect("get").text().await.expect("html");

    assert!(!partial.contains("<html"));
    assert!(partial.contains("Infrastructure University Kuala Lumpur"));
    assert!(!partial.contains("Demo University of Technology"));
}

#[tokio::test]
async fn the_search_box_finds_half_typed_words_acronyms_typos_and_chinese() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = staff(&app).await;
    app.client
        .post(app.url("/api/v1/institutions"))
        .bearer_auth(&token)
        .json(&json!({"name_en": "Tsinghua University", "name_zh": "清华大学", "country": "CN"}))
        .send()
        .await
        .expect("create");
    let first = |q: &'static str| {
        let req = app.client.get(app.url(&format!("/api/v1/institutions?q={}", liaison::web::routes::urlencode(q)))).bearer_auth(&token);
        async move { req.send().await.expect("list").json::<Value>().await.expect("json")["items"][0]["name_en"].clone() }
    };

    assert_eq!(first("infra").await, "Infrastructure University Kuala Lumpur");
    assert_eq!(first("IUKL").await, "Infrastructure University Kuala Lumpur");
    assert_eq!(first("Infrastucture Kuala").await, "Infrastructure University Kuala Lumpur");
    assert_eq!(first("清华").await, "Tsinghua University");
    let _ = ids;
}

#[tokio::test]
async fn staff_add_a_person_with_a_position_by_typing_the_institution_acronym() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/people/new").await;

    let vague = app
        .client
        .post(app.url("/people/new"))
        .form(&[("_csrf", csrf.as_str()), ("name_en", "Lim Mei Ling"), ("institution", "University"), ("title_en", "Lecturer")])
        .send()
        .await
        .expect("post");
    let ok = app
        .client
        .post(app.url("/people/new"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name_en", "Lim Mei Ling"),
            ("institution", "IUKL"),
            ("title_en", "Lecturer"),
            ("start_date", "2023-02-01"),
        ])
        .send()
        .await
        .expect("post");

    assert_eq!(vague.status().as_u16(), 422);
    let html = vague.text().await.expect("html");
    assert!(html.contains("value=\"Lim Mei Ling\"") && html.contains("field-error"), "input kept, message shown");
    assert_eq!(ok.status().as_u16(), 303);
    let page = app
        .client
        .get(app.url(ok.headers()["location"].to_str().expect("location")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Lecturer") && page.contains("Infrastructure University Kuala Lumpur") && page.contains("2023-02-01"));
    let _ = ids;
}

#[tokio::test]
async fn a_position_that_ends_before_it_starts_is_refused_on_the_person_page() {
    let app = spawn_app().await;
    seed(&app).await;
    app.logged_in("mei", &["staff"]).await;
    let chen: i64 = sqlx::query_scalar("SELECT id FROM people WHERE name_en = 'Chen Zhihui'").fetch_one(&app.db.pool).await.expect("chen");
    let csrf = app.csrf_from(&app.client, &format!("/people/{chen}")).await;
    let before = app.count("positions").await;

    let res = app
        .client
        .post(app.url(&format!("/people/{chen}/positions")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("institution", "Demo University of Technology"),
            ("title_en", "Adviser"),
            ("start_date", "2025-01-01"),
            ("end_date", "2024-01-01"),
        ])
        .send()
        .await
        .expect("post");

    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.expect("html").contains("ends before it starts"));
    assert_eq!(app.count("positions").await, before);
}

#[tokio::test]
async fn staff_add_a_unit_with_two_names_from_the_institution_page() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, &format!("/institutions/{}", ids.home)).await;

    let res = app
        .client
        .post(app.url(&format!("/institutions/{}/units", ids.home)))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name_en", "International Office"),
            ("also", "Office of International Cooperation and Exchange"),
            ("name_zh", "国际合作与交流处"),
            ("parent_id", ""),
        ])
        .send()
        .await
        .expect("post");
    let page = app.client.get(app.url(&format!("/institutions/{}", ids.home))).send().await.expect("get").text().await.expect("html");

    assert_eq!(res.status().as_u16(), 303);
    assert!(page.contains("International Office") && page.contains("Office of International Cooperation and Exchange"));
}
