//! The CLI as a process, as an operator would run it.

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::helpers::TestDb;

fn liaison(db: &TestDb) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_liaison"));
    cmd.env_remove("LIAISON_DATABASE_URL").env_remove("LIAISON_ADDR").env_remove("LIAISON_CONFIG");
    for (k, v) in db.env() {
        cmd.env(k, v);
    }
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[tokio::test]
async fn every_command_has_help() {
    let db = TestDb::new().await;
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["demo", "--help"],
        vec!["user", "--help"],
        vec!["user", "add", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["files", "gc", "--help"],
        vec!["check", "--help"],
    ] {
        let (code, out, _) = run(liaison(&db).args(&args));
        assert_eq!(code, 0, "{args:?}");
        assert!(out.contains("Usage"), "{args:?}: {out}");
    }
}

#[tokio::test]
async fn a_bad_setting_stops_start_up_with_one_line_naming_it() {
    let db = TestDb::new().await;

    let (code, _, err) = run(liaison(&db).args(["serve"]).env("LIAISON_ADDR", "everywhere"));
    let (code2, _, err2) = run(liaison(&db).args(["check"]).env("LIAISON_DATABASE_URL", "mysql://db/liaison"));

    assert_eq!(code, 2);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("LIAISON_ADDR") && err.contains("everywhere"), "{err}");
    assert_eq!(code2, 2);
    assert!(err2.contains("LIAISON_DATABASE_URL"), "{err2}");
}

#[tokio::test]
async fn check_reports_a_healthy_setup_and_an_unreachable_database() {
    let db = TestDb::new().await;

    let (ok, out, _) = run(liaison(&db).args(["check"]));
    let (bad, out2, _) = run(liaison(&db).args(["check"]).env("LIAISON_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none"));

    assert_eq!(ok, 0, "{out}");
    assert!(out.contains("database reachable"), "{out}");
    assert_eq!(bad, 1);
    assert!(out2.contains("FAIL  database"), "{out2}");
}

#[tokio::test]
async fn users_are_managed_from_the_command_line() {
    let db = TestDb::new().await;

    let (add, out, err) = run(liaison(&db).args(["user", "add", "tang.mei", "--display-name", "Tang Mei", "--role", "proofreader"]));
    let (grant, _, _) = run(liaison(&db).args(["user", "grant", "tang.mei", "reviewer"]));
    let (bad_role, _, bad_err) = run(liaison(&db).args(["user", "grant", "tang.mei", "editor-in-chief"]));
    let mut passwd = liaison(&db)
        .args(["user", "passwd", "tang.mei", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    passwd.stdin.take().expect("stdin").write_all(b"a much longer secret\n").expect("write");
    let passwd_code = passwd.wait().expect("wait").code();
    let (short, _, short_err) = {
        let mut p = liaison(&db)
            .args(["user", "passwd", "tang.mei", "--password-stdin"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        p.stdin.take().expect("stdin").write_all(b"short\n").expect("write");
        let o = p.wait_with_output().expect("out");
        (o.status.code().unwrap_or(-1), String::new(), String::from_utf8_lossy(&o.stderr).to_string())
    };
    let (list, listing, _) = run(liaison(&db).args(["user", "list"]));

    assert_eq!(add, 0, "{err}");
    assert!(out.contains("password: "), "a generated password is printed once: {out}");
    assert_eq!(grant, 0);
    assert_ne!(bad_role, 0);
    assert!(bad_err.contains("unknown role"), "{bad_err}");
    assert_eq!(passwd_code, Some(0));
    assert_ne!(short, 0);
    assert!(short_err.contains("at least 10"), "{short_err}");
    assert_eq!(list, 0);
    assert!(listing.contains("tang.mei\tTang Mei\tactive\tproofreader,reviewer"), "{listing}");
}

/// Starts `liaison demo` and waits for its listening line.
fn start_demo(db: &TestDb) -> (std::process::Child, String, Vec<String>) {
    let mut child = liaison(db)
        .args(["demo", "--addr", "127.0.0.1:0"])
        .env("LIAISON_DEMO_PASSWORD", "demo password 123")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut addr = String::new();
    while Instant::now() < deadline {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("read") == 0 {
            break;
        }
        if let Some(a) = line.trim().strip_prefix("listening on ") {
            addr = a.to_string();
            break;
        }
        lines.push(line.trim().to_string());
    }
    assert!(!addr.is_empty(), "demo did not start: {lines:?}");
    (child, addr, lines)
}

fn stop(mut child: std::process::Child) -> Option<i32> {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

#[tokio::test]
async fn demo_serves_the_seed_story_and_stops_gracefully_on_sigterm() {
    let db = TestDb::new().await;

    let (child, addr, lines) = start_demo(&db);
    let client = crate::helpers::client();
    let login_page = client.get(format!("{addr}/login")).send().await.expect("login").text().await.expect("html");
    let csrf = crate::helpers::extract_csrf(&login_page);
    let login = client
        .post(format!("{addr}/login"))
        .form(&[("_csrf", csrf.as_str()), ("username", "admin"), ("password", "demo password 123")])
        .send()
        .await
        .expect("post");
    let list = client.get(format!("{addr}/institutions")).send().await.expect("list").text().await.expect("html");
    let apps: serde_json::Value = client.get(format!("{addr}/api/v1/applications")).send().await.expect("apps").json().await.expect("json");
    let calls: serde_json::Value = client.get(format!("{addr}/api/v1/calls")).send().await.expect("calls").json().await.expect("json");
    let code = stop(child);
    let mut statuses: Vec<&str> = apps.as_array().expect("list").iter().filter_map(|a| a["status"].as_str()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["ineligible", "nominated", "offered", "partner_accepted", "waitlisted", "withdrawn"], "the demo call's stages");
    let titles: Vec<&str> = calls.as_array().expect("calls").iter().filter_map(|c| c["title_en"].as_str()).collect();
    assert!(
        titles.contains(&"IUKL undergraduate exchange 2025/26") && titles.contains(&"IUKL undergraduate exchange 2026/27"),
        "{titles:?}"
    );

    assert!(lines.iter().any(|l| l == "demo admin user: admin"), "{lines:?}");
    assert!(lines.iter().any(|l| l == "demo admin password: demo password 123"), "{lines:?}");
    assert_eq!(login.status().as_u16(), 303);
    assert!(list.contains("Infrastructure University Kuala Lumpur") && list.contains("Demo University of Technology"));
    assert_eq!(code, Some(0), "graceful shutdown exits 0");

    // A second start reuses the data instead of loading the seed twice.
    let (child, _, lines) = start_demo(&db);
    stop(child);
    assert!(lines.iter().any(|l| l.contains("not loaded again")), "{lines:?}");
}
