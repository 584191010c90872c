//! All SQL of visits: small functions on the caller's connection or transaction, so a
//! handler wraps a whole change (with its audit events) in one transaction.

use sqlx::AnyConnection;

use super::model::{
    Action, Host, HostInput, Member, MemberInput, NewAction, NewOutcome, NewVisit, Outcome, PersonRef, StatusEvent, UpdateAction,
    UpdateVisit, Visit, VisitFields, VisitSummary, check_fields, check_hosts, check_members, check_transition,
};
use crate::{
    audit::{self, Action as AuditAction, Actor},
    error::{AppError, AppResult, FieldError},
    time::now_text,
};

/// Records a new visit with its institutions, delegation and hosts; returns its id.
pub async fn create_visit(conn: &mut AnyConnection, actor: &Actor, input: &NewVisit) -> AppResult<i64> {
    let members = check_members(&input.members, input.leader_person_id);
    let hosts = check_hosts(&input.hosts);
    let raw = VisitFields {
        direction: input.direction.clone(),
        title: input.title.clone(),
        purpose: input.purpose.clone(),
        start_date: input.start_date.clone(),
        end_date: input.end_date.clone(),
        time_zone: input.time_zone.clone().unwrap_or_else(|| "Asia/Shanghai".into()),
        head_count: input.head_count.unwrap_or(input.members.len() as i64),
    };
    let fields = check_fields(&raw, input.members.len());
    let (fields, members) = match (fields, members, hosts) {
        (Ok(f), Ok(m), Ok(())) => (f, m),
        (f, m, h) => {
            let errors = [f.err(), m.err(), h.err()]
                .into_iter()
                .flatten()
                .flat_map(|e| if let AppError::Validation(v) = e { v } else { Vec::new() })
                .collect();
            return Err(AppError::Validation(errors));
        }
    };
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO visits (direction, title, purpose, start_date, end_date, time_zone, status, head_count, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'planned', $7, $8, $9, $9) RETURNING id",
    )
    .bind(&fields.direction)
    .bind(&fields.title)
    .bind(&fields.purpose)
    .bind(&fields.start_date)
    .bind(&fields.end_date)
    .bind(&fields.time_zone)
    .bind(fields.head_count)
    .bind(actor.id)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    status_event(conn, actor, id, "planned", None).await?;
    for (i, inst) in input.institution_ids.iter().enumerate() {
        add_institution(conn, id, *inst).await.map_err(|e| rename_field(e, &format!("institution_ids[{i}]")))?;
    }
    let leader_id = members.iter().find(|m| m.role == "leader").map(|m| m.person_id);
    for (i, m) in members.iter().enumerate() {
        insert_member(conn, id, m).await.map_err(|e| rename_field(e, &format!("members[{i}]")))?;
    }
    if let Some(leader) = leader_id {
        check_leader_institution(conn, id, leader).await?;
    }
    for (i, h) in input.hosts.iter().enumerate() {
        insert_host(conn, id, h).await.map_err(|e| rename_field(e, &format!("hosts[{i}]")))?;
    }
    let visit = get_visit(conn, id).await?;
    audit::record(conn, actor, AuditAction::Create, "visit", id, None, Some(&visit)).await?;
    Ok(id)
}

fn rename_field(e: AppError, field: &str) -> AppError {
    match e {
        AppError::Validation(v) => AppError::Validation(v.into_iter().map(|f| FieldError::new(field, f.message)).collect()),
        other => other,
    }
}

async fn status_event(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, status: &str, reason: Option<&str>) -> AppResult<()> {
    sqlx::query("INSERT INTO visit_status_events (visit_id, status, reason, at, actor) VALUES ($1, $2, $3, $4, $5)")
        .bind(visit_id)
        .bind(status)
        .bind(reason)
        .bind(now_text())
        .bind(&actor.label)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds a partner institution to a visit.
pub async fn add_institution(conn: &mut AnyConnection, visit_id: i64, institution_id: i64) -> AppResult<()> {
    let found: Option<(Option<i64>, i64)> = sqlx::query_as("SELECT merged_into, is_home FROM institutions WHERE id = $1")
        .bind(institution_id)
        .fetch_optional(&mut *conn)
        .await?;
    match found {
        None => return Err(AppError::field("institution_id", format!("there is no institution {institution_id}"))),
        Some((Some(into), _)) => {
            return Err(AppError::field("institution_id", format!("institution {institution_id} was merged into {into}; use that one")));
        }
        Some((None, 1)) => {
            return Err(AppError::field("institution_id", "that is our own institution; list the partner institutions here"));
        }
        Some(_) => {}
    }
    sqlx::query("INSERT INTO visit_institutions (visit_id, institution_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(visit_id)
        .bind(institution_id)
        .execute(conn)
        .await?;
    Ok(())
}

async fn person_name(conn: &mut AnyConnection, person_id: i64) -> AppResult<String> {
    let name: Option<String> =
        sqlx::query_scalar("SELECT name_en FROM people WHERE id = $1 AND merged_into IS NULL").bind(person_id).fetch_optional(conn).await?;
    name.ok_or_else(|| AppError::field("person_id", format!("there is no person {person_id}")))
}

async fn insert_member(conn: &mut AnyConnection, visit_id: i64, m: &MemberInput) -> AppResult<()> {
    let name = person_name(&mut *conn, m.person_id).await?;
    if m.role == "leader"
        && let Some(other) = leader_of(&mut *conn, visit_id).await?
        && other.0 != m.person_id
    {
        return Err(AppError::field("role", format!("{} already leads the delegation; make them a member first", other.1)));
    }
    sqlx::query("INSERT INTO visit_members (visit_id, person_id, role) VALUES ($1, $2, $3)")
        .bind(visit_id)
        .bind(m.person_id)
        .bind(&m.role)
        .execute(conn)
        .await
        .map_err(|e| {
            if crate::db::is_unique_violation(&e) {
                AppError::field("person_id", format!("{name} is already in the delegation"))
            } else {
                e.into()
            }
        })?;
    Ok(())
}

async fn leader_of(conn: &mut AnyConnection, visit_id: i64) -> AppResult<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.name_en FROM visit_members m JOIN people p ON p.id = m.person_id WHERE m.visit_id = $1 AND m.role = 'leader'",
    )
    .bind(visit_id)
    .fetch_optional(conn)
    .await?)
}

/// The leader of a delegation speaks for one of the visit's institutions: a person
/// recorded at another institution is refused with their name.
async fn check_leader_institution(conn: &mut AnyConnection, visit_id: i64, person_id: i64) -> AppResult<()> {
    let (name, inst): (String, Option<i64>) =
        sqlx::query_as("SELECT name_en, institution_id FROM people WHERE id = $1").bind(person_id).fetch_one(&mut *conn).await?;
    let listed: Vec<i64> = sqlx::query_scalar("SELECT institution_id FROM visit_institutions WHERE visit_id = $1")
        .bind(visit_id)
        .fetch_all(&mut *conn)
        .await?;
    match inst {
        Some(i) if !listed.is_empty() && !listed.contains(&i) => Err(AppError::field(
            "leader_person_id",
            format!("{name} is not at any of this visit's institutions, so cannot lead its delegation"),
        )),
        _ => Ok(()),
    }
}

/// Adds a named member to the delegation, raising the head count if it was lower.
pub async fn add_member(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, m: &MemberInput) -> AppResult<Vec<String>> {
    let m = check_members(std::slice::from_ref(m), None)?.remove(0);
    let before = get_visit(&mut *conn, visit_id).await?;
    insert_member(&mut *conn, visit_id, &m).await?;
    if m.role == "leader" {
        check_leader_institution(conn, visit_id, m.person_id).await?;
    }
    let named = before.members.len() as i64 + 1;
    let mut warnings = Vec::new();
    if named > before.head_count {
        sqlx::query("UPDATE visits SET head_count = $1 WHERE id = $2").bind(named).bind(visit_id).execute(&mut *conn).await?;
        warnings.push(format!("The head count was {} and is now {named}, the number of named members.", before.head_count));
    }
    touch(&mut *conn, visit_id).await?;
    let after = get_visit(&mut *conn, visit_id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit", visit_id, Some(&delegation_text(&before)), Some(&delegation_text(&after)))
        .await?;
    Ok(warnings)
}

/// Removes a person from the delegation.
pub async fn remove_member(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, person_id: i64) -> AppResult<()> {
    let before = get_visit(&mut *conn, visit_id).await?;
    let n = sqlx::query("DELETE FROM visit_members WHERE visit_id = $1 AND person_id = $2")
        .bind(visit_id)
        .bind(person_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    touch(&mut *conn, visit_id).await?;
    let after = get_visit(&mut *conn, visit_id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit", visit_id, Some(&delegation_text(&before)), Some(&delegation_text(&after)))
        .await?;
    Ok(())
}

async fn insert_host(conn: &mut AnyConnection, visit_id: i64, h: &HostInput) -> AppResult<()> {
    check_hosts(std::slice::from_ref(h))?;
    if let Some(p) = h.person_id {
        person_name(&mut *conn, p).await?;
    }
    if let Some(u) = h.unit_id {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE id = $1").bind(u).fetch_optional(&mut *conn).await?;
        if found.is_none() {
            return Err(AppError::field("unit_id", format!("there is no unit {u}")));
        }
    }
    let dup: Option<i64> = sqlx::query_scalar("SELECT id FROM visit_hosts WHERE visit_id = $1 AND (person_id = $2 OR unit_id = $3)")
        .bind(visit_id)
        .bind(h.person_id)
        .bind(h.unit_id)
        .fetch_optional(&mut *conn)
        .await?;
    if dup.is_some() {
        return Err(AppError::field("host", "already a host of this visit"));
    }
    sqlx::query("INSERT INTO visit_hosts (visit_id, person_id, unit_id) VALUES ($1, $2, $3)")
        .bind(visit_id)
        .bind(h.person_id)
        .bind(h.unit_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds a host (person or unit).
pub async fn add_host(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, h: &HostInput) -> AppResult<()> {
    let before = get_visit(&mut *conn, visit_id).await?;
    insert_host(&mut *conn, visit_id, h).await?;
    touch(&mut *conn, visit_id).await?;
    let after = get_visit(&mut *conn, visit_id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit", visit_id, Some(&hosts_text(&before)), Some(&hosts_text(&after))).await?;
    Ok(())
}

/// Removes a host row.
pub async fn remove_host(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, host_id: i64) -> AppResult<()> {
    let before = get_visit(&mut *conn, visit_id).await?;
    let n = sqlx::query("DELETE FROM visit_hosts WHERE visit_id = $1 AND id = $2")
        .bind(visit_id)
        .bind(host_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let after = get_visit(&mut *conn, visit_id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit", visit_id, Some(&hosts_text(&before)), Some(&hosts_text(&after))).await?;
    Ok(())
}

/// The delegation in words, for the audit log ("Chen Zhihui (leader); head count 4").
fn delegation_text(v: &Visit) -> serde_json::Value {
    let names: Vec<String> = v.members.iter().map(|m| format!("{} ({})", m.name_en, m.role)).collect();
    serde_json::json!({ "members": names.join("; "), "head_count": v.head_count })
}

/// The hosts in words, for the audit log.
fn hosts_text(v: &Visit) -> serde_json::Value {
    let names: Vec<&str> = v.hosts.iter().map(|h| h.name.as_str()).collect();
    serde_json::json!({ "hosts": names.join("; ") })
}

/// Marks the visit changed.
pub async fn touch(conn: &mut AnyConnection, visit_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE visits SET updated_at = $1 WHERE id = $2").bind(now_text()).bind(visit_id).execute(conn).await?;
    Ok(())
}

/// Changes a visit's own fields. Agenda sessions must still fit the new dates.
pub async fn update_visit(conn: &mut AnyConnection, actor: &Actor, id: i64, u: &UpdateVisit) -> AppResult<()> {
    let before = get_visit(&mut *conn, id).await?;
    let raw = VisitFields {
        direction: before.direction.clone(),
        title: u.title.clone().unwrap_or_else(|| before.title.clone()),
        purpose: u.purpose.clone().unwrap_or_else(|| before.purpose.clone()),
        start_date: u.start_date.clone().unwrap_or_else(|| before.start_date.clone()),
        end_date: u.end_date.clone().unwrap_or_else(|| before.end_date.clone()),
        time_zone: u.time_zone.clone().unwrap_or_else(|| before.time_zone.clone()),
        head_count: u.head_count.unwrap_or(before.head_count),
    };
    let f = check_fields(&raw, before.members.len())?;
    let outside: Vec<String> = before
        .sessions
        .iter()
        .filter(|s| s.day() < f.start_date.as_str() || s.day() > f.end_date.as_str())
        .map(|s| s.title.clone())
        .collect();
    if !outside.is_empty() {
        return Err(AppError::field(
            "start_date",
            format!("these sessions would fall outside the new dates: {}; move them first", outside.join("; ")),
        ));
    }
    sqlx::query(
        "UPDATE visits SET title = $1, purpose = $2, start_date = $3, end_date = $4, time_zone = $5, head_count = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(&f.title)
    .bind(&f.purpose)
    .bind(&f.start_date)
    .bind(&f.end_date)
    .bind(&f.time_zone)
    .bind(f.head_count)
    .bind(now_text())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let after = get_visit(&mut *conn, id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit", id, Some(&before), Some(&after)).await?;
    Ok(())
}

/// Moves a visit to its next status (one step at a time; cancelling needs a reason).
pub async fn set_status(conn: &mut AnyConnection, actor: &Actor, id: i64, to: &str, reason: Option<&str>) -> AppResult<()> {
    let current: Option<String> = sqlx::query_scalar("SELECT status FROM visits WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    let from = current.ok_or(AppError::NotFound)?;
    check_transition(&from, to, reason)?;
    // The WHERE on the old status makes a concurrent change lose cleanly instead of skipping a step.
    let n = sqlx::query("UPDATE visits SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
        .bind(to)
        .bind(now_text())
        .bind(id)
        .bind(&from)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::Conflict("The visit's status was changed meanwhile; reload and try again.".into(), None));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    status_event(&mut *conn, actor, id, to, reason).await?;
    if to == "cancelled" {
        // The rooms are free again.
        let bookings: Vec<i64> = sqlx::query_scalar(
            "SELECT b.id FROM visit_sessions s JOIN bookings b ON b.id = s.booking_id WHERE s.visit_id = $1 AND b.status <> 'cancelled'",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        for b in bookings {
            crate::rooms::set_status(&mut *conn, actor, b, "cancelled").await?;
        }
        sqlx::query("UPDATE visit_sessions SET sequence = sequence + 1, updated_at = $1 WHERE visit_id = $2")
            .bind(now_text())
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    audit::record(
        conn,
        actor,
        AuditAction::Update,
        "visit",
        id,
        Some(&serde_json::json!({ "status": from })),
        Some(&serde_json::json!({ "status": to, "reason": reason })),
    )
    .await?;
    Ok(())
}

type VisitRow = (i64, String, String, String, String, String, String, String, i64);

/// One visit with everything recorded about it.
pub async fn get_visit(conn: &mut AnyConnection, id: i64) -> AppResult<Visit> {
    let row: Option<VisitRow> = sqlx::query_as(
        "SELECT id, direction, title, purpose, start_date, end_date, time_zone, status, head_count FROM visits WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let r = row.ok_or(AppError::NotFound)?;
    let institutions = sqlx::query_as(
        "SELECT i.id, i.name_en, i.name_zh, i.acronym, i.country FROM visit_institutions vi JOIN institutions i ON i.id = vi.institution_id
         WHERE vi.visit_id = $1 ORDER BY i.name_en",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let members = members(&mut *conn, id).await?;
    let hosts = hosts(&mut *conn, id).await?;
    let sessions = super::sessions::list(&mut *conn, id, &r.6).await?;
    let outcomes = sqlx::query_as("SELECT id, kind, text, created_at FROM visit_outcomes WHERE visit_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let actions = list_actions(&mut *conn, &ActionFilter { visit_id: Some(id), ..Default::default() }).await?;
    let history = sqlx::query_as("SELECT status, reason, at, actor FROM visit_status_events WHERE visit_id = $1 ORDER BY at, id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(Visit {
        id: r.0,
        direction: r.1,
        title: r.2,
        purpose: r.3,
        start_date: r.4,
        end_date: r.5,
        time_zone: r.6,
        status: r.7,
        head_count: r.8,
        institutions,
        members,
        hosts,
        sessions,
        outcomes,
        actions,
        history,
    })
}

/// Current positions of people, joined per person: "Vice President; Director, Institute of Smart Industry".
pub async fn titles(conn: &mut AnyConnection, person_ids: &[i64]) -> AppResult<Vec<(i64, String)>> {
    let today = crate::time::today();
    let mut out = Vec::new();
    for &p in person_ids {
        let rows: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT po.title_en, (SELECT n.name FROM unit_names n WHERE n.unit_id = po.unit_id AND n.lang = 'en' ORDER BY n.is_primary DESC, n.id LIMIT 1)
             FROM positions po WHERE po.person_id = $1 AND (po.end_date IS NULL OR po.end_date >= $2) ORDER BY po.id",
        )
        .bind(p)
        .bind(&today)
        .fetch_all(&mut *conn)
        .await?;
        let joined: Vec<String> = rows.into_iter().map(|(t, u)| if let Some(u) = u { format!("{t}, {u}") } else { t }).collect();
        out.push((p, joined.join("; ")));
    }
    Ok(out)
}

/// A member row: person id, names, role, institution.
type MemberRow = (i64, String, Option<String>, String, Option<i64>);

/// A host row: id, person, unit, the person's name.
type HostRow = (i64, Option<i64>, Option<i64>, Option<String>);

async fn members(conn: &mut AnyConnection, visit_id: i64) -> AppResult<Vec<Member>> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT p.id, p.name_en, p.name_zh, m.role, p.institution_id FROM visit_members m JOIN people p ON p.id = m.person_id
         WHERE m.visit_id = $1 ORDER BY CASE m.role WHEN 'leader' THEN 0 WHEN 'member' THEN 1 WHEN 'interpreter' THEN 2 ELSE 3 END, p.name_en",
    )
    .bind(visit_id)
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let t = titles(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .zip(t)
        .map(|(r, (_, titles))| Member { person_id: r.0, name_en: r.1, name_zh: r.2, role: r.3, titles, institution_id: r.4 })
        .collect())
}

/// All names of a unit: the primary English one, the others in brackets.
pub async fn unit_label(conn: &mut AnyConnection, unit_id: i64) -> AppResult<String> {
    let names: Vec<(String, String)> = sqlx::query_as("SELECT lang, name FROM unit_names WHERE unit_id = $1 ORDER BY is_primary DESC, id")
        .bind(unit_id)
        .fetch_all(conn)
        .await?;
    let en: Vec<&str> = names.iter().filter(|(l, _)| l == "en").map(|(_, n)| n.as_str()).collect();
    let all: Vec<&str> = if en.is_empty() { names.iter().map(|(_, n)| n.as_str()).collect() } else { en };
    Ok(match all.split_first() {
        Some((first, [])) => (*first).to_string(),
        Some((first, rest)) => format!("{first} ({})", rest.join(", ")),
        None => format!("unit {unit_id}"),
    })
}

async fn hosts(conn: &mut AnyConnection, visit_id: i64) -> AppResult<Vec<Host>> {
    let rows: Vec<HostRow> = sqlx::query_as(
        "SELECT h.id, h.person_id, h.unit_id, p.name_en FROM visit_hosts h LEFT JOIN people p ON p.id = h.person_id WHERE h.visit_id = $1 ORDER BY h.id",
    )
    .bind(visit_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for (id, person_id, unit_id, pname) in rows {
        let (name, titles) = match (person_id, unit_id) {
            (Some(p), _) => (pname.unwrap_or_default(), titles(&mut *conn, &[p]).await?.pop().map(|t| t.1).unwrap_or_default()),
            (None, Some(u)) => (unit_label(&mut *conn, u).await?, String::new()),
            _ => continue,
        };
        out.push(Host { id, person_id, unit_id, name, titles });
    }
    Ok(out)
}

/// Filters of the visit list.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct VisitQuery {
    /// planned, confirmed, completed or cancelled.
    pub status: Option<String>,
    /// inbound or outbound.
    pub direction: Option<String>,
    /// With this partner institution.
    pub institution_id: Option<i64>,
    /// Starting in this year.
    pub year: Option<i64>,
    /// Page, from 1.
    pub page: Option<i64>,
    /// Per page, 1–200 (default 50).
    pub per_page: Option<i64>,
}

/// Visits, latest first, with filters and paging; returns the page and the total.
pub async fn list_visits(conn: &mut AnyConnection, q: &VisitQuery) -> AppResult<(Vec<VisitSummary>, i64)> {
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).max(1);
    let year = q.year.map(|y| (format!("{y:04}-01-01"), format!("{y:04}-12-31")));
    let filter = "($1 = '' OR v.status = $1) AND ($2 = '' OR v.direction = $2)
        AND ($3 = 0 OR EXISTS (SELECT 1 FROM visit_institutions vi WHERE vi.visit_id = v.id AND vi.institution_id = $3))
        AND ($4 = '' OR v.start_date >= $4) AND ($5 = '' OR v.start_date <= $5)";
    let binds = (
        q.status.clone().unwrap_or_default(),
        q.direction.clone().unwrap_or_default(),
        q.institution_id.unwrap_or(0),
        year.clone().map(|y| y.0).unwrap_or_default(),
        year.map(|y| y.1).unwrap_or_default(),
    );
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM visits v WHERE {filter}")))
        .bind(&binds.0)
        .bind(&binds.1)
        .bind(binds.2)
        .bind(&binds.3)
        .bind(&binds.4)
        .fetch_one(&mut *conn)
        .await?;
    let rows: Vec<(i64, String, String, String, String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT v.id, v.direction, v.title, v.start_date, v.end_date, v.status, v.head_count FROM visits v WHERE {filter}
         ORDER BY v.start_date DESC, v.id DESC LIMIT $6 OFFSET $7"
    )))
    .bind(&binds.0)
    .bind(&binds.1)
    .bind(binds.2)
    .bind(&binds.3)
    .bind(&binds.4)
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT COALESCE(i.acronym, i.name_en) FROM visit_institutions vi JOIN institutions i ON i.id = vi.institution_id WHERE vi.visit_id = $1 ORDER BY i.name_en",
        )
        .bind(r.0)
        .fetch_all(&mut *conn)
        .await?;
        out.push(VisitSummary {
            id: r.0,
            direction: r.1,
            title: r.2,
            start_date: r.3,
            end_date: r.4,
            status: r.5,
            head_count: r.6,
            institutions: names.join(", "),
        });
    }
    Ok((out, total))
}

/// Records an outcome.
pub async fn add_outcome(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, o: &NewOutcome) -> AppResult<Outcome> {
    let mut errors = Vec::new();
    if !super::model::OUTCOME_KINDS.contains(&o.kind.as_str()) {
        errors.push(FieldError::new("kind", "use consensus or decision"));
    }
    if o.text.trim().is_empty() {
        errors.push(FieldError::new("text", "say what was agreed or decided"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    get_visit(&mut *conn, visit_id).await?;
    let outcome: Outcome = sqlx::query_as(
        "INSERT INTO visit_outcomes (visit_id, kind, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id, kind, text, created_at",
    )
    .bind(visit_id)
    .bind(&o.kind)
    .bind(o.text.trim())
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    touch(&mut *conn, visit_id).await?;
    audit::record(conn, actor, AuditAction::Create, "visit_outcome", outcome.id, None, Some(&outcome)).await?;
    Ok(outcome)
}

async fn check_owner(conn: &mut AnyConnection, owner: Option<i64>) -> AppResult<()> {
    if let Some(o) = owner {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND active = 1").bind(o).fetch_optional(conn).await?;
        if found.is_none() {
            return Err(AppError::field("owner_id", format!("there is no active user {o}")));
        }
    }
    Ok(())
}

/// Adds a follow-up action.
pub async fn add_action(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, a: &NewAction) -> AppResult<Action> {
    let mut errors = Vec::new();
    if a.title.trim().is_empty() {
        errors.push(FieldError::new("title", "say what is to be done"));
    }
    let due = crate::time::parse_date(&a.due_date);
    if due.is_none() {
        errors.push(FieldError::new("due_date", "use a date such as 2024-06-30"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    get_visit(&mut *conn, visit_id).await?;
    check_owner(&mut *conn, a.owner_id).await?;
    if let Some(o) = a.outcome_id {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM visit_outcomes WHERE id = $1 AND visit_id = $2")
            .bind(o)
            .bind(visit_id)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(AppError::field("outcome_id", "that outcome belongs to no outcome of this visit"));
        }
    }
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO visit_actions (visit_id, outcome_id, title, owner_id, due_date, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $6) RETURNING id",
    )
    .bind(visit_id)
    .bind(a.outcome_id)
    .bind(a.title.trim())
    .bind(a.owner_id)
    .bind(due)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    let action = get_action(&mut *conn, id).await?;
    audit::record(conn, actor, AuditAction::Create, "visit_action", id, None, Some(&action)).await?;
    Ok(action)
}

/// Changes an action's status, due date or owner. A new due date makes it due for a
/// reminder again.
pub async fn update_action(conn: &mut AnyConnection, actor: &Actor, id: i64, u: &UpdateAction) -> AppResult<Action> {
    let before = get_action(&mut *conn, id).await?;
    let mut errors = Vec::new();
    let status = u.status.clone().unwrap_or_else(|| before.status.clone());
    if !super::model::ACTION_STATUSES.contains(&status.as_str()) {
        errors.push(FieldError::new("status", "use open, done or cancelled"));
    }
    let due = match &u.due_date {
        Some(d) => crate::time::parse_date(d).ok_or_else(|| errors.push(FieldError::new("due_date", "use a date such as 2024-06-30"))).ok(),
        None => Some(before.due_date.clone()),
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    check_owner(&mut *conn, u.owner_id).await?;
    let due = due.unwrap_or_default();
    let reset_reminder = due != before.due_date || u.owner_id.is_some_and(|o| Some(o) != before.owner_id);
    sqlx::query(
        "UPDATE visit_actions SET status = $1, due_date = $2, owner_id = $3, updated_at = $4,
         reminded_at = CASE WHEN $5 = 1 THEN NULL ELSE reminded_at END WHERE id = $6",
    )
    .bind(&status)
    .bind(&due)
    .bind(u.owner_id.or(before.owner_id))
    .bind(now_text())
    .bind(i64::from(reset_reminder))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let after = get_action(&mut *conn, id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit_action", id, Some(&before), Some(&after)).await?;
    Ok(after)
}

const SELECT_ACTION: &str = "SELECT a.id, a.visit_id, v.title AS visit_title, a.outcome_id, a.title, a.owner_id,
    u.display_name AS owner, a.due_date, a.status
    FROM visit_actions a JOIN visits v ON v.id = a.visit_id LEFT JOIN users u ON u.id = a.owner_id";

/// One action.
pub async fn get_action(conn: &mut AnyConnection, id: i64) -> AppResult<Action> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_ACTION} WHERE a.id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Which actions to list.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct ActionFilter {
    /// Of one visit.
    pub visit_id: Option<i64>,
    /// Of one owner (the API's `mine=true` sets this to the caller).
    pub owner_id: Option<i64>,
    /// Only the caller's.
    pub mine: Option<bool>,
    /// Only open actions past their due date.
    pub overdue: Option<bool>,
    /// open, done or cancelled.
    pub status: Option<String>,
}

/// Actions by due date.
pub async fn list_actions(conn: &mut AnyConnection, f: &ActionFilter) -> AppResult<Vec<Action>> {
    let today = crate::time::today();
    let overdue = f.overdue.unwrap_or(false);
    let status = if overdue { "open".to_string() } else { f.status.clone().unwrap_or_default() };
    let sql = format!(
        "{SELECT_ACTION} WHERE ($1 = 0 OR a.visit_id = $1) AND ($2 = 0 OR a.owner_id = $2) AND ($3 = '' OR a.status = $3)
         AND ($4 = 0 OR a.due_date < $5) ORDER BY a.due_date, a.id LIMIT 500"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(f.visit_id.unwrap_or(0))
        .bind(f.owner_id.unwrap_or(0))
        .bind(status)
        .bind(i64::from(overdue))
        .bind(today)
        .fetch_all(conn)
        .await?)
}

/// People of a list of ids, by name (for session participants).
pub async fn people_refs(conn: &mut AnyConnection, ids: &[i64]) -> AppResult<Vec<PersonRef>> {
    let mut out = Vec::new();
    for &id in ids {
        let p: Option<PersonRef> =
            sqlx::query_as("SELECT id, name_en FROM people WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
        out.push(p.ok_or_else(|| AppError::field("participant_ids", format!("there is no person {id}")))?);
    }
    Ok(out)
}

/// Status history (for pages).
pub fn last_reason(history: &[StatusEvent]) -> Option<&str> {
    history.last().and_then(|h| h.reason.as_deref())
}
