//! All SQL of agreements: small functions on the caller's connection or transaction, so
//! a handler wraps a whole change (with its audit event) in one transaction.

use sqlx::AnyConnection;

use super::model::{
    Agreement, AgreementSummary, ChainLink, Document, Fields, NewAgreement, NewSignatory, Party, PartyInput, Signatory, StatusEvent,
    UpdateAgreement, VisitRef, check_fields, check_lists, check_transition,
};
use crate::{
    audit::{self, Action, Actor},
    error::{AppError, AppResult, FieldError},
    time::now_text,
};

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

/// Checks that every party is a live institution and its unit belongs to it.
async fn check_parties(conn: &mut AnyConnection, parties: &[PartyInput]) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    for (i, p) in parties.iter().enumerate() {
        let found: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT merged_into FROM institutions WHERE id = $1").bind(p.institution_id).fetch_optional(&mut *conn).await?;
        let field = format!("parties[{i}].institution_id");
        match found {
            None => errors.push(FieldError::new(&field, format!("there is no institution {}", p.institution_id))),
            Some((Some(into),)) => {
                errors.push(FieldError::new(&field, format!("institution {} was merged into {into}; use that one", p.institution_id)))
            }
            Some((None,)) => {}
        }
        if let Some(u) = p.unit_id {
            let owner: Option<i64> =
                sqlx::query_scalar("SELECT institution_id FROM units WHERE id = $1").bind(u).fetch_optional(&mut *conn).await?;
            if owner != Some(p.institution_id) {
                errors.push(FieldError::new(format!("parties[{i}].unit_id"), format!("unit {u} is not a unit of that institution")));
            }
        }
    }
    Ok(errors)
}

/// Checks the references to a visit, a user and a unit.
async fn check_refs(conn: &mut AnyConnection, visit: Option<i64>, user: Option<i64>, unit: Option<i64>) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    for (field, table, id) in [("visit_id", "visits", visit), ("responsible_id", "users", user), ("unit_id", "units", unit)] {
        let Some(id) = id else { continue };
        let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT id FROM {table} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            errors.push(FieldError::new(field, format!("there is no {} {id}", &table[..table.len() - 1])));
        }
    }
    Ok(errors)
}

/// Records a new agreement (status draft) with its parties and areas; returns its id.
pub async fn create_agreement(conn: &mut AnyConnection, actor: &Actor, input: &NewAgreement) -> AppResult<i64> {
    let raw = Fields {
        kind: input.kind.trim().to_string(),
        title: input.title.clone(),
        signed_date: input.signed_date.clone(),
        effective_date: input.effective_date.clone(),
        expiry_date: input.expiry_date.clone(),
        notice_days: input.notice_days,
        auto_renew: input.auto_renew,
        notes: input.notes.clone(),
    };
    let fields = check_fields(&raw);
    let mut errors = fields.clone().err().unwrap_or_default();
    errors.extend(check_lists(&input.parties, &input.areas));
    errors.extend(check_parties(conn, &input.parties).await?);
    errors.extend(check_refs(conn, input.visit_id, input.responsible_id, input.unit_id).await?);
    let fields = match fields {
        Ok(f) if errors.is_empty() => f,
        _ => return Err(AppError::Validation(errors)),
    };
    let id = insert_row(conn, &fields, input.visit_id, input.responsible_id, input.unit_id, None).await?;
    status_event(conn, actor, id, "draft", &crate::time::today(), None).await?;
    set_parties(conn, id, &input.parties).await?;
    set_areas(conn, id, &input.areas).await?;
    let a = get_agreement(conn, id).await?;
    audit::record(conn, actor, Action::Create, "agreement", id, None, Some(&a)).await?;
    Ok(id)
}

async fn insert_row(
    conn: &mut AnyConnection,
    f: &Fields,
    visit: Option<i64>,
    responsible: Option<i64>,
    unit: Option<i64>,
    predecessor: Option<i64>,
) -> AppResult<i64> {
    let now = now_text();
    let result = sqlx::query_scalar(
        "INSERT INTO agreements (kind, title, status, signed_date, effective_date, expiry_date, notice_days, auto_renew,
             predecessor_id, visit_id, responsible_id, unit_id, notes, created_at, updated_at)
         VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(&f.kind)
    .bind(&f.title)
    .bind(&f.signed_date)
    .bind(&f.effective_date)
    .bind(&f.expiry_date)
    .bind(f.notice_days)
    .bind(i64::from(f.auto_renew))
    .bind(predecessor)
    .bind(visit)
    .bind(responsible)
    .bind(unit)
    .bind(&f.notes)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await;
    result.map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            AppError::Conflict("this agreement has already been renewed; renew its successor instead".into(), None)
        } else {
            e.into()
        }
    })
}

async fn set_parties(conn: &mut AnyConnection, id: i64, parties: &[PartyInput]) -> AppResult<()> {
    sqlx::query("DELETE FROM agreement_parties WHERE agreement_id = $1").bind(id).execute(&mut *conn).await?;
    for p in parties {
        sqlx::query("INSERT INTO agreement_parties (agreement_id, institution_id, unit_id) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(p.institution_id)
            .bind(p.unit_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn set_areas(conn: &mut AnyConnection, id: i64, areas: &[String]) -> AppResult<()> {
    sqlx::query("DELETE FROM agreement_areas WHERE agreement_id = $1").bind(id).execute(&mut *conn).await?;
    for a in areas {
        sqlx::query("INSERT INTO agreement_areas (agreement_id, area) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(a)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn status_event(conn: &mut AnyConnection, actor: &Actor, id: i64, status: &str, on: &str, note: Option<&str>) -> AppResult<()> {
    sqlx::query("INSERT INTO agreement_status_events (agreement_id, status, on_date, note, at, actor) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(status)
        .bind(on)
        .bind(note)
        .bind(now_text())
        .bind(&actor.label)
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies changes to an agreement's fields, parties and areas.
pub async fn update_agreement(conn: &mut AnyConnection, actor: &Actor, id: i64, u: &UpdateAgreement) -> AppResult<()> {
    let before = get_agreement(conn, id).await?;
    let pick = |new: &Option<String>, old: &Option<String>| match new {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v.clone()),
        None => old.clone(),
    };
    let raw = Fields {
        kind: u.kind.clone().unwrap_or_else(|| before.kind.clone()),
        title: u.title.clone().unwrap_or_else(|| before.title.clone()),
        signed_date: pick(&u.signed_date, &before.signed_date),
        effective_date: pick(&u.effective_date, &before.effective_date),
        expiry_date: pick(&u.expiry_date, &before.expiry_date),
        notice_days: match u.notice_days {
            Some(n) if n < 0 => None,
            Some(n) => Some(n),
            None => before.notice_days,
        },
        auto_renew: u.auto_renew.unwrap_or(before.auto_renew),
        notes: u.notes.clone().unwrap_or_else(|| before.notes.clone()),
    };
    let id_or = |new: Option<i64>, old: Option<i64>| match new {
        Some(0) => None,
        Some(v) => Some(v),
        None => old,
    };
    let visit = id_or(u.visit_id, before.visit.as_ref().map(|v| v.id));
    let responsible = id_or(u.responsible_id, before.responsible_id);
    let unit = id_or(u.unit_id, before.unit_id);
    let parties: Vec<PartyInput> = u
        .parties
        .clone()
        .unwrap_or_else(|| before.parties.iter().map(|p| PartyInput { institution_id: p.institution_id, unit_id: p.unit_id }).collect());
    let areas = u.areas.clone().unwrap_or_else(|| before.areas.clone());
    let fields = check_fields(&raw);
    let mut errors = fields.clone().err().unwrap_or_default();
    errors.extend(check_lists(&parties, &areas));
    errors.extend(check_parties(conn, &parties).await?);
    errors.extend(check_refs(conn, visit, responsible, unit).await?);
    let f = match fields {
        Ok(f) if errors.is_empty() => f,
        _ => return Err(AppError::Validation(errors)),
    };
    sqlx::query(
        "UPDATE agreements SET kind = $1, title = $2, signed_date = $3, effective_date = $4, expiry_date = $5, notice_days = $6,
             auto_renew = $7, visit_id = $8, responsible_id = $9, unit_id = $10, notes = $11, updated_at = $12 WHERE id = $13",
    )
    .bind(&f.kind)
    .bind(&f.title)
    .bind(&f.signed_date)
    .bind(&f.effective_date)
    .bind(&f.expiry_date)
    .bind(f.notice_days)
    .bind(i64::from(f.auto_renew))
    .bind(visit)
    .bind(responsible)
    .bind(unit)
    .bind(&f.notes)
    .bind(now_text())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if u.parties.is_some() {
        set_parties(conn, id, &parties).await?;
    }
    if u.areas.is_some() {
        set_areas(conn, id, &areas).await?;
    }
    let after = get_agreement(conn, id).await?;
    audit::record(conn, actor, Action::Update, "agreement", id, Some(&before), Some(&after)).await?;
    Ok(())
}

/// Moves an agreement one step in its status (see `model::next_statuses`), dated
/// `on_date` (default today). Signing and taking effect fill the signed and effective
/// dates when they are still empty.
pub async fn set_status(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    to: &str,
    on_date: Option<&str>,
    note: Option<&str>,
) -> AppResult<()> {
    let before = get_agreement(conn, id).await?;
    let on = match on_date.map(str::trim).filter(|s| !s.is_empty()) {
        None => crate::time::today(),
        Some(d) => {
            crate::time::parse_date(d).ok_or_else(|| AppError::field("on_date", format!("'{d}' is not a date such as 2024-05-08")))?
        }
    };
    check_transition(&before.status, to)?;
    if to == "in_effect"
        && before.effective_date.is_none()
        && let Some(x) = before.expiry_date.as_deref().filter(|x| *x < on.as_str())
    {
        return Err(AppError::field("on_date", format!("the agreement expires on {x}, so it cannot take effect on {on}")));
    }
    sqlx::query(
        "UPDATE agreements SET status = $1,
             signed_date = CASE WHEN $1 = 'signed' THEN COALESCE(signed_date, $2) ELSE signed_date END,
             effective_date = CASE WHEN $1 = 'in_effect' THEN COALESCE(effective_date, $2) ELSE effective_date END,
             updated_at = $3 WHERE id = $4",
    )
    .bind(to)
    .bind(&on)
    .bind(now_text())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    status_event(conn, actor, id, to, &on, note.map(str::trim).filter(|n| !n.is_empty())).await?;
    let after = get_agreement(conn, id).await?;
    audit::record(conn, actor, Action::Update, "agreement", id, Some(&before), Some(&after)).await?;
    Ok(())
}

/// Renews an agreement: a successor (draft) with the same kind, parties, areas, notice
/// period, auto-renewal, responsible user and unit, and new dates. An agreement has one
/// successor: renewing twice answers 409 (the unique index decides, not a prior SELECT).
pub async fn renew(conn: &mut AnyConnection, actor: &Actor, id: i64, effective: &str, expiry: &str, title: Option<&str>) -> AppResult<i64> {
    let old = get_agreement(conn, id).await?;
    let raw = Fields {
        kind: old.kind.clone(),
        title: title.map(str::to_string).filter(|t| !t.trim().is_empty()).unwrap_or_else(|| old.title.clone()),
        signed_date: None,
        effective_date: Some(effective.to_string()),
        expiry_date: Some(expiry.to_string()),
        notice_days: old.notice_days,
        auto_renew: old.auto_renew,
        notes: String::new(),
    };
    let mut errors = Vec::new();
    if effective.trim().is_empty() {
        errors.push(FieldError::new("effective_date", "give the renewed agreement's effective date"));
    }
    if expiry.trim().is_empty() {
        errors.push(FieldError::new("expiry_date", "give the renewed agreement's expiry date"));
    }
    let fields = check_fields(&raw);
    errors.extend(fields.clone().err().unwrap_or_default());
    let f = match fields {
        Ok(f) if errors.is_empty() => f,
        _ => return Err(AppError::Validation(errors)),
    };
    let new_id = insert_row(conn, &f, None, old.responsible_id, old.unit_id, Some(id)).await?;
    status_event(conn, actor, new_id, "draft", &crate::time::today(), Some(&format!("renews agreement {id}"))).await?;
    let parties: Vec<PartyInput> =
        old.parties.iter().map(|p| PartyInput { institution_id: p.institution_id, unit_id: p.unit_id }).collect();
    set_parties(conn, new_id, &parties).await?;
    set_areas(conn, new_id, &old.areas).await?;
    let a = get_agreement(conn, new_id).await?;
    audit::record(conn, actor, Action::Create, "agreement", new_id, None, Some(&a)).await?;
    Ok(new_id)
}

/// The title of a person's current position (started, not ended), preferring one at
/// `prefer` institutions; with the position's institution.
async fn current_position(conn: &mut AnyConnection, person: i64, prefer: &[i64]) -> AppResult<Option<(String, i64)>> {
    let today = crate::time::today();
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT title_en, institution_id FROM positions WHERE person_id = $1
           AND (start_date IS NULL OR start_date <= $2) AND (end_date IS NULL OR end_date >= $2) ORDER BY id",
    )
    .bind(person)
    .bind(&today)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().find(|(_, i)| prefer.contains(i)).or(rows.first()).cloned())
}

/// Adds a signatory; the position defaults to the person's current title.
pub async fn add_signatory(conn: &mut AnyConnection, actor: &Actor, id: i64, s: &NewSignatory) -> AppResult<Signatory> {
    let before = get_agreement(conn, id).await?;
    let person: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT name_en, institution_id FROM people WHERE id = $1 AND merged_into IS NULL")
            .bind(s.person_id)
            .fetch_optional(&mut *conn)
            .await?;
    let (name, home_of_person) = person.ok_or_else(|| AppError::field("person_id", format!("there is no person {}", s.person_id)))?;
    let party_ids: Vec<i64> = before.parties.iter().map(|p| p.institution_id).collect();
    let current = current_position(conn, s.person_id, &party_ids).await?;
    let title = match s.position_title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => t.to_string(),
        None => current.as_ref().map(|c| c.0.clone()).ok_or_else(|| {
            AppError::field("position_title", format!("{name} has no current position on record; type the position they signed in"))
        })?,
    };
    let institution = s.institution_id.or(current.map(|c| c.1)).or(home_of_person);
    if let Some(i) = institution
        && !party_ids.contains(&i)
    {
        return Err(AppError::field("institution_id", format!("{name} signs for an institution that is not a party to this agreement")));
    }
    let signed = match s.signed_date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(
            crate::time::parse_date(d).ok_or_else(|| AppError::field("signed_date", format!("'{d}' is not a date such as 2024-05-08")))?,
        ),
        None => before.signed_date.clone(),
    };
    let row_id: i64 = sqlx::query_scalar(
        "INSERT INTO agreement_signatories (agreement_id, person_id, position_title, institution_id, signed_date)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(id)
    .bind(s.person_id)
    .bind(&title)
    .bind(institution)
    .bind(&signed)
    .fetch_one(&mut *conn)
    .await?;
    touch(conn, id).await?;
    let after = get_agreement(conn, id).await?;
    audit::record(conn, actor, Action::Update, "agreement", id, Some(&before.signatories), Some(&after.signatories)).await?;
    after.signatories.into_iter().find(|s| s.id == row_id).ok_or(AppError::NotFound)
}

/// Marks the agreement changed now.
pub async fn touch(conn: &mut AnyConnection, id: i64) -> AppResult<()> {
    sqlx::query("UPDATE agreements SET updated_at = $1 WHERE id = $2").bind(now_text()).bind(id).execute(conn).await?;
    Ok(())
}

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
    let documents = documents(conn, id).await?;
    let (predecessors, successors) = chain(conn, id, r.9).await?;
    Ok(Agreement {
        id: r.0,
        kind: r.1,
        title: r.2,
        status: r.3,
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

/// Every version of every document of an agreement.
pub async fn documents(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<Document>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, name, version, content_type, size_bytes, sha256, uploaded_at FROM agreement_documents
         WHERE agreement_id = $1 ORDER BY name, version",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
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

/// Filters of the agreement list.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct AgreementQuery {
    /// draft, negotiation, signed, in_effect, expired or terminated.
    pub status: Option<String>,
    /// mou, programme, exchange, progression or research.
    pub kind: Option<String>,
    /// With this institution as a party.
    pub institution_id: Option<i64>,
    /// Covering this cooperation area.
    pub area: Option<String>,
    /// Looked after by this unit.
    pub unit_id: Option<i64>,
    /// Expiring on or before this date (YYYY-MM-DD).
    pub expiring_before: Option<String>,
    /// Page, from 1.
    pub page: Option<i64>,
    /// Per page, 1–200 (default 50).
    pub per_page: Option<i64>,
}

impl AgreementQuery {
    /// Page number and size, clamped.
    pub fn paging(&self) -> (i64, i64) {
        (self.page.unwrap_or(1).max(1), self.per_page.unwrap_or(50).clamp(1, 200))
    }
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
    let (limit, offset) = if all { (i64::MAX, 0) } else { (per_page, (page - 1) * per_page) };
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
            status: r.3,
            effective_date: r.4,
            expiry_date: r.5,
            partners: names.join(", "),
        });
    }
    Ok((out, total))
}
