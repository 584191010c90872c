//! The applications' pages: a student applies from the call's page, saves the form (a
//! bad GPA re-renders with the message in Chinese and the input kept), submits; the
//! office's list, the review page's score form and the call actions.

use crate::{
    applications::{close, open_call},
    helpers::{extract_csrf, get},
};

#[tokio::test]
async fn a_student_applies_and_submits_through_the_pages_in_chinese() {
    let (app, staff, call, partners) = open_call().await;
    app.logged_in("wang.fang", &["student"]).await;
    let csrf = app.csrf_from(&app.client, &format!("/calls/{call}")).await;
    app.client.post(app.url("/settings/language")).form(&[("_csrf", csrf.as_str()), ("lang", "zh")]).send().await.expect("lang");
    let page = app.client.get(app.url(&format!("/calls/{call}"))).send().await.expect("call").text().await.expect("html");
    assert!(page.contains("id=\"apply\"") && page.contains("申请"), "the apply button in Chinese");
    let res = app.client.post(app.url(&format!("/calls/{call}/apply"))).form(&[("_csrf", csrf.as_str())]).send().await.expect("apply");
    assert_eq!(res.status().as_u16(), 303);
    let to = res.headers()["location"].to_str().expect("location").to_string();
    assert!(to.starts_with("/my/applications/"), "{to}");
    let html = app.client.get(app.url(&to)).send().await.expect("form").text().await.expect("html");
    assert!(html.contains("提交前尚缺") && html.contains("成绩单"), "what is missing, in Chinese");
    let p = partners[0].to_string();
    let form = |gpa: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("choice_1", p.clone()),
            ("level", "undergraduate".into()),
            ("gpa", gpa.into()),
            ("student_number", "2021009".into()),
            ("faculty", "School of Foreign Studies".into()),
            ("motivation", "想去 IUKL 学习。".into()),
        ]
    };
    let bad = app.client.post(app.url(&to)).form(&form("9.9")).send().await.expect("save");
    assert_eq!(bad.status().as_u16(), 200, "the form again");
    let bad = bad.text().await.expect("html");
    assert!(bad.contains("不是有效绩点") && bad.contains("2021009"), "message in Chinese, input kept");
    let ok = app.client.post(app.url(&to)).form(&form("3.7")).send().await.expect("save");
    assert_eq!(ok.headers()["location"].to_str().ok(), Some(format!("{to}?saved=1").as_str()));
    let id: i64 = to.rsplit('/').next().and_then(|s| s.parse().ok()).expect("id");
    let api = get(&app, &staff, &format!("/api/v1/applications/{id}")).await;
    assert_eq!((api["gpa_x100"].as_i64(), api["choices"][0]["call_partner_id"].as_i64()), (Some(370), Some(partners[0])));
    let refused = app
        .client
        .post(app.url(&format!("{to}/steps")))
        .form(&[("_csrf", csrf.as_str()), ("action", "submit")])
        .send()
        .await
        .expect("step");
    assert_eq!(refused.status().as_u16(), 200, "the transcript is missing: the page again");
    let list = app.client.get(app.url("/my/applications")).send().await.expect("list").text().await.expect("html");
    assert!(list.contains("草稿") && list.contains("IUKL"), "the student's list");
    close(&app, call).await;
    let closed = app.client.get(app.url(&to)).send().await.expect("page").text().await.expect("html");
    assert!(!closed.contains("id=\"application-form\""), "no form after the deadline");
}

#[tokio::test]
async fn the_office_lists_reviews_and_acts_on_a_call_through_the_pages() {
    let (app, _staff, call, _) = open_call().await;
    app.logged_in("office.page", &["staff"]).await;
    let html = app.client.get(app.url(&format!("/calls/{call}/applications"))).send().await.expect("list").text().await.expect("html");
    assert!(html.contains("id=\"call-actions\"") && html.contains("/partner/review/"), "actions and partner links");
    let csrf = extract_csrf(&html);
    let res = app
        .client
        .post(app.url(&format!("/calls/{call}/actions")))
        .form(&[("_csrf", csrf.as_str()), ("action", "allocate")])
        .send()
        .await
        .expect("act");
    assert_eq!(res.status().as_u16(), 200, "still open: the page with the reason");
    assert!(res.text().await.expect("html").contains("still open"));
    close(&app, call).await;
    let res = app
        .client
        .post(app.url(&format!("/calls/{call}/actions")))
        .form(&[("_csrf", csrf.as_str()), ("action", "allocate")])
        .send()
        .await
        .expect("act");
    assert_eq!(res.status().as_u16(), 303);
    let filtered = app.client.get(app.url(&format!("/calls/{call}/applications?status=nonsense"))).send().await.expect("bad filter");
    assert_eq!(filtered.status().as_u16(), 422);
}

#[tokio::test]
async fn the_office_opens_a_call_from_the_form_with_places_from_the_quota() {
    let (app, staff, _call, _) = open_call().await;
    app.logged_in("office.form", &["staff"]).await;
    let html = app.client.get(app.url("/calls/new")).send().await.expect("form").text().await.expect("html");
    let csrf = extract_csrf(&html);
    let programme =
        html.split("name=\"programme_id\"><option value=\"").nth(1).and_then(|s| s.split('"').next()).expect("a programme").to_string();
    let mut form = vec![
        ("_csrf", csrf.clone()),
        ("programme_id", programme),
        ("academic_year", "2025-2026".to_string()),
        ("direction", "outbound".to_string()),
        ("title_en", "Spring exchange".to_string()),
        ("opens_at", "2025-03-01T09:00".to_string()),
        ("closes_at", "2025-02-01T09:00".to_string()),
        ("mobility_start", "2025-09-01".to_string()),
        ("mobility_end", "2026-01-31".to_string()),
        ("required_documents", "transcript".to_string()),
    ];
    let bad = app.client.post(app.url("/calls/new")).form(&form).send().await.expect("post");
    assert_eq!(bad.status().as_u16(), 200);
    let bad = bad.text().await.expect("html");
    assert!(bad.contains("The call closes before it opens") && bad.contains("Spring exchange"), "the message, the input kept");
    form[6].1 = "2025-03-15T17:00".to_string();
    let ok = app.client.post(app.url("/calls/new")).form(&form).send().await.expect("post");
    assert_eq!(ok.status().as_u16(), 303);
    let to = ok.headers()["location"].to_str().expect("location").to_string();
    let id: i64 = to.trim_start_matches("/calls/").trim_end_matches("/applications").parse().expect("id");
    let call = get(&app, &staff, &format!("/api/v1/calls/{id}")).await;
    assert_eq!((call["closes_at"].as_str(), call["partners"][0]["places"].as_i64()), (Some("2025-03-15T09:00:00.000000Z"), Some(2)));
    assert_eq!(call["required_documents"], serde_json::json!(["transcript"]));
}
