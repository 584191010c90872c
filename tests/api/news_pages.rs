//! The news desk's pages, driven like a browser (session cookie, CSRF field, forms): the
//! list and "waiting for me", the article page in both languages, the new-article form
//! keeping its input, steps refused with the reason, the conflict page keeping the
//! user's text, revisions and restore, and drafting an article from a visit.

use liaison::{
    audit::Actor,
    auth::{
        session,
        users::{self, NewGrant, NewUser},
    },
};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, client, extract_csrf, get, post, seed, spawn_app};

/// A logged-in browser of a user with a shown name and roles, and an API token of theirs.
struct Person {
    browser: reqwest::Client,
    token: String,
}

async fn person(app: &TestApp, username: &str, name: &str, roles: &[&str]) -> Person {
    let grants = roles.iter().map(|r| NewGrant { role: (*r).into(), unit_id: None }).collect();
    let id = users::create_user(
        &app.db,
        &Actor::system("test"),
        NewUser { username: username.into(), display_name: Some(name.into()), email: None, password: PASSWORD.into(), grants },
    )
    .await
    .expect("user");
    let browser = client();
    let res = app.login(&browser, username, PASSWORD).await;
    assert_eq!(res.status().as_u16(), 303, "login");
    Person { browser, token: session::issue_token(&app.db, id, "test").await.expect("token").token }
}

impl Person {
    async fn page(&self, app: &TestApp, path: &str) -> (u16, String) {
        let res = self.browser.get(app.url(path)).send().await.expect("get");
        (res.status().as_u16(), res.text().await.expect("html"))
    }

    /// Posts a form with the CSRF token of `from`; the status, `Location` and body.
    async fn submit(&self, app: &TestApp, from: &str, action: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let (_, html) = self.page(app, from).await;
        let csrf = extract_csrf(&html);
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let res = self.browser.post(app.url(action)).form(&form).send().await.expect("post");
        let status = res.status().as_u16();
        let location = res.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_string();
        (status, location, res.text().await.expect("html"))
    }
}

async fn new_article(app: &TestApp, author: &Person, title: &str, body: &str) -> i64 {
    let (s, a) =
        post(app, &author.token, "/api/v1/articles", json!({"original_lang": "zh", "original": {"title": title, "body": body}})).await;
    assert_eq!(s, 201, "{a}");
    a["id"].as_i64().expect("id")
}

async fn api_step(app: &TestApp, who: &Person, id: i64, body: Value) {
    let (s, a) = post(app, &who.token, &format!("/api/v1/articles/{id}/steps"), body).await;
    assert_eq!(s, 200, "{a}");
}

/// The text between `<tag id="…">`'s `>` and the next `</`.
fn inner<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} in the page"));
    let start = at + html[at..].find('>').expect("tag end") + 1;
    let end = start + html[start..].find("</").expect("closing tag");
    &html[start..end]
}

#[tokio::test]
async fn the_seed_article_page_shows_chain_credits_steps_and_the_aid_in_english_and_chinese() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let lin = person(&app, "lin.na", "Lin Na", &["reviewer", "proofreader"]).await;
    let path = format!("/articles/{}", ids.article);

    let (status, html) = lin.page(&app, &path).await;
    let (zh_status, zh) = lin.page(&app, &format!("{path}?lang=zh")).await;

    assert_eq!((status, zh_status), (200, 200));
    assert!(html.contains("<title>Delegation from Infrastructure University Kuala Lumpur"), "the English title heads the English page");
    assert!(zh.contains("<title>马来西亚吉隆坡基础设施大学代表团来访我校"), "the Chinese title heads the Chinese page");
    assert!(html.contains("href=\"/static/news-admin.css\"") && !html.contains("style=\""), "classes from the stylesheet only");
    assert!(html.contains("<li class=\"current\" aria-current=\"step\">Published</li>"), "the chain ends at published");
    assert!(zh.contains("<li class=\"current\" aria-current=\"step\">已发布</li>"));
    let credits = inner(&html, "credits-h");
    assert_eq!(credits, "Credits");
    let block = &html[html.find("id=\"credits\"").expect("credits")..html.find("id=\"steps\"").expect("steps")];
    for name in ["Qin Lijuan", "Peng Gaoliang", "Tang Mei", "Lin Na"] {
        assert!(block.contains(name), "credits name {name}: {block}");
    }
    assert!(block.contains("<dt>Translator</dt>") && zh.contains("<dt>译者</dt>"), "roles are labelled in the UI language");
    assert!(html.contains("Spelling and articles checked with the proofreading aid."), "the steps carry their comments");
    assert!(html.contains("2024-05-24 10:00"), "the publish time in the office's zone");
    assert!(html.contains("id=\"no-findings\""), "the corrected seed text gives the aid nothing to flag");
    assert!(html.contains("<p>On May 8, 2024, a delegation of four members"), "the body is rendered from Markdown");
    assert!(html.contains("id=\"step-withdraw\""), "a reviewer may withdraw a published article");
    assert!(html.contains("href=\"/articles\" aria-current=\"page\">News</a>") && zh.contains(">新闻</a>"), "the nav has the news desk");
    let (css, _) = lin.page(&app, "/static/news-admin.css").await;
    assert_eq!(css, 200);
}

#[tokio::test]
async fn the_list_filters_by_status_and_shows_what_waits_for_each_person() {
    let app = spawn_app().await;
    let author = person(&app, "qin.lijuan", "Qin Lijuan", &["author"]).await;
    let translator = person(&app, "peng.gaoliang", "Peng Gaoliang", &["translator"]).await;
    let kept = new_article(&app, &author, "仍是草稿的稿件", "正文。").await;
    let handed = new_article(&app, &author, "等待翻译的稿件", "正文。").await;
    api_step(&app, &author, handed, json!({"action": "submit"})).await;

    let (_, all) = translator.page(&app, "/articles").await;
    let (_, waiting) = translator.page(&app, "/articles?view=waiting").await;
    let (_, mine) = author.page(&app, "/articles?view=waiting&lang=zh").await;
    let (_, drafts) = author.page(&app, "/articles?status=draft").await;
    let (bad, bad_html) = author.page(&app, "/articles?status=lost").await;

    assert!(all.contains(&format!("/articles/{kept}\"")) && all.contains(&format!("/articles/{handed}\"")));
    assert!(waiting.contains(&format!("/articles/{handed}\"")) && !waiting.contains(&format!("/articles/{kept}\"")), "{waiting}");
    assert!(waiting.contains("<span class=\"status news-translation\">Translation</span>") && waiting.contains("<td>Qin Lijuan</td>"));
    assert!(mine.contains(&format!("/articles/{kept}\"")) && !mine.contains(&format!("/articles/{handed}\"")), "{mine}");
    assert!(mine.contains("待我处理") && mine.contains("草稿"));
    assert!(drafts.contains(&format!("/articles/{kept}\"")) && !drafts.contains(&format!("/articles/{handed}\"")));
    assert_eq!(bad, 422);
    assert!(bad_html.contains("is not a status; use one of draft"), "a bad filter is explained");
}

#[tokio::test]
async fn the_new_article_form_keeps_the_input_and_explains_each_problem() {
    let app = spawn_app().await;
    seed(&app).await;
    let author = person(&app, "qin.lijuan", "Qin Lijuan", &["author"]).await;
    let before = app.count("articles").await;
    let body = "第一段。\r\n\r\n第二段：会谈在实训楼1507会议室举行。";

    let (status, _, html) = author
        .submit(
            &app,
            "/articles/new",
            "/articles/new",
            &[
                ("original_lang", "zh"),
                ("title", "  "),
                ("body", body),
                ("tags", "来访, visits"),
                ("institution", "Nowhere Polytechnic of Atlantis"),
            ],
        )
        .await;

    assert_eq!(status, 422);
    assert!(html.contains("Give the article a title"), "title message");
    assert!(html.contains("No partner institution matches"), "partner message");
    assert!(html.contains("第二段：会谈在实训楼1507会议室举行。"), "the body is kept");
    assert!(html.contains("value=\"来访, visits\"") && html.contains("value=\"Nowhere Polytechnic of Atlantis\""), "other fields kept");
    assert!(html.contains("value=\"zh\" checked"), "the language choice is kept");
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("role=\"alert\""));
    assert_eq!(app.count("articles").await, before, "nothing stored");

    let (status, location, _) = author
        .submit(
            &app,
            "/articles/new",
            "/articles/new",
            &[("original_lang", "zh"), ("title", "代表团来访"), ("body", body), ("tags", "来访, visits"), ("institution", "IUKL")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = author.page(&app, &location).await;
    assert!(page.contains("代表团来访") && page.contains("Infrastructure University Kuala Lumpur"), "title and related partner");
    assert!(
        page.contains("<span class=\"tag\" translate=\"no\">来访</span>")
            && page.contains("<span class=\"tag\" translate=\"no\">visits</span>")
    );
    let id: i64 = location.trim_start_matches("/articles/").parse().expect("id");
    let a = get(&app, &author.token, &format!("/api/v1/articles/{id}")).await;
    assert_eq!(a["versions"][0]["body"], "第一段。\n\n第二段：会谈在实训楼1507会议室举行。", "line ends as LF");

    // Someone who is not an author is told so, and a post is refused with the reason inline.
    let translator = person(&app, "peng.gaoliang", "Peng Gaoliang", &["translator"]).await;
    let (_, form) = translator.page(&app, "/articles/new").await;
    assert!(form.contains("id=\"authors-only\""));
    let (status, _, html) =
        translator.submit(&app, "/articles/new", "/articles/new", &[("original_lang", "en"), ("title", "Mine"), ("body", "Text")]).await;
    assert_eq!(status, 403);
    assert!(html.contains("Starting an article needs the author role") && html.contains("value=\"Mine\""), "reason shown, input kept");
}

#[tokio::test]
async fn a_step_refused_for_the_wrong_role_shows_the_reason_and_changes_nothing() {
    let app = spawn_app().await;
    let author = person(&app, "qin.lijuan", "Qin Lijuan", &["author"]).await;
    let photographer = person(&app, "xiao.jia", "Xiao Jia", &["photographer"]).await;
    let translator = person(&app, "peng.gaoliang", "Peng Gaoliang", &["translator"]).await;
    let id = new_article(&app, &author, "角色测试", "正文。").await;
    let path = format!("/articles/{id}");

    // The author's page offers the submit; the photographer's says whose turn it is.
    let (_, mine) = author.page(&app, &path).await;
    let (_, theirs) = photographer.page(&app, &path).await;
    assert!(mine.contains("id=\"step-submit\"") && mine.contains("Submit to: Translation"));
    assert!(!theirs.contains("id=\"step-submit\"") && inner(&theirs, "whose-turn").contains("Waiting for the Author"), "{theirs}");
    assert!(
        theirs.contains("id=\"photo-upload\"") && theirs.contains("src=\"/static/news-admin.js\""),
        "photographers get the upload form"
    );
    assert!(!mine.contains("id=\"photo-upload\"") && !mine.contains("id=\"proofreading\""), "the author gets neither upload nor aid");

    let (status, _, html) = photographer.submit(&app, &path, &format!("{path}/steps"), &[("action", "submit"), ("comment", "done")]).await;

    assert_eq!(status, 403);
    assert!(html.contains("needs the author role; your roles (photographer) do not include it"), "the reason is on the page: {html}");
    let a = get(&app, &author.token, &format!("/api/v1/articles/{id}")).await;
    assert_eq!(a["status"], "draft");

    // The author submits; a send-back without a comment is refused inline with the form open.
    let (status, location, _) = author.submit(&app, &path, &format!("{path}/steps"), &[("action", "submit")]).await;
    assert_eq!((status, location.as_str()), (303, format!("{path}?done=step").as_str()));
    let (status, _, html) =
        translator.submit(&app, &path, &format!("{path}/steps"), &[("action", "send_back"), ("to", "draft"), ("comment", " ")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("a comment is required") && html.contains("<details class=\"send-back\" open>"), "{html}");
    let (status, _, _) = translator
        .submit(&app, &path, &format!("{path}/steps"), &[("action", "send_back"), ("to", "draft"), ("comment", "请补充第二段。")])
        .await;
    assert_eq!(status, 303);
    let (_, page) = author.page(&app, &format!("{path}?done=step")).await;
    assert!(page.contains("The step was recorded.") && page.contains("请补充第二段。") && page.contains("Peng Gaoliang"));
    assert!(page.contains("<li class=\"current\" aria-current=\"step\">Draft</li>"));
}

#[tokio::test]
async fn a_stale_save_shows_the_conflict_with_both_diffs_and_keeps_the_users_text() {
    let app = spawn_app().await;
    let first = person(&app, "qin.lijuan", "Qin Lijuan", &["author"]).await;
    let second = person(&app, "second.author", "Second Author", &["author"]).await;
    let id = new_article(&app, &first, "并发编辑", "正文第一段。\n\n第二段。\n").await;
    let edit = format!("/articles/{id}/edit/zh");
    // Both open the editor at revision 1.
    let (_, form_a) = first.page(&app, &edit).await;
    let (_, form_b) = second.page(&app, &edit).await;
    assert!(form_a.contains("name=\"base_revision\" value=\"1\"") && form_b.contains("正文第一段。"));
    let post_edit = |who: &'static str, body: &'static str, base: &'static str| {
        vec![("title", "并发编辑"), ("summary", ""), ("body", body), ("note", who), ("base_revision", base)]
    };

    let (s1, _, _) = first.submit(&app, &edit, &edit, &post_edit("a", "正文第一段。\r\n\r\n作者补充的一段。\r\n", "1")).await;
    let (s2, _, html) = second.submit(&app, &edit, &edit, &post_edit("b", "正文第一段（改）。\r\n\r\n第二段。\r\n", "1")).await;

    assert_eq!((s1, s2), (303, 409));
    assert!(html.contains("Someone else saved the zh version while you were editing"), "the message");
    assert!(inner(&html, "body").contains("正文第一段（改）。"), "the user's text is still in the textarea");
    assert!(inner(&html, "current-body").contains("作者补充的一段。"), "the current text is shown");
    assert!(html.contains("<span class=\"add\">+作者补充的一段。</span>"), "their changes: {html}");
    assert!(html.contains("<span class=\"add\">+正文第一段（改）。</span>"), "your changes");
    assert!(html.contains("name=\"base_revision\" value=\"2\""), "the next save goes on top of the current revision");
    let a = get(&app, &first.token, &format!("/api/v1/articles/{id}")).await;
    assert_eq!(a["versions"][0]["body"], "正文第一段。\n\n作者补充的一段。\n", "nothing was overwritten");

    let (s3, location, _) = second.submit(&app, &edit, &edit, &post_edit("b", "正文第一段（改）。\r\n\r\n作者补充的一段。\r\n", "2")).await;
    assert_eq!((s3, location), (303, format!("/articles/{id}?done=saved#version-zh")));
    let a = get(&app, &first.token, &format!("/api/v1/articles/{id}")).await;
    assert_eq!(
        (a["versions"][0]["revision"].as_i64(), a["versions"][0]["body"].as_str()),
        (Some(3), Some("正文第一段（改）。\n\n作者补充的一段。\n"))
    );

    // A missing translation is the same form without a revision; bad input is kept.
    let (status, html) = first.page(&app, &format!("/articles/{id}/edit/en")).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"base_revision\" value=\"\"") && html.contains("正文第一段（改）。"), "written beside the original");
    let en = format!("/articles/{id}/edit/en");
    let (status, _, html) =
        first.submit(&app, &en, &en, &[("title", ""), ("body", "Concurrent editing, in English."), ("base_revision", "")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Give the article a title") && html.contains("Concurrent editing, in English."));
    let (status, _, _) = first
        .submit(&app, &en, &en, &[("title", "Concurrent editing"), ("body", "Concurrent editing, in English."), ("base_revision", "")])
        .await;
    assert_eq!(status, 303);
    let (status, _) = first.page(&app, &format!("/articles/{id}/edit/fr")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_revisions_page_shows_each_diff_and_restores_an_earlier_revision() {
    let app = spawn_app().await;
    let author = person(&app, "qin.lijuan", "Qin Lijuan", &["author"]).await;
    let id = new_article(&app, &author, "修订", "第一版。\n").await;
    let (s, _) = post(
        &app,
        &author.token,
        &format!("/api/v1/articles/{id}/versions/zh"),
        json!({"title": "修订", "body": "第二版。\n", "base_revision": 1}),
    )
    .await;
    assert_eq!(s, 200);
    let path = format!("/articles/{id}/revisions/zh");

    let (status, html) = author.page(&app, &path).await;

    assert_eq!(status, 200);
    let newest = html.find("id=\"revision-2\"").expect("revision 2");
    let oldest = html.find("id=\"revision-1\"").expect("revision 1");
    assert!(newest < oldest, "newest first");
    assert!(html.contains("<span class=\"del\">-第一版。</span>") && html.contains("<span class=\"add\">+第二版。</span>"));
    assert!(html.contains("Restore revision 1") && !html.contains("Restore revision 2"), "the current one is not offered");

    let (status, location, _) = author.submit(&app, &path, &format!("{path}/restore"), &[("revision", "1"), ("base_revision", "2")]).await;
    assert_eq!((status, location.as_str()), (303, format!("{path}?restored=1").as_str()));
    let (_, html) = author.page(&app, &location).await;
    assert!(html.contains("Restored as a new revision: revision 1") && html.contains("restored from revision 1"));
    let a = get(&app, &author.token, &format!("/api/v1/articles/{id}")).await;
    assert_eq!((a["versions"][0]["revision"].as_i64(), a["versions"][0]["body"].as_str()), (Some(3), Some("第一版。\n")));

    // A restore from a stale page changes nothing and says why.
    let (status, _, html) = author.submit(&app, &path, &format!("{path}/restore"), &[("revision", "2"), ("base_revision", "2")]).await;
    assert_eq!(status, 409);
    assert!(html.contains("Someone else saved the zh version"), "{html}");
    let (_, zh) = author.page(&app, &format!("{path}?lang=zh")).await;
    assert!(zh.contains("恢复修订版 1") && zh.contains("修订记录"));
}

#[tokio::test]
async fn the_visit_page_drafts_a_bilingual_article_for_authors() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let author = person(&app, "qin.lijuan", "Qin Lijuan", &["author"]).await;
    let viewer = person(&app, "guest", "Guest", &["viewer"]).await;
    let translator = person(&app, "peng.gaoliang", "Peng Gaoliang", &["translator"]).await;
    let visit = format!("/visits/{}", ids.visit);
    let action = format!("{visit}/draft-article");

    let (_, for_viewer) = viewer.page(&app, &visit).await;
    let (_, for_author) = author.page(&app, &visit).await;
    let (status, location, _) = author.submit(&app, &visit, &action, &[]).await;

    assert!(!for_viewer.contains(&action) && for_author.contains(&format!("action=\"{action}\"")));
    assert!(for_author.contains("Draft a news article"));
    assert_eq!(status, 303);
    assert!(location.starts_with("/articles/") && location.ends_with("?done=drafted"), "{location}");
    let (_, html) = author.page(&app, &location).await;
    assert!(html.contains("A first draft was written from the visit"));
    assert!(html.contains("id=\"version-zh\"") && html.contains("id=\"version-en\""), "Chinese and English");
    assert!(html.contains("May 8, 2024") && html.contains("2024年5月8日"));
    assert!(html.contains("Visit: <a href=\"/visits/"), "linked to the visit");
    let (status, _, html) = translator.submit(&app, &visit, &action, &[]).await;
    assert_eq!(status, 403);
    assert!(html.contains("Starting an article needs the author role"), "{html}");
    let (status, _, _) = author.submit(&app, &visit, "/visits/999999/draft-article", &[]).await;
    assert_eq!(status, 404);
}
