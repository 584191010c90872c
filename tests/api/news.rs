//! News articles over the API: versions and revisions, conflicts, the editorial chain
//! with five people, wrong roles, missing translations, Markdown safety, drafts from
//! visits and the proofreading aid.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, get, post, seed, send, spawn_app};

const FIXTURE: &str = include_str!("../../../shared/fixtures/iukl-visit-2024-05-08.en.txt");

/// A user with a shown name and roles; their API token.
async fn editor(app: &TestApp, username: &str, name: &str, roles: &[&str]) -> String {
    app.token_for_named(username, name, roles).await
}

struct Team {
    author: String,
    translator: String,
    photographer: String,
    proofreader: String,
    reviewer: String,
}

async fn team(app: &TestApp) -> Team {
    Team {
        author: editor(app, "qin.lijuan", "Qin Lijuan", &["author"]).await,
        translator: editor(app, "peng.gaoliang", "Peng Gaoliang", &["translator"]).await,
        photographer: editor(app, "xiao.jia", "Xiao Jia", &["photographer"]).await,
        proofreader: editor(app, "tang.mei", "Tang Mei", &["proofreader"]).await,
        reviewer: editor(app, "lin.na", "Lin Na", &["reviewer"]).await,
    }
}

async fn new_article(app: &TestApp, token: &str, title: &str) -> Value {
    let (status, body) = post(
        app,
        token,
        "/api/v1/articles",
        json!({"original_lang": "zh", "original": {"title": title, "summary": "摘要", "body": "正文第一段。\n\n第二段。"}, "tags": ["Visits"]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn step(app: &TestApp, token: &str, id: i64, body: Value) -> (u16, Value) {
    post(app, token, &format!("/api/v1/articles/{id}/steps"), body).await
}

#[tokio::test]
async fn an_article_goes_through_the_chain_with_five_people_and_credits_them() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let a = new_article(&app, &t.author, "马来西亚吉隆坡基础设施大学代表团来访").await;
    let id = a["id"].as_i64().expect("id");
    assert_eq!(a["status"], "draft");
    assert_eq!(a["author_name"], "Qin Lijuan");
    assert!(a["slug"].as_str().unwrap_or("").starts_with("news-"), "a Chinese title gives a dated slug: {}", a["slug"]);
    assert_eq!(a["tags"], json!(["visits"]));

    // The author hands it to translation.
    let (s, a) = step(&app, &t.author, id, json!({"action": "submit"})).await;
    assert_eq!((s, a["status"].as_str()), (200, Some("translation")), "{a}");

    // The translator cannot hand over without the English version.
    let (s, p) = step(&app, &t.translator, id, json!({"action": "submit"})).await;
    assert_eq!(s, 422, "{p}");
    assert!(p["errors"][0]["message"].as_str().unwrap_or("").contains("English version"), "{p}");
    let (s, v) = post(
        &app,
        &t.translator,
        &format!("/api/v1/articles/{id}/versions/en"),
        json!({"title": "IUKL delegation visits", "summary": "A delegation of four.", "body": "On May 8, 2024, a delegation of four visited."}),
    )
    .await;
    assert_eq!((s, v["revision"].as_i64()), (200, Some(1)), "{v}");
    let (s, a) = step(&app, &t.translator, id, json!({"action": "submit", "comment": "translated"})).await;
    assert_eq!((s, a["status"].as_str()), (200, Some("proofreading")), "{a}");

    // The photographer adds nothing to the steps; a photo credit comes from photos.
    // Wrong role: the photographer cannot move proofreading on.
    let (s, p) = step(&app, &t.photographer, id, json!({"action": "submit"})).await;
    assert_eq!(s, 403, "{p}");
    let detail = p["detail"].as_str().unwrap_or("");
    assert!(detail.contains("proofreader") && detail.contains("photographer"), "{detail}");

    // The proofreader sends it back once, with a comment (required).
    let (s, p) = step(&app, &t.proofreader, id, json!({"action": "send_back"})).await;
    assert_eq!(s, 422, "{p}");
    let (s, a) = step(&app, &t.proofreader, id, json!({"action": "send_back", "comment": "Spell out the date in the title."})).await;
    assert_eq!((s, a["status"].as_str()), (200, Some("translation")), "{a}");
    let (_, a) = step(&app, &t.translator, id, json!({"action": "submit"})).await;
    assert_eq!(a["status"], "proofreading");
    let (_, a) = step(&app, &t.proofreader, id, json!({"action": "submit"})).await;
    assert_eq!(a["status"], "review");
    let (_, a) = step(&app, &t.reviewer, id, json!({"action": "submit"})).await;
    assert_eq!(a["status"], "approved");
    let (s, a) = step(&app, &t.reviewer, id, json!({"action": "publish", "publish_at": "2024-05-24T09:00:00+08:00"})).await;
    assert_eq!((s, a["status"].as_str()), (200, Some("published")), "{a}");
    assert_eq!(a["published_at"], "2024-05-24T01:00:00.000000Z");

    let credits: Vec<(String, Vec<String>)> = a["credits"]
        .as_array()
        .expect("credits")
        .iter()
        .map(|c| (c["role"].as_str().unwrap_or("").to_string(), serde_json::from_value(c["names"].clone()).unwrap_or_default()))
        .collect();
    assert_eq!(
        credits,
        vec![
            ("author".into(), vec!["Qin Lijuan".to_string()]),
            ("translator".into(), vec!["Peng Gaoliang".to_string()]),
            ("proofreader".into(), vec!["Tang Mei".to_string()]),
            ("reviewer".into(), vec!["Lin Na".to_string()]),
        ]
    );
    let steps = a["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 7);
    assert_eq!(steps[2]["comment"], "Spell out the date in the title.");
    assert_eq!(steps[2]["actor_name"], "Tang Mei");
    assert_eq!(steps[2]["action"], "send_back");

    // Published: only a reviewer edits; a withdraw needs a comment.
    let (s, _) =
        post(&app, &t.author, &format!("/api/v1/articles/{id}/versions/en"), json!({"title": "x", "body": "y", "base_revision": 1})).await;
    assert_eq!(s, 403);
    let (s, _) = step(&app, &t.reviewer, id, json!({"action": "withdraw"})).await;
    assert_eq!(s, 422);
    let (s, a) = step(&app, &t.reviewer, id, json!({"action": "withdraw", "comment": "a wrong figure"})).await;
    assert_eq!((s, a["status"].as_str()), (200, Some("approved")));
}

#[tokio::test]
async fn steps_out_of_order_and_self_approval_are_refused() {
    let app = spawn_app().await;
    let both = editor(&app, "writer", "Writer Reviewer", &["author", "reviewer", "translator", "proofreader"]).await;
    let a = new_article(&app, &both, "测试").await;
    let id = a["id"].as_i64().expect("id");
    let (s, p) = step(&app, &both, id, json!({"action": "publish"})).await;
    assert_eq!(s, 422, "{p}");
    let (s, _) = step(&app, &both, id, json!({"action": "dance"})).await;
    assert_eq!(s, 422);
    // Only the original required: translation is skipped.
    let (s, _) = send(&app, &both, Method::PATCH, &format!("/api/v1/articles/{id}"), Some(json!({"required_langs": ["zh"]}))).await;
    assert_eq!(s, 200);
    let (_, a) = step(&app, &both, id, json!({"action": "submit"})).await;
    assert_eq!(a["status"], "proofreading");
    let (_, a) = step(&app, &both, id, json!({"action": "submit"})).await;
    assert_eq!(a["status"], "review");
    let (s, p) = step(&app, &both, id, json!({"action": "submit"})).await;
    assert_eq!(s, 403, "{p}");
    assert!(p["detail"].as_str().unwrap_or("").contains("may not approve an article they wrote"), "{p}");
    let viewer = editor(&app, "viewer", "Viewer", &["viewer"]).await;
    let (s, _) = step(&app, &viewer, id, json!({"action": "submit"})).await;
    assert_eq!(s, 403);
    let (s, _) = step(&app, &both, 999_999, json!({"action": "submit"})).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn publishing_needs_every_required_translation() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let a = new_article(&app, &t.author, "只有中文").await;
    let id = a["id"].as_i64().expect("id");
    // Forced through without English by setting the status directly is impossible: the
    // chain checks at translation and again at publishing. Drop English from the
    // required languages after translation, then require it again before publishing.
    step(&app, &t.author, id, json!({"action": "submit"})).await;
    let (s, _) = send(&app, &t.author, Method::PATCH, &format!("/api/v1/articles/{id}"), Some(json!({"required_langs": ["zh"]}))).await;
    assert_eq!(s, 200);
    let (s, a) = step(&app, &t.translator, id, json!({"action": "submit"})).await;
    assert_eq!((s, a["status"].as_str()), (200, Some("proofreading")));
    step(&app, &t.proofreader, id, json!({"action": "submit"})).await;
    let (s, _) =
        send(&app, &t.reviewer, Method::PATCH, &format!("/api/v1/articles/{id}"), Some(json!({"required_langs": ["zh", "en"]}))).await;
    assert_eq!(s, 200);
    step(&app, &t.reviewer, id, json!({"action": "submit"})).await;
    let (s, p) = step(&app, &t.reviewer, id, json!({"action": "publish"})).await;
    assert_eq!(s, 422, "{p}");
    assert!(p["errors"][0]["message"].as_str().unwrap_or("").contains("be published"), "{p}");
    let a = get(&app, &t.reviewer, &format!("/api/v1/articles/{id}")).await;
    assert_eq!(a["status"], "approved", "nothing changed");
    assert_eq!(a["published_at"], Value::Null);
}

#[tokio::test]
async fn a_stale_save_is_a_conflict_with_both_texts_and_nothing_is_lost() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let a = new_article(&app, &t.author, "并发编辑").await;
    let id = a["id"].as_i64().expect("id");
    let path = format!("/api/v1/articles/{id}/versions/zh");
    // Two people start from revision 1.
    let (s, v) =
        post(&app, &t.author, &path, json!({"title": "并发编辑", "body": "正文第一段。\n\n作者补充的一段。", "base_revision": 1})).await;
    assert_eq!((s, v["revision"].as_i64()), (200, Some(2)), "{v}");
    let translator_as_author = editor(&app, "second.author", "Second Author", &["author"]).await;
    let (s, p) = post(
        &app,
        &translator_as_author,
        &path,
        json!({"title": "并发编辑", "body": "正文第一段（改）。\n\n第二段。", "base_revision": 1}),
    )
    .await;
    assert_eq!(s, 409, "{p}");
    let c = &p["conflicts"];
    assert_eq!(c["base_revision"], 1);
    assert_eq!(c["current_revision"], 2);
    assert_eq!(c["current_by"], "Qin Lijuan");
    assert_eq!(c["your_body"], "正文第一段（改）。\n\n第二段。");
    assert!(c["their_changes"].as_str().unwrap_or("").contains("+作者补充的一段。"), "{c}");
    assert!(c["your_changes"].as_str().unwrap_or("").contains("+正文第一段（改）。"), "{c}");
    // Nothing was overwritten.
    let a = get(&app, &t.author, &format!("/api/v1/articles/{id}")).await;
    assert_eq!(a["versions"][0]["body"], "正文第一段。\n\n作者补充的一段。");
    // A save without a base revision is refused with a message.
    let (s, p) = post(&app, &t.author, &path, json!({"title": "x", "body": "y"})).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "base_revision");
    // Merged on top of revision 2.
    let (s, v) = post(
        &app,
        &translator_as_author,
        &path,
        json!({"title": "并发编辑", "body": "正文第一段（改）。\n\n作者补充的一段。", "base_revision": 2}),
    )
    .await;
    assert_eq!((s, v["revision"].as_i64()), (200, Some(3)));

    // History: newest first with diffs; restore revision 1 on top of 3.
    let revs = get(&app, &t.author, &format!("/api/v1/articles/{id}/versions/zh/revisions")).await;
    let revs = revs.as_array().expect("revisions");
    assert_eq!(revs.len(), 3);
    assert_eq!(revs[0]["revision"], 3);
    assert!(revs[0]["diff"].as_str().unwrap_or("").contains("-正文第一段。"), "{}", revs[0]["diff"]);
    let (s, v) =
        post(&app, &t.author, &format!("/api/v1/articles/{id}/versions/zh/restore"), json!({"revision": 1, "base_revision": 3})).await;
    assert_eq!((s, v["revision"].as_i64()), (200, Some(4)), "{v}");
    assert_eq!(v["body"], "正文第一段。\n\n第二段。");
    let revs = get(&app, &t.author, &format!("/api/v1/articles/{id}/versions/zh/revisions")).await;
    assert_eq!(revs[0]["restored_from"], 1);
    let (s, _) =
        post(&app, &t.author, &format!("/api/v1/articles/{id}/versions/zh/restore"), json!({"revision": 99, "base_revision": 4})).await;
    assert_eq!(s, 404);
    // A photographer may not edit text.
    let (s, _) = post(&app, &t.photographer, &path, json!({"title": "x", "body": "y", "base_revision": 4})).await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn markdown_is_rendered_without_scripts_or_javascript_links() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let (s, a) = post(
        &app,
        &t.author,
        "/api/v1/articles",
        json!({"original_lang": "en", "required_langs": ["en"], "original": {
            "title": "Safe", "body": "Hello <script>alert('x')</script>\n\n[click](javascript:alert(1)) and [ok](https://example.org)\n\n<img src=x onerror=alert(1)>"}}),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    let html = a["versions"][0]["body_html"].as_str().expect("html");
    assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("javascript:"), "{html}");
    assert!(html.contains("&lt;script&gt;") && html.contains("href=\"https://example.org\"") && html.contains("click"), "{html}");
    assert!(a["versions"][0]["body"].as_str().unwrap_or("").contains("<script>"), "the Markdown is kept as written");
}

#[tokio::test]
async fn bad_articles_store_nothing() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let before = app.count("articles").await;
    for (body, field) in [
        (json!({"original_lang": "fr", "original": {"title": "x"}}), "original_lang"),
        (json!({"original_lang": "zh", "original": {"title": "  "}}), "title"),
        (json!({"original_lang": "zh", "original": {"title": "x"}, "slug": "Not A Slug"}), "slug"),
        (
            json!({"original_lang": "zh", "original": {"title": "x"}, "links": [{"kind": "visit", "target_id": 424242}]}),
            "links[0].target_id",
        ),
        (json!({"original_lang": "zh", "original": {"title": "x"}, "links": [{"kind": "planet", "target_id": 1}]}), "links[0].kind"),
        (json!({"original_lang": "zh", "original": {"title": "x"}, "required_langs": ["de"]}), "required_langs"),
    ] {
        let (s, p) = post(&app, &t.author, "/api/v1/articles", body.clone()).await;
        assert_eq!(s, 422, "{body}: {p}");
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    let (s, p) = post(&app, &t.translator, "/api/v1/articles", json!({"original_lang": "zh", "original": {"title": "x"}})).await;
    assert_eq!(s, 403, "only authors start articles: {p}");
    assert_eq!(app.count("articles").await, before);
    // A taken slug is named.
    let (s, _) =
        post(&app, &t.author, "/api/v1/articles", json!({"original_lang": "en", "original": {"title": "Same"}, "slug": "same"})).await;
    assert_eq!(s, 201);
    let (s, p) =
        post(&app, &t.author, "/api/v1/articles", json!({"original_lang": "en", "original": {"title": "Same"}, "slug": "same"})).await;
    assert_eq!(s, 422, "{p}");
    let (s, a) = post(&app, &t.author, "/api/v1/articles", json!({"original_lang": "en", "original": {"title": "Same"}})).await;
    assert_eq!((s, a["slug"].as_str()), (201, Some("same-2")));
}

#[tokio::test]
async fn a_visit_gives_a_bilingual_first_draft() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let t = team(&app).await;
    let (s, a) = post(&app, &t.author, &format!("/api/v1/visits/{}/draft-article", ids.visit), json!({})).await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["status"], "draft");
    assert_eq!(a["original_lang"], "zh");
    let en = a["versions"].as_array().expect("versions").iter().find(|v| v["lang"] == "en").expect("en").clone();
    let zh = &a["versions"][0];
    assert_eq!(zh["lang"], "zh");
    let body = en["body"].as_str().unwrap_or("");
    for needle in [
        "May 8, 2024",
        "a delegation of 4",
        "Infrastructure University Kuala Lumpur (IUKL)",
        "led by Chen Zhihui",
        "Vice President",
        "1508",
        "1507",
        "Ma Shaojian",
        "Qin Yongling",
        "teacher training",
        "collaborative research",
        "consensus",
    ] {
        assert!(body.contains(needle), "English draft lacks '{needle}':\n{body}");
    }
    let zh_body = zh["body"].as_str().unwrap_or("");
    for needle in ["2024年5月8日", "一行4人", "师资培训", "1508"] {
        assert!(zh_body.contains(needle), "Chinese draft lacks '{needle}':\n{zh_body}");
    }
    assert_eq!(a["institution_id"], ids.iukl);
    let kinds: Vec<&str> = a["links"].as_array().expect("links").iter().filter_map(|l| l["kind"].as_str()).collect();
    assert!(kinds.contains(&"visit") && kinds.contains(&"institution") && kinds.contains(&"person"), "{kinds:?}");
    let (s, _) = post(&app, &t.translator, &format!("/api/v1/visits/{}/draft-article", ids.visit), json!({})).await;
    assert_eq!(s, 403);
    let (s, _) = post(&app, &t.author, "/api/v1/visits/999999/draft-article", json!({})).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn the_proofreading_aid_flags_the_four_seed_defects() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let t = team(&app).await;
    let (s, a) = post(
        &app,
        &t.author,
        "/api/v1/articles",
        json!({"original_lang": "en", "required_langs": ["en"], "original": {"title": "IUKL visit", "body": FIXTURE},
               "links": [{"kind": "institution", "target_id": ids.iukl}, {"kind": "visit", "target_id": ids.visit}]}),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_i64().expect("id");
    let (s, _) = send(&app, &t.author, Method::GET, &format!("/api/v1/articles/{id}/proofreading"), None).await;
    assert_eq!(s, 403, "the aid is for proofreaders and reviewers");
    let reports = get(&app, &t.proofreader, &format!("/api/v1/articles/{id}/proofreading")).await;
    let findings = reports[0]["findings"].as_array().expect("findings");
    let found: Vec<&str> = findings.iter().filter(|f| f["field"] == "body").filter_map(|f| f["found"].as_str()).collect();
    for defect in ["Syudies", "Translor", "an symposium", "2024click"] {
        assert!(found.iter().any(|f| f.contains(defect)), "missed '{defect}' in {found:?}");
    }
    assert_eq!(reports[0]["spelling_skipped"], Value::Null);
}

#[tokio::test]
async fn the_seed_article_is_published_with_its_credits_and_proofreads_clean() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let reviewer = editor(&app, "lin.na", "Lin Na", &["reviewer"]).await;
    let a = get(&app, &reviewer, &format!("/api/v1/articles/{}", ids.article)).await;
    assert_eq!(a["status"], "published");
    assert_eq!(a["published_at"], "2024-05-24T02:00:00.000000Z");
    assert_eq!(a["original_lang"], "zh");
    let names: Vec<String> =
        a["credits"].as_array().expect("credits").iter().map(|c| format!("{}: {}", c["role"], c["names"][0])).collect();
    assert_eq!(names[0], "\"author\": \"Qin Lijuan\"");
    assert!(names.contains(&"\"translator\": \"Peng Gaoliang\"".to_string()), "{names:?}");
    assert!(names.contains(&"\"proofreader\": \"Tang Mei\"".to_string()), "{names:?}");
    assert!(names.contains(&"\"reviewer\": \"Lin Na\"".to_string()), "{names:?}");
    let zh = &a["versions"][0];
    assert_eq!(zh["lang"], "zh");
    assert!(zh["note"].as_str().unwrap_or("").contains("演示"), "the Chinese version says it was written for the demo");
    let en = a["versions"][1]["body"].as_str().unwrap_or("");
    assert!(en.contains("School of Foreign Studies") && en.contains("a symposium") && !en.contains("click"), "{en}");
    let reports = get(&app, &reviewer, &format!("/api/v1/articles/{}/proofreading", ids.article)).await;
    assert_eq!(reports[0]["findings"], json!([]), "the corrected text gives the aid nothing to flag");
}

#[tokio::test]
async fn the_aid_needs_nothing_installed_and_knows_directory_words_people_and_glued_credits() {
    let app = spawn_app().await;
    seed(&app).await;
    let t = team(&app).await;
    let token = app.token_for("records", &["staff"], None).await;
    let (s, _) = post(&app, &token, "/api/v1/people", json!({"name_en": "Nurul Izzah Binti Rahmat"})).await;
    assert_eq!(s, 201);
    let body = "Lecturers from Politeknik Elektronika Negeri Surabaya and Universitas Indonesia met Nurul Izzah Binti Rahmat. \
                The colour and the color of the programme and the program. Photo: Tang Mei2024-06-01";
    let (s, a) = post(
        &app,
        &t.author,
        "/api/v1/articles",
        json!({"original_lang": "en", "required_langs": ["en"], "original": {"title": "Partners", "body": body}}),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_i64().expect("id");
    let reports = get(&app, &t.proofreader, &format!("/api/v1/articles/{id}/proofreading")).await;
    assert_eq!(reports[0]["spelling_skipped"], Value::Null, "the shipped dictionary is used");
    let findings = reports[0]["findings"].as_array().expect("findings");
    let found: Vec<(&str, &str)> =
        findings.iter().filter(|f| f["field"] == "body").filter_map(|f| Some((f["kind"].as_str()?, f["found"].as_str()?))).collect();
    assert!(!found.iter().any(|(k, _)| *k == "spelling"), "directory words, people and both spellings pass: {found:?}");
    assert!(found.iter().any(|(k, f)| *k == "glued" && f.contains("Mei2024")), "a credit glued to its date: {found:?}");
}
