//! `liaison backup` and `liaison restore` as processes: the demo (the seed story, its
//! article photo, an agreement document) goes through backup → restore into an empty
//! database and file store and comes back with every row count and file checksum; a
//! non-empty target is refused unless forced; a damaged archive is refused and changes
//! nothing. On SQLite and PostgreSQL (`pg_dump`), and from a bucket to a bucket.

use std::{collections::BTreeMap, path::Path};

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{
    helpers::{TestApp, TestDb, seed, spawn_app},
    s3,
};

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Rows per table of a database.
async fn row_counts(db: &liaison::db::Db) -> BTreeMap<String, i64> {
    let sql = if db.engine == liaison::config::Engine::Sqlite {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    } else {
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    };
    let tables: Vec<String> = sqlx::query_scalar(sql).fetch_all(&db.pool).await.expect("tables");
    let mut out = BTreeMap::new();
    for t in tables {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{t}\""))).fetch_one(&db.pool).await.expect("count");
        out.insert(t, n);
    }
    out
}

/// Every file under `<dir>/files` (temporary files aside), by path, with its checksum.
fn file_sums(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).expect("under root").to_string_lossy().into_owned();
            if p.is_dir() {
                if rel != "tmp" {
                    walk(root, &p, out);
                }
            } else {
                out.insert(rel, sha(&std::fs::read(&p).expect("read")));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&dir.join("files"), &dir.join("files"), &mut out);
    out
}

/// The demo as `liaison demo` loads it (the seed story and its placeholder photo), plus a
/// signed agreement's PDF uploaded through the API.
async fn demo(app: &TestApp) {
    let ids = seed(app).await;
    let meta = liaison::news::photos::PhotoMeta {
        caption_en: "Placeholder".into(),
        photographer_name: Some("Xiao Jia".into()),
        ..Default::default()
    };
    let files = liaison::files::Files::open(&app.settings).expect("files");
    liaison::news::photos::store_photo(
        &app.db,
        &files,
        &liaison::audit::Actor::system("demo"),
        ids.article,
        liaison::news::photos::demo_image(),
        &meta,
    )
    .await
    .expect("photo");
    let token = app.token_for("office", &["staff"], None).await;
    let mou = json!({"kind": "mou", "title": "MoU with IUKL", "parties": [{"institution_id": ids.home}, {"institution_id": ids.iukl}],
        "areas": ["joint_education"], "effective_date": "2024-06-01", "expiry_date": "2029-05-31"});
    let (s, a) = crate::helpers::post(app, &token, "/api/v1/agreements", mou).await;
    assert_eq!(s, 201, "{a}");
    let pdf = b"%PDF-1.4\n% signed copy\n%%EOF\n".to_vec();
    let (s, d) =
        crate::helpers::post_bytes(app, &token, &format!("/api/v1/agreements/{}/documents?name=mou.pdf", a["id"]), "application/pdf", pdf)
            .await;
    assert_eq!(s, 201, "{d}");
}

#[tokio::test]
async fn the_demo_round_trips_through_backup_and_restore() {
    let src = spawn_app().await;
    demo(&src).await;
    let archive = src.test_db.dir.join("backups").join("demo.tar");
    let archive_arg = archive.to_str().expect("path").to_string();
    let before = row_counts(&src.db).await;
    let sums = file_sums(&src.test_db.dir);

    let (code, out, err) = s3::run(&src.test_db, &[], &["backup", "--to", &archive_arg]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(if src.test_db.is_postgres() { "database.pgdump" } else { "database.sqlite3" }), "{out}");
    let dst = TestDb::new().await;
    let (code, out, err) = s3::run(&dst, &[], &["restore", &archive_arg]);
    assert_eq!(code, 0, "{out}{err}");
    let restored = liaison::db::Db::connect(&dst.settings()).await.expect("restored db");
    let after = row_counts(&restored).await;
    let restored_sums = file_sums(&dst.dir);
    let (again, _, refused) = s3::run(&dst, &[], &["restore", &archive_arg]);
    restored.pool.close().await;
    let (forced, out2, err2) = s3::run(&dst, &[], &["restore", "--force", &archive_arg]);

    assert!(out.contains("files: 4"), "three photo variants and a document: {out}");
    assert!(before["article_photos"] == 1 && before["agreement_documents"] == 1 && before["institutions"] > 0, "{before:?}");
    assert_eq!(after, before, "every table has as many rows as before");
    assert_eq!(sums.len(), 4, "{sums:?}");
    assert_eq!(restored_sums, sums, "every file came back with its checksum");
    assert_ne!(again, 0, "a non-empty target is refused");
    assert!(refused.contains("not empty") && refused.contains("--force"), "{refused}");
    assert_eq!(forced, 0, "{out2}{err2}");
}

#[tokio::test]
async fn a_damaged_or_truncated_archive_is_refused_and_changes_nothing() {
    let src = spawn_app().await;
    demo(&src).await;
    let archive = src.test_db.dir.join("demo.tar");
    let (code, out, err) = s3::run(&src.test_db, &[], &["backup", "--to", archive.to_str().expect("path")]);
    assert_eq!(code, 0, "{out}{err}");
    let good = std::fs::read(&archive).expect("archive");
    let mut flipped = good.clone();
    flipped[512 + 200] ^= 0x20; // inside the database entry, after its header
    let damaged = src.test_db.dir.join("damaged.tar");
    std::fs::write(&damaged, &flipped).expect("write");
    let truncated = src.test_db.dir.join("truncated.tar");
    std::fs::write(&truncated, &good[..good.len() / 2]).expect("write");

    let dst = TestDb::new().await;
    let (c1, _, e1) = s3::run(&dst, &[], &["restore", damaged.to_str().expect("path")]);
    let (c2, _, e2) = s3::run(&dst, &[], &["restore", truncated.to_str().expect("path")]);
    let target = liaison::db::Db::connect(&dst.settings()).await.expect("db");
    let tables = row_counts(&target).await;

    assert_ne!(c1, 0);
    assert!(e1.contains("does not match its checksum") && e1.contains("nothing was changed"), "{e1}");
    assert_ne!(c2, 0);
    assert!(e2.contains("truncated") && e2.contains("nothing was changed"), "{e2}");
    assert!(tables.is_empty(), "the target is as empty as before: {tables:?}");
    assert!(file_sums(&dst.dir).is_empty());
}

#[tokio::test]
async fn a_bucket_round_trips_into_another_bucket_prefix() {
    if !s3::available() {
        return;
    }
    let src = TestDb::new().await;
    let mut env = s3::credentials();
    env.push(("LIAISON_FILES_URL", s3::files_url(&s3::endpoint())));
    let (code, _, err) = s3::run(&src, &env, &["migrate"]);
    assert_eq!(code, 0, "{err}");
    let settings = src.settings_with(|r| r.files_url = env.last().map(|(_, v)| v.clone()));
    let app = liaison::db::Db::connect(&settings).await.expect("db");
    let ids = liaison::seed::load(&app, "Demo University of Technology").await.expect("seed");
    let archive = src.dir.join("bucket.tar");
    let archive_arg = archive.to_str().expect("path").to_string();
    // The photo goes in through a server (its process has the bucket's credentials).
    let server = s3::serve(&src, &env);
    let store = liaison::auth::users::create_user(
        &app,
        &liaison::audit::Actor::system("test"),
        liaison::auth::users::NewUser {
            username: "author".into(),
            display_name: Some("Author".into()),
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
    let token = liaison::auth::session::issue_token(&app, store, "test").await.expect("token").token;
    let c = crate::helpers::client();
    let article = json!({"original_lang": "en", "original": {"title": "Visit", "body": "Text."}});
    let created: serde_json::Value = c
        .post(server.url("/api/v1/articles"))
        .bearer_auth(&token)
        .json(&article)
        .send()
        .await
        .expect("article")
        .json()
        .await
        .expect("json");
    let photo = liaison::news::photos::demo_image();
    let res = c
        .post(server.url(&format!("/api/v1/articles/{}/photos", created["id"])))
        .bearer_auth(&token)
        .body(photo)
        .send()
        .await
        .expect("photo");
    assert_eq!(res.status().as_u16(), 201);
    let _ = ids;
    let before = row_counts(&app).await;
    drop(server);

    let (b, out, err) = s3::run(&src, &env, &["backup", "--to", &archive_arg]);
    let dst = TestDb::new().await;
    let mut dst_env = s3::credentials();
    dst_env.push(("LIAISON_FILES_URL", s3::files_url(&s3::endpoint())));
    let (r, out2, err2) = s3::run(&dst, &dst_env, &["restore", &archive_arg]);
    let restored = liaison::db::Db::connect(&dst.settings()).await.expect("db");
    let after = row_counts(&restored).await;
    let served = s3::serve(&dst, &dst_env);
    let photo_id: i64 = sqlx::query_scalar("SELECT id FROM article_photos").fetch_one(&restored.pool).await.expect("photo");
    let variant = c.get(served.url(&format!("/news/photos/{photo_id}/480.jpg"))).bearer_auth(&token).send().await.expect("variant");

    assert_eq!(b, 0, "{out}{err}");
    assert!(out.contains("files: 3"), "{out}");
    assert_eq!(r, 0, "{out2}{err2}");
    assert_eq!(after, before);
    assert_eq!(variant.status().as_u16(), 200, "the restored bucket serves the photo");
}
