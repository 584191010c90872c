//! The file store in an S3-compatible bucket (SeaweedFS): two instances on one database
//! and one bucket share documents and photos; a store that is down answers 503 and loses
//! nothing; files no record names are collected. Downloads stream with byte ranges and
//! ETags (on the local store too).

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    helpers::{TestDb, client, seed, spawn_app},
    s3::{self, Server},
};

/// A PDF of about `size` bytes (a comment pads it).
fn big_pdf(size: usize) -> Vec<u8> {
    let mut pdf =
        b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n%".to_vec();
    pdf.extend((0..size).map(|i| b"0123456789abcdef"[i % 16]));
    pdf.extend_from_slice(b"\ntrailer <</Root 1 0 R>>\n%%EOF\n");
    pdf
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).expect("jpeg");
    out.into_inner()
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

async fn call(c: &Client, token: &str, method: Method, url: String, body: Option<Value>) -> (u16, Value) {
    let mut req = c.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

async fn upload(c: &Client, token: &str, url: String, bytes: Vec<u8>) -> (u16, Value) {
    let res = c.post(url).bearer_auth(token).header("content-type", "application/octet-stream").body(bytes).send().await.expect("upload");
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

/// Seeds the database, makes an administrator's token, and creates (through `at`) an
/// agreement and a draft article; returns (token, agreement id, article id).
async fn arrange(db: &TestDb, at: &Server) -> (String, i64, i64) {
    let store = liaison::db::Db::connect(&db.settings()).await.expect("db");
    let ids = liaison::seed::load(&store, "Demo University of Technology").await.expect("seed");
    let uid = liaison::auth::users::create_user(
        &store,
        &liaison::audit::Actor::system("test"),
        liaison::auth::users::NewUser {
            username: "office".into(),
            display_name: Some("Office".into()),
            email: None,
            password: crate::helpers::PASSWORD.into(),
            grants: ["admin", "author", "photographer"]
                .iter()
                .map(|r| liaison::auth::users::NewGrant { role: (*r).into(), unit_id: None })
                .collect(),
        },
    )
    .await
    .expect("user");
    let token = liaison::auth::session::issue_token(&store, uid, "test").await.expect("token").token;
    let c = client();
    let mou = json!({"kind": "mou", "title": "MoU with IUKL", "parties": [{"institution_id": ids.home}, {"institution_id": ids.iukl}],
        "areas": ["joint_education"], "effective_date": "2024-06-01", "expiry_date": "2029-05-31"});
    let (s, a) = call(&c, &token, Method::POST, at.url("/api/v1/agreements"), Some(mou)).await;
    assert_eq!(s, 201, "{a}");
    let article = json!({"original_lang": "en", "original": {"title": "IUKL delegation visits", "body": "They toured the labs."}});
    let (s, n) = call(&c, &token, Method::POST, at.url("/api/v1/articles"), Some(article)).await;
    assert_eq!(s, 201, "{n}");
    (token, a["id"].as_i64().expect("id"), n["id"].as_i64().expect("id"))
}

fn env_for(files_url: &str) -> Vec<(&'static str, String)> {
    let mut env = s3::credentials();
    env.push(("LIAISON_FILES_URL", files_url.to_string()));
    env
}

#[tokio::test]
async fn two_instances_on_one_bucket_serve_resize_and_delete_each_others_files() {
    if !s3::available() {
        return;
    }
    let db = TestDb::new().await;
    let env = env_for(&s3::files_url(&s3::endpoint()));
    let a = s3::serve(&db, &env);
    let b = s3::serve(&db, &env);
    let (token, agreement, article) = arrange(&db, &a).await;
    let c = client();
    // Larger than one 5 MiB part: the upload goes to the bucket as a multipart upload.
    let document = big_pdf(6 * 1024 * 1024);
    let photo = jpeg(1800, 1200);

    let (s1, doc) = upload(&c, &token, a.url(&format!("/api/v1/agreements/{agreement}/documents?name=mou.pdf")), document.clone()).await;
    let (s2, ph) = upload(&c, &token, a.url(&format!("/api/v1/articles/{article}/photos?caption_en=Signing")), photo).await;
    assert_eq!((s1, s2), (201, 201), "{doc} {ph}");
    let doc_url = b.url(&format!("/api/v1/agreements/{agreement}/documents/{}", doc["id"]));
    let whole = c.get(&doc_url).bearer_auth(&token).send().await.expect("download");
    let etag = whole.headers()["etag"].to_str().expect("etag").to_string();
    let ranges = whole.headers().get("accept-ranges").cloned();
    let body = whole.bytes().await.expect("bytes");
    let part = c.get(&doc_url).bearer_auth(&token).header("range", "bytes=1000-1999").send().await.expect("range");
    let part_status = part.status();
    let content_range = part.headers()["content-range"].to_str().expect("text").to_string();
    let part_body = part.bytes().await.expect("bytes");
    let cached = c.get(&doc_url).bearer_auth(&token).header("if-none-match", &etag).send().await.expect("revalidate");
    let widths: Vec<i64> = ph["widths"].as_array().expect("widths").iter().filter_map(Value::as_i64).collect();
    let photo_id = ph["id"].as_i64().expect("id");
    let mut variants = Vec::new();
    for w in &widths {
        let res = c.get(b.url(&format!("/news/photos/{photo_id}/{w}.jpg"))).bearer_auth(&token).send().await.expect("variant");
        assert_eq!(res.status(), StatusCode::OK, "variant {w} through B");
        let img = image::load_from_memory(&res.bytes().await.expect("bytes")).expect("a JPEG");
        variants.push(i64::from(img.width()));
    }
    let (deleted, _) = call(&c, &token, Method::DELETE, b.url(&format!("/api/v1/articles/{article}/photos/{photo_id}")), None).await;
    let gone = c.get(a.url(&format!("/news/photos/{photo_id}/{}.jpg", widths[0]))).bearer_auth(&token).send().await.expect("get");
    let (gc, out, err) = s3::run(&db, &env, &["files", "gc", "--min-age-hours", "0"]);

    assert_eq!(sha(&body), sha(&document), "the document comes back identical through the other instance");
    assert_eq!(etag, format!("\"{}\"", sha(&document)));
    assert_eq!(ranges.as_ref().and_then(|v| v.to_str().ok()), Some("bytes"));
    assert_eq!(part_status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(content_range, format!("bytes 1000-1999/{}", document.len()));
    assert_eq!(part_body.as_ref(), &document[1000..2000]);
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(variants, widths, "every resized variant is served by the other instance");
    assert_eq!(deleted, 204);
    assert_eq!(gone.status(), StatusCode::NOT_FOUND, "deleted through B, gone through A");
    assert_eq!(gc, 0, "{err}");
    assert!(out.contains("files kept: 1") && out.contains("removed: 0"), "the photo's files went with it: {out}");
}

#[tokio::test]
async fn a_store_that_is_down_answers_503_and_loses_nothing() {
    if !s3::available() {
        return;
    }
    let db = TestDb::new().await;
    let relay = s3::Relay::start().await;
    let url = s3::files_url(&relay.endpoint);
    let env = env_for(&url);
    let app = s3::serve(&db, &env);
    let (token, agreement, article) = arrange(&db, &app).await;
    let c = client();
    let document = big_pdf(100_000);
    let docs_url = app.url(&format!("/api/v1/agreements/{agreement}/documents"));
    let (s1, doc) = upload(&c, &token, format!("{docs_url}?name=mou.pdf"), document.clone()).await;
    let (s2, ph) = upload(&c, &token, app.url(&format!("/api/v1/articles/{article}/photos")), jpeg(1200, 800)).await;
    assert_eq!((s1, s2), (201, 201), "{doc} {ph}");
    let photo_id = ph["id"].as_i64().expect("id");
    let variants = ph["widths"].as_array().expect("widths").len();

    relay.down().await;
    let download = c.get(format!("{docs_url}/{}", doc["id"])).bearer_auth(&token).send().await.expect("download");
    let (down_status, retry) = (download.status(), download.headers().get("retry-after").cloned());
    let problem_text = download.text().await.unwrap_or_default();
    let problem: Value = serde_json::from_str(&problem_text).unwrap_or_else(|_| panic!("{down_status}: {problem_text}"));
    let photo = c.get(app.url(&format!("/news/photos/{photo_id}/480.jpg"))).bearer_auth(&token).send().await.expect("photo");
    let (doc_refused, refused) = upload(&c, &token, format!("{docs_url}?name=annex.pdf"), big_pdf(1000)).await;
    let (photo_refused, _) = upload(&c, &token, app.url(&format!("/api/v1/articles/{article}/photos")), jpeg(600, 400)).await;
    let (deleted, _) = call(&c, &token, Method::DELETE, app.url(&format!("/api/v1/articles/{article}/photos/{photo_id}")), None).await;
    let (_, agreement_now) = call(&c, &token, Method::GET, app.url(&format!("/api/v1/agreements/{agreement}")), None).await;
    let (_, photos_now) = call(&c, &token, Method::GET, app.url(&format!("/api/v1/articles/{article}")), None).await;
    relay.up();
    let again = c.get(format!("{docs_url}/{}", doc["id"])).bearer_auth(&token).send().await.expect("download");
    let again_status = again.status();
    let again_body = again.bytes().await.expect("bytes");
    // The CLI blocks this test's thread, which also runs the relay: it goes to the bucket directly.
    let direct = env_for(&url.replace(&relay.endpoint, &s3::endpoint()));
    let (gc, out, err) = s3::run(&db, &direct, &["files", "gc", "--min-age-hours", "0"]);

    assert_eq!(down_status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(problem["type"], "/problems/unavailable", "{problem}");
    assert!(retry.is_some(), "503 says when to try again");
    assert_eq!(photo.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!((doc_refused, photo_refused), (503, 503), "{refused}");
    assert_eq!(agreement_now["documents"].as_array().map(Vec::len), Some(1), "no row for the refused document");
    assert_eq!(photos_now["photos"].as_array().map(Vec::len), Some(0), "no row for the refused photo; the deleted one is gone");
    assert_eq!(deleted, 204, "the row goes; its files wait for the collection");
    assert_eq!(again_status, StatusCode::OK);
    assert_eq!(sha(&again_body), sha(&document), "nothing stored was lost");
    assert_eq!(gc, 0, "{err}");
    assert!(out.contains(&format!("removed: {variants}")) && out.contains("files kept: 1"), "{out}");
}

#[tokio::test]
async fn local_documents_answer_byte_ranges_and_etags() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("office", &["staff"], None).await;
    let mou = json!({"kind": "mou", "title": "MoU", "parties": [{"institution_id": ids.home}, {"institution_id": ids.iukl}],
        "areas": ["joint_education"], "effective_date": "2024-06-01", "expiry_date": "2029-05-31"});
    let (_, a) = crate::helpers::post(&app, &token, "/api/v1/agreements", mou).await;
    let document = big_pdf(5000);
    let (_, doc) = crate::helpers::post_bytes(
        &app,
        &token,
        &format!("/api/v1/agreements/{}/documents?name=mou.pdf", a["id"]),
        "application/pdf",
        document.clone(),
    )
    .await;
    let url = app.url(&format!("/api/v1/agreements/{}/documents/{}", a["id"], doc["id"]));
    let c = &app.client;

    let tail = c.get(&url).bearer_auth(&token).header("range", "bytes=-100").send().await.expect("tail");
    let tail_range = tail.headers()["content-range"].to_str().expect("text").to_string();
    let tail_body = tail.bytes().await.expect("bytes");
    let past = c.get(&url).bearer_auth(&token).header("range", format!("bytes={}-", document.len())).send().await.expect("past");
    let stale = c.get(&url).bearer_auth(&token).header("range", "bytes=0-9").header("if-range", "\"old\"").send().await.expect("if-range");
    let fresh = c.get(&url).bearer_auth(&token).header("if-none-match", format!("W/\"{}\"", sha(&document))).send().await.expect("inm");

    assert_eq!(tail_range, format!("bytes {}-{}/{}", document.len() - 100, document.len() - 1, document.len()));
    assert_eq!(tail_body.as_ref(), &document[document.len() - 100..]);
    assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(past.headers()["content-range"], format!("bytes */{}", document.len()).as_str());
    assert_eq!(stale.status(), StatusCode::OK, "an If-Range naming an old version gets the whole file");
    assert_eq!(stale.bytes().await.expect("bytes").len(), document.len());
    assert_eq!(fresh.status(), StatusCode::NOT_MODIFIED);
}
