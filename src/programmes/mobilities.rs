//! SQL of mobilities and the exchange balance. Every change to `mobilities` adjusts
//! `mobility_counts` in the same transaction, so balances read a few counted rows
//! instead of scanning every mobility.

use std::collections::BTreeMap;

use serde::Deserialize;
use sqlx::AnyConnection;
use utoipa::IntoParams;

use super::model::{AcademicYear, BalanceRow, DIRECTIONS, Mobility, NewMobility, PARTICIPANT_KINDS, check_mobility_step};
use crate::{
    audit::{self, Action, Actor},
    auth::{CurrentUser, Permission},
    error::{AppError, AppResult, FieldError},
    time::now_text,
};

/// Filters of the mobility list.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct MobilityQuery {
    /// In this programme.
    pub programme_id: Option<i64>,
    /// E.g. `2024-2025`.
    pub academic_year: Option<String>,
    /// inbound or outbound.
    pub direction: Option<String>,
    /// nominated, accepted, in_progress, completed or withdrawn.
    pub status: Option<String>,
    /// This participant.
    pub person_id: Option<i64>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Items per page (1–200, default 50).
    pub per_page: Option<i64>,
}

impl MobilityQuery {
    /// Page and page size, clamped.
    pub fn paging(&self) -> (i64, i64) {
        (self.page.unwrap_or(1).max(1), self.per_page.unwrap_or(50).clamp(1, 200))
    }
}

/// Checks that the user may record mobilities in a programme whose agreement belongs to
/// `unit`: staff and admins anywhere, coordinators only in their own unit.
pub fn may_record(user: &CurrentUser, unit: Option<i64>) -> AppResult<()> {
    // -1 is no unit: a coordinator's grant never matches it, a global grant does.
    if user.can_in_unit(Permission::EditMobilities, unit.unwrap_or(-1)) {
        return Ok(());
    }
    user.require(Permission::EditMobilities)?;
    Err(AppError::Forbidden("Coordinators record mobilities only in programmes whose agreement belongs to their unit.".into()))
}

/// The unit of the agreement a programme runs under (404 if no such programme).
pub async fn programme_unit(conn: &mut AnyConnection, programme_id: i64) -> AppResult<Option<i64>> {
    let found: Option<Option<i64>> =
        sqlx::query_scalar("SELECT a.unit_id FROM programmes p JOIN agreements a ON a.id = p.agreement_id WHERE p.id = $1")
            .bind(programme_id)
            .fetch_optional(conn)
            .await?;
    found.ok_or(AppError::NotFound)
}

/// The unit of the agreement behind a mobility (404 if no such mobility).
pub async fn mobility_unit(conn: &mut AnyConnection, id: i64) -> AppResult<Option<i64>> {
    let found: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT a.unit_id FROM mobilities m JOIN programmes p ON p.id = m.programme_id JOIN agreements a ON a.id = p.agreement_id
         WHERE m.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    found.ok_or(AppError::NotFound)
}

/// Adds one to (`up`) or takes one from the count of the mobility's key under `status`;
/// a count that reaches zero is dropped. Decrements are a plain UPDATE: an upsert would
/// first propose a row with n = -1, which the CHECK refuses.
async fn bump(conn: &mut AnyConnection, m: &Mobility, status: &str, up: bool) -> AppResult<()> {
    let key = "programme_id = $1 AND partner_institution_id = $2 AND academic_year = $3 AND direction = $4
         AND participant_kind = $5 AND status = $6";
    let sql = if up {
        "INSERT INTO mobility_counts (programme_id, partner_institution_id, academic_year, direction, participant_kind, status, n)
         VALUES ($1, $2, $3, $4, $5, $6, 1)
         ON CONFLICT (programme_id, partner_institution_id, academic_year, direction, participant_kind, status)
         DO UPDATE SET n = mobility_counts.n + 1"
            .to_string()
    } else {
        format!("UPDATE mobility_counts SET n = n - 1 WHERE {key}")
    };
    let statements = [sql, format!("DELETE FROM mobility_counts WHERE n = 0 AND {key}")];
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(m.programme_id)
            .bind(m.partner_institution_id)
            .bind(&m.academic_year)
            .bind(&m.direction)
            .bind(&m.participant_kind)
            .bind(status)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Moves the counts of a merged institution (`from_id`) onto the one kept (`into_id`),
/// adding to counts the kept one already has. Called by the institution merge, in its
/// transaction, alongside moving `mobilities.partner_institution_id`.
pub async fn recount_institution(conn: &mut AnyConnection, from_id: i64, into_id: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO mobility_counts (programme_id, partner_institution_id, academic_year, direction, participant_kind, status, n)
         SELECT programme_id, $2, academic_year, direction, participant_kind, status, n FROM mobility_counts
         WHERE partner_institution_id = $1
         ON CONFLICT (programme_id, partner_institution_id, academic_year, direction, participant_kind, status)
         DO UPDATE SET n = mobility_counts.n + excluded.n",
    )
    .bind(from_id)
    .bind(into_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM mobility_counts WHERE partner_institution_id = $1").bind(from_id).execute(conn).await?;
    Ok(())
}

/// The checked input of a new mobility (everything but the warnings).
struct Checked {
    year: String,
    start: String,
    end: String,
    partner: i64,
}

async fn check_new(conn: &mut AnyConnection, m: &NewMobility) -> AppResult<Checked> {
    let mut errors = Vec::new();
    if !PARTICIPANT_KINDS.contains(&m.participant_kind.as_str()) {
        errors.push(FieldError::new("participant_kind", "use student or staff"));
    }
    if !DIRECTIONS.contains(&m.direction.as_str()) {
        errors.push(FieldError::new("direction", "use inbound (they come to us) or outbound (we send them)"));
    }
    let year = AcademicYear::parse(&m.academic_year).map_err(|e| errors.push(FieldError::new("academic_year", e))).ok();
    let start = crate::time::parse_date(&m.start_date);
    let end = crate::time::parse_date(&m.end_date);
    for (f, v) in [("start_date", &start), ("end_date", &end)] {
        if v.is_none() {
            errors.push(FieldError::new(f, "use a date such as 2024-09-01"));
        }
    }
    if let (Some(s), Some(e)) = (&start, &end)
        && e < s
    {
        errors.push(FieldError::new("end_date", "the mobility ends before it starts"));
    }
    let person: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE id = $1 AND merged_into IS NULL")
        .bind(m.person_id)
        .fetch_optional(&mut *conn)
        .await?;
    if person.is_none() {
        errors.push(FieldError::new("person_id", format!("there is no person {} in the directory of people", m.person_id)));
    }
    let partner = partner_of(conn, m).await.map_err(|e| errors.push(e)).ok();
    match (year, start, end, partner) {
        (Some(y), Some(start), Some(end), Some(partner)) if errors.is_empty() => {
            Ok(Checked { year: y.as_str().to_string(), start, end, partner })
        }
        _ => Err(AppError::Validation(errors)),
    }
}

/// The partner institution: the one given (an existing, unmerged, non-home institution),
/// or the agreement's party that is not home.
async fn partner_of(conn: &mut AnyConnection, m: &NewMobility) -> Result<i64, FieldError> {
    let db = |e: sqlx::Error| FieldError::new("partner_institution_id", format!("could not read the institution: {e}"));
    if let Some(id) = m.partner_institution_id {
        let found: Option<(Option<i64>, i64)> = sqlx::query_as("SELECT merged_into, is_home FROM institutions WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
        return match found {
            None => Err(FieldError::new("partner_institution_id", format!("there is no institution {id}"))),
            Some((Some(into), _)) => {
                Err(FieldError::new("partner_institution_id", format!("institution {id} was merged into {into}; use that one")))
            }
            Some((None, 1)) => Err(FieldError::new("partner_institution_id", "that is our own institution; give the partner")),
            Some(_) => Ok(id),
        };
    }
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT ap.institution_id FROM programmes p JOIN agreement_parties ap ON ap.agreement_id = p.agreement_id
         JOIN institutions i ON i.id = ap.institution_id WHERE p.id = $1 AND i.is_home = 0 ORDER BY ap.institution_id LIMIT 1",
    )
    .bind(m.programme_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    found.ok_or_else(|| FieldError::new("partner_institution_id", "the agreement names no partner institution; give one"))
}

/// What a new mobility should be warned about: over the year's quota, or outside the
/// programme's period.
async fn warnings(conn: &mut AnyConnection, m: &NewMobility, c: &Checked) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    let quota: Option<i64> =
        sqlx::query_scalar("SELECT quota FROM programme_quotas WHERE programme_id = $1 AND academic_year = $2 AND direction = $3")
            .bind(m.programme_id)
            .bind(&c.year)
            .bind(&m.direction)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(quota) = quota {
        let used: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM mobility_counts
             WHERE programme_id = $1 AND academic_year = $2 AND direction = $3 AND status <> 'withdrawn'",
        )
        .bind(m.programme_id)
        .bind(&c.year)
        .bind(&m.direction)
        .fetch_one(&mut *conn)
        .await?;
        if used + 1 > quota {
            out.push(format!("Over quota: the programme has {quota} {} places in {} and {used} are taken.", m.direction, c.year));
        }
    }
    let (p_start, p_end): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT start_date, end_date FROM programmes WHERE id = $1").bind(m.programme_id).fetch_one(&mut *conn).await?;
    let before = p_start.as_ref().is_some_and(|s| c.start < *s);
    let after = p_end.as_ref().is_some_and(|e| c.end > *e);
    if before || after {
        out.push(format!(
            "Outside the programme's period ({} to {}): the mobility runs {} to {}.",
            p_start.as_deref().unwrap_or("…"),
            p_end.as_deref().unwrap_or("…"),
            c.start,
            c.end
        ));
    }
    Ok(out)
}

/// Records a mobility. Over quota or outside the programme's period it answers 409 with
/// the warnings, unless `override` is set with an `override_note`, which is then stored
/// and audited with the warnings it overrode.
pub async fn create_mobility(conn: &mut AnyConnection, actor: &Actor, m: &NewMobility) -> AppResult<i64> {
    programme_unit(&mut *conn, m.programme_id).await.map_err(|e| match e {
        AppError::NotFound => AppError::field("programme_id", format!("there is no programme {}", m.programme_id)),
        other => other,
    })?;
    let c = check_new(&mut *conn, m).await?;
    let warned = warnings(&mut *conn, m, &c).await?;
    let note = m.override_note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if !warned.is_empty() {
        if !m.override_warnings {
            let body = serde_json::json!({
                "warnings": warned,
                "how_to_override": "send \"override\": true with an \"override_note\" saying why, to record it anyway",
            });
            return Err(AppError::Conflict(
                format!("{} Send \"override\": true with an override_note to record it anyway.", warned.join(" ")),
                Some(body),
            ));
        }
        if note.is_none() {
            return Err(AppError::field("override_note", "say why the warning is overridden: the note is kept with the mobility"));
        }
    }
    let note = if warned.is_empty() { None } else { note };
    let now = now_text();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO mobilities (programme_id, person_id, partner_institution_id, participant_kind, direction, academic_year,
             start_date, end_date, status, override_note, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'nominated', $9, $10, $10) RETURNING id",
    )
    .bind(m.programme_id)
    .bind(m.person_id)
    .bind(c.partner)
    .bind(&m.participant_kind)
    .bind(&m.direction)
    .bind(&c.year)
    .bind(&c.start)
    .bind(&c.end)
    .bind(note)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    status_event(&mut *conn, actor, id, "nominated").await?;
    let after = get_mobility(&mut *conn, id).await?;
    bump(&mut *conn, &after, "nominated", true).await?;
    let audited = serde_json::json!({ "mobility": after, "overridden_warnings": warned });
    audit::record(conn, actor, Action::Create, "mobility", id, None, Some(&audited)).await?;
    Ok(id)
}

async fn status_event(conn: &mut AnyConnection, actor: &Actor, id: i64, status: &str) -> AppResult<()> {
    sqlx::query("INSERT INTO mobility_status_events (mobility_id, status, at, actor) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(status)
        .bind(now_text())
        .bind(&actor.label)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves a mobility one step (or to withdrawn), keeping the counts in step.
pub async fn set_status(conn: &mut AnyConnection, actor: &Actor, id: i64, to: &str) -> AppResult<Mobility> {
    let before = get_mobility(&mut *conn, id).await?;
    check_mobility_step(&before.status, to)?;
    let n = sqlx::query("UPDATE mobilities SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
        .bind(to)
        .bind(now_text())
        .bind(id)
        .bind(&before.status)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::Conflict("The mobility changed meanwhile; reload and try again.".into(), None));
    }
    status_event(&mut *conn, actor, id, to).await?;
    bump(&mut *conn, &before, &before.status, false).await?;
    bump(&mut *conn, &before, to, true).await?;
    let after = get_mobility(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "mobility", id, Some(&before), Some(&after)).await?;
    Ok(after)
}

/// Deletes a mobility recorded by mistake, keeping the counts in step.
pub async fn delete_mobility(conn: &mut AnyConnection, actor: &Actor, id: i64) -> AppResult<()> {
    let before = get_mobility(&mut *conn, id).await?;
    sqlx::query("DELETE FROM mobility_status_events WHERE mobility_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM mobilities WHERE id = $1").bind(id).execute(&mut *conn).await?;
    bump(&mut *conn, &before, &before.status, false).await?;
    audit::record(conn, actor, Action::Delete, "mobility", id, Some(&before), None).await?;
    Ok(())
}

const MOBILITY_SELECT: &str = "SELECT m.id, m.programme_id, p.title AS programme_title, m.person_id, pe.name_en AS person_name,
     m.partner_institution_id, i.name_en AS partner_name, m.participant_kind, m.direction, m.academic_year, m.start_date,
     m.end_date, m.status, m.override_note, m.created_at, m.updated_at
     FROM mobilities m JOIN programmes p ON p.id = m.programme_id JOIN people pe ON pe.id = m.person_id
     JOIN institutions i ON i.id = m.partner_institution_id";

/// A mobility (404 if none).
pub async fn get_mobility(conn: &mut AnyConnection, id: i64) -> AppResult<Mobility> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{MOBILITY_SELECT} WHERE m.id = $1"))).bind(id).fetch_one(conn).await?)
}

/// A page of mobilities matching the filters, latest start first, and the total.
pub async fn list_mobilities(conn: &mut AnyConnection, q: &MobilityQuery) -> AppResult<(Vec<Mobility>, i64)> {
    let (page, per_page) = q.paging();
    let filter = "($1 = 0 OR m.programme_id = $1) AND ($2 = '' OR m.academic_year = $2) AND ($3 = '' OR m.direction = $3)
         AND ($4 = '' OR m.status = $4) AND ($5 = 0 OR m.person_id = $5)";
    let b = (
        q.programme_id.unwrap_or(0),
        q.academic_year.clone().unwrap_or_default(),
        q.direction.clone().unwrap_or_default(),
        q.status.clone().unwrap_or_default(),
        q.person_id.unwrap_or(0),
    );
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM mobilities m WHERE {filter}")))
        .bind(b.0)
        .bind(&b.1)
        .bind(&b.2)
        .bind(&b.3)
        .bind(b.4)
        .fetch_one(&mut *conn)
        .await?;
    let items = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MOBILITY_SELECT} WHERE {filter} ORDER BY m.start_date DESC, m.id DESC LIMIT $6 OFFSET $7"
    )))
    .bind(b.0)
    .bind(&b.1)
    .bind(&b.2)
    .bind(&b.3)
    .bind(b.4)
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(conn)
    .await?;
    Ok((items, total))
}

/// The exchange balance of an agreement per academic year (one year if given), from the
/// kept counts (withdrawn mobilities do not count) and the programmes' quotas.
pub async fn balance(conn: &mut AnyConnection, agreement_id: i64, year: Option<&str>) -> AppResult<Vec<BalanceRow>> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM agreements WHERE id = $1").bind(agreement_id).fetch_optional(&mut *conn).await?;
    exists.ok_or(AppError::NotFound)?;
    let year = match year.map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => AcademicYear::parse(y).map_err(|e| AppError::field("academic_year", e))?.as_str().to_string(),
        None => String::new(),
    };
    let counts: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT c.academic_year, c.direction, CAST(SUM(c.n) AS BIGINT) FROM mobility_counts c JOIN programmes p ON p.id = c.programme_id
         WHERE p.agreement_id = $1 AND c.status <> 'withdrawn' AND ($2 = '' OR c.academic_year = $2)
         GROUP BY c.academic_year, c.direction",
    )
    .bind(agreement_id)
    .bind(&year)
    .fetch_all(&mut *conn)
    .await?;
    let quotas: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT q.academic_year, q.direction, CAST(SUM(q.quota) AS BIGINT) FROM programme_quotas q JOIN programmes p ON p.id = q.programme_id
         WHERE p.agreement_id = $1 AND ($2 = '' OR q.academic_year = $2)
         GROUP BY q.academic_year, q.direction",
    )
    .bind(agreement_id)
    .bind(&year)
    .fetch_all(&mut *conn)
    .await?;
    let mut rows: BTreeMap<String, BalanceRow> = BTreeMap::new();
    let blank =
        |y: &str| BalanceRow { academic_year: y.to_string(), inbound: 0, outbound: 0, quota_inbound: 0, quota_outbound: 0, balance: 0 };
    if !year.is_empty() {
        rows.insert(year.clone(), blank(&year));
    }
    for (y, dir, n) in counts {
        let r = rows.entry(y.clone()).or_insert_with(|| blank(&y));
        if dir == "inbound" { r.inbound += n } else { r.outbound += n }
    }
    for (y, dir, n) in quotas {
        let r = rows.entry(y.clone()).or_insert_with(|| blank(&y));
        if dir == "inbound" { r.quota_inbound += n } else { r.quota_outbound += n }
    }
    Ok(rows
        .into_values()
        .map(|mut r| {
            r.balance = r.inbound - r.outbound;
            r
        })
        .collect())
}
