//! The global search: one query finds every kind of record, in English, Chinese and
//! Malay, ranked; new, changed and deleted records are found (or not) at once; public
//! callers and students find only what the public site shows; bad parameters get problem
//! details; the pages (results, the header's suggestions, the public results) and the
//! `liaison reindex` command.

use serde_json::{Value, json};

use crate::helpers::{TestApp, get, post, seed, send, spawn_app};

async fn search(app: &TestApp, token: &str, q: &str) -> Value {
    let path = format!("/api/v1/search?q={}", urlencode(q));
    get(app, token, &path).await
}

fn urlencode(q: &str) -> String {
    q.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn hits(v: &Value) -> Vec<(String, String)> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| (h["kind"].as_str().unwrap_or_default().to_string(), h["title"].as_str().unwrap_or_default().to_string()))
        .collect()
}

fn first(v: &Value) -> (String, String) {
    hits(v).into_iter().next().unwrap_or_else(|| panic!("no hits for {}", v["query"]))
}

#[tokio::test]
async fn one_query_finds_every_kind_in_english_chinese_and_malay() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;

    let iukl = search(&app, &token, "IUKL").await;
    assert_eq!(first(&iukl), ("institution".into(), "Infrastructure University Kuala Lumpur".into()), "{iukl}");
    let kinds: Vec<String> = hits(&iukl).into_iter().map(|(k, _)| k).collect();
    for kind in ["institution", "person", "visit", "agreement", "article"] {
        assert!(kinds.contains(&kind.to_string()), "IUKL finds a {kind}: {iukl}");
    }
    assert!(iukl["hits"][0]["href"].as_str().expect("href").starts_with("/institutions/"));

    assert_eq!(first(&search(&app, &token, "马来西亚").await).1, "Infrastructure University Kuala Lumpur", "Chinese country name");
    assert_eq!(first(&search(&app, &token, "kuala lump").await).1, "Infrastructure University Kuala Lumpur", "as typed");
    let memo = search(&app, &token, "memorandum").await;
    assert_eq!(first(&memo).0, "agreement", "{memo}");
    let persefahaman = search(&app, &token, "Memorandum Persefahaman").await;
    assert_eq!(first(&persefahaman).0, "agreement", "the Malay name of an MoU: {persefahaman}");
    let room = search(&app, &token, "1507").await;
    assert_eq!(first(&room), ("room".into(), "1507 · Shixun Building".into()), "{room}");
    let building = search(&app, &token, "实训楼").await;
    assert!(hits(&building).iter().filter(|(k, _)| k == "room").count() >= 2, "both rooms of the Shixun Building: {building}");
    let chen = search(&app, &token, "chen zhihui").await;
    assert_eq!(first(&chen), ("person".into(), "Chen Zhihui".into()));
    // Two Chinese characters inside a sentence: no spaces to split on.
    let cooperation = search(&app, &token, "合作").await;
    assert!(!hits(&cooperation).is_empty(), "合作 is found inside Chinese text: {cooperation}");
    let vp = search(&app, &token, "副校长").await;
    assert!(hits(&vp).iter().any(|(k, t)| k == "person" && t == "Chen Zhihui"), "a position's Chinese title: {vp}");

    let typo = search(&app, &token, "Infrastucture Univercity").await;
    assert_eq!(first(&typo).1, "Infrastructure University Kuala Lumpur", "{typo}");
    assert_eq!(typo["corrected"], "infrastructure university", "{typo}");

    let only = get(&app, &token, "/api/v1/search?q=IUKL&kind=visit,agreement").await;
    assert!(hits(&only).iter().all(|(k, _)| k == "visit" || k == "agreement") && !hits(&only).is_empty(), "{only}");
    let nothing = search(&app, &token, "zzqxv").await;
    assert!(hits(&nothing).is_empty() && nothing["corrected"].is_null(), "{nothing}");
}

#[tokio::test]
async fn changes_are_found_at_once_and_deleted_records_are_gone() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;
    let (status, inst) = post(
        &app,
        &token,
        "/api/v1/institutions",
        json!({"name_en": "Universiti Teknologi Kuching", "name_zh": "古晋科技大学", "acronym": "UTKC", "country": "MY", "force": true}),
    )
    .await;
    assert_eq!(status, 201, "{inst}");
    let id = inst["id"].as_i64().expect("id");
    assert_eq!(first(&search(&app, &token, "utkc").await).1, "Universiti Teknologi Kuching");
    assert_eq!(first(&search(&app, &token, "古晋").await).1, "Universiti Teknologi Kuching", "Chinese name");
    assert_eq!(first(&search(&app, &token, "Universiti Teknologi").await).1, "Universiti Teknologi Kuching", "Malay name words");

    let (status, body) = send(
        &app,
        &token,
        reqwest::Method::PATCH,
        &format!("/api/v1/institutions/{id}"),
        Some(json!({"name_en": "Borneo Institute of Design"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(first(&search(&app, &token, "borneo design").await).1, "Borneo Institute of Design");
    assert!(hits(&search(&app, &token, "kuching").await).is_empty(), "the old name is gone");

    let (status, person) =
        post(&app, &token, "/api/v1/people", json!({"name_en": "Aminah Binti Yusof", "institution_id": id, "positions": []})).await;
    assert_eq!(status, 201, "{person}");
    let found = search(&app, &token, "aminah").await;
    assert_eq!(first(&found), ("person".into(), "Aminah Binti Yusof".into()));
    assert_eq!(found["hits"][0]["detail"], "UTKC", "the person's institution is shown: {found}");

    let (status, _) = send(&app, &token, reqwest::Method::DELETE, &format!("/api/v1/people/{}", person["id"]), None).await;
    assert_eq!(status, 204);
    assert!(hits(&search(&app, &token, "aminah").await).is_empty(), "a deleted person is not found");
}

#[tokio::test]
async fn the_public_and_students_find_only_public_partners_and_published_articles() {
    let app = spawn_app().await;
    seed(&app).await;
    let anonymous = app.client.get(app.url("/api/v1/search?q=IUKL")).send().await.expect("search");
    assert_eq!(anonymous.status(), 200);
    let body: Value = anonymous.json().await.expect("json");
    let found = hits(&body);
    assert!(!found.is_empty(), "{body}");
    assert!(found.iter().all(|(k, _)| k == "institution" || k == "article"), "only public kinds: {body}");
    let article = body["hits"].as_array().expect("hits").iter().find(|h| h["kind"] == "article").expect("the published article");
    assert!(article["href"].as_str().expect("href").starts_with("/news/"), "public callers get the public page: {article}");
    let institution = body["hits"].as_array().expect("hits").iter().find(|h| h["kind"] == "institution").expect("IUKL");
    assert_eq!(institution["href"], "/partners");

    let student = app.token_for("student1", &["student"], None).await;
    let theirs = search(&app, &student, "chen zhihui").await;
    assert!(hits(&theirs).iter().all(|(k, _)| k == "article"), "a student finds no people: {theirs}");
    let rooms = search(&app, &student, "1507").await;
    assert!(hits(&rooms).iter().all(|(k, _)| k != "room"), "{rooms}");
}

#[tokio::test]
async fn bad_parameters_get_problem_details() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;
    for path in
        ["/api/v1/search?q=", "/api/v1/search?q=iukl&kind=planet", "/api/v1/search?q=iukl&limit=0", "/api/v1/search?q=iukl&limit=51"]
    {
        let res = app.client.get(app.url(path)).bearer_auth(&token).send().await.expect("search");
        assert_eq!(res.status(), 422, "{path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body: Value = res.json().await.expect("problem");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{body}");
    }
    let long = "x".repeat(201);
    let (status, _) = send(&app, &token, reqwest::Method::GET, &format!("/api/v1/search?q={long}"), None).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn the_pages_show_hits_in_the_readers_language() {
    let app = spawn_app().await;
    seed(&app).await;
    app.logged_in("office", &["staff"]).await;
    let page = |path: &'static str| {
        let client = app.client.clone();
        let url = app.url(path);
        async move {
            let res = client.get(url).send().await.expect("page");
            (res.status().as_u16(), res.text().await.expect("html"))
        }
    };
    let (status, home) = page("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("hx-get=\"/search/suggest\""), "the header has the search box");
    let (status, html) = page("/search?q=1507").await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/rooms/") && html.contains(">Room<"), "{html}");
    let (_, zh) = page("/search?q=IUKL&lang=zh").await;
    assert!(zh.contains("院校机构") && zh.contains("马来西亚"), "kinds and countries in Chinese");
    let (status, suggest) = page("/search/suggest?q=iukl").await;
    assert_eq!(status, 200);
    assert!(suggest.contains("Infrastructure University Kuala Lumpur") && suggest.contains("/search?q=iukl&amp;lang=en"), "{suggest}");
    let (_, problem) = page("/search?q=iukl&kind=planet").await;
    assert!(problem.contains("role=\"alert\"") && problem.contains("unknown kind"), "an inline message: {problem}");

    let anonymous = crate::helpers::client();
    let res = anonymous.get(app.url("/search?q=IUKL")).send().await.expect("public page");
    assert_eq!(res.status(), 200);
    let public = res.text().await.expect("html");
    assert!(public.contains("news.css") && public.contains("/news/"), "the public site's layout and its article: {public}");
    assert!(!public.contains("/visits/") && !public.contains("/people/"), "no office records on the public page");
}

#[tokio::test]
async fn reindex_writes_records_loaded_straight_into_the_database() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;
    // One record through the API first: the index is not empty, so start-up leaves it be.
    let (status, _) =
        post(&app, &token, "/api/v1/institutions", json!({"name_en": "Kedah Arts Academy", "country": "MY", "force": true})).await;
    assert_eq!(status, 201);
    let now = "2026-01-01T00:00:00Z";
    sqlx::query(
        "INSERT INTO institutions (name_en, country, created_at, updated_at) VALUES ('Sabah College of Maritime Studies', 'MY', $1, $1)",
    )
    .bind(now)
    .execute(&app.db.pool)
    .await
    .expect("bulk insert");
    assert!(hits(&search(&app, &token, "maritime").await).is_empty(), "not indexed yet");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_liaison"))
        .arg("reindex")
        .envs(app.test_db.env())
        .output()
        .expect("liaison reindex runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("search documents written: 2"), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(first(&search(&app, &token, "maritime").await).1, "Sabah College of Maritime Studies");
}

#[tokio::test]
async fn broad_queries_answer_from_names_that_start_with_the_text() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;
    let now = "2026-01-01T00:00:00Z";
    let mut tx = app.db.pool.begin().await.expect("tx");
    for i in 0..1_200 {
        sqlx::query("INSERT INTO institutions (name_en, name_zh, country, created_at, updated_at) VALUES ($1, $2, 'MY', $3, $3)")
            .bind(format!("Kolej Universiti Contoh {i:04}"))
            .bind(format!("示例大学{i:04}"))
            .bind(now)
            .execute(&mut *tx)
            .await
            .expect("insert");
    }
    sqlx::query("INSERT INTO institutions (name_en, name_zh, country, created_at, updated_at) VALUES ('Universiti Malaya', '马来亚大学', 'MY', $1, $1)")
        .bind(now)
        .execute(&mut *tx)
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    liaison::search::index::rebuild(&app.db).await.expect("reindex");

    let broad = search(&app, &token, "universiti").await;
    assert_eq!(first(&broad).1, "Universiti Malaya", "the name that starts with the text comes first: {broad}");
    assert_eq!(hits(&broad).len(), 20);
    assert!(hits(&broad).iter().all(|(_, t)| t.contains("Universiti")));
    assert_eq!(first(&search(&app, &token, "universiti mal").await).1, "Universiti Malaya");
    assert_eq!(first(&search(&app, &token, "大学").await).0, "institution", "two Chinese characters in 1,201 names");
    let zh = search(&app, &token, "马来亚大").await;
    assert_eq!(first(&zh).1, "Universiti Malaya", "{zh}");
    let two = search(&app, &token, "un").await;
    assert_eq!(hits(&two).len(), 20, "two letters as typed still list names: {two}");
}

#[tokio::test]
async fn a_word_found_only_in_many_bodies_still_finds_them() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;
    let now = "2026-01-01T00:00:00Z";
    let mut tx = app.db.pool.begin().await.expect("tx");
    for i in 0..450 {
        sqlx::query("INSERT INTO visits (direction, title, purpose, start_date, end_date, created_at, updated_at) VALUES ('inbound', $1, '双方达成合作共识', '2024-05-08', '2024-05-08', $2, $2)")
            .bind(format!("Delegation {i:03}"))
            .bind(now)
            .execute(&mut *tx)
            .await
            .expect("insert");
    }
    tx.commit().await.expect("commit");
    liaison::search::index::rebuild(&app.db).await.expect("reindex");
    let found = search(&app, &token, "共识").await;
    assert_eq!(hits(&found).len(), 20, "450 visits hold the word in their purpose, none in a name: {found}");
    assert!(hits(&found).iter().all(|(k, _)| k == "visit"));
}
