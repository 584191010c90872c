//! `liaison import` and `liaison export`: institutions and people as CSV or XLSX.

use std::{path::PathBuf, process::ExitCode};

use super::say;
use crate::{audit::Actor, config::Settings, db::Db};

/// Records that can be imported and exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Kind {
    /// Institutions.
    Institutions,
    /// People with positions.
    People,
}

/// Imports a file (all or nothing), printing each problem and a summary.
pub(super) async fn import(
    settings: Settings,
    kind: Kind,
    file: &std::path::Path,
    dry_run: bool,
    encoding: Option<&str>,
) -> anyhow::Result<ExitCode> {
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
            let filled = (done * width).checked_div(total).unwrap_or(width);
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

/// Exports the records to a file or standard output.
pub(super) async fn export(
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
