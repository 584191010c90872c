//! The application funnels: per call, per partner and per faculty, how many applications
//! reached each stage — applied, eligible, ranked, allocated (a place offered), accepted
//! by the student, nominated, accepted by the partner. A stage counts when the
//! application's history (`application_events`) ever held it, so a student who later
//! withdrew still counts at the stages they reached.

use sqlx::AnyConnection;

use super::{Built, cols, fetch};
use crate::{
    error::AppError,
    reports::model::{Cell, Filters},
    web::i18n::Tr,
};

/// The stages, in order, as (column key, history status).
const STAGES: &[(&str, &str)] = &[
    ("applied", "submitted"),
    ("eligible", "eligible"),
    ("ranked", "eligible"),
    ("allocated", "offered"),
    ("accepted", "accepted"),
    ("nominated", "nominated"),
    ("partner_accepted", "partner_accepted"),
];

/// A funnel row: the label and the count at each stage.
type FunnelRow = (String, i64, i64, i64, i64, i64, i64, i64);

/// Which grouping a funnel report uses.
#[derive(Debug, Clone, Copy)]
pub(super) enum By {
    /// One row per call.
    Call,
    /// One row per partner: the place allocated, else the first choice.
    Partner,
    /// One row per faculty as the student gave it.
    Faculty,
}

pub(super) async fn funnel(conn: &mut AnyConnection, f: &Filters, tr: Tr, by: By) -> Result<Built, AppError> {
    let (label, joins, key) = match by {
        By::Call => ("c.title_en || ' (' || c.academic_year || ')'", "", "call"),
        By::Partner => (
            "COALESCE(i.name_en, '—')",
            "LEFT JOIN application_choices ch ON ch.application_id = a.id AND ch.priority = 1
             LEFT JOIN call_partners cp ON cp.id = COALESCE(a.allocated_partner_id, ch.call_partner_id)
             LEFT JOIN institutions i ON i.id = cp.institution_id",
            "partner",
        ),
        By::Faculty => ("CASE WHEN a.faculty = '' THEN '—' ELSE a.faculty END", "", "faculty"),
    };
    let stage_cols: Vec<String> = STAGES
        .iter()
        .map(|(k, s)| {
            let extra = if *k == "ranked" { " AND a.rank IS NOT NULL" } else { "" };
            format!("MAX(CASE WHEN e.status = '{s}'{extra} THEN 1 ELSE 0 END) AS {k}")
        })
        .collect();
    let sums: Vec<String> = STAGES.iter().map(|(k, _)| format!("CAST(SUM({k}) AS BIGINT)")).collect();
    let mut binds = Vec::new();
    let mut cond = "1 = 1".to_string();
    if let Some(y) = f.academic_year() {
        binds.push(y);
        cond = "c.academic_year = $1".to_string();
    }
    if let Some(d) = f.direction {
        binds.push(d.to_string());
        cond = format!("{cond} AND c.direction = ${}", binds.len());
    }
    let sql = format!(
        "SELECT label, {} FROM (
           SELECT a.id, {label} AS label, {} FROM applications a JOIN calls c ON c.id = a.call_id {joins}
           LEFT JOIN application_events e ON e.application_id = a.id WHERE {cond} GROUP BY a.id, {label}
         ) t GROUP BY label ORDER BY label",
        sums.join(", "),
        stage_cols.join(", ")
    );
    let rows: Vec<FunnelRow> = fetch(conn, sql, &binds).await?;
    let mut keys = vec![key];
    keys.extend(STAGES.iter().map(|(k, _)| *k));
    let out = rows
        .into_iter()
        .map(|(l, a, b, c, d, e, g, h)| {
            let mut r = vec![Cell::Text(l)];
            r.extend([a, b, c, d, e, g, h].into_iter().map(Cell::Count));
            r
        })
        .collect();
    Ok((cols(tr, &keys), out))
}
