//! Opening a call: its fields checked, its partners and places (by default the
//! programme agreement's partners, each with the programme's quota for the year and
//! direction), stored and audited in the caller's transaction.

use sqlx::AnyConnection;

use super::{
    model::{CallDetail, NewCall, NewCallPartner, check_call_fields, parse_instant},
    queries::{self, CallRow},
};
use crate::{
    audit::{self, Action, Actor},
    error::{AppError, AppResult, FieldError},
    programmes::model::AcademicYear,
};

/// A checked partner: (programme, institution, places, coordinator address).
type Offered = (i64, i64, i64, Option<String>);

/// Checks one partner entry; places default from the programme's quota.
async fn check_partner(
    conn: &mut AnyConnection,
    c: &NewCall,
    year: &str,
    i: usize,
    p: &NewCallPartner,
    errors: &mut Vec<FieldError>,
) -> AppResult<Option<Offered>> {
    let field = |f: &str| format!("partners[{i}].{f}");
    let programme = p.programme_id.unwrap_or(c.programme_id);
    if !queries::programme_exists(&mut *conn, programme).await? {
        errors.push(FieldError::new(field("programme_id"), format!("there is no programme {programme}")));
        return Ok(None);
    }
    match queries::institution_state(&mut *conn, p.institution_id).await? {
        None => errors.push(FieldError::new(field("institution_id"), format!("there is no institution {}", p.institution_id))),
        Some((Some(into), _)) => errors.push(FieldError::new(
            field("institution_id"),
            format!("institution {} was merged into {into}; use that one", p.institution_id),
        )),
        Some((None, 1)) => errors.push(FieldError::new(field("institution_id"), "that is our own institution; give the partner")),
        Some(_) => {}
    }
    let places = match p.places {
        Some(n) if n < 0 => {
            errors.push(FieldError::new(field("places"), "places cannot be below zero"));
            None
        }
        Some(n) => Some(n),
        None => {
            let q = queries::quota(&mut *conn, programme, year, &c.direction).await?;
            if q.is_none() {
                errors.push(FieldError::new(
                    field("places"),
                    format!("the programme has no {direction} quota for {year}; give the places", direction = c.direction),
                ));
            }
            q
        }
    };
    let email = p.coordinator_email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_string);
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        errors.push(FieldError::new(field("coordinator_email"), "give an e-mail address such as name@example.edu"));
    }
    Ok(places.map(|n| (programme, p.institution_id, n, email)))
}

/// The partners offered: those given, or the programme agreement's partners.
async fn partners(conn: &mut AnyConnection, c: &NewCall, year: &str, errors: &mut Vec<FieldError>) -> AppResult<Vec<Offered>> {
    let given: Vec<NewCallPartner> = if c.partners.is_empty() {
        let found = queries::programme_partners(&mut *conn, c.programme_id).await?;
        if found.is_empty() {
            errors.push(FieldError::new("partners", "the programme's agreement names no partner; list the partners and places"));
        }
        found
            .into_iter()
            .map(|id| NewCallPartner { institution_id: id, programme_id: None, places: None, coordinator_email: None })
            .collect()
    } else {
        c.partners.clone()
    };
    let mut out = Vec::new();
    for (i, p) in given.iter().enumerate() {
        if given[..i].iter().any(|o| o.institution_id == p.institution_id) {
            errors.push(FieldError::new(format!("partners[{i}].institution_id"), "this partner is listed twice"));
            continue;
        }
        if let Some(o) = check_partner(conn, c, year, i, p, errors).await? {
            out.push(o);
        }
    }
    Ok(out)
}

/// Opens a call; answers its id. Every problem is reported at once (422), nothing stored.
pub async fn create_call(conn: &mut AnyConnection, actor: &Actor, c: &NewCall) -> AppResult<i64> {
    let mut errors = Vec::new();
    let (level, min_gpa, rule, criteria) = check_call_fields(c, &mut errors);
    if !queries::programme_exists(&mut *conn, c.programme_id).await? {
        return Err(AppError::field("programme_id", format!("there is no programme {}", c.programme_id)));
    }
    let year = AcademicYear::parse(&c.academic_year).map_err(|e| errors.push(FieldError::new("academic_year", e))).ok();
    let opens = parse_instant(&c.opens_at);
    let closes = parse_instant(&c.closes_at);
    for (f, v) in [("opens_at", &opens), ("closes_at", &closes)] {
        if v.is_none() {
            errors.push(FieldError::new(f, "use a time such as 2025-03-01T09:00 (office time) or 2025-03-01T09:00:00+08:00"));
        }
    }
    if let (Some(o), Some(cl)) = (&opens, &closes)
        && cl <= o
    {
        errors.push(FieldError::new("closes_at", "the call closes before it opens"));
    }
    let start = crate::time::parse_date(&c.mobility_start);
    let end = crate::time::parse_date(&c.mobility_end);
    for (f, v) in [("mobility_start", &start), ("mobility_end", &end)] {
        if v.is_none() {
            errors.push(FieldError::new(f, "use a date such as 2024-09-01"));
        }
    }
    if let (Some(s), Some(e)) = (&start, &end)
        && e < s
    {
        errors.push(FieldError::new("mobility_end", "the mobility ends before it starts"));
    }
    let year_text = year.as_ref().map(|y| y.as_str().to_string()).unwrap_or_default();
    let offered = partners(&mut *conn, c, &year_text, &mut errors).await?;
    let (Some(opens), Some(closes), Some(start), Some(end), true) = (opens, closes, start, end, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let row = CallRow {
        programme_id: c.programme_id,
        academic_year: &year_text,
        direction: &c.direction,
        texts: [c.title_en.trim(), c.title_zh.trim(), c.description_en.trim(), c.description_zh.trim()],
        window: (&opens, &closes),
        max_choices: c.max_choices.unwrap_or(3),
        level: &level,
        min_gpa,
        language_certificate: c.language_certificate,
        documents: &c.required_documents,
        criteria: &criteria,
        rule: &rule,
        response_days: c.response_days.unwrap_or(7),
        period: (&start, &end),
    };
    let id = queries::insert_call(&mut *conn, &row).await?;
    for (programme, institution, places, email) in &offered {
        queries::insert_call_partner(&mut *conn, id, *programme, *institution, *places, email.as_deref()).await?;
    }
    let after = detail(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Create, "call", id, None, Some(&after)).await?;
    Ok(id)
}

/// A call with its partners and its phase now.
pub async fn detail(conn: &mut AnyConnection, id: i64) -> AppResult<CallDetail> {
    let call = queries::get_call(&mut *conn, id).await?;
    let partners = queries::call_partners(conn, id).await?;
    let now = crate::time::now_text();
    Ok(CallDetail {
        phase: call.phase(&now).to_string(),
        required_documents: call.required_documents(),
        criteria: call.criteria(),
        partners,
        call,
    })
}

/// Closes an open call now (before its closing time), audited; 409 when it is not open.
pub async fn close_now(conn: &mut AnyConnection, actor: &Actor, id: i64) -> AppResult<CallDetail> {
    let before = detail(&mut *conn, id).await?;
    if !queries::set_closes_at(&mut *conn, id, &crate::time::now_text()).await? {
        return Err(AppError::Conflict("The call is not open, so it cannot be closed now.".into(), None));
    }
    let after = detail(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "call", id, Some(&before), Some(&after)).await?;
    Ok(after)
}
