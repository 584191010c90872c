//! Everyday work in the browser, through the pages' forms: the home page's counts equal
//! what their links list, edit pages change records with the API's checks and history,
//! several delegation members in one step (all or none), institution suggestions and a
//! directory entry made a partner on save, related records, and refused forms' addresses
//! that reload.

use crate::helpers::{TestApp, seed, spawn_app};

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

/// A new visit made through the form; its page's path.
async fn new_visit(app: &TestApp, csrf: &str, title: &str, fields: &[(&str, &str)]) -> String {
    let mut all = vec![("direction", "inbound"), ("title", title), ("start_date", "2030-03-04"), ("end_date", "2030-03-05")];
    all.extend_from_slice(fields);
    let (status, location, body) = form(app, "/visits/new", csrf, &all).await;
    assert_eq!(status, 303, "the visit is saved: {body}");
    location
}

#[tokio::test]
async fn the_home_page_counts_what_its_links_list_with_plurals() {
    let app = spawn_app().await;
    seed(&app).await;
    app.logged_in("office", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/visits/new").await;
    for title in ["First planned visit", "Second planned visit"] {
        new_visit(&app, &csrf, title, &[("institution", "IUKL")]).await;
    }

    let (status, home) = page(&app, "/").await;
    assert_eq!(status, 200);
    assert!(home.contains("<span class=\"n\">2</span> <span>planned visits</span>"), "plural: {home}");
    assert!(home.contains("href=\"/visits?status=planned\""), "the tile links to the list it counts");
    assert!(home.contains("<span>active partner</span>"), "singular for one");
    let (_, list) = page(&app, "/visits?status=planned").await;
    assert!(list.contains("2 visits"), "the list shows as many as the tile counts");
    assert!(list.contains("First planned visit") && list.contains("Second planned visit"));

    let (_, zh) = page(&app, "/?lang=zh").await;
    assert!(zh.contains("<span class=\"n\">2</span> <span>项计划中的访问</span>"), "Chinese has one plural form");
}

#[tokio::test]
async fn a_visit_is_edited_on_its_page_with_the_apis_checks_and_history() {
    let app = spawn_app().await;
    seed(&app).await;
    app.logged_in("office", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/visits/new").await;
    let path = new_visit(&app, &csrf, "A visit to correct", &[("institution", "IUKL")]).await;

    let (status, edit) = page(&app, &format!("{path}/edit")).await;
    assert_eq!(status, 200);
    assert!(edit.contains("value=\"A visit to correct\""), "the form is filled with the record");

    let bad = [
        ("title", "Corrected"),
        ("start_date", "2030-03-09"),
        ("end_date", "2030-03-01"),
        ("time_zone", "Asia/Shanghai"),
        ("head_count", "x"),
    ];
    let (status, _, body) = form(&app, &format!("{path}/edit"), &csrf, &bad).await;
    assert_eq!(status, 422);
    assert!(body.contains("Give the head count as a whole number"), "a message a person can act on");
    assert!(body.contains("value=\"Corrected\""), "the input is kept");
    let (_, unchanged) = page(&app, &path).await;
    assert!(unchanged.contains("A visit to correct"), "nothing is saved");

    let good = [
        ("title", "Corrected"),
        ("start_date", "2030-03-04"),
        ("end_date", "2030-03-06"),
        ("time_zone", "Asia/Shanghai"),
        ("head_count", "2"),
    ];
    let (status, location, _) = form(&app, &format!("{path}/edit"), &csrf, &good).await;
    assert_eq!((status, location.as_str()), (303, path.as_str()));
    let (_, after) = page(&app, &path).await;
    assert!(after.contains("<h1>Corrected</h1>") && after.contains("2030-03-06"));
    assert!(after.contains("<td>Title</td>"), "the history names the field as a person reads it");
}

#[tokio::test]
async fn several_new_members_join_in_one_step_or_none_do() {
    let app = spawn_app().await;
    seed(&app).await;
    app.logged_in("office", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/visits/new").await;
    let path = new_visit(&app, &csrf, "Delegation", &[("institution", "IUKL")]).await;
    let people_before = app.count("people").await;

    // The second row has a title but no name: nothing at all is saved.
    let partial = [("new_name_0", "Lim Wei Ming"), ("new_title_0", "Dean"), ("new_role_0", "leader"), ("new_title_1", "Lecturer")];
    let (status, _, body) = form(&app, &format!("{path}/members"), &csrf, &partial).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("new member") && body.contains("Latin letters"),
        "the row's problem is named: {}",
        body.split("role=\"alert\"").nth(1).unwrap_or("").chars().take(400).collect::<String>()
    );
    assert_eq!(app.count("people").await, people_before, "no one was recorded");

    let three = [
        ("new_name_0", "Lim Wei Ming"),
        ("new_title_0", "Dean"),
        ("new_role_0", "leader"),
        ("new_name_1", "Nur Aisyah"),
        ("new_name_2", "Tan Mei Ling"),
        ("new_name_zh_2", "陈美玲"),
    ];
    let (status, location, _) = form(&app, &format!("{path}/members"), &csrf, &three).await;
    assert_eq!(status, 303);
    assert!(location.starts_with(&path));
    assert_eq!(app.count("people").await, people_before + 3);
    let (_, visit) = page(&app, &path).await;
    for name in ["Lim Wei Ming", "Nur Aisyah", "Tan Mei Ling"] {
        assert!(visit.contains(name), "{name} is in the delegation");
    }
    assert!(
        visit.contains("Lim Wei Ming</a> — leader<span class=\"muted\">, Dean</span>"),
        "the title is recorded at the visit's institution"
    );

    // Removing a member is one click.
    let tan: i64 = sqlx::query_scalar("SELECT id FROM people WHERE name_en = 'Tan Mei Ling'").fetch_one(&app.db.pool).await.expect("id");
    let (status, _, _) = form(&app, &format!("{path}/members/{tan}/delete"), &csrf, &[]).await;
    assert_eq!(status, 303);
    let (_, visit) = page(&app, &path).await;
    assert!(!visit.contains("Tan Mei Ling</a>"), "removed");
}

#[tokio::test]
async fn a_directory_entry_picked_from_the_suggestions_becomes_a_partner_when_the_visit_is_saved() {
    let app = spawn_app().await;
    seed(&app).await;
    app.logged_in("office", &["staff"]).await;

    let (status, suggestions) = page(&app, "/suggest/institutions?q=Tunku%20Abdul%20Rahman").await;
    assert_eq!(status, 200);
    assert!(suggestions.contains("data-domain=\"1utar.my\"") && suggestions.contains("Malaysia"), "{suggestions}");
    let (_, toronto) = page(&app, "/suggest/institutions?q=toronto").await;
    let first = toronto.split("<strong>").nth(1).and_then(|s| s.split("</strong>").next()).unwrap_or_default();
    assert_eq!(first, "University of Toronto", "the university itself first: {toronto}");
    let (_, partners_first) = page(&app, "/suggest/institutions?q=IUKL").await;
    assert!(partners_first.contains("data-domain=\"\""), "a partner is offered as a partner");

    let csrf = app.csrf_from(&app.client, "/visits/new").await;
    let before = app.count("institutions").await;
    let path = new_visit(
        &app,
        &csrf,
        "Delegation from UTAR",
        &[("institution", "Universiti Tunku Abdul Rahman"), ("institution_domain", "1utar.my")],
    )
    .await;
    assert_eq!(app.count("institutions").await, before + 1, "the entry is now a partner");
    let (_, visit) = page(&app, &path).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM institutions WHERE name_en = 'Universiti Tunku Abdul Rahman'")
        .fetch_one(&app.db.pool)
        .await
        .expect("promoted");
    assert!(visit.contains(&format!("href=\"/institutions/{id}\"")));

    // Its page lists the visit among its related records.
    let (status, related) = page(&app, &format!("/institutions/{id}/related")).await;
    assert_eq!(status, 200);
    assert!(related.contains("Delegation from UTAR") && related.contains(&format!("href=\"{path}\"")), "{related}");
}

#[tokio::test]
async fn a_refused_forms_address_leads_back_to_its_page() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("office", &["staff"]).await;
    let res = app.client.get(app.url(&format!("/visits/{}/sessions", ids.visit))).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers().get("location").and_then(|l| l.to_str().ok()), Some(format!("/visits/{}", ids.visit).as_str()));
    let api = app.client.get(app.url("/api/v1/visits/1/status")).send().await.expect("get");
    assert_eq!(api.status().as_u16(), 405, "the API still answers 405");
}
