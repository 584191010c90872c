//! Tests of the agreements module: parties and areas, the dated status walk, renewal
//! chains, signatories, documents (sniffed, versioned, size-limited, never orphaned) and
//! the agreement pages.

use serde_json::{Value, json};

use crate::helpers::{TestApp, get, post, seed, send, spawn_app};

const LIMIT: usize = 25 * 1024 * 1024;

async fn person(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM people WHERE name_en = $1").bind(name).fetch_one(&app.db.pool).await.expect("person")
}

fn mou(home: i64, iukl: i64) -> Value {
    json!({
        "kind": "mou", "title": "Memorandum of understanding with IUKL",
        "parties": [{"institution_id": home}, {"institution_id": iukl}],
        "areas": ["joint_education", "degree_progression"],
        "effective_date": "2024-06-01", "expiry_date": "2029-05-31", "notice_days": 90, "auto_renew": true
    })
}

/// Arranges the seed and an office token; creates the seed MoU; returns (token, ids, agreement id).
async fn with_mou(app: &TestApp) -> (String, liaison::seed::SeedIds, i64) {
    let ids = seed(app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let (status, a) = post(app, &token, "/api/v1/agreements", mou(ids.home, ids.iukl)).await;
    assert_eq!(status, 201, "{a}");
    (token, ids, a["id"].as_i64().expect("id"))
}

/// A small, well-formed PDF.
fn pdf(text: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n\
         3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\n% {text}\ntrailer <</Root 1 0 R>>\n%%EOF\n"
    )
    .into_bytes()
}

async fn upload(app: &TestApp, token: &str, id: i64, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    crate::helpers::post_bytes(app, token, &format!("/api/v1/agreements/{id}/documents?name={name}"), "application/octet-stream", bytes)
        .await
}

/// Every file under the data directory's file store.
fn stored_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() { walk(&p, out) } else { out.push(p) }
        }
    }
    let mut out = Vec::new();
    walk(&app.test_db.dir.join("files"), &mut out);
    out
}

#[tokio::test]
async fn an_agreement_is_created_with_its_parties_and_areas() {
    let app = spawn_app().await;
    let (token, ids, id) = with_mou(&app).await;

    let a = get(&app, &token, &format!("/api/v1/agreements/{id}")).await;

    assert_eq!(a["status"], "draft");
    assert_eq!(a["kind"], "mou");
    let parties: Vec<i64> = a["parties"].as_array().expect("parties").iter().filter_map(|p| p["institution_id"].as_i64()).collect();
    assert_eq!(parties, [ids.home, ids.iukl], "home first");
    assert_eq!(a["areas"], json!(["joint_education", "degree_progression"]));
    assert_eq!((a["notice_days"].as_i64(), a["auto_renew"].as_bool()), (Some(90), Some(true)));
    assert_eq!(a["status_history"].as_array().expect("history").len(), 1);
    let list = get(&app, &token, &format!("/api/v1/agreements?institution_id={}&area=degree_progression&status=draft", ids.iukl)).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["partners"], "IUKL");
    // The seed's demo MoU (in effect) covers every area; this one is the only draft.
    let none = get(&app, &token, "/api/v1/agreements?area=collaborative_research&status=draft").await;
    assert_eq!(none["total"], 0);
    let expiring = get(&app, &token, "/api/v1/agreements?expiring_before=2029-12-31&status=draft&kind=mou").await;
    assert_eq!((expiring["total"].as_i64(), expiring["page"].as_i64(), expiring["per_page"].as_i64()), (Some(1), Some(1), Some(50)));
}

#[tokio::test]
async fn the_status_walks_one_dated_step_at_a_time() {
    let app = spawn_app().await;
    let (token, _, id) = with_mou(&app).await;
    let path = format!("/api/v1/agreements/{id}/status");

    let (status, skip) = post(&app, &token, &path, json!({"status": "signed", "on_date": "2024-05-08"})).await;
    assert_eq!(status, 422, "draft cannot jump to signed: {skip}");
    assert!(skip["errors"][0]["message"].as_str().expect("message").contains("negotiation"), "{skip}");
    for (s, on) in [("negotiation", "2024-04-01"), ("signed", "2024-05-08"), ("in_effect", "2024-06-01"), ("expired", "2029-05-31")] {
        let (status, body) = post(&app, &token, &path, json!({"status": s, "on_date": on, "note": format!("to {s}")})).await;
        assert_eq!(status, 200, "{s}: {body}");
    }
    let (status, _) = post(&app, &token, &path, json!({"status": "terminated"})).await;
    assert_eq!(status, 422, "expired is final");

    let a = get(&app, &token, &format!("/api/v1/agreements/{id}")).await;
    assert_eq!(a["status"], "expired");
    assert_eq!(a["signed_date"], "2024-05-08", "signing fills the signed date");
    let steps: Vec<(String, String)> = a["status_history"]
        .as_array()
        .expect("history")
        .iter()
        .skip(1)
        .map(|e| (e["status"].as_str().unwrap_or("").to_string(), e["on_date"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(
        steps,
        [("negotiation", "2024-04-01"), ("signed", "2024-05-08"), ("in_effect", "2024-06-01"), ("expired", "2029-05-31")]
            .map(|(s, d)| (s.to_string(), d.to_string()))
    );
}

#[tokio::test]
async fn bad_agreements_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let before = app.count("agreements").await;
    let parties_before = app.count("agreement_parties").await;

    let mut backwards = mou(ids.home, ids.iukl);
    backwards["effective_date"] = json!("2025-01-01");
    backwards["expiry_date"] = json!("2024-12-31");
    let (s1, b1) = post(&app, &token, "/api/v1/agreements", backwards).await;
    let mut stranger = mou(ids.home, 999_999);
    stranger["title"] = json!("With nobody");
    let (s2, b2) = post(&app, &token, "/api/v1/agreements", stranger).await;
    let mut alone = mou(ids.home, ids.iukl);
    alone["parties"] = json!([{"institution_id": ids.home}]);
    let (s3, b3) = post(&app, &token, "/api/v1/agreements", alone).await;

    assert_eq!((s1, b1["errors"][0]["field"].as_str()), (422, Some("expiry_date")), "{b1}");
    assert_eq!((s2, b2["errors"][0]["field"].as_str()), (422, Some("parties[1].institution_id")), "{b2}");
    assert_eq!((s3, b3["errors"][0]["field"].as_str()), (422, Some("parties")), "{b3}");
    assert_eq!(app.count("agreements").await, before);
    assert_eq!(app.count("agreement_parties").await, parties_before);
}

#[tokio::test]
async fn a_merged_institution_cannot_be_a_party() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let (status, dup) =
        post(&app, &token, "/api/v1/institutions", json!({"name_en": "Zeta Polytechnic of Nowhere", "country": "MY", "force": true})).await;
    assert_eq!(status, 201, "{dup}");
    let dup_id = dup["id"].as_i64().expect("id");
    sqlx::query("UPDATE institutions SET merged_into = $1 WHERE id = $2")
        .bind(ids.iukl)
        .bind(dup_id)
        .execute(&app.db.pool)
        .await
        .expect("merge");

    let before = app.count("agreements").await;
    let (status, body) = post(&app, &token, "/api/v1/agreements", mou(ids.home, dup_id)).await;

    assert_eq!(status, 422, "{body}");
    assert!(body["errors"][0]["message"].as_str().expect("message").contains("merged"), "{body}");
    assert_eq!(app.count("agreements").await, before);
}

#[tokio::test]
async fn renewal_links_both_ways_and_happens_once() {
    let app = spawn_app().await;
    let (token, ids, id) = with_mou(&app).await;

    let (status, next) =
        post(&app, &token, &format!("/api/v1/agreements/{id}/renew"), json!({"effective_date": "2029-06-01", "expiry_date": "2034-05-31"}))
            .await;
    assert_eq!(status, 201, "{next}");
    let (again, _) =
        post(&app, &token, &format!("/api/v1/agreements/{id}/renew"), json!({"effective_date": "2029-06-01", "expiry_date": "2034-05-31"}))
            .await;

    assert_eq!(again, 409, "an agreement has one successor");
    let next_id = next["id"].as_i64().expect("id");
    assert_eq!(next["kind"], "mou");
    assert_eq!(next["areas"], json!(["joint_education", "degree_progression"]));
    assert_eq!(next["parties"].as_array().expect("parties").len(), 2);
    assert_eq!(next["parties"][1]["institution_id"], ids.iukl);
    assert_eq!(next["predecessors"][0]["id"], id);
    let old = get(&app, &token, &format!("/api/v1/agreements/{id}")).await;
    assert_eq!(old["successors"][0]["id"], next_id);
    let (bad, _) = post(
        &app,
        &token,
        &format!("/api/v1/agreements/{next_id}/renew"),
        json!({"effective_date": "2035-01-01", "expiry_date": "2034-01-01"}),
    )
    .await;
    assert_eq!(bad, 422);
}

#[tokio::test]
async fn a_signatory_position_defaults_to_their_current_title() {
    let app = spawn_app().await;
    let (token, _, id) = with_mou(&app).await;
    let chen = person(&app, "Chen Zhihui").await;
    let ma = person(&app, "Ma Shaojian").await;

    let (s1, chen_sig) = post(&app, &token, &format!("/api/v1/agreements/{id}/signatories"), json!({"person_id": chen})).await;
    let (s2, ma_sig) = post(
        &app,
        &token,
        &format!("/api/v1/agreements/{id}/signatories"),
        json!({"person_id": ma, "position_title": "President (acting)", "signed_date": "2024-05-08"}),
    )
    .await;

    assert_eq!((s1, s2), (201, 201), "{chen_sig} {ma_sig}");
    assert_eq!(chen_sig["position_title"], "Vice President");
    assert_eq!(ma_sig["position_title"], "President (acting)");
    assert_eq!(ma_sig["signed_date"], "2024-05-08");
    let a = get(&app, &token, &format!("/api/v1/agreements/{id}")).await;
    assert_eq!(a["signatories"].as_array().expect("signatories").len(), 2);
}

#[tokio::test]
async fn a_pdf_is_stored_downloaded_identically_and_versioned_by_name() {
    let app = spawn_app().await;
    let (token, _, id) = with_mou(&app).await;
    let first = pdf("first draft");

    let (s1, d1) = upload(&app, &token, id, "mou-iukl.pdf", first.clone()).await;
    let (s2, d2) = upload(&app, &token, id, "mou-iukl.pdf", pdf("signed copy")).await;

    assert_eq!((s1, s2), (201, 201), "{d1} {d2}");
    assert_eq!((d1["version"].as_i64(), d2["version"].as_i64()), (Some(1), Some(2)));
    assert_eq!(d1["content_type"], "application/pdf");
    let res = app
        .client
        .get(app.url(&format!("/api/v1/agreements/{id}/documents/{}", d1["id"])))
        .bearer_auth(&token)
        .send()
        .await
        .expect("download");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"].to_str().expect("text").starts_with("attachment; filename=\"mou-iukl.pdf\""));
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), first);
    let a = get(&app, &token, &format!("/api/v1/agreements/{id}")).await;
    assert_eq!(a["documents"].as_array().expect("documents").len(), 2);
    assert_eq!(stored_files(&app).len(), 2, "one file per version, none in tmp");
}

#[tokio::test]
async fn fake_unknown_and_oversized_documents_are_refused_leaving_no_file() {
    let app = spawn_app().await;
    let (token, _, id) = with_mou(&app).await;

    let (fake, fake_body) = upload(&app, &token, id, "mou.pdf", b"PK\x03\x04 this is a zip pretending".to_vec()).await;
    let (unknown, unknown_body) = upload(&app, &token, id, "notes.txt", b"just some notes".to_vec()).await;
    let mut big = pdf("huge");
    big.resize(LIMIT + 1, b' ');
    let (too_big, _) = upload(&app, &token, id, "huge.pdf", big).await;
    let (empty, _) = upload(&app, &token, id, "empty.pdf", Vec::new()).await;

    assert_eq!(fake, 422, "{fake_body}");
    assert!(fake_body["errors"][0]["message"].as_str().expect("message").contains("is not a PDF"), "{fake_body}");
    assert_eq!(unknown, 415, "{unknown_body}");
    assert_eq!(too_big, 413);
    assert_eq!(empty, 422);
    assert_eq!(app.count("agreement_documents").await, 0);
    assert_eq!(stored_files(&app), Vec::<std::path::PathBuf>::new(), "no stray files in the data dir");
}

#[tokio::test]
async fn a_docx_and_an_image_are_recognised_by_their_content() {
    let app = spawn_app().await;
    let (token, _, id) = with_mou(&app).await;
    let mut docx = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
    docx.extend_from_slice(b"....[Content_Types].xml....word/document.xml....PK\x01\x02....word/document.xml");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();

    let (s1, d1) = upload(&app, &token, id, "annex.docx", docx).await;
    let (s2, d2) = upload(&app, &token, id, "signing-photo", png).await;

    assert_eq!((s1, s2), (201, 201), "{d1} {d2}");
    assert_eq!(d1["content_type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_eq!(d2["content_type"], "image/png");
    assert_eq!(d2["name"], "signing-photo.png");
}

#[tokio::test]
async fn a_pdf_sent_under_an_html_name_is_kept_as_a_pdf() {
    let app = spawn_app().await;
    let (token, _, id) = with_mou(&app).await;
    let (status, doc) = upload(&app, &token, id, "invite.html", pdf("<script>alert(1)</script>")).await;
    assert_eq!(status, 201, "{doc}");
    assert_eq!((doc["name"].as_str(), doc["content_type"].as_str()), (Some("invite.pdf"), Some("application/pdf")));
    let url = app.url(&format!("/api/v1/agreements/{id}/documents/{}", doc["id"]));
    let res = app.client.get(url).bearer_auth(&token).send().await.expect("download");
    let disposition = res.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(disposition.contains("invite.pdf") && !disposition.contains(".html"), "{disposition}");
}

#[tokio::test]
async fn viewers_cannot_change_agreements() {
    let app = spawn_app().await;
    let (_, ids, id) = with_mou(&app).await;
    let viewer = app.token_for("reader", &["viewer"], None).await;

    let (create, _) = post(&app, &viewer, "/api/v1/agreements", mou(ids.home, ids.iukl)).await;
    let (upl, _) = upload(&app, &viewer, id, "x.pdf", pdf("x")).await;

    assert_eq!((create, upl), (403, 403));
    assert_eq!(get(&app, &viewer, &format!("/api/v1/agreements/{id}")).await["id"], id);
}

#[tokio::test]
async fn the_agreement_page_shows_parties_areas_status_signatories_and_documents() {
    let app = spawn_app().await;
    let (token, ids, id) = with_mou(&app).await;
    let chen = person(&app, "Chen Zhihui").await;
    post(&app, &token, &format!("/api/v1/agreements/{id}/signatories"), json!({"person_id": chen})).await;
    post(&app, &token, &format!("/api/v1/agreements/{id}/status"), json!({"status": "negotiation", "on_date": "2024-04-01"})).await;
    sqlx::query("UPDATE agreements SET visit_id = $1 WHERE id = $2").bind(ids.visit).bind(id).execute(&app.db.pool).await.expect("visit");
    upload(&app, &token, id, "mou-iukl.pdf", pdf("page")).await;
    app.logged_in("pageuser", &["staff"]).await;

    let html = app.client.get(app.url(&format!("/agreements/{id}"))).send().await.expect("page").text().await.expect("html");

    for expected in [
        "Memorandum of understanding with IUKL",
        "Infrastructure University Kuala Lumpur",
        "Joint education programmes",
        "Undergraduate-to-master",
        "Negotiation",
        "2024-04-01",
        "Chen Zhihui",
        "Vice President",
        "mou-iukl.pdf",
        &format!("/visits/{}", ids.visit),
    ] {
        assert!(html.contains(expected), "page lacks {expected}");
    }
    let list = app.client.get(app.url("/agreements?status=negotiation")).send().await.expect("list").text().await.expect("html");
    assert!(list.contains(&format!("/agreements/{id}")));
    let csv = app.client.get(app.url("/agreements/export.csv")).send().await.expect("csv").text().await.expect("csv");
    assert!(csv.contains("Memorandum of understanding with IUKL"));
}

#[tokio::test]
async fn the_new_agreement_form_adds_home_and_the_typed_partner() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("formuser", &["staff"]).await;
    let csrf = app.csrf_from(&app.client, "/agreements/new").await;

    let res = app
        .client
        .post(app.url("/agreements/new"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "mou"),
            ("title", "MoU with IUKL"),
            ("institution", "IUKL"),
            ("areas", "joint_education"),
            ("effective_date", "2024-06-01"),
            ("expiry_date", "2024-05-01"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.expect("html");
    assert!(html.contains("MoU with IUKL"), "input kept");
    assert!(html.contains("before it takes effect"));

    let res = app
        .client
        .post(app.url("/agreements/new"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "mou"),
            ("title", "MoU with IUKL"),
            ("institution", "IUKL"),
            ("areas", "joint_education"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status().as_u16(), 303);
    let parties: Vec<i64> = sqlx::query_scalar(
        "SELECT institution_id FROM agreement_parties WHERE agreement_id = (SELECT MAX(id) FROM agreements) ORDER BY institution_id",
    )
    .fetch_all(&app.db.pool)
    .await
    .expect("parties");
    let mut expected = vec![ids.home, ids.iukl];
    expected.sort();
    assert_eq!(parties, expected);
}

/// Not a test of correctness: prints upload and download throughput for
/// `docs/BENCHMARKS.md`. Run with `cargo test --test api agreements::measure -- --ignored --nocapture`.
#[tokio::test]
#[ignore]
async fn measure_document_upload_and_download() {
    let app = spawn_app().await;
    let (token, _, id) = with_mou(&app).await;
    let mut body = pdf("bench");
    body.resize(20 * 1024 * 1024, b' ');
    let n = 10;
    let started = std::time::Instant::now();
    let mut last = Value::Null;
    for _ in 0..n {
        let (status, d) = upload(&app, &token, id, "bench.pdf", body.clone()).await;
        assert_eq!(status, 201);
        last = d;
    }
    let up = started.elapsed();
    let started = std::time::Instant::now();
    for _ in 0..n {
        let url = app.url(&format!("/api/v1/agreements/{id}/documents/{}", last["id"]));
        let bytes = app.client.get(url).bearer_auth(&token).send().await.expect("get").bytes().await.expect("bytes");
        assert_eq!(bytes.len(), body.len());
    }
    let down = started.elapsed();
    let mib = (n * 20) as f64;
    println!(
        "upload: {n} × 20 MiB in {up:?} ({:.0} MiB/s); download: {n} × 20 MiB in {down:?} ({:.0} MiB/s)",
        mib / up.as_secs_f64(),
        mib / down.as_secs_f64()
    );
}

#[tokio::test]
async fn an_agreement_is_changed_with_its_areas_and_checked_like_a_new_one() {
    let app = spawn_app().await;
    let (token, _, id) = with_mou(&app).await;
    let path = format!("/api/v1/agreements/{id}");

    let (ok, changed) = send(
        &app,
        &token,
        reqwest::Method::PATCH,
        &path,
        Some(json!({"expiry_date": "2030-05-31", "areas": ["collaborative_research"], "notice_days": 180})),
    )
    .await;
    let (bad, problem) = send(&app, &token, reqwest::Method::PATCH, &path, Some(json!({"expiry_date": "2020-01-01"}))).await;

    assert_eq!(ok, 200, "{changed}");
    assert_eq!((changed["expiry_date"].as_str(), changed["notice_days"].as_i64()), (Some("2030-05-31"), Some(180)));
    assert_eq!(changed["areas"], json!(["collaborative_research"]));
    assert_eq!((bad, problem["errors"][0]["field"].as_str()), (422, Some("expiry_date")), "{problem}");
    assert_eq!(get(&app, &token, &path).await["expiry_date"], "2030-05-31", "nothing stored from the bad change");
}
