//! Reading agreements: one with everything about it (parties, areas, history,
//! signatories, documents, the renewal chain), and the filtered, paged list.

use sqlx::AnyConnection;

use crate::{
    agreements::model::{Agreement, AgreementQuery, AgreementStatus, AgreementSummary, ChainLink, Party, Signatory, StatusEvent, VisitRef},
    error::{AppError, AppResult},
    status::Status,
};

/// id, kind, title, status, signed, effective and expiry dates, notice days, auto-renew,
/// predecessor, visit, responsible user, notes, created, updated.
type Row = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    String,
    String,
);

/// An agreement with its parties, areas, history, signatories, documents and chain.
pub async fn get_agreement(conn: &mut AnyConnection, id: i64) -> AppResult<Agreement> {
    let r: Row = sqlx::query_as(
        "SELECT id, kind, title, status, signed_date, effective_date, expiry_date, notice_days, auto_renew, predecessor_id,
                visit_id, responsible_id, notes, created_at, updated_at FROM agreements WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let unit_id: Option<i64> = sqlx::query_scalar("SELECT unit_id FROM agreements WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
    let visit: Option<VisitRef> = match r.10 {
        Some(v) => sqlx::query_as("SELECT id, title, start_date FROM visits WHERE id = $1").bind(v).fetch_optional(&mut *conn).await?,
        None => None,
    };
    let responsible_name: Option<String> = match r.11 {
        Some(u) => sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1").bind(u).fetch_optional(&mut *conn).await?,
        None => None,
    };
    let parties: Vec<Party> = sqlx::query_as(
        "SELECT p.institution_id, i.name_en, i.acronym, i.is_home, p.unit_id FROM agreement_parties p
         JOIN institutions i ON i.id = p.institution_id WHERE p.agreement_id = $1 ORDER BY i.is_home DESC, i.name_en",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let areas: Vec<String> =
        sqlx::query_scalar("SELECT area FROM agreement_areas WHERE agreement_id = $1").bind(id).fetch_all(&mut *conn).await?;
    let mut areas_sorted = areas;
    areas_sorted.sort_by_key(|a| crate::cooperation::AREAS.iter().position(|x| x.key == a).unwrap_or(usize::MAX));
    let status_history: Vec<StatusEvent> =
        sqlx::query_as("SELECT status, on_date, note, at, actor FROM agreement_status_events WHERE agreement_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let signatories: Vec<Signatory> = sqlx::query_as(
        "SELECT s.id, s.person_id, p.name_en, s.position_title, s.institution_id, s.signed_date FROM agreement_signatories s
         JOIN people p ON p.id = s.person_id WHERE s.agreement_id = $1 ORDER BY s.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let documents = super::documents(conn, id).await?;
    let (predecessors, successors) = chain(conn, id, r.9).await?;
    Ok(Agreement {
        id: r.0,
        kind: r.1,
        title: r.2,
        status: AgreementStatus::from_stored(&r.3)?,
        signed_date: r.4,
        effective_date: r.5,
        expiry_date: r.6,
        notice_days: r.7,
        auto_renew: r.8 == 1,
        visit,
        responsible_id: r.11,
        responsible_name,
        unit_id,
        notes: r.12,
        parties,
        areas: areas_sorted,
        status_history,
        signatories,
        documents,
        predecessors,
        successors,
        created_at: r.13,
        updated_at: r.14,
    })
}

/// The renewal chain around an agreement: predecessors oldest first, successors next first.
/// Chains are short (one link per renewal), so one query per link is fine.
async fn chain(conn: &mut AnyConnection, id: i64, mut prev: Option<i64>) -> AppResult<(Vec<ChainLink>, Vec<ChainLink>)> {
    const LINK: &str = "SELECT id, title, status, effective_date, expiry_date FROM agreements WHERE ";
    let mut before = Vec::new();
    while let Some(p) = prev.filter(|_| before.len() < 100) {
        let link: ChainLink = sqlx::query_as(sqlx::AssertSqlSafe(format!("{LINK}id = $1"))).bind(p).fetch_one(&mut *conn).await?;
        prev = sqlx::query_scalar("SELECT predecessor_id FROM agreements WHERE id = $1").bind(p).fetch_one(&mut *conn).await?;
        before.push(link);
    }
    before.reverse();
    let mut after = Vec::new();
    let mut cur = id;
    while after.len() < 100 {
        let next: Option<ChainLink> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{LINK}predecessor_id = $1"))).bind(cur).fetch_optional(&mut *conn).await?;
        let Some(n) = next else { break };
        cur = n.id;
        after.push(n);
    }
    Ok((before, after))
}

/// id, kind, title, status, effective date, expiry date.
type SummaryRow = (i64, String, String, String, Option<String>, Option<String>);

const FILTER: &str = "($1 = '' OR a.status = $1) AND ($2 = '' OR a.kind = $2)
    AND ($3 = 0 OR EXISTS (SELECT 1 FROM agreement_parties p WHERE p.agreement_id = a.id AND p.institution_id = $3))
    AND ($4 = '' OR EXISTS (SELECT 1 FROM agreement_areas r WHERE r.agreement_id = a.id AND r.area = $4))
    AND ($5 = 0 OR a.unit_id = $5) AND ($6 = '' OR (a.expiry_date IS NOT NULL AND a.expiry_date <= $6))";

/// Agreements, latest first, with filters and paging (`per_page` 0 = all, for exports);
/// returns the page and the total.
pub async fn list_agreements(conn: &mut AnyConnection, q: &AgreementQuery, all: bool) -> AppResult<(Vec<AgreementSummary>, i64)> {
    let expiring = match q.expiring_before.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => crate::time::parse_date(d)
            .ok_or_else(|| AppError::field("expiring_before", format!("'{d}' is not a date such as 2025-12-31")))?,
        None => String::new(),
    };
    let binds = (
        q.status.clone().unwrap_or_default(),
        q.kind.clone().unwrap_or_default(),
        q.institution_id.unwrap_or(0),
        q.area.clone().unwrap_or_default(),
        q.unit_id.unwrap_or(0),
        expiring,
    );
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM agreements a WHERE {FILTER}")))
        .bind(&binds.0)
        .bind(&binds.1)
        .bind(binds.2)
        .bind(&binds.3)
        .bind(binds.4)
        .bind(&binds.5)
        .fetch_one(&mut *conn)
        .await?;
    let (page, per_page) = q.paging();
    let (limit, offset) = if all { (i64::MAX, 0) } else { (per_page, crate::web::paging::offset(page, per_page)) };
    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT a.id, a.kind, a.title, a.status, a.effective_date, a.expiry_date FROM agreements a WHERE {FILTER}
         ORDER BY a.id DESC LIMIT $7 OFFSET $8"
    )))
    .bind(&binds.0)
    .bind(&binds.1)
    .bind(binds.2)
    .bind(&binds.3)
    .bind(binds.4)
    .bind(&binds.5)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT COALESCE(i.acronym, i.name_en) FROM agreement_parties p JOIN institutions i ON i.id = p.institution_id
             WHERE p.agreement_id = $1 AND i.is_home = 0 ORDER BY i.name_en",
        )
        .bind(r.0)
        .fetch_all(&mut *conn)
        .await?;
        out.push(AgreementSummary {
            id: r.0,
            kind: r.1,
            title: r.2,
            status: AgreementStatus::from_stored(&r.3)?,
            effective_date: r.4,
            expiry_date: r.5,
            partners: names.join(", "),
        });
    }
    Ok((out, total))
}
