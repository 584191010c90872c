//! The command line: `liaison serve | migrate | demo | user … | backup | restore | files … | check | mail …`.
//!
//! Here: the clap definitions and the dispatch; each command's work is in a submodule
//! by topic (`demo`, `users`, `transfer` for import and export, `maintenance` for
//! backup, check and the mail run).

mod demo;
mod maintenance;
mod transfer;
mod users;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use self::{transfer::Kind, users::UserCommand};
use crate::{
    config::{self, LogFormat, RawSettings, Settings},
    db::Db,
    error::AppError,
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
    /// Write one archive with a consistent snapshot of the database (SQLite, or pg_dump for
    /// PostgreSQL) and every stored file, with a manifest of checksums; the server may run.
    Backup {
        /// Where to write the archive [default: <data dir>/backups/liaison-<time>.tar].
        #[arg(long)]
        to: Option<PathBuf>,
    },
    /// Restore an archive written by `liaison backup` into the configured database and file
    /// store, which must be empty (stop every instance first).
    Restore {
        /// The archive.
        file: PathBuf,
        /// Replace what the database and the file store hold.
        #[arg(long)]
        force: bool,
    },
    /// The file store (a directory, or the bucket of LIAISON_FILES_URL).
    #[command(subcommand)]
    Files(FilesCommand),
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
    /// Write every record's search document again (after a bulk load straight into the
    /// database; changes made through Liaison keep the index in step themselves).
    Reindex,
    /// Check configuration and database connectivity, saying what is wrong.
    Check {
        /// Print an example configuration file and exit.
        #[arg(long)]
        example_config: bool,
    },
}

#[derive(Subcommand, Debug)]
enum FilesCommand {
    /// Remove stored files that no record names (every instance also does this every six
    /// hours for files older than a day).
    Gc {
        /// Leave files younger than this many hours alone (their record may not be
        /// committed yet).
        #[arg(long, default_value_t = 24)]
        min_age_hours: u64,
    },
}

#[derive(Subcommand, Debug)]
enum MailCommand {
    /// Queue the reminders that are due and send the queued mail once, then exit
    /// (what every running instance does every mail_poll_seconds).
    RunOnce,
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
    // Every command that writes records keeps the search index in step.
    crate::search::install();
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
            demo::demo(settings).await
        }
        Command::User(cmd) => users::user(cmd, settings).await,
        Command::Backup { to } => maintenance::backup(settings, to).await,
        Command::Restore { file, force } => maintenance::restore(settings, &file, force).await,
        Command::Files(FilesCommand::Gc { min_age_hours }) => maintenance::files_gc(settings, min_age_hours).await,
        Command::Check { .. } => maintenance::check(settings).await,
        Command::Reindex => maintenance::reindex(settings).await,
        Command::Mail(MailCommand::RunOnce) => maintenance::mail_run_once(settings).await,
        Command::Import { kind, file, dry_run, encoding } => transfer::import(settings, kind, &file, dry_run, encoding.as_deref()).await,
        Command::Export { kind, format, out, country, q } => transfer::export(settings, kind, format, out, country, q).await,
    }
}

async fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    let app = Application::build(settings).await?;
    println!("listening on http://{}", app.local_addr());
    app.run_until_stopped().await?;
    Ok(ExitCode::SUCCESS)
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
