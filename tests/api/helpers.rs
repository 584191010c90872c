//! Test harness: every test gets its own app on a random port with its own database —
//! a fresh SQLite file by default, or a fresh PostgreSQL database when
//! `LIAISON_TEST_DATABASE_URL` names a server (its admin URL, e.g.
//! `postgres://postgres:postgres@127.0.0.1:5432/postgres`).

use std::path::PathBuf;

use liaison::{
    audit::Actor,
    auth::{
        session,
        users::{self, NewGrant, NewUser},
    },
    config::{RawSettings, Settings},
    db::Db,
    startup::Application,
};
use sqlx::Connection;

/// A database of its own for one test; dropped with the guard.
pub struct TestDb {
    /// URL to hand to Liaison (empty for SQLite: the data dir decides).
    pub url: String,
    /// Data directory (SQLite file, backups).
    pub dir: PathBuf,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A fresh, empty database.
    pub async fn new() -> TestDb {
        let dir = std::env::temp_dir().join(format!("liaison-test-{}", liaison::auth::random_token(8)));
        std::fs::create_dir_all(&dir).expect("temp dir");
        match std::env::var("LIAISON_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            None => TestDb { url: String::new(), dir, pg: None },
            Some(admin) => {
                sqlx::any::install_default_drivers();
                let name = format!("liaison_test_{}", liaison::auth::random_token(8));
                let mut conn = sqlx::AnyConnection::connect(&admin).await.expect("connect to PostgreSQL admin URL");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let base = admin.rsplit_once('/').map(|(b, _)| b).expect("admin URL has a database path");
                TestDb { url: format!("{base}/{name}"), dir, pg: Some((admin, name)) }
            }
        }
    }

    /// True when testing against PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Environment variables that point a `liaison` process at this database.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![("LIAISON_DATA_DIR", self.dir.display().to_string())];
        if !self.url.is_empty() {
            v.push(("LIAISON_DATABASE_URL", self.url.clone()));
        }
        v
    }

    /// Validated settings for an in-process app on a random port.
    pub fn settings(&self) -> Settings {
        self.settings_with(|_| {})
    }

    /// Like `settings`, with other values set by `configure` (e.g. `smtp_url`).
    pub fn settings_with(&self, configure: impl FnOnce(&mut RawSettings)) -> Settings {
        let mut raw = RawSettings {
            addr: Some("127.0.0.1:0".into()),
            data_dir: Some(self.dir.clone()),
            database_url: (!self.url.is_empty()).then(|| self.url.clone()),
            ..Default::default()
        };
        configure(&mut raw);
        raw.resolve().expect("test settings are valid")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin, name)) = self.pg.take() {
            // Drop runs outside async context; a short-lived runtime does the cleanup.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async {
                    if let Ok(mut c) = sqlx::AnyConnection::connect(&admin).await {
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                            .execute(&mut c)
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A running app and a cookie-keeping client that does not follow redirects.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// Browser-like client (cookies kept, redirects not followed).
    pub client: reqwest::Client,
    /// Direct handle on the store, for arranging data.
    pub db: Db,
    /// Keeps the database alive (dropped with the app).
    pub test_db: TestDb,
    /// The settings the app runs with (a second instance gets the same).
    pub settings: Settings,
}

/// Starts the app on a random port with a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, with settings changed by `configure` before they are validated.
pub async fn spawn_app_with(configure: impl FnOnce(&mut RawSettings)) -> TestApp {
    let test_db = TestDb::new().await;
    let settings = test_db.settings_with(configure);
    let app = Application::build(settings.clone()).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = Db::connect(&settings).await.expect("db");
    tokio::spawn(app.run_until_stopped());
    TestApp { address, client: client(), db, test_db, settings }
}

/// A client like a browser's: keeps cookies, shows redirects instead of following them.
pub fn client() -> reqwest::Client {
    liaison::net::install_tls();
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// Password used for every test user.
pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Starts a second instance on the same database (as behind a load balancer);
    /// returns its base URL.
    pub async fn second_instance(&self) -> String {
        debug_assert_eq!(self.settings.data_dir, self.test_db.dir, "same database");
        let app = Application::build(self.settings.clone()).await.expect("second instance builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }

    /// Creates a user with the given roles (coordinator grants use `unit`).
    pub async fn add_user(&self, username: &str, roles: &[&str], unit: Option<i64>) -> i64 {
        let grants = roles.iter().map(|r| NewGrant { role: (*r).into(), unit_id: unit }).collect();
        users::create_user(
            &self.db,
            &Actor::system("test"),
            NewUser { username: username.into(), display_name: None, email: None, password: PASSWORD.into(), grants },
        )
        .await
        .expect("user created")
    }

    /// Creates a user with a shown name (credits, steps) and returns an API token for them.
    pub async fn token_for_named(&self, username: &str, name: &str, roles: &[&str]) -> String {
        let grants = roles.iter().map(|r| NewGrant { role: (*r).into(), unit_id: None }).collect();
        let id = users::create_user(
            &self.db,
            &Actor::system("test"),
            NewUser { username: username.into(), display_name: Some(name.into()), email: None, password: PASSWORD.into(), grants },
        )
        .await
        .expect("user created");
        session::issue_token(&self.db, id, "test").await.expect("token").token
    }

    /// Creates a user and returns an API token for them.
    pub async fn token_for(&self, username: &str, roles: &[&str], unit: Option<i64>) -> String {
        let id = self.add_user(username, roles, unit).await;
        session::issue_token(&self.db, id, "test").await.expect("token").token
    }

    /// The CSRF token embedded in a page.
    pub async fn csrf_from(&self, client: &reqwest::Client, path: &str) -> String {
        let html = client.get(self.url(path)).send().await.expect("get").text().await.expect("body");
        extract_csrf(&html)
    }

    /// Logs `client` in through the login form; returns the response.
    pub async fn login(&self, client: &reqwest::Client, username: &str, password: &str) -> reqwest::Response {
        let csrf = self.csrf_from(client, "/login").await;
        client
            .post(self.url("/login"))
            .form(&[("_csrf", csrf.as_str()), ("username", username), ("password", password), ("next", "/")])
            .send()
            .await
            .expect("login post")
    }

    /// Creates a user, logs the app's own client in as them.
    pub async fn logged_in(&self, username: &str, roles: &[&str]) -> i64 {
        let id = self.add_user(username, roles, None).await;
        let res = self.login(&self.client, username, PASSWORD).await;
        assert_eq!(res.status().as_u16(), 303, "login should redirect");
        id
    }

    /// Rows in a table (for asserting that nothing was written).
    pub async fn count(&self, table: &'static str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(&self.db.pool).await.expect("count")
    }
}

/// Pulls the first `_csrf` hidden field out of a page.
pub fn extract_csrf(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).map(|i| i + marker.len()).expect("page has a CSRF field");
    html[start..].split('"').next().unwrap_or_default().to_string()
}

/// Loads the seed story into a test app's database.
pub async fn seed(app: &TestApp) -> liaison::seed::SeedIds {
    liaison::seed::load(&app.db, "Demo University of Technology").await.expect("seed loads")
}

/// Sends a JSON API request with `token`; the status and the JSON body (Null if none).
pub async fn send(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

/// POSTs JSON with `token`.
pub async fn post(app: &TestApp, token: &str, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    send(app, token, reqwest::Method::POST, path, Some(body)).await
}

/// POSTs raw bytes (an upload) with `token` and a content type.
pub async fn post_bytes(app: &TestApp, token: &str, path: &str, content_type: &str, bytes: Vec<u8>) -> (u16, serde_json::Value) {
    let res =
        app.client.post(app.url(path)).bearer_auth(token).header("content-type", content_type).body(bytes).send().await.expect("upload");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

/// GETs JSON with `token`, which must answer 200.
pub async fn get(app: &TestApp, token: &str, path: &str) -> serde_json::Value {
    let (status, body) = send(app, token, reqwest::Method::GET, path, None).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}
