use serde_json::{Value, json};

use crate::helpers::{seed, spawn_app};

#[tokio::test]
async fn match_returns_ranked_candidates_and_chooses_only_when_safe() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let m = |q: &str| {
        let url = app.url(&format!("/api/v1/match?q={}", liaison::web::routes::urlencode(q)));
        let req = app.client.get(url).bearer_auth(&token);
        async move { req.send().await.expect("match").json::<Value>().await.expect("json") }
    };

    let acronym = m("IUKL").await;
    let email = m("chen@s.iukl.edu.my").await;
    let typo = m("Infrastructure Univeristy Kuala Lumpur").await;
    let tsinghua = m("清华大学").await;
    let nothing = m("Northern Lights Culinary Academy of Atlantis").await;
    let vague = m("University").await;

    assert_eq!(acronym["chosen"]["institution_id"], ids.iukl, "{acronym}");
    assert_eq!(acronym["chosen"]["source"], "partner");
    assert_eq!(email["chosen"]["institution_id"], ids.iukl, "{email}");
    assert_eq!(email["chosen"]["matched_on"], "domain");
    assert_eq!(typo["chosen"]["institution_id"], ids.iukl, "{typo}");
    assert_eq!(tsinghua["chosen"]["source"], "directory", "{tsinghua}");
    assert!(tsinghua["chosen"]["name"].as_str().unwrap_or("").contains("Tsinghua"));
    assert!(nothing["chosen"].is_null(), "{nothing}");
    assert!(vague["chosen"].is_null(), "{vague}");
    assert!(vague["candidates"].as_array().is_some_and(|c| !c.is_empty()), "still ranked candidates");
}

#[tokio::test]
async fn a_directory_entry_is_promoted_once_and_then_shows_as_a_partner() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;

    let first = app.client.post(app.url("/api/v1/directory/um.edu.my/promote")).bearer_auth(&token).send().await.expect("promote");
    let status = first.status().as_u16();
    let inst: Value = first.json().await.expect("json");
    let second = app.client.post(app.url("/api/v1/directory/um.edu.my/promote")).bearer_auth(&token).send().await.expect("promote");
    let listed: Value =
        app.client.get(app.url("/api/v1/directory?q=um.edu.my")).bearer_auth(&token).send().await.expect("dir").json().await.expect("json");
    let unknown = app.client.post(app.url("/api/v1/directory/nowhere.invalid/promote")).bearer_auth(&token).send().await.expect("promote");

    assert_eq!(status, 201, "{inst}");
    assert_eq!(inst["country"], "MY");
    assert_eq!(inst["schac_code"], "um.edu.my");
    assert_eq!(inst["directory_domain"], "um.edu.my");
    assert_eq!(inst["partnership_status"], "prospective");
    assert_eq!(second.status().as_u16(), 409, "nothing is copied twice");
    assert_eq!(listed["items"][0]["institution_id"], inst["id"]);
    assert_eq!(unknown.status().as_u16(), 404);
}

#[tokio::test]
async fn the_directory_is_listed_by_country_and_searched_by_messy_names() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["viewer"], None).await;

    let my: Value = app
        .client
        .get(app.url("/api/v1/directory?country=MY&per_page=5"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("dir")
        .json()
        .await
        .expect("json");
    let search: Value = app
        .client
        .get(app.url("/api/v1/directory?q=Infrastructure%20Univ.%20KL"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("dir")
        .json()
        .await
        .expect("json");

    assert!(my["total"].as_i64().unwrap_or(0) > 20, "{}", my["total"]);
    assert!(my["items"].as_array().expect("items").iter().all(|i| i["country"] == "MY"));
    // The directory records IUKL only as "Infrastructure University": it must still rank
    // near the top for the abbreviated full name.
    let top3: Vec<&str> = search["items"].as_array().expect("items").iter().take(3).map(|i| i["domain"].as_str().unwrap_or("")).collect();
    assert!(top3.contains(&"iukl.edu.my"), "{search}");
}

#[tokio::test]
async fn country_codes_are_checked_against_cldr_and_names_are_accepted() {
    let app = spawn_app().await;
    let token = app.token_for("office", &["staff"], None).await;

    let bad: Value = app
        .client
        .post(app.url("/api/v1/institutions"))
        .bearer_auth(&token)
        .json(&json!({"name_en": "Atlantis University", "country": "QQ"}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let by_name: Value = app
        .client
        .post(app.url("/api/v1/institutions"))
        .bearer_auth(&token)
        .json(&json!({"name_en": "Universiti Sains Malaysia", "country": "马来西亚"}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");

    assert_eq!(bad["errors"][0]["field"], "country");
    assert_eq!(by_name["country"], "MY");
}

#[tokio::test]
async fn the_directory_page_promotes_with_one_click_and_shows_names_in_chinese() {
    let app = spawn_app().await;
    app.logged_in("mei", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/directory").await;

    let page = app.client.get(app.url("/directory?q=iukl")).send().await.expect("page").text().await.expect("html");
    let promoted =
        app.client.post(app.url("/directory/iukl.edu.my/promote")).form(&[("_csrf", csrf.as_str())]).send().await.expect("promote");
    let again = app.client.post(app.url("/directory/iukl.edu.my/promote")).form(&[("_csrf", csrf.as_str())]).send().await.expect("promote");

    assert!(page.contains("iukl.edu.my") && page.contains("Malaysia"), "{page}");
    assert_eq!(promoted.status().as_u16(), 303);
    assert_eq!(again.status().as_u16(), 409);
    assert!(again.text().await.expect("html").contains("already partner"));
}
