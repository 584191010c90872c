//! The visits report: visits per year and direction.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::{Built, checked_status, cols, fetch};
use crate::{
    error::AppError,
    reports::model::{Cell, Filters},
    web::i18n::Tr,
};

const VISIT_STATUSES: &[&str] = &["planned", "confirmed", "completed", "cancelled"];

pub(super) async fn visits_by_year(conn: &mut AnyConnection, f: &Filters, tr: Tr) -> Result<Built, AppError> {
    let mut binds = Vec::new();
    let mut conds = Vec::new();
    match checked_status(f, VISIT_STATUSES)? {
        Some(s) => {
            binds.push(s);
            conds.push(format!("v.status = ${}", binds.len()));
        }
        None => conds.push("v.status <> 'cancelled'".to_string()),
    }
    if let Some(d) = f.direction {
        binds.push(d.to_string());
        conds.push(format!("v.direction = ${}", binds.len()));
    }
    if let Some(y) = f.year {
        binds.push(format!("{y}-01-01"));
        binds.push(format!("{y}-12-31"));
        conds.push(format!("v.start_date >= ${} AND v.start_date <= ${}", binds.len() - 1, binds.len()));
    }
    let counts: Vec<(String, String, i64)> = fetch(
        conn,
        format!(
            "SELECT substr(v.start_date, 1, 4) AS y, v.direction, COUNT(*) FROM visits v WHERE {} \
             GROUP BY y, v.direction ORDER BY y",
            conds.join(" AND ")
        ),
        &binds,
    )
    .await?;
    Ok((cols(tr, &["year", "inbound", "outbound", "total"]), by_direction(&counts)))
}

/// (label, direction, n) rows, already ordered by label → label, inbound, outbound, total.
fn by_direction(counts: &[(String, String, i64)]) -> Vec<Vec<Cell>> {
    let mut pivot = Pivot::new(2);
    for (k, d, n) in counts {
        pivot.add(k, direction_index(d), *n);
    }
    pivot.rows().into_iter().map(|(k, v, t)| vec![Cell::Text(k), Cell::Count(v[0]), Cell::Count(v[1]), Cell::Count(t)]).collect()
}

/// Rows keyed by a label, with one count per series (e.g. inbound/outbound), in first-seen order.
struct Pivot {
    order: Vec<String>,
    cells: HashMap<String, Vec<i64>>,
    width: usize,
}

impl Pivot {
    fn new(width: usize) -> Pivot {
        Pivot { order: Vec::new(), cells: HashMap::new(), width }
    }

    fn add(&mut self, key: &str, series: usize, n: i64) {
        if !self.cells.contains_key(key) {
            self.order.push(key.to_string());
            self.cells.insert(key.to_string(), vec![0; self.width]);
        }
        if let Some(row) = self.cells.get_mut(key)
            && series < row.len()
        {
            row[series] += n;
        }
    }

    /// Rows of (key, counts…, total).
    fn rows(self) -> Vec<(String, Vec<i64>, i64)> {
        let mut cells = self.cells;
        self.order
            .into_iter()
            .map(|k| {
                let v = cells.remove(&k).unwrap_or_default();
                let total = v.iter().sum();
                (k, v, total)
            })
            .collect()
    }
}

fn direction_index(d: &str) -> usize {
    usize::from(d == "outbound")
}
