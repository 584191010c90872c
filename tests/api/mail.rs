//! Reminders for follow-up actions, sent through a real SMTP server: Python's aiosmtpd
//! (`tests/mail/smtp_sink.py`), started by each test on a free port, writes every
//! message it accepts to a directory as JSON. The apps poll every second; the tests wait
//! for messages (or rows) with a deadline, never for a fixed time.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use liaison::config::RawSettings;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app_with};

/// How long a test waits for something that should happen within a few ticks.
pub(crate) const DEADLINE: Duration = Duration::from_secs(45);

/// A local SMTP server writing what it receives to a directory.
pub(crate) struct SmtpSink {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl SmtpSink {
    /// A free port for a server that is not running yet.
    fn reserve() -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let dir = std::env::temp_dir().join(format!("liaison-smtp-sink-{}", liaison::auth::random_token(6)));
        SmtpSink { port, dir, child: None }
    }

    /// A running server.
    pub(crate) async fn running() -> SmtpSink {
        let mut sink = SmtpSink::reserve();
        sink.start().await;
        sink
    }

    /// Starts the server and waits until it accepts connections.
    async fn start(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mail/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(self.port.to_string())
            .arg(&self.dir)
            // The sink exits when this pipe closes, so it cannot outlive the test.
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the SMTP sink exited ({status}); is aiosmtpd installed? (scripts/test-deps.sh installs it)");
            }
            assert!(started.elapsed() < DEADLINE, "the SMTP sink did not start listening");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.child = Some(child);
    }

    /// Points an app's settings at this server, polling every second.
    pub(crate) fn configure(&self, raw: &mut RawSettings) {
        raw.smtp_url = Some(format!("smtp://127.0.0.1:{}", self.port));
        raw.mail_poll_seconds = Some("1".into());
    }

    /// The messages received so far, in order of arrival.
    pub(crate) fn messages(&self) -> Vec<Value> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut paths: Vec<PathBuf> =
            entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
        paths.sort();
        paths.iter().map(|p| serde_json::from_slice(&std::fs::read(p).expect("read message")).expect("message is JSON")).collect()
    }

    /// Waits until at least `n` messages have arrived; returns them all.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Value> {
        eventually(&format!("{n} message(s) at the SMTP server"), async || {
            let got = self.messages();
            (got.len() >= n).then_some(got)
        })
        .await
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Polls `probe` until it answers, failing the test after `DEADLINE`.
pub(crate) async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(started.elapsed() < DEADLINE, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The date `offset` days from today where the visits take place (Asia/Shanghai).
fn day(offset: i64) -> String {
    let today = jiff::Timestamp::now().in_tz("Asia/Shanghai").expect("zone").date();
    today.checked_add(jiff::Span::new().days(offset)).expect("date").to_string()
}

/// A staff user with an e-mail address (or none).
async fn owner(app: &TestApp, username: &str, email: Option<&str>) -> i64 {
    let id = app.add_user(username, &["staff"], None).await;
    sqlx::query("UPDATE users SET email = $1 WHERE id = $2").bind(email).bind(id).execute(&app.db.pool).await.expect("set email");
    id
}

/// Someone in the office who records visits and their follow-up actions through the API.
struct Office<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> Office<'a> {
    async fn new(app: &'a TestApp) -> Office<'a> {
        Office { app, token: app.token_for("office", &["staff"], None).await }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let res = self.app.client.request(method, self.app.url(path)).bearer_auth(&self.token).json(&body).send().await.expect("request");
        let status = res.status();
        let json: Value = res.json().await.expect("JSON answer");
        assert!(status.is_success(), "{path}: {status} {json}");
        json
    }

    async fn visit(&self, title: &str) -> i64 {
        let body = serde_json::json!({"direction": "inbound", "title": title, "start_date": "2024-05-08", "end_date": "2024-05-09"});
        self.send(reqwest::Method::POST, "/api/v1/visits", body).await["id"].as_i64().expect("visit id")
    }

    /// An open action.
    async fn action(&self, visit: i64, owner: i64, title: &str, due: &str) -> i64 {
        let body = serde_json::json!({"title": title, "owner_id": owner, "due_date": due});
        self.send(reqwest::Method::POST, &format!("/api/v1/visits/{visit}/actions"), body).await["id"].as_i64().expect("action id")
    }

    /// An action created far ahead and then given its status and due date in one change,
    /// so no worker tick ever sees it open and due.
    async fn closed_action(&self, visit: i64, owner: i64, title: &str, due: &str, status: &str) -> i64 {
        let id = self.action(visit, owner, title, &day(60)).await;
        let body = serde_json::json!({"status": status, "due_date": due});
        self.send(reqwest::Method::PATCH, &format!("/api/v1/actions/{id}"), body).await;
        id
    }
}

/// (to_addr, attempts, last_error, sent_at) of every outbox row, oldest first.
async fn outbox(app: &TestApp) -> Vec<(String, i64, Option<String>, Option<String>)> {
    sqlx::query_as("SELECT to_addr, attempts, last_error, sent_at FROM mail_outbox ORDER BY id")
        .fetch_all(&app.db.pool)
        .await
        .expect("outbox")
}

/// Waits until the outbox holds `n` rows, all marked sent (the SMTP server accepts a
/// message a moment before the sender records it); returns them.
async fn all_sent(app: &TestApp, n: usize) -> Vec<(String, i64, Option<String>, Option<String>)> {
    eventually(&format!("{n} outbox rows marked sent"), async || {
        let rows = outbox(app).await;
        (rows.len() >= n && rows.iter().all(|r| r.3.is_some())).then_some(rows)
    })
    .await
}

fn text(message: &Value, field: &str) -> String {
    message[field].as_str().unwrap_or_default().to_string()
}

fn mentioning<'a>(messages: &'a [Value], needle: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| text(m, "body").contains(needle)).collect()
}

#[tokio::test]
async fn an_action_due_tomorrow_is_reminded_exactly_once_by_two_instances() {
    // Arrange
    let sink = SmtpSink::running().await;
    let app = spawn_app_with(|raw| sink.configure(raw)).await;
    let _second = app.second_instance().await;
    let mei = owner(&app, "mei", Some("mei@example.edu")).await;
    let office = Office::new(&app).await;
    let visit = office.visit("IUKL delegation visit").await;
    office.action(visit, mei, "Send the draft MoU to IUKL", &day(1)).await;

    // Act
    sink.wait_for(1).await;
    // A later action proves the workers kept ticking after the first reminder went out.
    office.action(visit, mei, "Book room 1508 for the signing", &day(0)).await;
    let messages = sink.wait_for(2).await;

    // Assert
    assert_eq!(messages.len(), 2, "{messages:#?}");
    let reminders = mentioning(&messages, "Send the draft MoU to IUKL");
    assert_eq!(reminders.len(), 1, "{messages:#?}");
    let m = reminders[0];
    assert_eq!(m["rcpt_tos"], serde_json::json!(["mei@example.edu"]));
    assert!(text(m, "from").contains("liaison@localhost"), "{m}");
    let subject = text(m, "subject");
    assert!(subject.contains("Reminder: \"Send the draft MoU to IUKL\"") && subject.contains("提醒"), "{subject}");
    let body = text(m, "body");
    for part in ["Visit: IUKL delegation visit", &format!("Due: {} (in 1 day)", day(1)), &format!("/visits/{visit}"), "还有 1 天"] {
        assert!(body.contains(part), "{part} in {body}");
    }
    let rows = all_sent(&app, 2).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|(_, attempts, _, _)| *attempts == 1), "claimed once each: {rows:?}");
}

#[tokio::test]
async fn an_action_moved_to_a_new_due_date_is_reminded_again_for_that_date() {
    // Arrange
    let sink = SmtpSink::running().await;
    let app = spawn_app_with(|raw| sink.configure(raw)).await;
    let mei = owner(&app, "mei", Some("mei@example.edu")).await;
    let office = Office::new(&app).await;
    let visit = office.visit("IUKL delegation visit").await;
    let id = office.action(visit, mei, "Send the draft MoU to IUKL", &day(1)).await;
    sink.wait_for(1).await;

    // Act
    office.send(reqwest::Method::PATCH, &format!("/api/v1/actions/{id}"), serde_json::json!({"due_date": day(2)})).await;
    let messages = sink.wait_for(2).await;

    // Assert
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(text(&messages[0], "subject").contains(&day(1)), "{}", messages[0]);
    assert!(text(&messages[1], "subject").contains(&day(2)), "{}", messages[1]);
    assert_eq!(all_sent(&app, 2).await.len(), 2);
}

#[tokio::test]
async fn many_reminders_shared_by_two_instances_each_go_out_once() {
    // Arrange
    let sink = SmtpSink::running().await;
    let app = spawn_app_with(|raw| sink.configure(raw)).await;
    let _second = app.second_instance().await;
    let office = Office::new(&app).await;
    let visit = office.visit("Delegation with many follow-ups").await;
    for i in 0..12 {
        let owner = owner(&app, &format!("owner{i}"), Some(&format!("owner{i}@example.edu"))).await;
        office.action(visit, owner, &format!("Follow-up number {i:02}"), &day(i % 3)).await;
    }

    // Act
    let messages = sink.wait_for(12).await;
    office.action(visit, app.add_user("last", &["staff"], None).await, "no address, no mail", &day(0)).await;
    let marker = owner(&app, "marker", Some("marker@example.edu")).await;
    office.action(visit, marker, "Marker action", &day(0)).await;
    let messages = if messages.len() == 12 { sink.wait_for(13).await } else { messages };

    // Assert
    assert_eq!(messages.len(), 13, "{messages:#?}");
    for i in 0..12 {
        let these = mentioning(&messages, &format!("Follow-up number {i:02}"));
        assert_eq!(these.len(), 1, "action {i}: {messages:#?}");
        assert_eq!(these[0]["rcpt_tos"], serde_json::json!([format!("owner{i}@example.edu")]));
    }
    let rows = all_sent(&app, 13).await;
    assert_eq!(rows.len(), 13);
    assert!(rows.iter().all(|(_, attempts, _, _)| *attempts == 1), "claimed once each: {rows:?}");
}

#[tokio::test]
async fn actions_done_cancelled_due_later_or_without_an_address_get_no_reminder() {
    // Arrange
    let sink = SmtpSink::running().await;
    let app = spawn_app_with(|raw| sink.configure(raw)).await;
    let mei = owner(&app, "mei", Some("mei@example.edu")).await;
    let nobody = owner(&app, "no_address", None).await;
    let office = Office::new(&app).await;
    let visit = office.visit("IUKL delegation visit").await;
    let quiet = [
        office.closed_action(visit, mei, "Already done", &day(1), "done").await,
        office.closed_action(visit, mei, "Called off", &day(0), "cancelled").await,
        office.action(visit, mei, "Far ahead", &day(10)).await,
        office.action(visit, mei, "Just past the window", &day(3)).await,
        office.action(visit, nobody, "Owner has no address", &day(1)).await,
    ];
    // Inserted last: once its reminder arrives, a tick has looked at all the others.
    office.action(visit, mei, "Edge of the window", &day(2)).await;

    // Act
    let messages = sink.wait_for(1).await;

    // Assert
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(text(&messages[0], "subject").contains("Edge of the window"), "{}", messages[0]);
    assert_eq!(app.count("mail_outbox").await, 1);
    for id in quiet {
        let reminded: Option<String> =
            sqlx::query_scalar("SELECT reminded_at FROM visit_actions WHERE id = $1").bind(id).fetch_one(&app.db.pool).await.expect("row");
        assert_eq!(reminded, None, "action {id}");
    }
}

#[tokio::test]
async fn mail_waits_in_the_outbox_while_the_smtp_server_is_down_and_goes_out_once_it_is_up() {
    // Arrange: the app knows the server's address, but nothing listens there yet.
    let mut sink = SmtpSink::reserve();
    let app = spawn_app_with(|raw| sink.configure(raw)).await;
    let mei = owner(&app, "mei", Some("mei@example.edu")).await;
    let office = Office::new(&app).await;
    let visit = office.visit("IUKL delegation visit").await;
    office.action(visit, mei, "Send the photos to IUKL", &day(-1)).await;

    // Act 1: a failed attempt leaves the message queued with its error.
    let (error, sent) = eventually("a failed attempt in the outbox", async || {
        outbox(&app).await.into_iter().next().and_then(|(_, _, error, sent)| error.map(|e| (e, sent)))
    })
    .await;
    assert!(!error.is_empty());
    assert_eq!(sent, None);
    assert!(sink.messages().is_empty());

    // Act 2: the server comes up.
    sink.start().await;
    let messages = sink.wait_for(1).await;
    let (attempts, error) = eventually("the message marked sent", async || {
        outbox(&app).await.into_iter().next().and_then(|(_, attempts, error, sent)| sent.map(|_| (attempts, error)))
    })
    .await;

    // Assert
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let subject = text(&messages[0], "subject");
    assert!(subject.starts_with("Overdue: \"Send the photos to IUKL\"") && subject.contains("逾期"), "{subject}");
    assert!(text(&messages[0], "body").contains("overdue by 1 day"));
    assert!(text(&messages[0], "message_id").starts_with("<liaison-outbox-"), "{}", messages[0]);
    assert!(attempts >= 2, "attempts {attempts}");
    assert_eq!(error, None);
    assert_eq!(app.count("mail_outbox").await, 1);
}

#[tokio::test]
async fn a_message_is_queued_once_per_key_and_claimed_by_one_of_two_racing_instances() {
    // Arrange: no SMTP server configured, so the app's own worker claims nothing.
    let app = crate::helpers::spawn_app().await;
    let mut conn = app.db.pool.acquire().await.expect("conn");
    let first = liaison::mail::outbox::enqueue(&mut conn, "test:1", "a@example.edu", "Hello", "Body").await.expect("enqueue");
    let again = liaison::mail::outbox::enqueue(&mut conn, "test:1", "b@example.edu", "Hello again", "Body").await.expect("enqueue");
    drop(conn);

    // Act: A claims inside an open transaction; B tries while A has not committed.
    let mut a = app.db.begin().await.expect("tx a");
    let a_claim = liaison::mail::outbox::claim(&mut a, "instance-a").await.expect("claim a");
    let pool = app.db.pool.clone();
    let b = tokio::spawn(async move {
        let mut b = pool.begin().await.expect("tx b");
        let claimed = liaison::mail::outbox::claim(&mut b, "instance-b").await.expect("claim b");
        b.commit().await.expect("commit b");
        claimed
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let b_waited = !b.is_finished();
    a.commit().await.expect("commit a");
    let b_claim = b.await.expect("task");

    // Assert
    assert!(first && !again, "the second message with the same key is not queued");
    assert_eq!(app.count("mail_outbox").await, 1);
    assert_eq!(a_claim.map(|m| (m.to_addr, m.attempts)), Some(("a@example.edu".to_string(), 1)));
    assert!(b_waited, "B must wait for A's claim");
    assert!(b_claim.is_none(), "B must find the message taken: {b_claim:?}");
    let claimed_by: Option<String> = sqlx::query_scalar("SELECT claimed_by FROM mail_outbox").fetch_one(&app.db.pool).await.expect("row");
    assert_eq!(claimed_by.as_deref(), Some("instance-a"));
}

#[tokio::test]
async fn a_message_that_used_up_its_attempts_is_not_tried_again() {
    // Arrange
    let app = crate::helpers::spawn_app().await;
    let mut conn = app.db.pool.acquire().await.expect("conn");
    liaison::mail::outbox::enqueue(&mut conn, "test:2", "a@example.edu", "Hello", "Body").await.expect("enqueue");
    sqlx::query("UPDATE mail_outbox SET attempts = $1, last_error = 'refused'")
        .bind(liaison::mail::outbox::MAX_ATTEMPTS)
        .execute(&mut *conn)
        .await
        .expect("use up attempts");

    // Act
    let claimed = liaison::mail::outbox::claim(&mut conn, "instance-a").await.expect("claim");

    // Assert
    assert!(claimed.is_none(), "{claimed:?}");
}
