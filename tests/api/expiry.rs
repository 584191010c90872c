//! Agreement expiry: the list (API and page), the dashboard tile, the weekly digest
//! through a real SMTP server, and the per-user calendar feed read by Python's
//! `icalendar`. Agreements are arranged with SQL (this module reads the agreements
//! tables and does not depend on the agreements module's code).

use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, client, seed, spawn_app, spawn_app_with},
    mail::{SmtpSink, eventually},
};

/// The date `offset` days from today (UTC, as the app counts).
fn day(offset: i64) -> String {
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    today.checked_add(jiff::Span::new().days(offset)).expect("date").to_string()
}

/// An agreement as the agreements module would store it.
struct Agreement<'a> {
    title: &'a str,
    status: &'a str,
    expiry: Option<i64>,
    notice_days: Option<i64>,
    auto_renew: bool,
    unit: Option<i64>,
    responsible: Option<i64>,
}

impl Default for Agreement<'_> {
    fn default() -> Self {
        Agreement {
            title: "MoU",
            status: "in_effect",
            expiry: Some(30),
            notice_days: None,
            auto_renew: false,
            unit: None,
            responsible: None,
        }
    }
}

/// Inserts the agreement between the home institution and IUKL; returns its id.
async fn insert(app: &TestApp, ids: &liaison::seed::SeedIds, a: Agreement<'_>) -> i64 {
    let now = liaison::time::now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agreements (kind, title, status, effective_date, expiry_date, notice_days, auto_renew, unit_id, responsible_id, created_at, updated_at)
         VALUES ('mou', $1, $2, '2020-01-01', $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(a.title)
    .bind(a.status)
    .bind(a.expiry.map(day))
    .bind(a.notice_days)
    .bind(i64::from(a.auto_renew))
    .bind(a.unit)
    .bind(a.responsible)
    .bind(&now)
    .fetch_one(&app.db.pool)
    .await
    .expect("agreement");
    for institution in [ids.home, ids.iukl] {
        sqlx::query("INSERT INTO agreement_parties (agreement_id, institution_id) VALUES ($1, $2)")
            .bind(id)
            .bind(institution)
            .execute(&app.db.pool)
            .await
            .expect("party");
    }
    status_event(app, id, a.status).await;
    id
}

async fn status_event(app: &TestApp, id: i64, status: &str) {
    sqlx::query("INSERT INTO agreement_status_events (agreement_id, status, on_date, at, actor) VALUES ($1, $2, $3, $4, 'test')")
        .bind(id)
        .bind(status)
        .bind(day(0))
        .bind(liaison::time::now_text())
        .execute(&app.db.pool)
        .await
        .expect("status event");
}

async fn home_units(app: &TestApp, ids: &liaison::seed::SeedIds) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM units WHERE institution_id = $1 ORDER BY id")
        .bind(ids.home)
        .fetch_all(&app.db.pool)
        .await
        .expect("units")
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1").bind(username).fetch_one(&app.db.pool).await.expect("user")
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let res = app.client.get(app.url(path)).bearer_auth(token).send().await.expect("request");
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

fn titles(list: &Value) -> Vec<&str> {
    list["items"].as_array().expect("items").iter().map(|i| i["title"].as_str().unwrap_or_default()).collect()
}

#[tokio::test]
async fn the_list_holds_signed_and_in_effect_agreements_of_the_window_nearest_date_first() {
    // Arrange
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("viewer", &["viewer"], None).await;
    let unit = home_units(&app, &ids).await[0];
    let mei = app.add_user("mei", &["staff"], None).await;
    let a = Agreement::default;
    insert(&app, &ids, Agreement { title: "In 30 days", expiry: Some(30), unit: Some(unit), responsible: Some(mei), ..a() }).await;
    insert(&app, &ids, Agreement { title: "Signed, in 10 days", status: "signed", expiry: Some(10), ..a() }).await;
    insert(&app, &ids, Agreement { title: "Today", expiry: Some(0), ..a() }).await;
    let notice =
        insert(&app, &ids, Agreement { title: "Notice in 20 days", expiry: Some(140), notice_days: Some(120), auto_renew: true, ..a() })
            .await;
    insert(&app, &ids, Agreement { title: "Notice passed", expiry: Some(50), notice_days: Some(60), ..a() }).await;
    insert(&app, &ids, Agreement { title: "In 200 days", expiry: Some(200), ..a() }).await;
    insert(&app, &ids, Agreement { title: "Notice outside", expiry: Some(200), notice_days: Some(30), ..a() }).await;
    insert(&app, &ids, Agreement { title: "Yesterday", expiry: Some(-1), ..a() }).await;
    insert(&app, &ids, Agreement { title: "No expiry", expiry: None, ..a() }).await;
    for status in ["terminated", "expired", "draft", "negotiation"] {
        insert(&app, &ids, Agreement { title: status, status, expiry: Some(5), ..a() }).await;
    }

    // Act
    let (status, list) = get_json(&app, &token, "/api/v1/agreements/expiring").await;
    let (_, short) = get_json(&app, &token, "/api/v1/agreements/expiring?days=15").await;

    // Assert
    assert_eq!(status, 200, "{list}");
    assert_eq!((list["days"].as_i64(), list["today"].as_str()), (Some(90), Some(day(0).as_str())), "{list}");
    assert_eq!(titles(&list), ["Today", "Signed, in 10 days", "Notice in 20 days", "In 30 days", "Notice passed"], "{list}");
    assert_eq!(titles(&short), ["Today", "Signed, in 10 days"], "{short}");
    let items = list["items"].as_array().expect("items");
    let n = &items[2];
    assert_eq!(n["id"], notice);
    assert_eq!((n["expiry_date"].as_str(), n["notice_date"].as_str()), (Some(day(140).as_str()), Some(day(20).as_str())), "{n}");
    assert_eq!(
        (n["auto_renew"].as_bool(), n["days_left"].as_i64(), n["next_date"].as_str()),
        (Some(true), Some(20), Some(day(20).as_str()))
    );
    assert_eq!(n["partners"], json!(["Infrastructure University Kuala Lumpur"]), "the home institution is not a partner: {n}");
    let passed = &items[4];
    assert_eq!((passed["notice_passed"].as_bool(), passed["next_date"].as_str()), (Some(true), Some(day(50).as_str())), "{passed}");
    let with_unit = &items[3];
    assert_eq!(with_unit["unit"]["id"], unit);
    assert!(!with_unit["unit"]["name"].as_str().unwrap_or_default().is_empty(), "{with_unit}");
    assert_eq!(with_unit["responsible"]["id"], mei);
}

#[tokio::test]
async fn the_list_is_filtered_per_unit_with_its_sub_units_and_rejects_bad_values() {
    // Arrange
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("viewer", &["viewer"], None).await;
    let units = home_units(&app, &ids).await;
    let (unit, other) = (units[0], units[1]);
    let sub: i64 =
        sqlx::query_scalar("INSERT INTO units (institution_id, parent_id, created_at, updated_at) VALUES ($1, $2, 'x', 'x') RETURNING id")
            .bind(ids.home)
            .bind(unit)
            .fetch_one(&app.db.pool)
            .await
            .expect("sub-unit");
    let a = Agreement::default;
    insert(&app, &ids, Agreement { title: "Unit's", unit: Some(unit), ..a() }).await;
    insert(&app, &ids, Agreement { title: "Sub-unit's", expiry: Some(40), unit: Some(sub), ..a() }).await;
    insert(&app, &ids, Agreement { title: "Other unit's", unit: Some(other), ..a() }).await;
    insert(&app, &ids, Agreement { title: "No unit", ..a() }).await;

    // Act
    let (_, of_unit) = get_json(&app, &token, &format!("/api/v1/agreements/expiring?unit_id={unit}")).await;
    let (_, of_other) = get_json(&app, &token, &format!("/api/v1/agreements/expiring?days=90&unit_id={other}")).await;
    let (_, all) = get_json(&app, &token, "/api/v1/agreements/expiring?unit_id=").await;
    let (bad_days, problem) = get_json(&app, &token, "/api/v1/agreements/expiring?days=-3").await;
    let (bad_unit, _) = get_json(&app, &token, "/api/v1/agreements/expiring?unit_id=abc").await;

    // Assert
    assert_eq!(titles(&of_unit), ["Unit's", "Sub-unit's"], "{of_unit}");
    assert_eq!(titles(&of_other), ["Other unit's"], "{of_other}");
    assert_eq!(titles(&all).len(), 4, "{all}");
    assert_eq!((bad_days, bad_unit), (422, 422), "{problem}");
    assert!(problem.to_string().contains("days"), "{problem}");
}

#[tokio::test]
async fn the_page_shows_the_table_with_links_and_the_dashboard_tile_counts_the_window() {
    // Arrange
    let app = spawn_app().await;
    let ids = seed(&app).await;
    app.logged_in("reader", &["viewer"]).await;
    let unit = home_units(&app, &ids).await[0];
    let a = Agreement::default;
    let soon = insert(&app, &ids, Agreement { title: "MoU with IUKL", expiry: Some(12), unit: Some(unit), ..a() }).await;
    insert(&app, &ids, Agreement { title: "Auto-renewing exchange", expiry: Some(100), notice_days: Some(30), auto_renew: true, ..a() })
        .await;
    insert(&app, &ids, Agreement { title: "Far away", expiry: Some(400), ..a() }).await;
    insert(&app, &ids, Agreement { title: "Ended", status: "terminated", expiry: Some(12), ..a() }).await;

    // Act
    let page = app.client.get(app.url("/agreements/expiring")).send().await.expect("page");
    let status = page.status().as_u16();
    let html = page.text().await.expect("html");
    let filtered = app.client.get(app.url(&format!("/agreements/expiring?days=30&unit_id={unit}"))).send().await.expect("page");
    let filtered = filtered.text().await.expect("html");
    let bad = app.client.get(app.url("/agreements/expiring?days=many")).send().await.expect("page");
    let bad_status = bad.status().as_u16();
    let bad = bad.text().await.expect("html");
    let dashboard = app.client.get(app.url("/")).send().await.expect("dashboard").text().await.expect("html");

    // Assert
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&format!("<a href=\"/agreements/{soon}\">MoU with IUKL</a>")), "{html}");
    assert!(html.contains("Auto-renewing exchange") && html.contains("renews automatically"), "{html}");
    assert!(!html.contains("Far away") && !html.contains("Ended"), "{html}");
    assert!(html.contains(&day(70)), "the notice date is shown: {html}");
    assert!(filtered.contains("MoU with IUKL") && !filtered.contains("Auto-renewing exchange"), "{filtered}");
    assert_eq!(bad_status, 200);
    assert!(bad.contains("role=\"alert\"") && bad.contains("value=\"many\""), "the bad value is kept with a message: {bad}");
    assert!(
        dashboard
            .contains("<a href=\"/agreements/expiring\"><span class=\"n\">2</span> <span>agreements expiring within 90 days</span></a>"),
        "{dashboard}"
    );
}

/// A user with an address who looks after agreements.
async fn responsible(app: &TestApp, username: &str, email: Option<&str>, locale: &str) -> i64 {
    let id = app.add_user(username, &["staff"], None).await;
    sqlx::query("UPDATE users SET email = $1, locale = $2 WHERE id = $3")
        .bind(email)
        .bind(locale)
        .bind(id)
        .execute(&app.db.pool)
        .await
        .expect("set email");
    id
}

/// Makes the users responsible for the agreements, all at once.
async fn assign(app: &TestApp, pairs: &[(i64, i64)]) {
    let cases: String = pairs.iter().map(|(a, u)| format!(" WHEN {a} THEN {u}")).collect();
    let ids = pairs.iter().map(|(a, _)| a.to_string()).collect::<Vec<_>>().join(", ");
    let sql = format!("UPDATE agreements SET responsible_id = CASE id{cases} END WHERE id IN ({ids})");
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&app.db.pool).await.expect("assign");
}

fn text(message: &Value, field: &str) -> String {
    message[field].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn each_responsible_user_gets_one_digest_a_week_from_two_instances() {
    // Arrange
    let sink = SmtpSink::running().await;
    let app = spawn_app_with(|raw| sink.configure(raw)).await;
    let ids = seed(&app).await;
    let mei = responsible(&app, "mei", Some("mei@example.edu"), "en").await;
    let li = responsible(&app, "li", Some("li@example.edu"), "zh").await;
    let nobody = responsible(&app, "nomail", None, "en").await;
    let later = responsible(&app, "later", Some("later@example.edu"), "en").await;
    let a = Agreement::default;
    let mut assigned = Vec::new();
    assigned.push((insert(&app, &ids, Agreement { title: "MoU with IUKL", expiry: Some(20), ..a() }).await, mei));
    let exchange = Agreement { title: "Exchange with IUKL", expiry: Some(150), notice_days: Some(90), auto_renew: true, ..a() };
    assigned.push((insert(&app, &ids, exchange).await, mei));
    assigned.push((insert(&app, &ids, Agreement { title: "Far away", expiry: Some(300), ..a() }).await, mei));
    assigned.push((insert(&app, &ids, Agreement { title: "Research agreement", expiry: Some(60), ..a() }).await, li));
    assigned.push((insert(&app, &ids, Agreement { title: "Nobody reads this", expiry: Some(60), ..a() }).await, nobody));
    assigned.push((insert(&app, &ids, Agreement { title: "Ended", status: "terminated", expiry: Some(60), ..a() }).await, later));
    // One statement, so that no worker tick sees a user with only some of their agreements.
    assign(&app, &assigned).await;
    let _second = app.second_instance().await;

    // Act
    sink.wait_for(2).await;
    // A later agreement proves both workers kept ticking after the first digests.
    insert(&app, &ids, Agreement { title: "Programme agreement", expiry: Some(10), responsible: Some(later), ..a() }).await;
    let messages = sink.wait_for(3).await;
    let keys: Vec<String> = eventually("three digests marked sent", async || {
        let rows: Vec<(String, Option<String>)> = sqlx::query_as("SELECT dedupe_key, sent_at FROM mail_outbox ORDER BY dedupe_key")
            .fetch_all(&app.db.pool)
            .await
            .expect("outbox");
        (rows.len() >= 3 && rows.iter().all(|r| r.1.is_some())).then(|| rows.into_iter().map(|r| r.0).collect())
    })
    .await;

    // Assert
    assert_eq!(messages.len(), 3, "{messages:#?}");
    let to = |addr: &str| messages.iter().filter(|m| m["rcpt_tos"] == json!([addr])).collect::<Vec<_>>();
    let (to_mei, to_li, to_later) = (to("mei@example.edu"), to("li@example.edu"), to("later@example.edu"));
    assert_eq!((to_mei.len(), to_li.len(), to_later.len()), (1, 1, 1), "{messages:#?}");
    let body = text(to_mei[0], "body");
    for part in [
        "MoU with IUKL (Infrastructure University Kuala Lumpur)",
        "Exchange with IUKL",
        &format!("notice by {}", day(60)),
        "renews automatically",
        "到期日",
    ] {
        assert!(body.contains(part), "{part} in {body}");
    }
    assert!(!body.contains("Far away"), "{body}");
    assert!(text(to_mei[0], "subject").starts_with("Agreements expiring within 90 days: 2"), "{}", to_mei[0]);
    assert!(text(to_li[0], "subject").starts_with("90 天内到期的协议：1 项"), "Chinese first for li: {}", to_li[0]);
    assert!(!text(to_later[0], "body").contains("Ended"), "{}", to_later[0]);
    let today: jiff::civil::Date = day(0).parse().expect("date");
    let week = today.iso_week_date();
    let week = format!("{}-W{:02}", week.year(), week.week());
    let mut expected =
        vec![format!("expiry-digest:{later}:{week}"), format!("expiry-digest:{li}:{week}"), format!("expiry-digest:{mei}:{week}")];
    expected.sort();
    assert_eq!(keys, expected);
}

fn parse(app: &TestApp, ics: &str) -> Vec<Value> {
    let file = app.test_db.dir.join(format!("expiry-{}.ics", liaison::auth::random_token(4)));
    std::fs::write(&file, ics).expect("write feed");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/calendar/parse_ics.py");
    let out = std::process::Command::new("python3").arg(script).arg(&file).output().expect("python3 runs (scripts/test-deps.sh)");
    assert!(out.status.success(), "parse_ics.py failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).expect("JSON").as_array().expect("events").clone()
}

fn event<'a>(events: &'a [Value], uid: &str) -> &'a Value {
    events.iter().find(|e| e["uid"] == uid).unwrap_or_else(|| panic!("no event {uid} in {events:?}"))
}

async fn subscribe(app: &TestApp, token: &str, subject: i64) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/calendar-feeds"))
        .bearer_auth(token)
        .json(&json!({"kind": "expiry", "subject_id": subject}))
        .send()
        .await
        .expect("subscribe");
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

/// Fetches a feed without a session, as a calendar client does.
async fn fetch(app: &TestApp, path: &str) -> (u16, String) {
    let res = client().get(app.url(path)).send().await.expect("feed");
    (res.status().as_u16(), res.text().await.expect("body"))
}

#[tokio::test]
async fn a_users_expiry_feed_parses_with_icalendar_and_its_sequence_grows_with_status_changes() {
    // Arrange
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("coord", &["viewer"], None).await;
    let me = user_id(&app, "coord").await;
    let other_token = app.token_for("other", &["viewer"], None).await;
    let staff_token = app.token_for("office", &["staff"], None).await;
    let staff = user_id(&app, "office").await;
    let a = Agreement::default;
    let mine = insert(
        &app,
        &ids,
        Agreement { title: "MoU with IUKL", expiry: Some(200), notice_days: Some(90), auto_renew: true, responsible: Some(me), ..a() },
    )
    .await;
    let plain = insert(&app, &ids, Agreement { title: "Exchange", expiry: Some(30), responsible: Some(me), ..a() }).await;
    let ended =
        insert(&app, &ids, Agreement { title: "Ended", status: "terminated", expiry: Some(30), responsible: Some(me), ..a() }).await;
    let theirs = insert(&app, &ids, Agreement { title: "Someone else's", expiry: Some(30), ..a() }).await;

    // Act
    let (created, feed) = subscribe(&app, &token, me).await;
    let (again, _) = subscribe(&app, &token, me).await;
    let (foreign, _) = subscribe(&app, &other_token, me).await;
    let path = feed["path"].as_str().expect("path").to_string();
    let (fetched, ics) = fetch(&app, &path).await;
    let (wrong, _) = fetch(&app, &format!("/users/{me}/expiry.ics?token=nope")).await;
    let (none, _) = fetch(&app, &format!("/users/{me}/expiry.ics")).await;
    status_event(&app, mine, "in_effect").await;
    let (_, changed) = fetch(&app, &path).await;
    let (_, staff_feed) = subscribe(&app, &staff_token, staff).await;
    let (_, staff_ics) = fetch(&app, staff_feed["path"].as_str().expect("path")).await;

    // Assert
    assert_eq!((created, again, foreign), (201, 200, 403), "{feed}");
    assert!(path.starts_with(&format!("/users/{me}/expiry.ics?token=")), "{feed}");
    assert_eq!((fetched, wrong, none), (200, 404, 404), "{ics}");
    let events = parse(&app, &ics);
    assert_eq!(events.len(), 4, "expiry and notice of the auto-renewing one, expiry of the plain and the ended one: {events:?}");
    let expiry = event(&events, &format!("agreement-expiry-{mine}@liaison"));
    let notice = event(&events, &format!("agreement-notice-{mine}@liaison"));
    assert_eq!((expiry["dtstart"].as_str(), notice["dtstart"].as_str()), (Some(day(200).as_str()), Some(day(110).as_str())));
    assert_eq!(notice["dtend"].as_str(), Some(day(111).as_str()), "all day: {notice}");
    assert!(notice["summary"].as_str().unwrap_or_default().contains("renews automatically otherwise"), "{notice}");
    assert!(expiry["description"].as_str().unwrap_or_default().contains("Infrastructure University Kuala Lumpur"), "{expiry}");
    assert_eq!(expiry["sequence"], 1);
    assert_eq!(event(&events, &format!("agreement-expiry-{plain}@liaison"))["status"], "CONFIRMED");
    assert_eq!(event(&events, &format!("agreement-expiry-{ended}@liaison"))["status"], "CANCELLED");
    assert!(!ics.contains(&format!("agreement-expiry-{theirs}@")), "only the user's own agreements");
    let changed = parse(&app, &changed);
    assert_eq!(event(&changed, &format!("agreement-expiry-{mine}@liaison"))["sequence"], 2, "{changed:?}");
    assert_eq!(event(&changed, &format!("agreement-notice-{mine}@liaison"))["sequence"], 2);
    assert!(staff_ics.contains(&format!("agreement-expiry-{theirs}@liaison")), "staff see every agreement: {staff_ics}");
}

/// Not a test: figures for docs/BENCHMARKS.md (run with `--ignored --nocapture`).
#[tokio::test]
#[ignore = "benchmark"]
async fn measure_the_list_the_digest_and_the_feed_over_twenty_thousand_agreements() {
    let app = spawn_app().await;
    let ids = seed(&app).await;
    let token = app.token_for("viewer", &["viewer"], None).await;
    let mut users = Vec::new();
    for i in 0..50 {
        users.push(responsible(&app, &format!("r{i}"), Some(&format!("r{i}@example.edu")), "en").await);
    }
    let now = liaison::time::now_text();
    let statuses = ["signed", "in_effect", "in_effect", "expired", "terminated", "draft"];
    let rows: Vec<String> = (0..20_000_i64)
        .map(|i| {
            let notice = if i % 2 == 0 { "NULL".to_string() } else { (30 + i % 150).to_string() };
            format!(
                "('mou', 'Agreement {i}', '{}', '{}', {notice}, {}, {}, '{now}', '{now}')",
                statuses[(i % 6) as usize],
                day(i % 1800 - 300),
                i % 3 % 2,
                users[(i % 50) as usize]
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        let sql = format!(
            "INSERT INTO agreements (kind, title, status, expiry_date, notice_days, auto_renew, responsible_id, created_at, updated_at) VALUES {}",
            chunk.join(", ")
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&app.db.pool).await.expect("agreements");
    }
    for inst in [ids.home, ids.iukl] {
        sqlx::query("INSERT INTO agreement_parties (agreement_id, institution_id) SELECT id, $1 FROM agreements")
            .bind(inst)
            .execute(&app.db.pool)
            .await
            .expect("parties");
    }
    let time = |label: &str, started: std::time::Instant| println!("{label}: {:.1} ms", started.elapsed().as_secs_f64() * 1000.0);
    let mut conn = app.db.pool.acquire().await.expect("conn");
    let (_, list) = get_json(&app, &token, "/api/v1/agreements/expiring").await;
    println!("agreements in the 90-day window: {}", list["items"].as_array().map_or(0, Vec::len));
    for path in ["/api/v1/agreements/expiring", "/api/v1/agreements/expiring?days=365"] {
        let started = std::time::Instant::now();
        for _ in 0..20 {
            get_json(&app, &token, path).await;
        }
        println!("GET {path}: {:.1} ms per request (20 in a row)", started.elapsed().as_secs_f64() * 50.0);
    }
    let started = std::time::Instant::now();
    let queued = liaison::expiry::queue_digests(&mut conn, liaison::expiry::today()).await.expect("digests");
    time(&format!("queue_digests, first tick of the week ({queued} digests)"), started);
    let started = std::time::Instant::now();
    liaison::expiry::queue_digests(&mut conn, liaison::expiry::today()).await.expect("digests");
    time("queue_digests, a later tick (nothing to queue)", started);
    let staff = app.token_for("office", &["staff"], None).await;
    let staff_id = user_id(&app, "office").await;
    let started = std::time::Instant::now();
    let res = app.client.get(app.url(&format!("/users/{staff_id}/expiry.ics"))).bearer_auth(&staff).send().await.expect("feed");
    let body = res.text().await.expect("ics");
    time(&format!("staff feed, {} events, {} KB", body.matches("BEGIN:VEVENT").count(), body.len() / 1024), started);
}
