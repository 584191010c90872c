//! The public news site: the list per language with filters and pages, the article page
//! (date, body, photos, partner, tags, credits, views apart from the date, JSON-LD, Open
//! Graph), the not-found page, the Atom feed and sitemap read by Python's XML parser,
//! conditional requests, and view counting (once per visitor and day, robots, HEAD and
//! prefetches left out, two instances agreeing).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestApp, get, post, seed, spawn_app};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";

/// An article arranged straight in the tables: (lang, title, summary) versions, the first
/// is the original.
struct Arranged<'a> {
    slug: &'a str,
    status: &'a str,
    published_at: Option<&'a str>,
    versions: &'a [(&'a str, &'a str, &'a str)],
    tags: &'a [&'a str],
    partner: Option<i64>,
}

impl Default for Arranged<'_> {
    fn default() -> Self {
        Arranged {
            slug: "",
            status: "published",
            published_at: Some("2024-05-24T02:00:00.000000Z"),
            versions: &[],
            tags: &[],
            partner: None,
        }
    }
}

async fn arrange(app: &TestApp, a: Arranged<'_>) -> i64 {
    let original = a.versions.first().map(|v| v.0).unwrap_or("en");
    let langs: Vec<&str> = a.versions.iter().map(|v| v.0).collect();
    let at = "2024-05-24T02:00:00.000000Z";
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO articles (slug, original_lang, required_langs, status, author_name, institution_id, published_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'Qin Lijuan', $5, $6, $7, $7) RETURNING id",
    )
    .bind(a.slug)
    .bind(original)
    .bind(langs.join(","))
    .bind(a.status)
    .bind(a.partner)
    .bind(a.published_at)
    .bind(at)
    .fetch_one(&app.db.pool)
    .await
    .expect("article");
    for (lang, title, summary) in a.versions {
        sqlx::query(
            "INSERT INTO article_versions (article_id, lang, title, summary, body, body_html, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, 'Body.', '<p>Body.</p>', $5, 'test')",
        )
        .bind(id)
        .bind(*lang)
        .bind(*title)
        .bind(*summary)
        .bind(at)
        .execute(&app.db.pool)
        .await
        .expect("version");
    }
    for tag in a.tags {
        sqlx::query("INSERT INTO article_tags (article_id, tag) VALUES ($1, $2)")
            .bind(id)
            .bind(*tag)
            .execute(&app.db.pool)
            .await
            .expect("tag");
    }
    id
}

async fn add_photo(app: &TestApp, article: i64, position: i64, caption_en: &str, caption_zh: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO article_photos (article_id, position, file_key, content_type, width, height, widths, bytes, sha256,
                                     photographer_name, caption_zh, caption_en, created_at, created_by)
         VALUES ($1, $2, 'news/x', 'image/jpeg', 1600, 1067, '480,960,1600', 1000, 'x', 'Xiao Jia', $3, $4, 'x', 'test') RETURNING id",
    )
    .bind(article)
    .bind(position)
    .bind(caption_zh)
    .bind(caption_en)
    .fetch_one(&app.db.pool)
    .await
    .expect("photo")
}

/// A user with a shown name and roles; their API token.
async fn editor(app: &TestApp, username: &str, name: &str, roles: &[&str]) -> String {
    app.token_for_named(username, name, roles).await
}

/// The seed story's article, through the API and the whole editorial chain (Chinese
/// original, English translation), published on 2024-05-24 with the given tags, related
/// to `partner`. Returns its id.
async fn publish_through_the_chain(app: &TestApp, body_zh: &str, partner: i64, tags: &[&str]) -> i64 {
    let author = editor(app, "qin.lijuan", "Qin Lijuan", &["author"]).await;
    let translator = editor(app, "peng.gaoliang", "Peng Gaoliang", &["translator"]).await;
    let proofreader = editor(app, "tang.mei", "Tang Mei", &["proofreader"]).await;
    let reviewer = editor(app, "lin.na", "Lin Na", &["reviewer"]).await;
    let original = json!({"title": "马来西亚吉隆坡基础设施大学代表团来访", "summary": "代表团来访我校。", "body": body_zh});
    let new =
        json!({"original_lang": "zh", "original": original, "slug": "iukl-delegation-visit", "tags": tags, "institution_id": partner});
    let (status, a) = post(app, &author, "/api/v1/articles", new).await;
    assert_eq!(status, 201, "{a}");
    let id = a["id"].as_i64().expect("id");
    let steps = |token: &str, body: Value| {
        let token = token.to_string();
        async move {
            let (status, b) = post(app, &token, &format!("/api/v1/articles/{id}/steps"), body).await;
            assert!(status < 300, "step: {status} {b}");
        }
    };
    steps(&author, json!({"action": "submit"})).await;
    let en = json!({"title": "IUKL delegation visits the university", "summary": "A delegation of four from IUKL visited.",
                    "body": "President Ma Shaojian met the delegation.\n\nA symposium followed."});
    let (status, b) = post(app, &translator, &format!("/api/v1/articles/{id}/versions/en"), en).await;
    assert!(status < 300, "translation: {status} {b}");
    steps(&translator, json!({"action": "submit"})).await;
    steps(&proofreader, json!({"action": "submit"})).await;
    steps(&reviewer, json!({"action": "submit"})).await;
    steps(&reviewer, json!({"action": "publish", "publish_at": "2024-05-24T10:00:00+08:00"})).await;
    id
}

/// The seed story's records without its news article, so the test's own articles are
/// all there is.
async fn seed_without_article(app: &TestApp) -> liaison::seed::SeedIds {
    let ids = seed(app).await;
    sqlx::query("DELETE FROM articles WHERE id = $1").bind(ids.article).execute(&app.db.pool).await.expect("delete seed article");
    ids
}

async fn page(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let res = app.client.get(app.url(path)).header("user-agent", "curl/8").send().await.expect("get");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.text().await.expect("body"))
}

/// The titles of a list page, in order.
fn titles(html: &str) -> Vec<String> {
    html.split("<h2><a href=\"")
        .skip(1)
        .filter_map(|s| s.split_once("\">").and_then(|(_, rest)| rest.split_once("</a>")).map(|(t, _)| t.to_string()))
        .collect()
}

/// Text of a page as a reader sees it: tags dropped, block ends as line breaks.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                let name = tag.trim_start_matches('/').split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                if matches!(
                    name.as_str(),
                    "p" | "div" | "dt" | "dd" | "dl" | "h1" | "h2" | "li" | "section" | "header" | "footer" | "figure" | "br"
                ) {
                    out.push('\n');
                }
            }
            c if in_tag => tag.push(c),
            c => out.push(c),
        }
    }
    out
}

/// Runs Python's XML parser over `xml` with `script` (which reads stdin, prints JSON).
fn python_xml(xml: &str, script: &str) -> Value {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().expect("stdin").write_all(xml.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("python3 output");
    assert!(out.status.success(), "XML did not parse: {}\n{xml}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json from python")
}

#[tokio::test]
async fn the_list_shows_public_articles_per_language_newest_first_ten_a_page() {
    let app = spawn_app().await;
    for n in 1..=12 {
        let (slug, en, zh) = (format!("story-{n:02}"), format!("Story {n:02}"), format!("新闻 {n:02}"));
        let at = format!("2024-05-{n:02}T02:00:00.000000Z");
        let versions = [("zh", zh.as_str(), "摘要"), ("en", en.as_str(), "Summary")];
        arrange(&app, Arranged { slug: &slug, published_at: Some(&at), versions: &versions, ..Default::default() }).await;
    }
    arrange(&app, Arranged { slug: "a-draft", status: "approved", versions: &[("en", "Draft story", "")], ..Default::default() }).await;
    let later = Arranged {
        slug: "scheduled",
        published_at: Some("2999-01-01T00:00:00.000000Z"),
        versions: &[("en", "Future story", "")],
        ..Default::default()
    };
    arrange(&app, later).await;

    let (status, headers, first) = page(&app, "/news?lang=en").await;
    let (_, _, second) = page(&app, "/news?lang=en&page=2").await;
    let (_, _, zh) = page(&app, "/news?lang=zh").await;
    let (beyond, _, _) = page(&app, "/news?lang=en&page=3").await;
    let (bad, _, _) = page(&app, "/news?lang=en&page=two").await;

    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap_or("").starts_with("text/html"));
    let expected: Vec<String> = (3..=12).rev().map(|n| format!("Story {n:02}")).collect();
    assert_eq!(titles(&first), expected);
    assert_eq!(titles(&second), vec!["Story 02".to_string(), "Story 01".to_string()]);
    assert_eq!(titles(&zh).first().map(String::as_str), Some("新闻 12"));
    assert!(first.contains("<html lang=\"en\">") && zh.contains("<html lang=\"zh-Hans\">"));
    assert!(first.contains("<time datetime=\"2024-05-12T02:00:00Z\">May 12, 2024</time>"), "{first}");
    assert!(zh.contains("2024年5月12日"));
    assert!(
        first.contains("rel=\"next\" href=\"/news?page=2&#38;lang=en\"")
            || first.contains("rel=\"next\" href=\"/news?page=2&amp;lang=en\""),
        "{first}"
    );
    assert!(first.contains("hreflang=\"zh-Hans\" href=\"http://127.0.0.1:"));
    assert!(!first.contains("Draft story") && !first.contains("Future story") && !second.contains("Future story"));
    assert_eq!((beyond, bad), (404, 404));
}

#[tokio::test]
async fn the_list_filters_by_tag_and_partner_and_each_filter_can_be_removed() {
    let app = spawn_app().await;
    let ids = seed_without_article(&app).await;
    let v = |t: &'static str| [("en", t, "")];
    arrange(&app, Arranged { slug: "visit", versions: &v("IUKL visit"), tags: &["visits"], partner: Some(ids.iukl), ..Default::default() })
        .await;
    arrange(&app, Arranged { slug: "mou", versions: &v("IUKL MoU"), tags: &["agreements"], partner: Some(ids.iukl), ..Default::default() })
        .await;
    arrange(&app, Arranged { slug: "other", versions: &v("Open day"), tags: &["visits"], ..Default::default() }).await;

    let (_, _, by_tag) = page(&app, "/news?lang=en&tag=Visits").await;
    let (_, _, by_partner) = page(&app, &format!("/news?lang=en&partner={}", ids.iukl)).await;
    let (_, _, both) = page(&app, &format!("/news?lang=en&tag=visits&partner={}", ids.iukl)).await;
    let (_, _, nothing) = page(&app, "/news?lang=en&tag=nothing-here").await;

    let mut tagged = titles(&by_tag);
    tagged.sort();
    assert_eq!(tagged, vec!["IUKL visit".to_string(), "Open day".to_string()]);
    let mut partnered = titles(&by_partner);
    partnered.sort();
    assert_eq!(partnered, vec!["IUKL MoU".to_string(), "IUKL visit".to_string()]);
    assert!(by_partner.contains("Infrastructure University Kuala Lumpur"), "the chip names the partner");
    assert_eq!(titles(&both), vec!["IUKL visit".to_string()]);
    let partner_removed = format!("href=\"/news?partner={}&#38;lang=en\"", ids.iukl);
    assert!(both.contains("href=\"/news?tag=visits&#38;lang=en\"") && both.contains(&partner_removed), "{both}");
    assert!(titles(&nothing).is_empty() && nothing.contains("No news here yet."));
}

#[tokio::test]
async fn an_article_page_shows_date_body_photos_partner_tags_and_credits_with_views_apart() {
    let app = spawn_app().await;
    let ids = seed_without_article(&app).await;
    sqlx::query("UPDATE institutions SET is_public = 1 WHERE id = $1").bind(ids.iukl).execute(&app.db.pool).await.expect("public");
    let id = publish_through_the_chain(&app, "马绍坚校长会见代表团。", ids.iukl, &["visits", "malaysia"]).await;
    add_photo(&app, id, 0, "President Ma Shaojian meets the delegation", "马绍坚校长会见代表团").await;

    let (status, headers, html) = page(&app, "/news/iukl-delegation-visit?lang=en").await;

    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<h1>IUKL delegation visits the university</h1>"), "{html}");
    assert!(html.contains("<p class=\"date\"><time datetime=\"2024-05-24T02:00:00Z\">May 24, 2024</time></p>"), "{html}");
    assert!(html.contains("<p>President Ma Shaojian met the delegation.</p>"));
    // The view count is its own element, never glued to the date (the seed story's "May 24, 2024click:").
    let text = text_of(&html);
    assert!(text.contains("\nViews: 0\n") || text.contains("\nViews: 0"), "{text}");
    assert!(!text.contains("2024Views") && !text.contains("2024click") && !text.contains("2024 Views"), "{text}");
    let date_at = html.find("</time>").expect("date");
    let views_at = html.find("<p class=\"views\">").expect("views");
    assert!(html[date_at..views_at].contains("</p>"));
    // Credits: a section of their own with a definition list, one role per entry.
    let credits = html.split("<section class=\"credits\"").nth(1).and_then(|s| s.split("</section>").next()).expect("credits block");
    for (role, name) in [
        ("Author", "Qin Lijuan"),
        ("Translator", "Peng Gaoliang"),
        ("Photographer", "Xiao Jia"),
        ("Proofreader", "Tang Mei"),
        ("Reviewer", "Lin Na"),
    ] {
        assert!(credits.contains(&format!("<dt>{role}</dt><dd>{name}</dd>")), "{role}: {credits}");
    }
    assert!(!credits.contains("<time") && !credits.contains("Views"));
    // Photos: every variant in srcset, the caption in the page's language and the credit.
    assert!(html.contains("480w") && html.contains("960w") && html.contains("1600w"));
    assert!(html.contains("width=\"1600\" height=\"1067\""));
    assert!(html.contains(
        "<span class=\"caption\">President Ma Shaojian meets the delegation</span> <span class=\"credit\">Photo: Xiao Jia</span>"
    ));
    assert!(html.contains(&"#country-MY\">Infrastructure University Kuala Lumpur</a>".to_string()), "{html}");
    assert!(html.contains("href=\"/news?tag=visits&#38;lang=en\" rel=\"tag\">visits</a>"), "{html}");
    // Links for search engines and social previews.
    assert!(html.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:"));
    assert!(html.contains("<link rel=\"alternate\" hreflang=\"zh-Hans\""));
    for property in [
        "og:type\" content=\"article\"",
        "og:title\" content=\"IUKL delegation visits the university\"",
        "og:image\" content=\"http://",
        "article:published_time\" content=\"2024-05-24T02:00:00Z\"",
        "article:tag\" content=\"visits\"",
    ] {
        assert!(html.contains(&format!("<meta property=\"{property}")), "{property}");
    }
    let ld = html.split("<script type=\"application/ld+json\">").nth(1).and_then(|s| s.split("</script>").next()).expect("JSON-LD");
    let ld: Value = serde_json::from_str(ld).expect("JSON-LD parses");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], "IUKL delegation visits the university");
    assert_eq!(ld["datePublished"], "2024-05-24T02:00:00Z");
    assert_eq!(ld["author"][0]["name"], "Qin Lijuan");
    assert_eq!(ld["translator"][0]["name"], "Peng Gaoliang");
    // The CSP the app sends holds: no inline styles, the only script is the JSON-LD data block.
    let csp = headers["content-security-policy"].to_str().unwrap_or("");
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
    assert!(!html.contains("style=") && !html.contains("<style"));
    assert_eq!(html.matches("<script").count(), 1);

    let (_, _, zh) = page(&app, "/news/iukl-delegation-visit?lang=zh").await;
    assert!(zh.contains("<h1>马来西亚吉隆坡基础设施大学代表团来访</h1>") && zh.contains("2024年5月24日"));
    assert!(zh.contains("<dt>翻译</dt><dd>Peng Gaoliang</dd>") && zh.contains("<span class=\"credit\">摄影: Xiao Jia</span>"), "{zh}");
    assert!(zh.contains("<span class=\"caption\">马绍坚校长会见代表团</span>"));
}

#[tokio::test]
async fn a_missing_translation_shows_the_original_with_a_note() {
    let app = spawn_app().await;
    arrange(&app, Arranged { slug: "zh-only", versions: &[("zh", "仅有中文", "摘要")], ..Default::default() }).await;

    let (status, _, html) = page(&app, "/news/zh-only?lang=en").await;
    let (_, _, list) = page(&app, "/news?lang=en").await;

    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"en\">") && html.contains("<h1 lang=\"zh-Hans\">仅有中文</h1>"), "{html}");
    assert!(html.contains("This article has no English version yet; the original is shown."));
    assert!(list.contains("<div class=\"text\" lang=\"zh-Hans\">"), "{list}");
}

#[tokio::test]
async fn the_public_site_speaks_malay_and_shows_the_english_version_to_malay_readers() {
    let app = spawn_app().await;
    let versions = [("zh", "两种语言", "摘要"), ("en", "Both languages", "Summary")];
    arrange(&app, Arranged { slug: "both", published_at: Some("2024-08-31T02:00:00.000000Z"), versions: &versions, ..Default::default() })
        .await;

    let (status, _, list) = page(&app, "/news?lang=ms").await;
    let (_, _, article) = page(&app, "/news/both?lang=ms").await;
    let (missing, _, not_found) = page(&app, "/news/nothing-here?lang=ms").await;

    assert_eq!(status, 200);
    assert!(list.contains("<html lang=\"ms\">") && list.contains("Suapan Atom") && list.contains("Langkau ke kandungan"), "{list}");
    assert!(list.contains("<time datetime=\"2024-08-31T02:00:00Z\">31 Ogos 2024</time>"), "a CLDR Malay date: {list}");
    assert!(list.contains("hreflang=\"ms\" lang=\"ms\" aria-current=\"true\">Bahasa Melayu</a>"), "{list}");
    assert!(article.contains("<h1 lang=\"en\">Both languages</h1>"), "English before the Chinese original: {article}");
    assert!(article.contains("Berita ini belum ada dalam bahasa Melayu") && article.contains("Penulis"), "{article}");
    assert!(article.contains("<meta property=\"og:locale\" content=\"ms_MY\">"), "{article}");
    assert_eq!(missing, 404);
    assert!(not_found.contains("<h1 lang=\"ms\">Halaman tidak ditemui</h1>") && not_found.contains("页面不存在"), "{not_found}");
}

#[tokio::test]
async fn markdown_scripts_are_neutralised_on_the_public_page() {
    let app = spawn_app().await;
    let ids = seed_without_article(&app).await;
    let body = "正文。\n\n<script>alert('x')</script>\n\n[点击](javascript:alert(1)) <img src=x onerror=alert(2)>";
    publish_through_the_chain(&app, body, ids.iukl, &[]).await;

    let (status, _, html) = page(&app, "/news/iukl-delegation-visit?lang=zh").await;

    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert") && !html.contains("javascript:") && !html.contains("<img src=x"), "{html}");
    assert!(html.contains("正文。"));
}

#[tokio::test]
async fn unknown_unpublished_and_scheduled_slugs_answer_a_404_page_in_both_languages() {
    let app = spawn_app().await;
    arrange(&app, Arranged { slug: "draft", status: "review", versions: &[("en", "Draft", "")], ..Default::default() }).await;
    let later = Arranged {
        slug: "later",
        published_at: Some("2999-01-01T00:00:00.000000Z"),
        versions: &[("en", "Later", "")],
        ..Default::default()
    };
    arrange(&app, later).await;

    for path in ["/news/no-such-story", "/news/draft", "/news/later?lang=zh", "/news/Bad%20Slug", "/news?partner=x"] {
        let (status, headers, html) = page(&app, path).await;
        assert_eq!(status, 404, "{path}");
        assert!(headers["content-type"].to_str().unwrap_or("").starts_with("text/html"), "{path}");
        assert!(html.contains("Page not found") && html.contains("页面不存在"), "{path}: {html}");
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
        assert!(!html.contains("Draft") && !html.contains("Later"));
    }
    let (_, _, zh) = page(&app, "/news/later?lang=zh").await;
    assert!(zh.find("页面不存在") < zh.find("Page not found"), "the asked-for language comes first");
}

const FEED_SCRIPT: &str = r#"
import sys, json, xml.etree.ElementTree as ET
A = '{http://www.w3.org/2005/Atom}'
root = ET.fromstring(sys.stdin.buffer.read())
def t(e, tag):
    x = e.find(A + tag)
    return None if x is None else x.text
out = {'tag': root.tag, 'id': t(root, 'id'), 'title': t(root, 'title'), 'updated': t(root, 'updated'),
       'author': root.find(A + 'author/' + A + 'name').text, 'links': [l.attrib for l in root.findall(A + 'link')],
       'entries': [{'id': t(e, 'id'), 'title': t(e, 'title'), 'published': t(e, 'published'), 'updated': t(e, 'updated'),
                    'summary': t(e, 'summary'), 'content': t(e, 'content'), 'content_type': e.find(A + 'content').get('type'),
                    'link': e.find(A + 'link').get('href'), 'author': e.find(A + 'author/' + A + 'name').text}
                   for e in root.findall(A + 'entry')]}
print(json.dumps(out))
"#;

#[tokio::test]
async fn the_feed_is_atom_with_the_newest_public_entries_in_its_language() {
    let app = spawn_app().await;
    let ids = seed_without_article(&app).await;
    let id = publish_through_the_chain(&app, "马绍坚校长会见代表团。", ids.iukl, &[]).await;
    let older = Arranged {
        slug: "older",
        published_at: Some("2024-01-02T00:00:00.000000Z"),
        versions: &[("en", "Older <news> & more", "S")],
        ..Default::default()
    };
    arrange(&app, older).await;
    arrange(&app, Arranged { slug: "hidden", status: "approved", versions: &[("en", "Hidden", "")], ..Default::default() }).await;

    let (status, headers, xml) = page(&app, "/news/feed.atom?lang=en").await;
    let (_, _, xml_zh) = page(&app, "/news/feed.atom?lang=zh").await;

    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap_or("").starts_with("application/atom+xml"));
    let feed = python_xml(&xml, FEED_SCRIPT);
    assert_eq!(feed["tag"], "{http://www.w3.org/2005/Atom}feed");
    assert!(feed["id"].as_str().unwrap_or("").ends_with("/news/feed.atom?lang=en"));
    assert!(feed["title"].as_str().unwrap_or("").starts_with("News"));
    assert_eq!(feed["updated"], feed["entries"][0]["updated"], "the feed changed when its newest entry did");
    assert!(feed["author"].as_str().is_some_and(|a| !a.is_empty()));
    let links = feed["links"].as_array().expect("links");
    assert!(links.iter().any(|l| l["rel"] == "self" && l["href"].as_str().unwrap_or("").ends_with("/news/feed.atom?lang=en")));
    assert!(links.iter().any(|l| l["rel"] == "alternate" && l["href"].as_str().unwrap_or("").ends_with("/news?lang=en")));
    let entries = feed["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2, "{xml}");
    assert_eq!(entries[0]["title"], "IUKL delegation visits the university");
    assert_eq!(entries[0]["published"], "2024-05-24T02:00:00Z");
    assert_eq!(entries[0]["author"], "Qin Lijuan");
    assert_eq!(entries[0]["content_type"], "html");
    assert!(entries[0]["content"].as_str().unwrap_or("").contains("<p>President Ma Shaojian met the delegation.</p>"));
    assert!(entries[0]["id"].as_str().unwrap_or("").starts_with("tag:127.0.0.1,2024-05-24:news/"), "{}", entries[0]["id"]);
    assert!(entries[0]["link"].as_str().unwrap_or("").ends_with("/news/iukl-delegation-visit?lang=en"));
    assert_eq!(entries[1]["title"], "Older <news> & more");
    let zh = python_xml(&xml_zh, FEED_SCRIPT);
    assert_eq!(zh["entries"][0]["title"], "马来西亚吉隆坡基础设施大学代表团来访");
    assert!(zh["entries"][0]["id"].as_str().unwrap_or("").ends_with(&format!("news/{id}/zh")));
}

const SITEMAP_SCRIPT: &str = r#"
import sys, json, xml.etree.ElementTree as ET
S = '{http://www.sitemaps.org/schemas/sitemap/0.9}'
X = '{http://www.w3.org/1999/xhtml}'
root = ET.fromstring(sys.stdin.buffer.read())
print(json.dumps([{'loc': u.find(S + 'loc').text, 'alternates': {l.get('hreflang'): l.get('href') for l in u.findall(X + 'link')}}
                  for u in root.findall(S + 'url')]))
"#;

#[tokio::test]
async fn the_sitemap_lists_the_news_in_each_language_with_alternates_and_the_partner_page() {
    let app = spawn_app().await;
    arrange(&app, Arranged { slug: "both", versions: &[("zh", "两种语言", ""), ("en", "Both languages", "")], ..Default::default() }).await;
    arrange(&app, Arranged { slug: "draft", status: "draft", versions: &[("en", "Draft", "")], ..Default::default() }).await;

    let (status, headers, xml) = page(&app, "/sitemap.xml").await;

    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap_or("").starts_with("application/xml"));
    let urls = python_xml(&xml, SITEMAP_SCRIPT);
    let locs: Vec<String> =
        urls.as_array().expect("urls").iter().map(|u| u["loc"].as_str().unwrap_or("").replace(&app.address, "")).collect();
    let expected = [
        "/news?lang=en",
        "/news?lang=zh",
        "/news?lang=ms",
        "/news/both?lang=en",
        "/news/both?lang=zh",
        "/partners?lang=en",
        "/partners?lang=zh",
        "/partners?lang=ms",
    ];
    assert_eq!(locs, expected);
    let article = &urls[4]["alternates"];
    assert_eq!(article["en"], format!("{}/news/both?lang=en", app.address));
    assert_eq!(article["zh-Hans"], format!("{}/news/both?lang=zh", app.address));
}

#[tokio::test]
async fn pages_feed_and_sitemap_answer_304_to_their_validators() {
    let app = spawn_app().await;
    arrange(&app, Arranged { slug: "story", versions: &[("en", "Story", "")], ..Default::default() }).await;

    for path in ["/news/story?lang=en", "/news?lang=en", "/news/feed.atom?lang=en", "/sitemap.xml"] {
        let (status, headers, _) = page(&app, path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(headers["cache-control"], "public, max-age=60", "{path}");
        let etag = headers["etag"].to_str().expect("etag").to_string();
        let modified = headers["last-modified"].to_str().expect("last-modified").to_string();
        assert_eq!(modified, "Fri, 24 May 2024 02:00:00 GMT", "{path}");

        let by_tag = app.client.get(app.url(path)).header("if-none-match", &etag).send().await.expect("get");
        let by_date = app.client.get(app.url(path)).header("if-modified-since", &modified).send().await.expect("get");
        let changed = app
            .client
            .get(app.url(path))
            .header("if-none-match", "\"stale\"")
            .header("if-modified-since", &modified)
            .send()
            .await
            .expect("get");

        assert_eq!(by_tag.status().as_u16(), 304, "{path}");
        assert_eq!(by_tag.headers()["etag"].to_str().ok(), Some(etag.as_str()));
        assert!(by_tag.text().await.expect("body").is_empty());
        assert_eq!(by_date.status().as_u16(), 304, "{path}");
        assert_eq!(changed.status().as_u16(), 200, "If-None-Match wins over the date: {path}");
    }
    let res = app.client.get(app.url("/news")).header("accept-language", "zh-CN").send().await.expect("get");
    assert_eq!(res.headers()["vary"], "Accept-Language, Cookie");
    assert!(res.text().await.expect("body").contains("<html lang=\"zh-Hans\">"));
}

/// Waits until the article's count (read over the API) reaches `at_least`, and returns it.
async fn views_reaching(app: &TestApp, token: &str, id: i64, at_least: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let count = get(app, token, &format!("/api/v1/articles/{id}")).await["view_count"].as_i64().unwrap_or(-1);
        if count >= at_least || Instant::now() > deadline {
            return count;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn visit(app: &TestApp, base: &str, ua: &str, extra: Option<(&str, &str)>, method: reqwest::Method) -> u16 {
    let mut req = app.client.request(method, format!("{base}/news/story?lang=en")).header("user-agent", ua);
    if let Some((k, v)) = extra {
        req = req.header(k, v);
    }
    req.send().await.expect("visit").status().as_u16()
}

#[tokio::test]
async fn a_visitor_counts_once_a_day_and_robots_heads_and_prefetches_not_at_all() {
    let app = spawn_app().await;
    let token = app.token_for("viewer", &["viewer"], None).await;
    let id = arrange(&app, Arranged { slug: "story", versions: &[("en", "Story", "")], ..Default::default() }).await;
    let base = app.address.clone();

    assert_eq!(visit(&app, &base, BROWSER, None, reqwest::Method::GET).await, 200);
    assert_eq!(visit(&app, &base, BROWSER, None, reqwest::Method::GET).await, 200);
    assert_eq!(views_reaching(&app, &token, id, 1).await, 1);

    // Robots, tools, an empty agent, HEAD and prefetches first; then one new visitor.
    for ua in ["Mozilla/5.0 (compatible; Googlebot/2.1)", "curl/8.5.0", "python-requests/2.31", ""] {
        visit(&app, &base, ua, None, reqwest::Method::GET).await;
    }
    visit(&app, &base, PHONE, None, reqwest::Method::HEAD).await;
    visit(&app, &base, PHONE, Some(("sec-purpose", "prefetch")), reqwest::Method::GET).await;
    visit(&app, &base, PHONE, Some(("purpose", "prefetch")), reqwest::Method::GET).await;
    visit(&app, &base, PHONE, None, reqwest::Method::GET).await;

    assert_eq!(views_reaching(&app, &token, id, 2).await, 2);
    // A revalidation answered 304 by a known visitor does not count again.
    let etag =
        app.client.get(app.url("/news/story?lang=en")).header("user-agent", PHONE).send().await.expect("get").headers()["etag"].clone();
    let res =
        app.client.get(app.url("/news/story?lang=en")).header("user-agent", PHONE).header("if-none-match", etag).send().await.expect("get");
    assert_eq!(res.status().as_u16(), 304);
    assert_eq!(visit(&app, &base, "Mozilla/5.0 third reader", None, reqwest::Method::GET).await, 200);
    assert_eq!(views_reaching(&app, &token, id, 3).await, 3);

    // What is stored: today's salt and 128-bit hashes, nothing of the address or agent.
    let visitors: Vec<String> = sqlx::query_scalar("SELECT visitor FROM article_view_marks").fetch_all(&app.db.pool).await.expect("marks");
    assert_eq!(visitors.len(), 3);
    assert!(visitors.iter().all(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit())));
    let days: Vec<String> = sqlx::query_scalar("SELECT day FROM news_view_salts").fetch_all(&app.db.pool).await.expect("salts");
    assert_eq!(days, vec![liaison::time::today()]);
}

#[tokio::test]
async fn two_instances_count_the_same_visitor_once() {
    let app = spawn_app().await;
    let token = app.token_for("viewer", &["viewer"], None).await;
    let id = arrange(&app, Arranged { slug: "story", versions: &[("en", "Story", "")], ..Default::default() }).await;
    let second = app.second_instance().await;
    let first = app.address.clone();

    assert_eq!(visit(&app, &first, BROWSER, None, reqwest::Method::GET).await, 200);
    assert_eq!(visit(&app, &second, BROWSER, None, reqwest::Method::GET).await, 200);
    assert_eq!(views_reaching(&app, &token, id, 1).await, 1);
    // A new visitor on each instance: once both are counted, each instance has written
    // everything it held before them.
    visit(&app, &second, PHONE, None, reqwest::Method::GET).await;
    visit(&app, &first, "Mozilla/5.0 third reader", None, reqwest::Method::GET).await;

    assert_eq!(views_reaching(&app, &token, id, 3).await, 3);
    let page = app.client.get(format!("{second}/news/story?lang=en")).header("user-agent", "curl/8").send().await.expect("get");
    assert!(page.text().await.expect("body").contains("<p class=\"views\">Views: <span class=\"n\">"));
}

#[tokio::test]
async fn the_seed_storys_article_is_public_with_its_credits_apart_and_no_glued_date() {
    let app = spawn_app().await;
    seed(&app).await;

    let (status, headers, html) = page(&app, "/news/iukl-delegation-symposium-2024?lang=en").await;
    let (_, _, list) = page(&app, "/news?lang=zh").await;

    assert_eq!(status, 200, "{html}");
    assert!(headers.get("set-cookie").is_none(), "a publicly cacheable page sets no cookie");
    let text = text_of(&html);
    assert!(text.contains("May 24, 2024") && !text.contains("2024click") && !text.contains("2024Views"), "{text}");
    for (role, name) in [("Author", "Qin Lijuan"), ("Translator", "Peng Gaoliang"), ("Proofreader", "Tang Mei"), ("Reviewer", "Lin Na")] {
        assert!(html.contains(&format!("<dt>{role}</dt><dd>{name}</dd>")), "{role}");
    }
    let ld = html.split("<script type=\"application/ld+json\">").nth(1).and_then(|s| s.split("</script>").next()).expect("JSON-LD");
    assert_eq!(serde_json::from_str::<Value>(ld).expect("JSON-LD parses")["@type"], "NewsArticle");
    assert!(list.contains("href=\"/news/iukl-delegation-symposium-2024?lang=zh\""), "{list}");
    let (_, _, zh) = page(&app, "/news/iukl-delegation-symposium-2024?lang=zh").await;
    assert!(zh.contains("本中文稿为演示数据而写"), "the Chinese version says it was written for the demo");
}
