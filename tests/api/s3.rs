//! The real S3-compatible server of the file-store tests (SeaweedFS, started by
//! `scripts/test-deps.sh`), `liaison serve` as a process pointed at it, and a TCP relay
//! that can be cut to play an object store that is down.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use crate::helpers::TestDb;

/// SeaweedFS's S3 gateway as `scripts/test-deps.sh` starts it.
pub fn endpoint() -> String {
    std::env::var("LIAISON_TEST_S3_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:29336".into())
}

/// Credentials of the test identity (`scripts/test-deps.sh` configures them).
pub fn credentials() -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", std::env::var("LIAISON_TEST_S3_KEY").unwrap_or_else(|_| "liaison-test".into())),
        ("AWS_SECRET_ACCESS_KEY", std::env::var("LIAISON_TEST_S3_SECRET").unwrap_or_else(|_| "liaison-test-secret".into())),
        ("AWS_REGION", "us-east-1".into()),
    ]
}

/// The bucket the tests share; each test keeps its files under a prefix of its own.
pub const BUCKET: &str = "liaison-test";

/// A `LIAISON_FILES_URL` of a fresh prefix at `endpoint`.
pub fn files_url(endpoint: &str) -> String {
    format!("s3://{BUCKET}/t-{}?endpoint={endpoint}&region=us-east-1", liaison::auth::random_token(6))
}

/// Whether the S3 server answers. Without it the test is skipped, loudly — except in CI
/// (`CI` set), where `scripts/test-deps.sh` must have started it and a skip would hide a
/// broken setup.
pub fn available() -> bool {
    let host = endpoint().trim_start_matches("http://").to_string();
    let up = host.parse().ok().is_some_and(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok());
    if !up {
        assert!(std::env::var_os("CI").is_none(), "SeaweedFS does not answer at {host}: scripts/test-deps.sh starts it");
        eprintln!("SKIPPED: no S3 server at {host} (run scripts/test-deps.sh to install and start SeaweedFS)");
    }
    up
}

/// A `liaison` process serving on a random port.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub address: String,
}

impl Server {
    /// The URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `liaison` with the database of `db` and the given variables.
pub fn liaison(db: &TestDb, env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_liaison"));
    cmd.env_remove("LIAISON_DATABASE_URL").env_remove("LIAISON_ADDR").env_remove("LIAISON_CONFIG").env_remove("LIAISON_FILES_URL");
    for (k, v) in db.env() {
        cmd.env(k, v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs `liaison ARGS`; answers (exit code, stdout, stderr).
pub fn run(db: &TestDb, env: &[(&str, String)], args: &[&str]) -> (i32, String, String) {
    let out = liaison(db, env).args(args).output().expect("runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// Starts `liaison serve` and waits for its listening line.
pub fn serve(db: &TestDb, env: &[(&str, String)]) -> Server {
    let mut child = liaison(db, env)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if reader.read_line(&mut line).expect("read") == 0 {
            break;
        }
        if let Some(a) = line.trim().strip_prefix("listening on ") {
            return Server { child, address: a.to_string() };
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("liaison serve did not start: {line}");
}

/// A TCP relay to the S3 server that can be cut (new connections refused, open ones
/// dropped) and restored on the same port.
pub struct Relay {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    up: Arc<AtomicBool>,
    open: Arc<AtomicUsize>,
}

impl Relay {
    /// Starts relaying to [`endpoint`].
    pub async fn start() -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let target = endpoint_addr();
        let up = Arc::new(AtomicBool::new(true));
        let open = Arc::new(AtomicUsize::new(0));
        let (flag, count) = (up.clone(), open.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let flag = flag.clone();
                let target = target.clone();
                let count = count.clone();
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let _open = Open(count);
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await else { return };
                    let copy = tokio::io::copy_bidirectional(&mut inbound, &mut outbound);
                    let watch = async {
                        while flag.load(Ordering::SeqCst) {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! { _ = copy => {}, () = watch => {} }
                });
            }
        });
        Relay { endpoint, up, open }
    }

    /// Cuts the store off: refuses new connections and returns once every open one is
    /// closed.
    pub async fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        while self.open.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Connects it again.
    pub fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// Counts a relayed connection until it is dropped.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn endpoint_addr() -> String {
    endpoint().trim_start_matches("http://").trim_end_matches('/').to_string()
}
