//! The command line: `liaison serve | migrate | demo | user … | backup | check | mail …`.

use std::{io::BufRead, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::{
    audit::Actor,
    auth::{
        session,
        users::{self, NewGrant, NewUser},
    },
    config::{self, Engine, LogFormat, RawSettings, Settings},
    db::Db,
    error::AppError,
    seed,
    startup::Application,
};

/// Liaison: partners, visits, agreements, programmes and news for an international office.
#[derive(Parser, Debug)]
#[command(name = "liaison", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    settings: RawSettings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web application and the JSON API (migrations run first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the seed story into the data directory (if empty), create the demo admin, and serve.
    Demo,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent copy of the SQLite database while the server runs.
    Backup {
        /// Where to write the copy [default: <data dir>/backups/liaison-<time>.sqlite3].
        #[arg(long)]
        to: Option<PathBuf>,
    },
    /// Import institutions or people from a CSV or XLSX file (all or nothing).
    Import {
        /// What the file holds.
        #[arg(value_enum)]
        kind: Kind,
        /// The file (.csv or .xlsx).
        file: PathBuf,
        /// Report what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The CSV's text encoding if not UTF-8 (e.g. gb18030, big5, latin1).
        #[arg(long)]
        encoding: Option<String>,
    },
    /// Export institutions or people to CSV or XLSX.
    Export {
        /// What to export.
        #[arg(value_enum)]
        kind: Kind,
        /// File format.
        #[arg(long, value_enum, default_value = "csv")]
        format: crate::tabular::Format,
        /// Output file [default: standard output].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only institutions of this country (ISO code).
        #[arg(long)]
        country: Option<String>,
        /// Only records matching this text.
        #[arg(long)]
        q: Option<String>,
    },
    /// Outgoing mail (reminders for follow-up actions, through LIAISON_SMTP_URL).
    #[command(subcommand)]
    Mail(MailCommand),
    /// Check configuration and database connectivity, saying what is wrong.
    Check {
        /// Print an example configuration file and exit.
        #[arg(long)]
        example_config: bool,
    },
}

/// Records that can be imported and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Kind {
    /// Institutions.
    Institutions,
    /// People with positions.
    People,
}

#[derive(Subcommand, Debug)]
enum MailCommand {
    /// Queue the reminders that are due and send the queued mail once, then exit
    /// (what every running instance does every mail_poll_seconds).
    RunOnce,
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an account. The password is read from standard input (one line) with
    /// --password-stdin, otherwise a random one is generated and printed.
    Add {
        /// Login name.
        username: String,
        /// Shown name.
        #[arg(long)]
        display_name: Option<String>,
        /// E-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Role to grant (repeatable): admin, staff, coordinator, author, translator,
        /// photographer, proofreader, reviewer, viewer.
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Unit id for a coordinator grant.
        #[arg(long)]
        unit: Option<i64>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (ends the user's sessions).
    Passwd {
        /// Login name.
        username: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Grant a role.
    Grant {
        /// Login name.
        username: String,
        /// Role name.
        role: String,
        /// Unit id (coordinator).
        #[arg(long)]
        unit: Option<i64>,
    },
    /// List accounts and their roles.
    List,
    /// Issue an API token for scripts; printed once.
    Token {
        /// Login name.
        username: String,
        /// A label for the token.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

/// Entry point: parses arguments, validates settings, runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Check { example_config: true } = cli.command {
        print!("{}", config::EXAMPLE_CONFIG);
        return ExitCode::SUCCESS;
    }
    let settings = match cli.settings.resolve() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("liaison: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("liaison: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli.command, settings)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("liaison: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("LIAISON_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    use std::io::IsTerminal;
    // Colours only on a terminal: log files and journald get plain text.
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn dispatch(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => {
            init_logging(settings.log_format);
            serve(settings).await
        }
        Command::Migrate => {
            let db = Db::connect(&settings).await?;
            let applied = db.migrate().await?;
            println!("migrations applied: {}", if applied.is_empty() { "none pending".into() } else { format!("{applied:?}") });
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            init_logging(settings.log_format);
            demo(settings).await
        }
        Command::User(cmd) => user(cmd, settings).await,
        Command::Backup { to } => backup(settings, to).await,
        Command::Check { .. } => check(settings).await,
        Command::Mail(MailCommand::RunOnce) => mail_run_once(settings).await,
        Command::Import { kind, file, dry_run, encoding } => import(settings, kind, &file, dry_run, encoding.as_deref()).await,
        Command::Export { kind, format, out, country, q } => export(settings, kind, format, out, country, q).await,
    }
}

async fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    let app = Application::build(settings).await?;
    println!("listening on http://{}", app.local_addr());
    app.run_until_stopped().await?;
    Ok(ExitCode::SUCCESS)
}

/// The people the seed article credits, as demo accounts: username, shown name, role.
const DEMO_EDITORS: &[(&str, &str, &str)] = &[
    ("qin.lijuan", "Qin Lijuan", "author"),
    ("peng.gaoliang", "Peng Gaoliang", "translator"),
    ("xiao.jia", "Xiao Jia", "photographer"),
    ("tang.mei", "Tang Mei", "proofreader"),
    ("lin.na", "Lin Na", "reviewer"),
];

async fn demo(settings: Settings) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&settings).await?;
    db.migrate().await?;
    if seed::is_seeded(&db).await? {
        println!("the database already holds data; the seed story is not loaded again");
    } else {
        let ids = seed::load(&db, &settings.home_name).await?;
        // The release's photos are not in the fixture: a picture drawn in code stands in,
        // credited to the photographer the article names, and its caption says so.
        let meta = crate::news::photos::PhotoMeta {
            caption_en: "Placeholder picture drawn for the demo: the release's photos are not part of the seed data.".into(),
            caption_zh: "演示用示意图：新闻原图不在样例数据中。".into(),
            photographer_name: Some("Xiao Jia".into()),
            photographer_id: None,
        };
        crate::news::photos::store_photo(
            &db,
            &settings.data_dir,
            &Actor::system("demo"),
            ids.article,
            crate::news::photos::demo_image(),
            &meta,
        )
        .await
        .map_err(say)?;
        println!("seed story loaded into {}", config::redact_url(&settings.database_url));
    }
    let password = std::env::var("LIAISON_DEMO_PASSWORD").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| crate::auth::random_token(8));
    let actor = Actor::system("demo");
    match users::id_by_username(&db, "admin").await {
        Ok(id) => users::set_password(&db, &actor, id, password.clone()).await?,
        Err(AppError::NotFound) => {
            let new = NewUser {
                username: "admin".into(),
                display_name: Some("Demo administrator".into()),
                email: None,
                password: password.clone(),
                grants: vec![NewGrant { role: "admin".into(), unit_id: None }],
            };
            users::create_user(&db, &actor, new).await?;
        }
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    }
    println!("demo admin user: admin");
    println!("demo admin password: {password}");
    // The seed article's editorial chain, as accounts to try the news desk with.
    for (username, name, role) in DEMO_EDITORS {
        if let Err(AppError::NotFound) = users::id_by_username(&db, username).await {
            let new = NewUser {
                username: (*username).into(),
                display_name: Some((*name).into()),
                email: None,
                password: password.clone(),
                grants: vec![NewGrant { role: (*role).into(), unit_id: None }],
            };
            users::create_user(&db, &actor, new).await?;
        }
    }
    let names: Vec<String> = DEMO_EDITORS.iter().map(|(u, _, r)| format!("{u} ({r})")).collect();
    println!("demo news editors (same password): {}", names.join(", "));
    let app = Application::with_db(settings, db).await?;
    println!("listening on http://{}", app.local_addr());
    app.run_until_stopped().await?;
    Ok(ExitCode::SUCCESS)
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok((line.trim_end_matches(['\r', '\n']).to_string(), false))
    } else {
        Ok((crate::auth::random_token(8), true))
    }
}

/// Turns a domain error into a message for the terminal.
fn say(e: AppError) -> anyhow::Error {
    match e {
        AppError::Validation(errors) => {
            let lines: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            anyhow::anyhow!("{}", lines.join("; "))
        }
        AppError::NotFound => anyhow::anyhow!("no such user"),
        other => anyhow::anyhow!("{}", other.problem().detail.unwrap_or_else(|| other.to_string())),
    }
}

async fn user(cmd: UserCommand, settings: Settings) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&settings).await?;
    db.migrate().await?;
    let actor = Actor::system("cli");
    match cmd {
        UserCommand::Add { username, display_name, email, roles, unit, password_stdin } => {
            let (password, generated) = read_password(password_stdin)?;
            let grants = roles.into_iter().map(|role| NewGrant { role, unit_id: unit }).collect();
            let id = users::create_user(
                &db,
                &actor,
                NewUser { username: username.clone(), display_name, email, password: password.clone(), grants },
            )
            .await
            .map_err(say)?;
            println!("created user {username} (id {id})");
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Passwd { username, password_stdin } => {
            let (password, generated) = read_password(password_stdin)?;
            let id = users::id_by_username(&db, &username).await.map_err(say)?;
            users::set_password(&db, &actor, id, password.clone()).await.map_err(say)?;
            println!("password changed for {username}");
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Grant { username, role, unit } => {
            let id = users::id_by_username(&db, &username).await.map_err(say)?;
            users::grant(&db, &actor, id, &NewGrant { role: role.clone(), unit_id: unit }).await.map_err(say)?;
            println!("granted {role} to {username}");
        }
        UserCommand::List => {
            for u in users::list_users(&db).await? {
                let roles: Vec<String> = u
                    .grants
                    .iter()
                    .map(|g| match g.unit_id {
                        Some(unit) => format!("{}@unit{unit}", g.role.as_str()),
                        None => g.role.as_str().to_string(),
                    })
                    .collect();
                println!("{}\t{}\t{}\t{}", u.username, u.display_name, if u.active { "active" } else { "inactive" }, roles.join(","));
            }
        }
        UserCommand::Token { username, name } => {
            let id = users::id_by_username(&db, &username).await.map_err(say)?;
            let t = session::issue_token(&db, id, &name).await?;
            println!("{}", t.token);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn backup(settings: Settings, to: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    if settings.engine == Engine::Postgres {
        eprintln!(
            "liaison backup copies the embedded SQLite database. For PostgreSQL use its own tools, e.g.\n  \
             pg_dump --format=custom --file=liaison-$(date +%Y%m%d).dump \"$LIAISON_DATABASE_URL\"\n\
             and restore with pg_restore --clean --dbname=\"$LIAISON_DATABASE_URL\" FILE."
        );
        return Ok(ExitCode::from(2));
    }
    let target = to.unwrap_or_else(|| {
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
        settings.data_dir.join("backups").join(format!("liaison-{stamp}.sqlite3"))
    });
    if target.exists() {
        anyhow::bail!("{} exists already; choose another --to", target.display());
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let db = Db::connect(&settings).await?;
    // VACUUM INTO reads one consistent snapshot (WAL readers do not block the server's
    // writers) and writes a compact, self-contained database file.
    let path = target.to_string_lossy().replace('\'', "''");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM INTO '{path}'"))).execute(&db.pool).await?;
    println!("backup written to {}", target.display());
    Ok(ExitCode::SUCCESS)
}

async fn check(settings: Settings) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    println!("ok    configuration ({:?})", settings);
    if settings.engine == Engine::Sqlite {
        match std::fs::create_dir_all(&settings.data_dir).and_then(|_| tempfile_probe(&settings.data_dir)) {
            Ok(()) => println!("ok    data directory {} is writable", settings.data_dir.display()),
            Err(e) => {
                failed = true;
                println!("FAIL  data directory {}: {e}", settings.data_dir.display());
            }
        }
    }
    match Db::connect(&settings).await {
        Ok(db) => match db.ping().await {
            Ok(()) => {
                println!("ok    database reachable ({})", config::redact_url(&settings.database_url));
                let pending = db.pending_migrations().await?;
                if pending.is_empty() {
                    println!("ok    schema up to date");
                } else {
                    println!("note  migrations pending: {pending:?} (they run at start, or with `liaison migrate`)");
                }
            }
            Err(e) => {
                failed = true;
                println!("FAIL  database: {e:#}");
            }
        },
        Err(e) => {
            failed = true;
            println!("FAIL  database: {e:#}");
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

async fn mail_run_once(settings: Settings) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&settings).await?;
    db.migrate().await?;
    let mailer = crate::mail::Mailer::new(&settings)?;
    let (_stop, never) = tokio::sync::watch::channel(false);
    let r = crate::jobs::mail_tick(&db, &mailer, &never).await?;
    let unset = if settings.smtp_url.is_none() { " (LIAISON_SMTP_URL is not set: mail stays queued)" } else { "" };
    println!("reminders queued: {}, mail sent: {}, failed: {}{unset}", r.queued, r.sent, r.failed);
    Ok(if r.failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn tempfile_probe(dir: &std::path::Path) -> std::io::Result<()> {
    let probe = dir.join(".liaison-write-probe");
    std::fs::write(&probe, b"ok")?;
    std::fs::remove_file(&probe)
}

async fn import(settings: Settings, kind: Kind, file: &std::path::Path, dry_run: bool, encoding: Option<&str>) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let xlsx = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let table = crate::tabular::read(&bytes, xlsx, encoding).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let db = Db::connect(&settings).await?;
    db.migrate().await?;
    let actor = Actor::system("import");
    let tty = std::io::stderr().is_terminal();
    let mut progress = |done: usize, total: usize| {
        if tty && (done.is_multiple_of(200) || done == total) {
            let width = 30;
            let filled = if total == 0 { width } else { done * width / total };
            eprint!("\rchecking [{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(width - filled));
            if done == total {
                eprintln!();
            }
        }
    };
    let report = match kind {
        Kind::Institutions => crate::institutions::transfer::import_institutions(&db, &actor, &table, dry_run, &mut progress).await,
        Kind::People => crate::institutions::transfer::import_people(&db, &actor, &table, dry_run, &mut progress).await,
    }
    .map_err(say)?;
    for p in &report.problems {
        println!("row {}\t{}\t{}", p.row, p.field, p.message);
    }
    for (row, id, name) in &report.existing {
        println!("row {row}\texists\tmatches #{id} {name}; not imported again");
    }
    let verb = if report.committed {
        "imported"
    } else if dry_run && report.problems.is_empty() {
        "would import"
    } else {
        "imported"
    };
    let created = if report.committed || dry_run { report.created } else { 0 };
    println!(
        "{} rows read, {verb} {created}, {} already present, {} problems{}",
        report.rows,
        report.existing.len(),
        report.problems.len(),
        if report.problems.is_empty() { "" } else { "; nothing was written" }
    );
    Ok(if report.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

async fn export(
    settings: Settings,
    kind: Kind,
    format: crate::tabular::Format,
    out: Option<PathBuf>,
    country: Option<String>,
    q: Option<String>,
) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&settings).await?;
    db.migrate().await?;
    let (table, sheet) = match kind {
        Kind::Institutions => {
            let query = crate::institutions::queries::InstitutionQuery { q, country, ..Default::default() };
            (crate::institutions::transfer::institutions_table(&db, &query, None).await.map_err(say)?, "Institutions")
        }
        Kind::People => (crate::institutions::transfer::people_table(&db, q.as_deref()).await.map_err(say)?, "People"),
    };
    let bytes = table.write(format, sheet)?;
    match out {
        Some(path) => {
            std::fs::write(&path, &bytes)?;
            eprintln!("{} rows written to {}", table.rows.len(), path.display());
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn mail_run_once_takes_the_mail_settings_as_flags() {
        let cli = Cli::try_parse_from(["liaison", "mail", "run-once", "--smtp-url", "smtp://127.0.0.1:2525", "--reminder-days", "3"])
            .expect("parses");
        assert!(matches!(cli.command, Command::Mail(MailCommand::RunOnce)));
        assert_eq!(cli.settings.smtp_url.as_deref(), Some("smtp://127.0.0.1:2525"));
        assert_eq!(cli.settings.reminder_days.as_deref(), Some("3"));
    }
}
