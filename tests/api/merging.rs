//! Merging moves every reference in the schema: news articles that name the duplicate
//! (their related partner and their links) follow it to the record kept, and every
//! foreign-key column that refers to institutions or people is either moved by a merge
//! or one of the merge's listed exceptions.

use std::collections::BTreeSet;

use liaison::{
    config::Engine,
    institutions::merge::{Entity, Handling},
};
use serde_json::{Value, json};

use crate::helpers::{TestApp, get, post, seed, spawn_app};

/// A new institution (forced past the duplicate check); its id.
async fn institution(app: &TestApp, token: &str, name: &str) -> i64 {
    let (s, b) = post(app, token, "/api/v1/institutions", json!({"name_en": name, "country": "MY", "force": true})).await;
    assert_eq!(s, 201, "{b}");
    b["id"].as_i64().expect("id")
}

/// A new person; their id.
async fn person(app: &TestApp, token: &str, name: &str) -> i64 {
    let (s, b) = post(app, token, "/api/v1/people", json!({"name_en": name})).await;
    assert_eq!(s, 201, "{b}");
    b["id"].as_i64().expect("id")
}

/// An article written through the news API that names `partner` as its related partner
/// and links it (and `person`); published straight in the table (the editorial chain
/// has tests of its own).
async fn article_naming(app: &TestApp, partner: i64, person: i64) -> i64 {
    let author = app.token_for_named("qin.lijuan", "Qin Lijuan", &["author"]).await;
    let body = json!({"original_lang": "en", "required_langs": ["en"], "slug": "duplicate-partner-visit",
        "original": {"title": "A delegation from the duplicate", "summary": "They came.", "body": "A delegation visited."},
        "institution_id": partner,
        "links": [{"kind": "institution", "target_id": partner}, {"kind": "person", "target_id": person}]});
    let (s, a) = post(app, &author, "/api/v1/articles", body).await;
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_i64().expect("id");
    sqlx::query("UPDATE articles SET status = 'published', published_at = '2024-05-24T02:00:00.000000Z' WHERE id = $1")
        .bind(id)
        .execute(&app.db.pool)
        .await
        .expect("publish");
    id
}

async fn page(app: &TestApp, path: &str) -> String {
    let res = app.client.get(app.url(path)).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 200, "GET {path}");
    res.text().await.expect("body")
}

fn links(article: &Value, kind: &str) -> Vec<i64> {
    let all = article["links"].as_array().cloned().unwrap_or_default();
    all.iter().filter(|l| l["kind"] == kind).filter_map(|l| l["target_id"].as_i64()).collect()
}

#[tokio::test]
async fn an_article_naming_the_duplicate_names_the_record_kept_after_the_merge() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let staff = app.token_for("office", &["staff"], None).await;
    let dup = institution(&app, &staff, "Kuala Lumpur Infrastructure Univ. (duplicate)").await;
    let (kept_person, dup_person) = (person(&app, &staff, "Lim Mei Ling").await, person(&app, &staff, "Lim M. L.").await);
    let article = article_naming(&app, dup, dup_person).await;

    let (s, report) = post(&app, &staff, &format!("/api/v1/institutions/{}/merge", ids.iukl), json!({"from": dup})).await;
    assert_eq!(s, 200, "{report}");
    let (s, report) = post(&app, &staff, &format!("/api/v1/people/{kept_person}/merge"), json!({"from": dup_person})).await;
    assert_eq!(s, 200, "{report}");

    let reviewer = app.token_for_named("lin.na", "Lin Na", &["reviewer"]).await;
    let a = get(&app, &reviewer, &format!("/api/v1/articles/{article}")).await;
    assert_eq!(a["institution_id"], ids.iukl, "the related partner moved");
    assert_eq!(links(&a, "institution"), vec![ids.iukl], "the institution link moved");
    assert_eq!(links(&a, "person"), vec![kept_person], "the person link moved");

    let public = page(&app, "/news/duplicate-partner-visit?lang=en").await;
    assert!(public.contains("Infrastructure University Kuala Lumpur"), "the page names the partner kept");
    assert!(!public.contains("(duplicate)"), "the page no longer names the duplicate");
    assert!(public.contains(&format!("partner={}", ids.iukl)), "the page links the kept partner's news");
    let kept_news = page(&app, &format!("/news?lang=en&partner={}", ids.iukl)).await;
    assert!(kept_news.contains("A delegation from the duplicate"), "the kept partner's news lists the article");
    let dup_news = page(&app, &format!("/news?lang=en&partner={dup}")).await;
    assert!(!dup_news.contains("A delegation from the duplicate"), "the duplicate's news no longer does");
}

#[tokio::test]
async fn an_article_linking_both_records_keeps_one_link_after_the_merge() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let staff = app.token_for("office", &["staff"], None).await;
    let dup = institution(&app, &staff, "IUKL (second record)").await;
    let author = app.token_for_named("qin.lijuan", "Qin Lijuan", &["author"]).await;
    let body = json!({"original_lang": "en", "required_langs": ["en"], "original": {"title": "Both", "body": "Both records."},
        "links": [{"kind": "institution", "target_id": ids.iukl}, {"kind": "institution", "target_id": dup}]});
    let (s, a) = post(&app, &author, "/api/v1/articles", body).await;
    assert_eq!(s, 201, "{a}");

    let (s, report) = post(&app, &staff, &format!("/api/v1/institutions/{}/merge", ids.iukl), json!({"from": dup})).await;
    assert_eq!(s, 200, "{report}");
    let a = get(&app, &author, &format!("/api/v1/articles/{}", a["id"])).await;
    assert_eq!(links(&a, "institution"), vec![ids.iukl], "the link the kept record already had is not doubled");
}

/// Every foreign-key column that refers to `target`, read from the catalogue.
async fn foreign_keys_to(app: &TestApp, target: &str) -> BTreeSet<String> {
    let sql = match app.db.engine {
        Engine::Sqlite => {
            "SELECT m.name || '.' || f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
             WHERE m.type = 'table' AND f.\"table\" = $1"
        }
        Engine::Postgres => {
            "SELECT kcu.table_name::text || '.' || kcu.column_name::text
             FROM information_schema.referential_constraints rc
             JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name
             JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = rc.unique_constraint_name
             WHERE ccu.table_name = $1"
        }
    };
    let rows: Vec<String> = sqlx::query_scalar(sql).bind(target).fetch_all(&app.db.pool).await.expect("foreign keys");
    rows.into_iter().collect()
}

/// Checks one entity: the merge report's moved columns and the exceptions it keeps
/// together are exactly the schema's foreign keys, and the expected ones are among them.
fn check_coverage(entity: Entity, report: &Value, schema: &BTreeSet<String>, expected: &[&str]) {
    let (exceptions, links) = entity.exceptions();
    let moved: BTreeSet<String> = report["moved"]
        .as_array()
        .expect("moved")
        .iter()
        .filter_map(|m| m["reference"].as_str())
        .filter(|m| !m.contains(' '))
        .map(str::to_string)
        .collect();
    let kept: BTreeSet<String> =
        exceptions.iter().filter(|e| e.handling == Handling::Keep).map(|e| format!("{}.{}", e.table, e.column)).collect();
    let listed: BTreeSet<String> = exceptions.iter().map(|e| format!("{}.{}", e.table, e.column)).collect();
    let covered: BTreeSet<String> = moved.union(&kept).cloned().collect();
    assert_eq!(&covered, schema, "{}: every foreign key is moved or kept on purpose", entity.name());
    assert!(listed.is_subset(schema), "{}: every exception names a foreign key of the schema: {listed:?}", entity.name());
    for e in expected {
        assert!(moved.contains(*e), "{}: {e} moves", entity.name());
    }
    for l in links {
        let name = format!("{}.{} ({})", l.table, l.column, l.kind.1);
        assert!(report["moved"].as_array().expect("moved").iter().any(|m| m["reference"] == name.as_str()), "{name} moves");
    }
}

#[tokio::test]
async fn every_foreign_key_to_institutions_and_people_is_moved_or_an_exception() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let staff = app.token_for("office", &["staff"], None).await;
    let dup = institution(&app, &staff, "Duplicate of IUKL").await;
    let (_, report) = post(&app, &staff, &format!("/api/v1/institutions/{}/merge", ids.iukl), json!({"from": dup})).await;
    let expected = [
        "articles.institution_id",
        "units.institution_id",
        "people.institution_id",
        "positions.institution_id",
        "visit_institutions.institution_id",
        "agreement_parties.institution_id",
        "mobilities.partner_institution_id",
        "mobility_counts.partner_institution_id",
    ];
    check_coverage(Entity::Institution, &report, &foreign_keys_to(&app, "institutions").await, &expected);

    let (a, b) = (person(&app, &staff, "Lim Mei Ling").await, person(&app, &staff, "Lim M. L.").await);
    let (_, report) = post(&app, &staff, &format!("/api/v1/people/{a}/merge"), json!({"from": b})).await;
    let expected = ["positions.person_id", "visit_members.person_id", "mobilities.person_id", "trip_travellers.person_id"];
    check_coverage(Entity::Person, &report, &foreign_keys_to(&app, "people").await, &expected);
}
