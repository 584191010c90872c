//! Import and export of institutions and people: CSV or XLSX, from the UI and the CLI.
//!
//! An import reads every row first and reports each problem as (row, field, message);
//! rows that match an existing institution are reported, not copied twice. Only a file
//! with no problems is written, in one transaction: all or nothing.

use std::collections::HashMap;

use serde::Serialize;

use super::{
    matching::{self, Entry, Index},
    model::{Institution, InstitutionFields, InstitutionInput, Person, PersonInput, PositionInput, check_person},
    queries::{self, InstitutionQuery},
};
use crate::{
    audit::Actor,
    db::Db,
    error::{AppError, AppResult},
    tabular::Table,
};

/// Institution columns, in export order; `name_en` and `country` are required on import.
pub const INSTITUTION_COLUMNS: [&str; 14] = [
    "id",
    "name_en",
    "name_zh",
    "name_local",
    "acronym",
    "country",
    "city",
    "website",
    "kind",
    "schac_code",
    "ror_id",
    "erasmus_code",
    "strengths",
    "partnership_status",
];

/// People columns, in export order; `name_en` is required on import, and `institution`
/// (a name, acronym or domain, matched) with `title_en` makes a position.
pub const PEOPLE_COLUMNS: [&str; 9] =
    ["id", "name_en", "name_zh", "email", "institution", "title_en", "title_zh", "start_date", "end_date"];

/// The institutions list (all pages) as a table.
pub async fn institutions_table(db: &Db, q: &InstitutionQuery, matched: Option<&[i64]>) -> AppResult<Table> {
    let mut q = q.clone();
    q.per_page = Some(200);
    let mut rows = Vec::new();
    for page in 1.. {
        q.page = Some(page);
        let (items, total) = queries::list_institutions(db, &q, matched).await?;
        rows.extend(items.iter().map(institution_row));
        if rows.len() as i64 >= total || items.is_empty() {
            break;
        }
    }
    Ok(Table { headers: INSTITUTION_COLUMNS.iter().map(|s| s.to_string()).collect(), rows })
}

fn institution_row(i: &Institution) -> Vec<String> {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        i.id.to_string(),
        i.name_en.clone(),
        o(&i.name_zh),
        o(&i.name_local),
        o(&i.acronym),
        i.country.clone(),
        o(&i.city),
        o(&i.website),
        i.kind.clone(),
        o(&i.schac_code),
        o(&i.ror_id),
        o(&i.erasmus_code),
        i.strengths.join("; "),
        o(&i.partnership_status),
    ]
}

/// The people list (one row per position; people without positions get one row).
pub async fn people_table(db: &Db, q: Option<&str>) -> AppResult<Table> {
    let mut rows = Vec::new();
    for page in 1.. {
        let (people, total) = queries::list_people(db, q, None, page, 200).await?;
        let done = people.is_empty() || page * 200 >= total;
        for p in &people {
            rows.extend(person_rows(p));
        }
        if done {
            break;
        }
    }
    Ok(Table { headers: PEOPLE_COLUMNS.iter().map(|s| s.to_string()).collect(), rows })
}

fn person_rows(p: &Person) -> Vec<Vec<String>> {
    let base = |inst: &str, t_en: &str, t_zh: &str, s: &str, e: &str| {
        vec![
            p.id.to_string(),
            p.name_en.clone(),
            p.name_zh.clone().unwrap_or_default(),
            p.email.clone().unwrap_or_default(),
            inst.into(),
            t_en.into(),
            t_zh.into(),
            s.into(),
            e.into(),
        ]
    };
    if p.positions.is_empty() {
        return vec![base("", "", "", "", "")];
    }
    p.positions
        .iter()
        .map(|pos| {
            base(
                &pos.institution_name,
                &pos.title_en,
                pos.title_zh.as_deref().unwrap_or(""),
                pos.start_date.as_deref().unwrap_or(""),
                pos.end_date.as_deref().unwrap_or(""),
            )
        })
        .collect()
}

/// One problem found in an import file.
#[derive(Debug, Clone, Serialize)]
pub struct RowProblem {
    /// Row in the file (the header is row 1).
    pub row: usize,
    /// Column.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// The outcome of reading an import file.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    /// Rows that would be (or were) created.
    pub created: usize,
    /// Rows skipped because they match an existing record: (row, existing id, name).
    pub existing: Vec<(usize, i64, String)>,
    /// Problems; any problem means nothing is written.
    pub problems: Vec<RowProblem>,
    /// Whether the rows were written.
    pub committed: bool,
}

fn check_columns(table: &Table, required: &[&str], known: &[&str]) -> Vec<RowProblem> {
    let mut out: Vec<RowProblem> = required
        .iter()
        .filter(|c| !table.headers.iter().any(|h| h == *c))
        .map(|c| RowProblem {
            row: 1,
            field: c.to_string(),
            message: format!("the required column '{c}' is missing (found: {})", table.headers.join(", ")),
        })
        .collect();
    out.extend(table.headers.iter().filter(|h| !h.is_empty() && !known.contains(&h.as_str())).map(|h| RowProblem {
        row: 1,
        field: h.clone(),
        message: format!("unknown column '{h}'; known columns are {}", known.join(", ")),
    }));
    out
}

/// An index over the existing (not merged) institutions, for de-duplication.
pub async fn partner_index(db: &Db) -> AppResult<(Index, Vec<(i64, String)>)> {
    let rows = queries::match_rows(db).await?;
    let mut entries = Vec::with_capacity(rows.len());
    let mut ids = Vec::with_capacity(rows.len());
    for r in rows {
        let mut names = vec![r.name_en.clone()];
        names.extend(r.name_local);
        let domains = [r.schac_code, r.directory_domain, r.website.as_deref().and_then(matching::host_of)].into_iter().flatten().collect();
        entries.push(Entry { key: r.id as u64, names, name_zh: r.name_zh, acronyms: r.acronym.into_iter().collect(), domains });
        ids.push((r.id, r.name_en));
    }
    Ok((Index::build(entries), ids))
}

/// Reads, checks and (unless `dry_run`, and only without problems) writes institutions.
pub async fn import_institutions(
    db: &Db,
    actor: &Actor,
    table: &Table,
    dry_run: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> AppResult<ImportReport> {
    let mut report = ImportReport {
        rows: table.rows.len(),
        problems: check_columns(table, &["name_en", "country"], &INSTITUTION_COLUMNS),
        ..Default::default()
    };
    if !report.problems.is_empty() {
        return Ok(report);
    }
    let (index, existing) = partner_index(db).await?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut to_create = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        let row_no = i + 2;
        let cell = |h: &str| Some(table.cell(row, h).to_string());
        let input = InstitutionInput {
            name_en: cell("name_en"),
            name_zh: cell("name_zh"),
            name_local: cell("name_local"),
            acronym: cell("acronym"),
            country: cell("country"),
            city: cell("city"),
            website: cell("website"),
            kind: cell("kind").filter(|k| !k.is_empty()),
            schac_code: cell("schac_code"),
            ror_id: cell("ror_id"),
            erasmus_code: cell("erasmus_code"),
            is_public: None,
            force: None,
            strengths: Some(table.cell(row, "strengths").split([';', ',']).map(str::to_string).collect()),
            version: None,
        };
        match InstitutionFields::parse(input, None) {
            Err(AppError::Validation(errs)) => {
                report.problems.extend(errs.into_iter().map(|e| RowProblem { row: row_no, field: e.field, message: e.message }))
            }
            Err(e) => return Err(e),
            Ok(f) => {
                let key = format!("{}|{}", f.name_en.to_lowercase(), f.country);
                if let Some(first) = seen.insert(key, row_no) {
                    report.problems.push(RowProblem {
                        row: row_no,
                        field: "name_en".into(),
                        message: format!("the same institution is already on row {first}"),
                    });
                    continue;
                }
                let hits = index.search(&f.name_en, 3);
                let same = matching::chosen(&hits).map(|h| existing[h.entry].clone()).or_else(|| {
                    f.schac_code
                        .as_deref()
                        .and_then(|d| index.search(d, 1).into_iter().find(|h| h.on == matching::MatchedOn::Domain))
                        .map(|h| existing[h.entry].clone())
                });
                match same {
                    Some((id, name)) => report.existing.push((row_no, id, name)),
                    None => to_create.push(f),
                }
            }
        }
        progress(i + 1, table.rows.len());
    }
    report.created = to_create.len();
    if dry_run || !report.problems.is_empty() {
        return Ok(report);
    }
    let mut tx = db.begin().await?;
    for f in &to_create {
        queries::insert_institution(&mut tx, actor, f, false).await?;
    }
    tx.commit().await?;
    db.analyze().await?;
    report.committed = true;
    Ok(report)
}

/// Reads, checks and (unless `dry_run`, and only without problems) writes people; the
/// `institution` column is matched against existing institutions.
pub async fn import_people(
    db: &Db,
    actor: &Actor,
    table: &Table,
    dry_run: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> AppResult<ImportReport> {
    let mut report =
        ImportReport { rows: table.rows.len(), problems: check_columns(table, &["name_en"], &PEOPLE_COLUMNS), ..Default::default() };
    if !report.problems.is_empty() {
        return Ok(report);
    }
    let (index, existing) = partner_index(db).await?;
    let mut to_create = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        let row_no = i + 2;
        let c = |h: &str| table.cell(row, h).to_string();
        let inst_text = c("institution");
        let institution_id = if inst_text.is_empty() {
            None
        } else {
            match matching::chosen(&index.search(&inst_text, 3)) {
                Some(h) => Some(existing[h.entry].0),
                None => {
                    report.problems.push(RowProblem { row: row_no, field: "institution".into(), message: format!("'{inst_text}' does not clearly match one institution; use its exact name, acronym or domain, or create it first") });
                    continue;
                }
            }
        };
        let positions = match (institution_id, c("title_en")) {
            (Some(inst), t) if !t.is_empty() => vec![PositionInput {
                title_en: t,
                title_zh: Some(c("title_zh")),
                institution_id: inst,
                unit_id: None,
                start_date: Some(c("start_date")),
                end_date: Some(c("end_date")),
            }],
            _ => Vec::new(),
        };
        let mut input =
            PersonInput { name_en: c("name_en"), name_zh: Some(c("name_zh")), email: Some(c("email")), institution_id, positions };
        match check_person(&mut input) {
            Err(AppError::Validation(errs)) => report.problems.extend(errs.into_iter().map(|e| RowProblem {
                row: row_no,
                field: e.field.trim_start_matches("positions[0].").to_string(),
                message: e.message,
            })),
            Err(e) => return Err(e),
            Ok(()) => to_create.push(input),
        }
        progress(i + 1, table.rows.len());
    }
    report.created = to_create.len();
    if dry_run || !report.problems.is_empty() {
        return Ok(report);
    }
    let mut tx = db.begin().await?;
    for p in &to_create {
        queries::insert_person(&mut tx, actor, p).await?;
    }
    tx.commit().await?;
    report.committed = true;
    Ok(report)
}
