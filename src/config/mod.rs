//! Settings, layered: built-in defaults, then an optional TOML file, then `LIAISON_*`
//! environment variables and command-line flags (clap reads both; a flag wins over its
//! variable). A bad value stops start-up with one line that names the setting.

use std::{net::SocketAddr, path::PathBuf};

use serde::Deserialize;

mod files;
mod proxies;
mod smtp;
mod sso;
#[cfg(test)]
mod tests;

pub use files::{S3Target, parse_files_url};
pub use proxies::TrustedProxies;
pub use smtp::{SmtpTarget, parse_smtp_url};
pub use sso::{Protocol, Provider, RoleRule, SsoSettings};

/// Which engine the database URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Embedded SQLite file in the data directory (the default).
    Sqlite,
    /// PostgreSQL, the scale-out store.
    Postgres,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// The typed, validated configuration of one `liaison` process.
#[derive(Clone)]
pub struct Settings {
    /// Address to listen on.
    pub addr: SocketAddr,
    /// Holds the SQLite file, uploads and backups.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Which engine `database_url` selects.
    pub engine: Engine,
    /// Log format.
    pub log_format: LogFormat,
    /// Mark cookies `Secure` (set when served behind HTTPS).
    pub secure_cookies: bool,
    /// Idle session lifetime in hours.
    pub session_hours: i64,
    /// Name of the home institution created by `liaison demo`.
    pub home_name: String,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// SMTP relay, e.g. `smtp://127.0.0.1:2525`; `None` queues mail without sending it.
    pub smtp_url: Option<String>,
    /// Sender of outgoing mail, e.g. `Liaison <liaison@localhost>`.
    pub mail_from: String,
    /// Days before an action's due date that its owner is reminded.
    pub reminder_days: i64,
    /// Seconds between two runs of the mail worker (queue reminders, drain the outbox).
    pub mail_poll_seconds: u64,
    /// Absolute base URL of the public site (feeds, sitemap, canonical links), without a
    /// trailing slash; `None`: `http://` + the address actually listened on.
    pub public_url: Option<String>,
    /// Bearer token that opens `/metrics` to scrapers on other hosts; `None`: only
    /// clients on this machine (loopback) may read it.
    pub metrics_token: Option<String>,
    /// Where uploaded files live: an S3-compatible bucket; `None`: `<data_dir>/files`.
    pub files_url: Option<S3Target>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (empty: none).
    pub trusted_proxies: TrustedProxies,
    /// Single sign-on: identity providers and whether password login stays open.
    pub sso: SsoSettings,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("engine", &self.engine)
            .field("log_format", &self.log_format)
            .field("secure_cookies", &self.secure_cookies)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("files_url", &self.files_url)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("sso", &self.sso)
            .finish_non_exhaustive()
    }
}

/// Hides a password in a database URL so settings can be logged.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..scheme_end], &url[at + 1..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Raw values as they come from flags and environment (clap) — all optional so the
/// file and the defaults can fill what is missing.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RawSettings {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "LIAISON_ADDR", global = true)]
    pub addr: Option<String>,
    /// Data directory [default: ./liaison-data].
    #[arg(long, env = "LIAISON_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL; a postgres:// URL selects PostgreSQL [default: SQLite in the data dir].
    #[arg(long, env = "LIAISON_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Optional TOML configuration file [default: <data dir>/liaison.toml if present].
    #[arg(long, env = "LIAISON_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Log format.
    #[arg(long, env = "LIAISON_LOG_FORMAT", global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Mark session cookies Secure (behind HTTPS) [default: false].
    #[arg(long, env = "LIAISON_SECURE_COOKIES", global = true)]
    pub secure_cookies: Option<String>,
    /// SMTP relay for outgoing mail, e.g. smtp://127.0.0.1:2525 [default: none: mail is queued, not sent].
    #[arg(long, env = "LIAISON_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of outgoing mail [default: Liaison <liaison@localhost>].
    #[arg(long, env = "LIAISON_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// Days before its due date that an action's owner is reminded [default: 2].
    #[arg(long, env = "LIAISON_REMINDER_DAYS", global = true)]
    pub reminder_days: Option<String>,
    /// Seconds between two runs of the mail worker [default: 30].
    #[arg(long, env = "LIAISON_MAIL_POLL_SECONDS", global = true)]
    pub mail_poll_seconds: Option<String>,
    /// Public base URL of the news site, e.g. https://news.example.edu [default: http:// + the listen address].
    #[arg(long, env = "LIAISON_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Bearer token a Prometheus scraper sends to read /metrics from another host [default: none: loopback only].
    #[arg(long, env = "LIAISON_METRICS_TOKEN", global = true, hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// S3-compatible bucket for uploaded files, e.g. s3://liaison?endpoint=http://127.0.0.1:8333&region=us-east-1; credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY [default: none: files in <data dir>/files].
    #[arg(long, env = "LIAISON_FILES_URL", global = true)]
    pub files_url: Option<String>,
    /// Reverse proxies (addresses, CIDR networks) whose X-Forwarded-For names the client, e.g. 127.0.0.1,10.0.0.0/8 [default: none: the TCP peer is the client].
    #[arg(long, env = "LIAISON_TRUSTED_PROXIES", global = true)]
    pub trusted_proxies: Option<String>,
    /// Issuer of the one OpenID Connect provider set from the environment (more in the file's [sso]).
    #[arg(long, env = "LIAISON_OIDC_ISSUER", global = true)]
    pub oidc_issuer: Option<String>,
    /// Client id registered at LIAISON_OIDC_ISSUER.
    #[arg(long, env = "LIAISON_OIDC_CLIENT_ID", global = true)]
    pub oidc_client_id: Option<String>,
    /// Client secret registered at LIAISON_OIDC_ISSUER.
    #[arg(long, env = "LIAISON_OIDC_CLIENT_SECRET", global = true, hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// Base URL of a CAS 3.0 server, e.g. https://cas.example.edu/cas.
    #[arg(long, env = "LIAISON_CAS_URL", global = true)]
    pub cas_url: Option<String>,
    /// Whether everyone may log in with a password; false leaves it to the break-glass users [default: true].
    #[arg(long, env = "LIAISON_PASSWORD_LOGIN", global = true)]
    pub password_login: Option<String>,
}

/// What the optional TOML file may hold (same names as the flags, with underscores).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    addr: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    log_format: Option<LogFormat>,
    secure_cookies: Option<bool>,
    session_hours: Option<i64>,
    home_name: Option<String>,
    max_body_bytes: Option<usize>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    reminder_days: Option<i64>,
    mail_poll_seconds: Option<u64>,
    public_url: Option<String>,
    metrics_token: Option<String>,
    files_url: Option<String>,
    trusted_proxies: Option<String>,
    sso: Option<sso::FileSso>,
}

/// A configuration problem, phrased for the person starting the program.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {setting}: {message}")]
pub struct ConfigError {
    /// The setting's name as the user wrote it (env var / file key).
    pub setting: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

fn bad(setting: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError { setting, message: message.into() }
}

impl RawSettings {
    /// Merges flags/env over the file over defaults and validates every value.
    pub fn resolve(&self) -> Result<Settings, ConfigError> {
        let file = self.load_file()?;
        let mail = self.mail_settings(&file)?;
        let data_dir = self.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from("./liaison-data"));
        if data_dir.as_os_str().is_empty() {
            return Err(bad("LIAISON_DATA_DIR", "must not be empty"));
        }
        let addr_text = self.addr.clone().or(file.addr).unwrap_or_else(|| "127.0.0.1:8080".into());
        let addr: SocketAddr =
            addr_text.parse().map_err(|_| bad("LIAISON_ADDR", format!("'{addr_text}' is not an address like 127.0.0.1:8080")))?;
        let database_url = self.database_url.clone().or(file.database_url).unwrap_or_default();
        let (engine, database_url) = parse_database_url(&database_url, &data_dir)?;
        let secure_cookies = match &self.secure_cookies {
            Some(v) => parse_bool(v).ok_or_else(|| bad("LIAISON_SECURE_COOKIES", format!("'{v}' is not true or false")))?,
            None => file.secure_cookies.unwrap_or(false),
        };
        let session_hours = file.session_hours.unwrap_or(12);
        if !(1..=24 * 90).contains(&session_hours) {
            return Err(bad("session_hours", "must be between 1 and 2160"));
        }
        let max_body_bytes = file.max_body_bytes.unwrap_or(2 * 1024 * 1024);
        if max_body_bytes < 1024 {
            return Err(bad("max_body_bytes", "must be at least 1024"));
        }
        let public_url = self.public_url.clone().or(file.public_url).map(|u| parse_public_url(&u)).transpose()?.flatten();
        let files_url = self.files_url.clone().or(file.files_url).filter(|u| !u.trim().is_empty());
        let files_url = files_url.map(|u| parse_files_url(&u).map_err(|m| bad("LIAISON_FILES_URL", m))).transpose()?;
        let proxies = self.trusted_proxies.clone().or(file.trusted_proxies).unwrap_or_default();
        let trusted_proxies = TrustedProxies::parse(&proxies).map_err(|m| bad("LIAISON_TRUSTED_PROXIES", m))?;
        let env_sso = sso::EnvSso {
            oidc_issuer: self.oidc_issuer.clone(),
            oidc_client_id: self.oidc_client_id.clone(),
            oidc_client_secret: self.oidc_client_secret.clone(),
            cas_url: self.cas_url.clone(),
            password_login: self.password_login.clone(),
        };
        let sso = sso::resolve(file.sso, env_sso)?;
        Ok(Settings {
            addr,
            data_dir,
            database_url,
            engine,
            log_format: self.log_format.or(file.log_format).unwrap_or(LogFormat::Text),
            secure_cookies,
            session_hours,
            home_name: file.home_name.unwrap_or_else(|| "Demo University of Technology".into()),
            max_body_bytes,
            smtp_url: mail.smtp_url,
            mail_from: mail.mail_from,
            reminder_days: mail.reminder_days,
            mail_poll_seconds: mail.mail_poll_seconds,
            public_url,
            metrics_token: self.metrics_token.clone().or(file.metrics_token).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
            files_url,
            trusted_proxies,
            sso,
        })
    }

    /// The four mail settings, each checked the way the mail worker will use it.
    fn mail_settings(&self, file: &FileSettings) -> Result<MailSettings, ConfigError> {
        let smtp_url = self.smtp_url.clone().or_else(|| file.smtp_url.clone()).filter(|u| !u.trim().is_empty());
        if let Some(url) = &smtp_url {
            parse_smtp_url(url).map(|_| ()).map_err(|m| bad("LIAISON_SMTP_URL", format!("'{}': {m}", redact_url(url))))?;
        }
        let mail_from = self.mail_from.clone().or_else(|| file.mail_from.clone()).unwrap_or_else(|| "Liaison <liaison@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(bad("LIAISON_MAIL_FROM", format!("'{mail_from}' is not an address like Liaison <liaison@example.edu>")));
        }
        let reminder_days = match &self.reminder_days {
            Some(v) => v.trim().parse().map_err(|_| bad("LIAISON_REMINDER_DAYS", format!("'{v}' is not a number of days")))?,
            None => file.reminder_days.unwrap_or(2),
        };
        if !(0..=365).contains(&reminder_days) {
            return Err(bad("reminder_days", "must be between 0 and 365"));
        }
        let mail_poll_seconds = match &self.mail_poll_seconds {
            Some(v) => v.trim().parse().map_err(|_| bad("LIAISON_MAIL_POLL_SECONDS", format!("'{v}' is not a number of seconds")))?,
            None => file.mail_poll_seconds.unwrap_or(30),
        };
        if !(1..=86_400).contains(&mail_poll_seconds) {
            return Err(bad("mail_poll_seconds", "must be between 1 and 86400"));
        }
        Ok(MailSettings { smtp_url, mail_from, reminder_days, mail_poll_seconds })
    }

    fn load_file(&self) -> Result<FileSettings, ConfigError> {
        let (path, explicit) = match &self.config {
            Some(p) => (p.clone(), true),
            None => {
                let dir = self.data_dir.clone().unwrap_or_else(|| PathBuf::from("./liaison-data"));
                (dir.join("liaison.toml"), false)
            }
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => return Ok(FileSettings::default()),
            Err(e) => return Err(bad("LIAISON_CONFIG", format!("cannot read {}: {e}", path.display()))),
        };
        toml::from_str(&text).map_err(|e| {
            let msg = e.message().to_string();
            bad("LIAISON_CONFIG", format!("{}: {msg}", path.display()))
        })
    }
}

/// The mail part of `Settings`, resolved together.
struct MailSettings {
    smtp_url: Option<String>,
    mail_from: String,
    reminder_days: i64,
    mail_poll_seconds: u64,
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// An absolute http(s) URL without a trailing slash, or `None` for an empty value.
fn parse_public_url(url: &str) -> Result<Option<String>, ConfigError> {
    let url = url.trim().trim_end_matches('/');
    if url.is_empty() {
        return Ok(None);
    }
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() && u.query().is_none() => Ok(Some(url.to_string())),
        _ => Err(bad("LIAISON_PUBLIC_URL", format!("'{url}' is not an http(s) URL like https://news.example.edu"))),
    }
}

fn parse_database_url(url: &str, data_dir: &std::path::Path) -> Result<(Engine, String), ConfigError> {
    let url = url.trim();
    if url.is_empty() {
        let file = data_dir.join("liaison.sqlite3");
        return Ok((Engine::Sqlite, format!("sqlite://{}?mode=rwc", file.display())));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        if url.len() <= "postgres://".len() + 1 {
            return Err(bad("LIAISON_DATABASE_URL", "a postgres:// URL needs a host and a database"));
        }
        return Ok((Engine::Postgres, url.to_string()));
    }
    if url.starts_with("sqlite:") {
        return Ok((Engine::Sqlite, url.to_string()));
    }
    Err(bad("LIAISON_DATABASE_URL", format!("'{}' is neither a postgres:// nor a sqlite: URL", redact_url(url))))
}

/// Example configuration file, printed by `liaison check --example-config`.
pub const EXAMPLE_CONFIG: &str = r#"# liaison.toml — every key is optional; LIAISON_* variables and flags override it.
addr = "127.0.0.1:8080"
data_dir = "./liaison-data"
# database_url = "postgres://liaison:secret@db.example.internal:5432/liaison"
log_format = "text"        # or "json"
secure_cookies = false     # true when served behind HTTPS
session_hours = 12
home_name = "Demo University of Technology"
max_body_bytes = 2097152
# smtp_url = "smtp://127.0.0.1:25"   # unset: mail is queued in the database, not sent
mail_from = "Liaison <liaison@localhost>"
reminder_days = 2          # remind owners of open actions this many days before they are due
mail_poll_seconds = 30     # how often each instance queues reminders and sends queued mail
# public_url = "https://www.example.edu"  # absolute links of the news feed and sitemap (default: http:// + addr)
# metrics_token = "…"      # lets a scraper on another host read /metrics (default: this machine only)
# files_url = "s3://liaison?endpoint=http://127.0.0.1:8333&region=us-east-1"  # uploads in a bucket shared by every instance
#                          # (credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); default: <data_dir>/files
# trusted_proxies = "127.0.0.1, ::1"  # reverse proxies whose X-Forwarded-For names the client (default: none)

# Single sign-on (docs/SSO.md). One provider of each kind can also come from
# LIAISON_OIDC_ISSUER / LIAISON_OIDC_CLIENT_ID / LIAISON_OIDC_CLIENT_SECRET and LIAISON_CAS_URL.
# [sso]
# password_login = true      # false: only the break_glass users below may use a password
# break_glass = ["admin"]
# clock_skew_seconds = 120
# [[sso.oidc]]
# id = "campus"              # addresses: /auth/campus/start, /auth/campus/callback
# issuer = "https://login.microsoftonline.com/<tenant-id>/v2.0"
# client_id = "<application id>"
# client_secret_env = "LIAISON_CAMPUS_SECRET"
# scopes = ["openid", "email", "profile"]
# name_en = "University account"
# name_zh = "统一身份认证"
# roles = [{ claim = "groups", value = "<staff group id>", role = "staff" }]
# default_role = "student"
# [[sso.cas]]
# id = "cas"                 # address: /auth/cas/callback
# url = "https://authserver.example.edu.cn/authserver"
# trust_email = true         # the directory's mail attribute is verified
# roles = [{ claim = "eduPersonAffiliation", value = "student", role = "student" }]
"#;
