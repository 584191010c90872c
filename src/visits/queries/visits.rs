//! Visits themselves: recording, changing, the status steps, reading one with
//! everything about it, and the list.

use sqlx::AnyConnection;

use super::{
    delegation::{check_leader_institution, hosts, insert_host, insert_member, members},
    followup::{ActionFilter, list_actions, list_outcomes},
    sessions::list_sessions,
};
use crate::{
    audit::{self, Action as AuditAction, Actor},
    error::{AppError, AppResult, FieldError},
    rooms::BookingStatus,
    status::Status,
    time::now_text,
    visits::model::{
        NewVisit, UpdateVisit, Visit, VisitFields, VisitStatus, VisitSummary, check_fields, check_hosts, check_members, check_transition,
    },
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
    status_event(conn, actor, id, VisitStatus::Planned, None).await?;
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

async fn status_event(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, status: VisitStatus, reason: Option<&str>) -> AppResult<()> {
    sqlx::query("INSERT INTO visit_status_events (visit_id, status, reason, at, actor) VALUES ($1, $2, $3, $4, $5)")
        .bind(visit_id)
        .bind(status.as_str())
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
pub async fn set_status(conn: &mut AnyConnection, actor: &Actor, id: i64, to: VisitStatus, reason: Option<&str>) -> AppResult<()> {
    let current: Option<String> = sqlx::query_scalar("SELECT status FROM visits WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    let from = VisitStatus::from_stored(&current.ok_or(AppError::NotFound)?)?;
    check_transition(from, to, reason)?;
    // The WHERE on the old status makes a concurrent change lose cleanly instead of skipping a step.
    let n = sqlx::query("UPDATE visits SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
        .bind(to.as_str())
        .bind(now_text())
        .bind(id)
        .bind(from.as_str())
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::Conflict("The visit's status was changed meanwhile; reload and try again.".into(), None));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    status_event(&mut *conn, actor, id, to, reason).await?;
    if to == VisitStatus::Cancelled {
        // The rooms are free again.
        for b in held_bookings(&mut *conn, id).await? {
            crate::rooms::set_status(&mut *conn, actor, b, BookingStatus::Cancelled).await?;
        }
        bump_sessions(&mut *conn, id).await?;
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

/// The bookings still held by a visit's sessions.
async fn held_bookings(conn: &mut AnyConnection, visit_id: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT b.id FROM visit_sessions s JOIN bookings b ON b.id = s.booking_id WHERE s.visit_id = $1 AND b.status <> 'cancelled'",
    )
    .bind(visit_id)
    .fetch_all(conn)
    .await?)
}

/// Raises every session's sequence (calendar clients replace the events).
async fn bump_sessions(conn: &mut AnyConnection, visit_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE visit_sessions SET sequence = sequence + 1, updated_at = $1 WHERE visit_id = $2")
        .bind(now_text())
        .bind(visit_id)
        .execute(conn)
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
    let sessions = list_sessions(&mut *conn, id, &r.6).await?;
    let outcomes = list_outcomes(&mut *conn, id).await?;
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
        status: VisitStatus::from_stored(&r.7)?,
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

/// Filters of the visit list.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct VisitQuery {
    /// planned, confirmed, completed or cancelled.
    #[param(value_type = Option<VisitStatus>)]
    pub status: Option<String>,
    /// inbound or outbound.
    pub direction: Option<String>,
    /// With this partner institution.
    pub institution_id: Option<i64>,
    /// Starting in this year.
    pub year: Option<i64>,
    /// Under way on or after this day (the visit ends on it or later), `YYYY-MM-DD`.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<jiff::civil::Date>,
    /// Under way on or before this day (the visit starts on it or earlier), `YYYY-MM-DD`.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<jiff::civil::Date>,
    /// Page, from 1.
    pub page: Option<i64>,
    /// Per page, 1–200 (default 50).
    pub per_page: Option<i64>,
}

/// Visits, latest first, with filters and paging; returns the page and the total.
pub async fn list_visits(conn: &mut AnyConnection, q: &VisitQuery) -> AppResult<(Vec<VisitSummary>, i64)> {
    let (page, per_page) = crate::web::paging::paging(q.page, q.per_page, 50, 200);
    let year = q.year.map(|y| (format!("{y:04}-01-01"), format!("{y:04}-12-31")));
    let filter = "($1 = '' OR v.status = $1) AND ($2 = '' OR v.direction = $2)
        AND ($3 = 0 OR EXISTS (SELECT 1 FROM visit_institutions vi WHERE vi.visit_id = v.id AND vi.institution_id = $3))
        AND ($4 = '' OR v.start_date >= $4) AND ($5 = '' OR v.start_date <= $5)
        AND ($6 = '' OR v.end_date >= $6) AND ($7 = '' OR v.start_date <= $7)";
    let binds = (
        q.status.clone().unwrap_or_default(),
        q.direction.clone().unwrap_or_default(),
        q.institution_id.unwrap_or(0),
        year.clone().map(|y| y.0).unwrap_or_default(),
        year.map(|y| y.1).unwrap_or_default(),
        q.from.map(|d| d.to_string()).unwrap_or_default(),
        q.to.map(|d| d.to_string()).unwrap_or_default(),
    );
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM visits v WHERE {filter}")))
        .bind(&binds.0)
        .bind(&binds.1)
        .bind(binds.2)
        .bind(&binds.3)
        .bind(&binds.4)
        .bind(&binds.5)
        .bind(&binds.6)
        .fetch_one(&mut *conn)
        .await?;
    let rows: Vec<(i64, String, String, String, String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT v.id, v.direction, v.title, v.start_date, v.end_date, v.status, v.head_count FROM visits v WHERE {filter}
         ORDER BY v.start_date DESC, v.id DESC LIMIT $8 OFFSET $9"
    )))
    .bind(&binds.0)
    .bind(&binds.1)
    .bind(binds.2)
    .bind(&binds.3)
    .bind(&binds.4)
    .bind(&binds.5)
    .bind(&binds.6)
    .bind(per_page)
    .bind(crate::web::paging::offset(page, per_page))
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
            status: VisitStatus::from_stored(&r.5)?,
            head_count: r.6,
            institutions: names.join(", "),
        });
    }
    Ok((out, total))
}

/// A visit's time zone, if there is such a visit.
pub async fn visit_time_zone(conn: &mut AnyConnection, id: i64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT time_zone FROM visits WHERE id = $1").bind(id).fetch_optional(conn).await?)
}

/// A visit's time zone and title.
pub async fn visit_zone_and_title(conn: &mut AnyConnection, id: i64) -> AppResult<(String, String)> {
    Ok(sqlx::query_as("SELECT time_zone, title FROM visits WHERE id = $1").bind(id).fetch_one(conn).await?)
}

/// Agreements signed at or following a visit: id, title, status.
pub async fn agreements_of(conn: &mut AnyConnection, visit_id: i64) -> AppResult<Vec<(i64, String, String)>> {
    Ok(sqlx::query_as("SELECT id, title, status FROM agreements WHERE visit_id = $1 ORDER BY id").bind(visit_id).fetch_all(conn).await?)
}
