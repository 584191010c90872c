//! Recording mobilities and moving them through their status machine, and the exchange
//! balance. Every change to `mobilities` adjusts `mobility_counts` in the same
//! transaction (`queries::bump`), so balances read a few counted rows instead of
//! scanning every mobility.

use std::collections::BTreeMap;

use sqlx::AnyConnection;

use super::{
    model::{AcademicYear, BalanceRow, DIRECTIONS, Mobility, MobilityStatus, NewMobility, PARTICIPANT_KINDS, check_mobility_step},
    queries::{self, MobilityRow},
};
use crate::{
    audit::{self, Action, Actor},
    auth::{CurrentUser, Permission},
    error::{AppError, AppResult, FieldError},
};

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

/// The checked input of a new mobility (everything but the warnings).
struct Checked {
    year: String,
    start: String,
    end: String,
    partner: i64,
}

/// Messages on the fields of a new mobility that need no lookup.
fn check_fields(m: &NewMobility, errors: &mut Vec<FieldError>) -> (Option<AcademicYear>, Option<String>, Option<String>) {
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
    (year, start, end)
}

async fn check_new(conn: &mut AnyConnection, m: &NewMobility) -> AppResult<Checked> {
    let mut errors = Vec::new();
    let (year, start, end) = check_fields(m, &mut errors);
    if !queries::person_exists(&mut *conn, m.person_id).await? {
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
        return match queries::institution_state(conn, id).await.map_err(db)? {
            None => Err(FieldError::new("partner_institution_id", format!("there is no institution {id}"))),
            Some((Some(into), _)) => {
                Err(FieldError::new("partner_institution_id", format!("institution {id} was merged into {into}; use that one")))
            }
            Some((None, 1)) => Err(FieldError::new("partner_institution_id", "that is our own institution; give the partner")),
            Some(_) => Ok(id),
        };
    }
    let found = queries::default_partner(conn, m.programme_id).await.map_err(db)?;
    found.ok_or_else(|| FieldError::new("partner_institution_id", "the agreement names no partner institution; give one"))
}

/// What a new mobility should be warned about: over the year's quota, or outside the
/// programme's period.
async fn warnings(conn: &mut AnyConnection, m: &NewMobility, c: &Checked) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    if let Some(quota) = queries::quota_for(&mut *conn, m.programme_id, &c.year, &m.direction).await? {
        let used = queries::places_taken(&mut *conn, m.programme_id, &c.year, &m.direction).await?;
        if used + 1 > quota {
            out.push(format!("Over quota: the programme has {quota} {} places in {} and {used} are taken.", m.direction, c.year));
        }
    }
    let (p_start, p_end) = queries::programme_period(conn, m.programme_id).await?;
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

/// The note kept with a mobility: None without warnings; with warnings, 409 unless
/// overridden, and 422 if overridden without saying why.
fn override_note<'a>(m: &'a NewMobility, warned: &[String]) -> AppResult<Option<&'a str>> {
    if warned.is_empty() {
        return Ok(None);
    }
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
    match m.override_note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(note) => Ok(Some(note)),
        None => Err(AppError::field("override_note", "say why the warning is overridden: the note is kept with the mobility")),
    }
}

/// Records a mobility. Over quota or outside the programme's period it answers 409 with
/// the warnings, unless `override` is set with an `override_note`, which is then stored
/// and audited with the warnings it overrode.
pub async fn create_mobility(conn: &mut AnyConnection, actor: &Actor, m: &NewMobility) -> AppResult<i64> {
    queries::programme_unit(&mut *conn, m.programme_id).await.map_err(|e| match e {
        AppError::NotFound => AppError::field("programme_id", format!("there is no programme {}", m.programme_id)),
        other => other,
    })?;
    let c = check_new(&mut *conn, m).await?;
    let warned = warnings(&mut *conn, m, &c).await?;
    let note = override_note(m, &warned)?;
    let row = MobilityRow {
        programme_id: m.programme_id,
        person_id: m.person_id,
        partner: c.partner,
        participant_kind: &m.participant_kind,
        direction: &m.direction,
        year: &c.year,
        start: &c.start,
        end: &c.end,
        override_note: note,
    };
    let id = queries::insert_mobility(&mut *conn, &row).await?;
    queries::status_event(&mut *conn, id, MobilityStatus::Nominated, &actor.label).await?;
    let after = queries::get_mobility(&mut *conn, id).await?;
    queries::bump(&mut *conn, &after, MobilityStatus::Nominated, true).await?;
    let audited = serde_json::json!({ "mobility": after, "overridden_warnings": warned });
    audit::record(conn, actor, Action::Create, "mobility", id, None, Some(&audited)).await?;
    Ok(id)
}

/// Moves a mobility one step (or to withdrawn), keeping the counts in step.
pub async fn set_status(conn: &mut AnyConnection, actor: &Actor, id: i64, to: MobilityStatus) -> AppResult<Mobility> {
    let before = queries::get_mobility(&mut *conn, id).await?;
    check_mobility_step(before.status, to)?;
    if !queries::update_status(&mut *conn, id, before.status, to).await? {
        return Err(AppError::Conflict("The mobility changed meanwhile; reload and try again.".into(), None));
    }
    queries::status_event(&mut *conn, id, to, &actor.label).await?;
    queries::bump(&mut *conn, &before, before.status, false).await?;
    queries::bump(&mut *conn, &before, to, true).await?;
    let after = queries::get_mobility(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "mobility", id, Some(&before), Some(&after)).await?;
    Ok(after)
}

/// Deletes a mobility recorded by mistake, keeping the counts in step.
pub async fn delete_mobility(conn: &mut AnyConnection, actor: &Actor, id: i64) -> AppResult<()> {
    let before = queries::get_mobility(&mut *conn, id).await?;
    queries::delete_mobility_rows(&mut *conn, id).await?;
    queries::bump(&mut *conn, &before, before.status, false).await?;
    audit::record(conn, actor, Action::Delete, "mobility", id, Some(&before), None).await?;
    Ok(())
}

/// The exchange balance of an agreement per academic year (one year if given), from the
/// kept counts (withdrawn mobilities do not count) and the programmes' quotas.
pub async fn balance(conn: &mut AnyConnection, agreement_id: i64, year: Option<&str>) -> AppResult<Vec<BalanceRow>> {
    if !queries::agreement_exists(&mut *conn, agreement_id).await? {
        return Err(AppError::NotFound);
    }
    let year = match year.map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => AcademicYear::parse(y).map_err(|e| AppError::field("academic_year", e))?.as_str().to_string(),
        None => String::new(),
    };
    let counts = queries::agreement_mobility_sums(&mut *conn, agreement_id, &year).await?;
    let quotas = queries::agreement_quota_sums(&mut *conn, agreement_id, &year).await?;
    let mut rows: BTreeMap<String, BalanceRow> = BTreeMap::new();
    if !year.is_empty() {
        rows.insert(year.clone(), BalanceRow::empty(&year));
    }
    for (y, dir, n) in counts {
        let r = rows.entry(y.clone()).or_insert_with(|| BalanceRow::empty(&y));
        if dir == "inbound" { r.inbound += n } else { r.outbound += n }
    }
    for (y, dir, n) in quotas {
        let r = rows.entry(y.clone()).or_insert_with(|| BalanceRow::empty(&y));
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
