//! Walks every route of the application with every role and asserts the policy.
//! The expected matrix is written out here on purpose: changing the app's policy
//! must be a deliberate change to this table too.

use crate::helpers::{client, seed, spawn_app};

const ROLES: [&str; 10] =
    ["admin", "staff", "coordinator", "author", "translator", "photographer", "proofreader", "reviewer", "viewer", "student"];

fn expected_allowed(role: &str, permission: &str) -> bool {
    // A student holds one permission, to apply: every staff page and API route refuses
    // them; they reach their own applications and the routes open to any signed-in user.
    if role == "student" {
        return permission == "apply";
    }
    match permission {
        "view_records" => true,
        "edit_partners" => matches!(role, "admin" | "staff"),
        "edit_units" | "view_audit" => matches!(role, "admin" | "staff" | "coordinator"),
        "manage_users" => role == "admin",
        "book_rooms" => matches!(role, "admin" | "staff" | "coordinator"),
        "manage_rooms" | "edit_visits" | "edit_agreements" => matches!(role, "admin" | "staff"),
        "request_trips" | "edit_mobilities" => matches!(role, "admin" | "staff" | "coordinator"),
        "apply" => role == "admin",
        "manage_applications" => matches!(role, "admin" | "staff"),
        "edit_news" => matches!(role, "admin" | "staff" | "author" | "translator" | "photographer" | "proofreader" | "reviewer"),
        other => panic!("the test's matrix does not know permission '{other}': add it"),
    }
}

fn concrete(method: &reqwest::Method, path: &str, id: i64, unit: i64, spare_unit: i64) -> String {
    // Renames go to the coordinator's own unit; deletes to a throwaway one.
    let unit = if method == reqwest::Method::DELETE { spare_unit } else { unit };
    path.replace("/api/v1/units/{id}", &format!("/api/v1/units/{unit}")).replace("{id}", &id.to_string()).replace("{file}", "app.css")
}

#[tokio::test]
async fn every_route_answers_each_role_as_the_policy_says() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let unit: i64 = sqlx::query_scalar("SELECT id FROM units WHERE institution_id = $1 ORDER BY id")
        .bind(ids.home)
        .fetch_one(&app.db.pool)
        .await
        .expect("unit");
    let mut tokens = Vec::new();
    for role in ROLES {
        tokens.push((role, app.token_for(&format!("u-{role}"), &[role], (role == "coordinator").then_some(unit)).await));
    }
    let admin_token = &tokens[0].1;
    let routes: Vec<serde_json::Value> =
        app.client.get(app.url("/api/v1/meta/routes")).bearer_auth(admin_token).send().await.expect("routes").json().await.expect("json");
    assert!(routes.len() > 20, "route table looks incomplete: {}", routes.len());
    let http = client();
    let mut checked = 0;
    for route in &routes {
        let method: reqwest::Method = route["method"].as_str().unwrap_or("GET").parse().expect("method");
        let path = route["path"].as_str().unwrap_or_default();
        let access = &route["access"];
        for (role, token) in &tokens {
            // A throwaway institution per request so deletes by allowed roles do not
            // change what the next role sees.
            let target = sqlx::query_scalar::<_, i64>(
                "INSERT INTO institutions (name_en, country, created_at, updated_at) VALUES ('Walk', 'MY', 'x', 'x') RETURNING id",
            )
            .fetch_one(&app.db.pool)
            .await
            .expect("target");
            let spare: i64 =
                sqlx::query_scalar("INSERT INTO units (institution_id, created_at, updated_at) VALUES ($1, 'x', 'x') RETURNING id")
                    .bind(target)
                    .fetch_one(&app.db.pool)
                    .await
                    .expect("spare unit");
            let url = app.url(&concrete(&method, path, target, unit, spare));
            let res = http
                .request(method.clone(), &url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .expect("request");
            let status = res.status().as_u16();
            let allowed = match access["kind"].as_str() {
                Some("public") | Some("authenticated") => true,
                Some("permission") => expected_allowed(role, access["permission"].as_str().unwrap_or("")),
                other => panic!("unknown access kind {other:?}"),
            };
            if allowed {
                assert!(status != 403 && status != 401, "{role} should be allowed {method} {path}, got {status}");
            } else {
                assert_eq!(status, 403, "{role} should be denied {method} {path}");
            }
            checked += 1;
        }
        // Anonymous callers: API → 401, pages → redirect to login.
        if access["kind"] != "public" {
            let res =
                http.request(method.clone(), app.url(&concrete(&method, path, ids.iukl, unit, unit))).send().await.expect("anonymous");
            let status = res.status().as_u16();
            if path.starts_with("/api/") {
                assert_eq!(status, 401, "anonymous {method} {path}");
            } else if method == reqwest::Method::GET {
                assert_eq!(status, 303, "anonymous {method} {path}");
            } else {
                assert!(status == 403 || status == 303, "anonymous {method} {path}: {status}");
            }
        }
    }
    assert_eq!(checked, routes.len() * ROLES.len());
}

#[tokio::test]
async fn a_coordinator_may_rename_only_their_own_unit() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let units: Vec<i64> = sqlx::query_scalar("SELECT id FROM units WHERE institution_id = $1 ORDER BY id")
        .bind(ids.home)
        .fetch_all(&app.db.pool)
        .await
        .expect("units");
    let token = app.token_for("coord", &["coordinator"], Some(units[0])).await;
    let body = serde_json::json!({"names": [{"lang": "en", "name": "Human Resources Office", "primary": true}]});

    let own = app.client.patch(app.url(&format!("/api/v1/units/{}", units[0]))).bearer_auth(&token).json(&body).send().await.expect("own");
    let other =
        app.client.patch(app.url(&format!("/api/v1/units/{}", units[1]))).bearer_auth(&token).json(&body).send().await.expect("other");

    assert_eq!(own.status().as_u16(), 204);
    assert_eq!(other.status().as_u16(), 403);
    let problem: serde_json::Value = other.json().await.expect("json");
    assert!(problem["detail"].as_str().unwrap_or("").contains("only the unit they coordinate"));
}
