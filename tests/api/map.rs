use serde_json::json;

use crate::helpers::{client, seed, spawn_app};

#[tokio::test]
async fn the_public_partners_page_lists_public_partners_without_login() {
    let app = spawn_app().await;
    seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    app.client
        .post(app.url("/api/v1/institutions"))
        .bearer_auth(&token)
        .json(&json!({"name_en": "Secret Partner University", "country": "TH", "is_public": false}))
        .send()
        .await
        .expect("post");
    let anonymous = client();

    let en = anonymous.get(app.url("/partners")).send().await.expect("page");
    let status = en.status().as_u16();
    let html = en.text().await.expect("html");
    let zh = anonymous.get(app.url("/partners?lang=zh")).send().await.expect("page").text().await.expect("html");

    assert_eq!(status, 200);
    assert!(html.contains("Infrastructure University Kuala Lumpur") && html.contains("id=\"country-MY\""), "{html}");
    assert!(!html.contains("Secret Partner University"), "only partners marked public");
    assert!(!html.contains("Demo University of Technology"), "not the home institution");
    assert!(zh.contains("马来西亚"));
    assert!(html.contains("CC BY 4.0"), "the map's attribution is shown");
}

#[tokio::test]
async fn the_map_colours_countries_by_partner_count_and_revalidates_with_an_etag() {
    let app = spawn_app().await;
    seed(&app).await;
    let anonymous = client();

    let first = anonymous.get(app.url("/partners/map.svg")).send().await.expect("svg");
    let tag = first.headers()["etag"].to_str().expect("etag").to_string();
    let ctype = first.headers()["content-type"].to_str().unwrap_or("").to_string();
    let svg = first.text().await.expect("svg");
    let again = anonymous.get(app.url("/partners/map.svg")).header("if-none-match", &tag).send().await.expect("svg");

    assert!(ctype.starts_with("image/svg+xml"));
    assert!(
        svg.contains("<a href=\"/partners#country-MY\" target=\"_top\"><path id=\"MY\" class=\"c5\""),
        "Malaysia is coloured and linked"
    );
    assert!(svg.contains("<title>Malaysia: 1</title>"));
    assert!(svg.contains("<path id=\"FR\" class=\"c0\""));
    assert_eq!(again.status().as_u16(), 304);
}

#[tokio::test]
async fn staff_see_active_partners_on_their_map_linking_to_the_filtered_list() {
    let app = spawn_app().await;
    seed(&app).await;
    app.logged_in("mei", &["viewer"]).await;

    let svg = app.client.get(app.url("/institutions/map.svg")).send().await.expect("svg").text().await.expect("svg");

    assert!(svg.contains("href=\"/institutions?country=MY&amp;status=active\""), "{}", &svg[..300]);
}
