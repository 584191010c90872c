//! News photos: uploads sniffed by content, decoded, turned upright and re-encoded as
//! variants without EXIF/GPS; bad uploads refused with clear messages and nothing left
//! behind; captions, photographer and order; who may change photos of a published
//! article; serving variants publicly only once the article is public; deletion.

use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageFormat, RgbImage, RgbaImage};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, client, get, post, send, spawn_app};

/// A draft article written by a new author; returns the author's token and the id.
async fn article(app: &TestApp, author: &str) -> (String, i64) {
    let token = app.token_for(author, &["author", "photographer"], None).await;
    let (status, a) = post(
        app,
        &token,
        "/api/v1/articles",
        json!({"original_lang": "zh", "original": {"title": "吉隆坡基础设施大学代表团来访", "body": "代表团参观了实训楼。"}}),
    )
    .await;
    assert_eq!(status, 201, "{a}");
    (token, a["id"].as_i64().expect("id"))
}

/// Makes the article public from `published_at` (as the reviewer's publish step does).
async fn publish(app: &TestApp, id: i64, published_at: &str) {
    sqlx::query("UPDATE articles SET status = 'published', published_at = $1 WHERE id = $2")
        .bind(published_at)
        .bind(id)
        .execute(&app.db.pool)
        .await
        .expect("published");
}

fn encoded(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encoded");
    out.into_inner()
}

/// A photo-like JPEG: a gradient with some detail.
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    encoded(DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 120]))), ImageFormat::Jpeg)
}

/// An EXIF block (big-endian TIFF) saying "rotate 90°" and giving a GPS position
/// (3°8'N, 101°41'E: Kuala Lumpur), as a camera writes it.
fn exif_with_gps() -> Vec<u8> {
    let mut t: Vec<u8> = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&kind.to_be_bytes());
        t.extend_from_slice(&count.to_be_bytes());
        t.extend_from_slice(&value);
    };
    // IFD0 at 8: Orientation = 6, GPSInfo -> 38.
    t.extend_from_slice(&2u16.to_be_bytes());
    entry(&mut t, 0x0112, 3, 1, [0, 6, 0, 0]);
    entry(&mut t, 0x8825, 4, 1, 38u32.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(t.len(), 38);
    // GPS IFD at 38: N, latitude -> 92, E, longitude -> 116.
    t.extend_from_slice(&4u16.to_be_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, 5, 3, 92u32.to_be_bytes());
    entry(&mut t, 0x0003, 2, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, 5, 3, 116u32.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(t.len(), 92);
    for (n, d) in [(3u32, 1u32), (8, 1), (0, 1), (101, 1), (41, 1), (0, 1)] {
        t.extend_from_slice(&n.to_be_bytes());
        t.extend_from_slice(&d.to_be_bytes());
    }
    let mut app1 = b"\xff\xe1".to_vec();
    app1.extend_from_slice(&((2 + 6 + t.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&t);
    app1
}

/// `jpeg` with the EXIF block inserted right after SOI.
fn with_exif(mut jpeg: Vec<u8>) -> Vec<u8> {
    jpeg.splice(2..2, exif_with_gps());
    jpeg
}

async fn upload(app: &TestApp, token: &str, id: i64, query: &str, bytes: Vec<u8>) -> (u16, Value) {
    crate::helpers::post_bytes(app, token, &format!("/api/v1/articles/{id}/photos?{query}"), "image/jpeg", bytes).await
}

/// Every file under `dir` (recursively).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() { walk(&p, out) } else { out.push(p) }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

fn store_files(app: &TestApp) -> Vec<PathBuf> {
    files_under(&app.test_db.dir.join("files"))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn widths(photo: &Value) -> Vec<i64> {
    photo["widths"].as_array().expect("widths").iter().filter_map(Value::as_i64).collect()
}

#[tokio::test]
async fn a_camera_jpeg_is_stored_upright_as_variants_without_exif_or_gps() {
    let app = spawn_app().await;
    let (token, id) = article(&app, "xiaojia").await;
    // Stored sideways (2400 wide, 1200 high) with "rotate 90°": upright it is 1200 × 2400.
    let original = with_exif(jpeg(2400, 1200));
    assert!(contains(&original, b"Exif") && contains(&original, b"N\0"), "the test image carries EXIF");

    let (status, photo) = upload(&app, &token, id, "caption_en=The%20delegation&caption_zh=%E4%BB%A3%E8%A1%A8%E5%9B%A2", original).await;

    assert_eq!(status, 201, "{photo}");
    assert_eq!(photo["content_type"], "image/jpeg");
    assert_eq!(widths(&photo), [480, 960, 1200]);
    assert_eq!((photo["width"].as_i64(), photo["height"].as_i64()), (Some(1200), Some(2400)));
    assert_eq!(photo["photographer_name"], "xiaojia", "the uploader is credited by default");
    assert_eq!(photo["caption_en"], "The delegation");
    assert_eq!(photo["caption_zh"], "代表团");
    let files = files_under(&app.test_db.dir.join(format!("files/news/{id}")));
    let names: Vec<String> = files.iter().filter_map(|f| f.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    let pid = photo["id"].as_i64().expect("photo id");
    assert_eq!(names, [format!("{pid}-1200.jpg"), format!("{pid}-480.jpg"), format!("{pid}-960.jpg")]);
    for (file, w) in files.iter().zip([1200, 480, 960]) {
        let bytes = std::fs::read(file).expect("variant");
        assert!(!contains(&bytes, b"Exif") && !contains(&bytes, b"MM\x00\x2a"), "{} keeps EXIF", file.display());
        let img = image::load_from_memory(&bytes).expect("variant decodes");
        assert_eq!((img.width(), img.height()), (w, w * 2), "{}", file.display());
    }
    let article = get(&app, &token, &format!("/api/v1/articles/{id}")).await;
    assert_eq!(article["photos"][0]["id"], pid);
    assert!(article["credits"].to_string().contains("xiaojia"), "{}", article["credits"]);
}

#[tokio::test]
async fn png_and_webp_are_accepted_and_kept_in_their_own_type() {
    let app = spawn_app().await;
    let (token, id) = article(&app, "author").await;
    let png = encoded(
        DynamicImage::ImageRgba8(RgbaImage::from_fn(1000, 500, |x, _| image::Rgba([0, 90, 160, (x % 256) as u8]))),
        ImageFormat::Png,
    );
    let webp = encoded(DynamicImage::ImageRgb8(RgbImage::from_fn(300, 200, |x, y| image::Rgb([x as u8, y as u8, 7]))), ImageFormat::WebP);

    let (s1, p1) = upload(&app, &token, id, "", png).await;
    let (s2, p2) = upload(&app, &token, id, "", webp).await;

    assert_eq!((s1, s2), (201, 201), "{p1} {p2}");
    assert_eq!((p1["content_type"].as_str(), widths(&p1)), (Some("image/png"), vec![480, 960, 1000]));
    assert_eq!((p2["content_type"].as_str(), widths(&p2)), (Some("image/webp"), vec![300]));
    assert_eq!((p1["position"].as_i64(), p2["position"].as_i64()), (Some(1), Some(2)));
    let res = app.client.get(app.url(&format!("/news/photos/{}/300.webp", p2["id"]))).bearer_auth(&token).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "image/webp");
    let bytes = res.bytes().await.expect("bytes");
    assert_eq!(image::guess_format(&bytes).ok(), Some(ImageFormat::WebP));
    let big = app.client.get(app.url(&format!("/news/photos/{}/960.png", p1["id"]))).bearer_auth(&token).send().await.expect("get");
    let img = image::load_from_memory(&big.bytes().await.expect("bytes")).expect("png decodes");
    assert_eq!((img.width(), img.height(), img.color().has_alpha()), (960, 480, true));
}

#[tokio::test]
async fn bad_uploads_are_refused_with_clear_messages_and_leave_nothing_behind() {
    let app = spawn_app().await;
    let (token, id) = article(&app, "author").await;
    let whole = jpeg(1200, 800);
    let truncated = whole[..whole.len() / 2].to_vec();
    let mut huge = jpeg(64, 64);
    huge.resize(40 * 1024 * 1024, 0);

    let (text, text_body) = upload(&app, &token, id, "caption_en=holiday.jpg", b"Dear colleagues, the photos follow.\n".to_vec()).await;
    let (cut, cut_body) = upload(&app, &token, id, "", truncated).await;
    let (too_big, too_big_body) = upload(&app, &token, id, "", huge).await;
    let (empty, _) = upload(&app, &token, id, "", Vec::new()).await;
    let (bad_id, bad_id_body) = upload(&app, &token, id, "photographer_id=abc", whole.clone()).await;
    let (no_user, no_user_body) = upload(&app, &token, id, "photographer_id=999999", whole).await;

    assert_eq!(text, 415, "{text_body}");
    assert!(text_body["detail"].as_str().unwrap_or("").contains("JPEG, PNG or WebP"), "{text_body}");
    assert_eq!(cut, 422, "{cut_body}");
    assert_eq!(cut_body["errors"][0]["message"], "this file is not a readable JPEG/PNG/WebP image");
    assert_eq!(too_big, 413, "{too_big_body}");
    assert_eq!(empty, 422);
    assert_eq!((bad_id, no_user), (422, 422), "{bad_id_body} {no_user_body}");
    assert_eq!(no_user_body["errors"][0]["field"], "photographer_id");
    assert_eq!(app.count("article_photos").await, 0);
    assert_eq!(store_files(&app), Vec::<PathBuf>::new(), "no file in files/news or files/tmp");
}

#[tokio::test]
async fn captions_photographer_and_order_change_through_patch() {
    let app = spawn_app().await;
    let (token, id) = article(&app, "author").await;
    let colleague = app.add_user("xiao.jia", &["photographer"], None).await;
    sqlx::query("UPDATE users SET display_name = 'Xiao Jia' WHERE id = $1").bind(colleague).execute(&app.db.pool).await.expect("name");
    let (_, first) = upload(&app, &token, id, "photographer_name=Guest%20Photographer", jpeg(600, 400)).await;
    let (_, second) = upload(&app, &token, id, &format!("photographer_id={colleague}"), jpeg(600, 400)).await;
    let path = |p: &Value| format!("/api/v1/articles/{id}/photos/{}", p["id"]);

    let (s1, edited) = send(
        &app,
        &token,
        Method::PATCH,
        &path(&first),
        Some(json!({"caption_en": "Symposium in room 1507", "caption_zh": "在1507会议室举行座谈会"})),
    )
    .await;
    let (s2, credited) = send(&app, &token, Method::PATCH, &path(&first), Some(json!({"photographer_id": colleague}))).await;
    let (s3, moved) = send(&app, &token, Method::PATCH, &path(&second), Some(json!({"position": 1}))).await;
    let (s4, bad) = send(&app, &token, Method::PATCH, &path(&second), Some(json!({"position": 0, "caption_en": "x".repeat(1001)}))).await;

    assert_eq!(first["photographer_name"], "Guest Photographer");
    assert_eq!(first["photographer_id"], Value::Null);
    assert_eq!((second["photographer_name"].as_str(), second["photographer_id"].as_i64()), (Some("Xiao Jia"), Some(colleague)));
    assert_eq!((s1, s2, s3, s4), (200, 200, 200, 422), "{edited} {credited} {moved} {bad}");
    assert_eq!(edited["caption_en"], "Symposium in room 1507");
    assert_eq!(edited["caption_zh"], "在1507会议室举行座谈会");
    assert_eq!(credited["photographer_name"], "Xiao Jia");
    assert_eq!(credited["caption_zh"], "在1507会议室举行座谈会", "absent fields stay");
    assert_eq!(bad["errors"].as_array().map(Vec::len), Some(2), "{bad}");
    let article = get(&app, &token, &format!("/api/v1/articles/{id}")).await;
    let order: Vec<&Value> = article["photos"].as_array().expect("photos").iter().map(|p| &p["id"]).collect();
    assert_eq!(order, [&second["id"], &first["id"]]);
    assert_eq!(article["photos"][1]["caption_en"], "Symposium in room 1507");
}

#[tokio::test]
async fn photos_of_an_unpublished_article_are_served_only_to_signed_in_staff() {
    let app = spawn_app().await;
    let (token, id) = article(&app, "author").await;
    let (_, photo) = upload(&app, &token, id, "", jpeg(800, 600)).await;
    let url = app.url(&format!("/news/photos/{}/480.jpg", photo["id"]));
    app.logged_in("office", &["staff"]).await;
    let anonymous = client();

    let hidden = anonymous.get(&url).send().await.expect("get");
    let staff = app.client.get(&url).send().await.expect("get");

    assert_eq!(hidden.status().as_u16(), 404);
    assert_eq!(hidden.headers()["cache-control"], "no-store");
    assert_eq!(staff.status().as_u16(), 200);
    assert_eq!(staff.headers()["content-type"], "image/jpeg");
    assert_eq!(staff.headers()["cache-control"], "private, no-store");
    assert_eq!(staff.headers()["x-content-type-options"], "nosniff");
    let bytes = staff.bytes().await.expect("bytes");
    assert_eq!(image::load_from_memory(&bytes).expect("decodes").width(), 480);
    for wrong in ["481.jpg", "480.png", "480", "abc.jpg"] {
        let res = app.client.get(app.url(&format!("/news/photos/{}/{wrong}", photo["id"]))).send().await.expect("get");
        assert_eq!(res.status().as_u16(), 404, "{wrong}");
    }
    let res = app.client.get(app.url("/news/photos/nope/480.jpg")).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 404);
}

#[tokio::test]
async fn photos_are_public_and_long_cached_once_the_article_is_published() {
    let app = spawn_app().await;
    let (token, id) = article(&app, "author").await;
    let (_, photo) = upload(&app, &token, id, "", jpeg(800, 600)).await;
    let url = app.url(&format!("/news/photos/{}/800.jpg", photo["id"]));
    let anonymous = client();

    publish(&app, id, "2999-01-01T00:00:00.000000Z").await;
    let scheduled = anonymous.get(&url).send().await.expect("get");
    publish(&app, id, "2024-05-24T02:00:00.000000Z").await;
    let public = anonymous.get(&url).send().await.expect("get");

    assert_eq!(scheduled.status().as_u16(), 404, "not before its publication time");
    assert_eq!(public.status().as_u16(), 200);
    assert_eq!(public.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(public.headers()["content-type"], "image/jpeg");
    assert_eq!(public.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn photos_of_a_published_article_are_the_reviewers_to_change() {
    let app = spawn_app().await;
    let (token, id) = article(&app, "author").await;
    let (_, photo) = upload(&app, &token, id, "", jpeg(600, 400)).await;
    let reviewer = app.token_for("lin.na", &["reviewer"], None).await;
    let viewer = app.token_for("reader", &["viewer"], None).await;
    publish(&app, id, "2024-05-24T02:00:00.000000Z").await;
    let path = format!("/api/v1/articles/{id}/photos/{}", photo["id"]);

    let (author_upload, refused) = upload(&app, &token, id, "", jpeg(600, 400)).await;
    let (author_patch, _) = send(&app, &token, Method::PATCH, &path, Some(json!({"caption_en": "x"}))).await;
    let (author_delete, _) = send(&app, &token, Method::DELETE, &path, None).await;
    let (viewer_upload, _) = upload(&app, &viewer, id, "", jpeg(600, 400)).await;
    let (reviewer_patch, _) = send(&app, &reviewer, Method::PATCH, &path, Some(json!({"caption_en": "Approved caption"}))).await;
    let (reviewer_upload, added) = upload(&app, &reviewer, id, "photographer_name=Xiao%20Jia", jpeg(600, 400)).await;

    assert_eq!((author_upload, author_patch, author_delete, viewer_upload), (403, 403, 403, 403));
    assert!(refused["detail"].as_str().unwrap_or("").contains("reviewer"), "{refused}");
    assert_eq!((reviewer_patch, reviewer_upload), (200, 201), "{added}");
    assert_eq!(app.count("article_photos").await, 2);
    assert_eq!(store_files(&app).len(), 2 * 2, "two variants each (480 and 600)");
}

#[tokio::test]
async fn deleting_a_photo_removes_its_row_and_its_files() {
    let app = spawn_app().await;
    let (token, id) = article(&app, "author").await;
    let (_, keep) = upload(&app, &token, id, "", jpeg(500, 300)).await;
    let (_, gone) = upload(&app, &token, id, "", jpeg(1000, 600)).await;
    let path = format!("/api/v1/articles/{id}/photos/{}", gone["id"]);
    assert_eq!(store_files(&app).len(), 2 + 3);

    let (deleted, _) = send(&app, &token, Method::DELETE, &path, None).await;
    let (again, _) = send(&app, &token, Method::DELETE, &path, None).await;
    let served = app.client.get(app.url(&format!("/news/photos/{}/480.jpg", gone["id"]))).bearer_auth(&token).send().await.expect("get");

    assert_eq!((deleted, again), (204, 404));
    assert_eq!(served.status().as_u16(), 404);
    let left: Vec<String> = store_files(&app).iter().filter_map(|f| f.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    assert_eq!(left, [format!("{}-480.jpg", keep["id"]), format!("{}-500.jpg", keep["id"])]);
    let article = get(&app, &token, &format!("/api/v1/articles/{id}")).await;
    assert_eq!(article["photos"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn an_unknown_article_or_photo_is_404() {
    let app = spawn_app().await;
    let (token, id) = article(&app, "author").await;
    let (_, photo) = upload(&app, &token, id, "", jpeg(300, 200)).await;
    let (_, other) = article(&app, "author2").await;

    let (upload_status, _) = upload(&app, &token, 999_999, "", jpeg(300, 200)).await;
    let (wrong_article, _) =
        send(&app, &token, Method::PATCH, &format!("/api/v1/articles/{other}/photos/{}", photo["id"]), Some(json!({}))).await;

    assert_eq!((upload_status, wrong_article), (404, 404));
}

#[tokio::test]
async fn a_failure_while_writing_the_variants_leaves_neither_row_nor_files() {
    let app = spawn_app().await;
    let (token, id) = article(&app, "author").await;
    // The first photo gets id 1; a directory where its 960 variant must go makes that
    // write fail after the 480 variant is written.
    let blocker = app.test_db.dir.join(format!("files/news/{id}/1-960.jpg"));
    std::fs::create_dir_all(&blocker).expect("blocker");

    let (failed, _) = upload(&app, &token, id, "", jpeg(1200, 800)).await;
    std::fs::remove_dir(&blocker).expect("unblocked");
    let (retried, photo) = upload(&app, &token, id, "", jpeg(1200, 800)).await;

    assert_eq!(failed, 500);
    assert_eq!(retried, 201, "{photo}");
    assert_eq!(app.count("article_photos").await, 1);
    let pid = photo["id"].as_i64().expect("id");
    let names: Vec<String> = store_files(&app).iter().filter_map(|f| f.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    assert_eq!(names, [format!("{pid}-1200.jpg"), format!("{pid}-480.jpg"), format!("{pid}-960.jpg")], "only the stored photo's files");
}
