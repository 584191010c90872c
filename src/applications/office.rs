//! The office's side of a call: screening (eligible or not), reviewers' scores and
//! interviews, the ranking and allocation (`model::allocation`, a pure function, fed
//! from the database and written back here), manual allocations, publishing the results,
//! and offering places given up to the next in rank.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::{
    model::{
        Application, ApplicationStatus as S, Call,
        allocation::{self, Outcome, Ranked, ToRank},
        check_step, eligibility_problems, scoring,
    },
    notify,
    queries::{self, Allocated},
};
use crate::{
    audit::{self, Action, Actor},
    error::{AppError, AppResult, FieldError},
    time::{in_secs_text, now_text},
};

/// Moves an application with its history row, audit event and the student's e-mail.
async fn move_to(conn: &mut AnyConnection, actor: &Actor, a: &Application, to: S, note: &str) -> AppResult<()> {
    check_step(a.status, to)?;
    if !queries::move_status(&mut *conn, a.id, a.status, to, note, &actor.label).await? {
        return Err(AppError::Conflict("The application changed meanwhile; reload and try again.".into(), None));
    }
    let after = queries::get_application(&mut *conn, a.id).await?;
    audit::record(&mut *conn, actor, Action::Update, "application", a.id, Some(a), Some(&after)).await?;
    notify::student(conn, a.id, to, note).await
}

/// Marks one application eligible or not, with the reason.
pub async fn set_eligibility(conn: &mut AnyConnection, actor: &Actor, id: i64, eligible: bool, note: &str) -> AppResult<()> {
    let a = queries::get_application(&mut *conn, id).await?;
    if !eligible && note.trim().is_empty() {
        return Err(AppError::field("note", "say why the application is not eligible: the student is told"));
    }
    queries::set_eligibility_note(&mut *conn, id, note.trim()).await?;
    move_to(conn, actor, &a, if eligible { S::Eligible } else { S::Ineligible }, note.trim()).await
}

/// What screening did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Screened {
    /// Found eligible.
    pub eligible: i64,
    /// Found not eligible.
    pub ineligible: i64,
}

fn closed_yet(call: &Call) -> AppResult<()> {
    if now_text() < call.closes_at {
        return Err(AppError::Conflict("The call is still open; wait until it closes.".into(), None));
    }
    Ok(())
}

/// Screens every submitted application of a closed call against its conditions.
pub async fn screen(conn: &mut AnyConnection, actor: &Actor, call_id: i64) -> AppResult<Screened> {
    let call = queries::get_call(&mut *conn, call_id).await?;
    closed_yet(&call)?;
    let q = super::model::ApplicationQuery { call_id: Some(call_id), status: Some("submitted".into()), ..Default::default() };
    let mut out = Screened { eligible: 0, ineligible: 0 };
    for a in queries::list_applications(&mut *conn, &q).await? {
        let problems = eligibility_problems(&call, &a);
        let note = problems.join("; ");
        queries::set_eligibility_note(&mut *conn, a.id, &note).await?;
        let to = if problems.is_empty() { S::Eligible } else { S::Ineligible };
        move_to(&mut *conn, actor, &a, to, &note).await?;
        if problems.is_empty() { out.eligible += 1 } else { out.ineligible += 1 }
    }
    Ok(out)
}

/// One criterion's score from one reviewer.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ScoreInput {
    /// Criterion key.
    pub criterion: String,
    /// 0–100.
    pub score: f64,
    /// Comment.
    #[serde(default)]
    pub comment: String,
}

/// Records the caller's scores of an eligible application and recomputes its total by
/// the call's rule over every reviewer.
pub async fn score(conn: &mut AnyConnection, actor: &Actor, reviewer: i64, id: i64, input: &[ScoreInput]) -> AppResult<Option<i64>> {
    let a = queries::get_application(&mut *conn, id).await?;
    if a.status != S::Eligible {
        return Err(AppError::Conflict(format!("The application is {}; only eligible applications are scored.", a.status), None));
    }
    let call = queries::get_call(&mut *conn, a.call_id).await?;
    let criteria = call.criteria();
    let mut errors = Vec::new();
    for (i, s) in input.iter().enumerate() {
        if !criteria.iter().any(|c| c.key == s.criterion) {
            errors.push(FieldError::new(format!("scores[{i}].criterion"), "that is not a criterion of this call"));
        }
        if !(s.score.is_finite() && (0.0..=100.0).contains(&s.score)) {
            errors.push(FieldError::new(format!("scores[{i}].score"), "a score is from 0 to 100"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    for s in input {
        let value = (s.score * 100.0).round() as i64;
        queries::upsert_score(&mut *conn, id, reviewer, &s.criterion, value, s.comment.trim()).await?;
    }
    let all: Vec<scoring::Score> =
        queries::call_scores(&mut *conn, a.call_id).await?.into_iter().filter(|(x, _)| *x == id).map(|(_, s)| s).collect();
    let total = scoring::total(&criteria, &call.scoring_rule, &all);
    queries::set_score(&mut *conn, id, total).await?;
    audit::record(
        &mut *conn,
        actor,
        Action::Update,
        "application_score",
        id,
        None,
        Some(&serde_json::json!({"scores": input.iter().map(|s| (&s.criterion, s.score)).collect::<Vec<_>>(), "total": total})),
    )
    .await?;
    Ok(total)
}

/// Sets or clears the interview slot.
pub async fn interview(conn: &mut AnyConnection, actor: &Actor, id: i64, at: Option<&str>, place: &str) -> AppResult<()> {
    let before = queries::get_application(&mut *conn, id).await?;
    let at = match at.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(
            super::model::parse_instant(t)
                .ok_or_else(|| AppError::field("at", "use a time such as 2025-03-01T09:00 (office time) or 2025-03-01T09:00:00+08:00"))?,
        ),
        None => None,
    };
    queries::set_interview(&mut *conn, id, at.as_deref(), place.trim()).await?;
    let after = queries::get_application(&mut *conn, id).await?;
    audit::record(&mut *conn, actor, Action::Update, "application", id, Some(&before), Some(&after)).await?;
    if let Some(at) = at
        .as_deref()
        .filter(|_| before.interview_at.as_deref() != after.interview_at.as_deref() || before.interview_place != after.interview_place)
    {
        notify::interview(conn, id, at, place.trim()).await?;
    }
    Ok(())
}

/// Places held before a run: offers out and places taken, and the office's manual
/// allocations of eligible applications. (partner, rank)
fn held(apps: &[Application]) -> Vec<(i64, Option<i64>)> {
    apps.iter()
        .filter(|a| {
            matches!(a.status, S::Offered | S::Accepted | S::Nominated | S::PartnerAccepted)
                || (a.status == S::Eligible && a.override_note.is_some())
        })
        .filter_map(|a| a.allocated_partner_id.map(|p| (p, a.rank)))
        .collect()
}

/// Ranks the call's eligible applications and allocates the places; the result is
/// stored on each application (not yet shown to students: see [`publish`]).
pub async fn allocate(conn: &mut AnyConnection, actor: &Actor, call_id: i64) -> AppResult<Vec<Outcome>> {
    queries::lock_call(&mut *conn, call_id).await?;
    let call = queries::get_call(&mut *conn, call_id).await?;
    closed_yet(&call)?;
    if call.published_at.is_some() {
        return Err(AppError::Conflict("The results are published; places given up go to the next in rank by themselves.".into(), None));
    }
    let apps =
        queries::list_applications(&mut *conn, &super::model::ApplicationQuery { call_id: Some(call_id), ..Default::default() }).await?;
    let eligible: Vec<&Application> = apps.iter().filter(|a| a.status == S::Eligible).collect();
    let ranks: HashMap<i64, i64> = allocation::rank(
        eligible
            .iter()
            .map(|a| ToRank {
                application_id: a.id,
                score: a.score_x100,
                gpa: a.gpa_x100,
                submitted_at: a.submitted_at.clone().unwrap_or_default(),
            })
            .collect(),
    )
    .into_iter()
    .collect();
    let outcomes = run(&mut *conn, &call, &apps, &eligible, &ranks).await?;
    queries::mark_call(&mut *conn, call_id, false).await?;
    let summary = serde_json::json!({"allocated": outcomes.iter().filter(|o| o.partner.is_some()).count(), "unplaced": outcomes.iter().filter(|o| o.partner.is_none()).count()});
    audit::record(conn, actor, Action::Update, "call_allocation", call_id, None, Some(&summary)).await?;
    Ok(outcomes)
}

/// Runs the pure allocation over `to_place` (manual allocations kept) and writes it.
async fn run(
    conn: &mut AnyConnection,
    call: &Call,
    apps: &[Application],
    to_place: &[&Application],
    ranks: &HashMap<i64, i64>,
) -> AppResult<Vec<Outcome>> {
    let places: HashMap<i64, i64> = queries::call_partners(&mut *conn, call.id).await?.iter().map(|p| (p.id, p.places)).collect();
    let mut choices: HashMap<i64, Vec<i64>> = HashMap::new();
    for (a, p) in queries::call_choices(&mut *conn, call.id).await? {
        choices.entry(a).or_default().push(p);
    }
    let held = held(apps);
    let ranked: Vec<Ranked> = to_place
        .iter()
        .filter(|a| a.override_note.is_none())
        .map(|a| Ranked {
            application_id: a.id,
            rank: ranks.get(&a.id).copied().unwrap_or(i64::MAX),
            choices: choices.remove(&a.id).unwrap_or_default(),
        })
        .collect();
    let outcomes = allocation::allocate(&places, &held, &ranked);
    for o in &outcomes {
        let json = serde_json::to_string(o).map_err(|e| AppError::Internal(e.into()))?;
        let row = Allocated { rank: Some(o.rank), partner: o.partner, choice: o.priority, json: Some(&json), override_note: None };
        queries::set_allocation(&mut *conn, o.application_id, &row).await?;
    }
    for a in to_place.iter().filter(|a| a.override_note.is_some()) {
        let row = Allocated {
            rank: ranks.get(&a.id).copied().or(a.rank),
            partner: a.allocated_partner_id,
            choice: a.allocated_choice,
            json: a.allocation_json.as_deref(),
            override_note: a.override_note.as_deref(),
        };
        queries::set_allocation(&mut *conn, a.id, &row).await?;
    }
    Ok(outcomes)
}

/// Sets an eligible (or waiting) application's place by hand, with the reason; later
/// runs keep it. `partner` is a call partner row, or None for no place.
pub async fn override_allocation(conn: &mut AnyConnection, actor: &Actor, id: i64, partner: Option<i64>, note: &str) -> AppResult<()> {
    let before = queries::get_application(&mut *conn, id).await?;
    if note.trim().is_empty() {
        return Err(AppError::field("note", "say why the allocation is set by hand: the note is kept and audited"));
    }
    if !matches!(before.status, S::Eligible) {
        return Err(AppError::Conflict(format!("The application is {}; only eligible applications are allocated.", before.status), None));
    }
    let call_partners = queries::call_partners(&mut *conn, before.call_id).await?;
    if partner.is_some_and(|p| !call_partners.iter().any(|c| c.id == p)) {
        return Err(AppError::field("call_partner_id", "that partner is not offered in this call"));
    }
    let choice = match partner {
        Some(p) => queries::choices(&mut *conn, id).await?.iter().find(|c| c.call_partner_id == p).map(|c| c.priority),
        None => None,
    };
    let outcome = Outcome { application_id: id, rank: before.rank.unwrap_or(0), partner, priority: choice, skipped: Vec::new() };
    let json = serde_json::to_string(&outcome).map_err(|e| AppError::Internal(e.into()))?;
    let row = Allocated { rank: before.rank, partner, choice, json: Some(&json), override_note: Some(note.trim()) };
    queries::set_allocation(&mut *conn, id, &row).await?;
    let after = queries::get_application(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "application_allocation", id, Some(&before), Some(&after)).await?;
    Ok(())
}

/// Publishes the allocation: places offered (to be answered within the call's days) or
/// a place on the waiting list, each student told by e-mail.
pub async fn publish(conn: &mut AnyConnection, actor: &Actor, call_id: i64) -> AppResult<()> {
    queries::lock_call(&mut *conn, call_id).await?;
    let call = queries::get_call(&mut *conn, call_id).await?;
    if call.allocated_at.is_none() {
        return Err(AppError::Conflict("Run the allocation before publishing the results.".into(), None));
    }
    if call.published_at.is_some() {
        return Err(AppError::Conflict("The results are already published.".into(), None));
    }
    let respond_by = in_secs_text(call.response_days * 24 * 3600);
    let q = super::model::ApplicationQuery { call_id: Some(call_id), status: Some("eligible".into()), ..Default::default() };
    for a in queries::list_applications(&mut *conn, &q).await? {
        if a.allocated_partner_id.is_some() {
            queries::set_respond_by(&mut *conn, a.id, Some(&respond_by)).await?;
            move_to(&mut *conn, actor, &a, S::Offered, "").await?;
        } else {
            move_to(&mut *conn, actor, &a, S::Waitlisted, "").await?;
        }
    }
    queries::mark_call(conn, call_id, true).await
}

/// Offers the places given up (declined, withdrawn, lapsed) to the waiting list in rank
/// order, by the same allocation; each new offer is mailed with its own answer date.
pub async fn offer_freed_places(conn: &mut AnyConnection, actor: &Actor, call_id: i64) -> AppResult<()> {
    queries::lock_call(&mut *conn, call_id).await?;
    let call = queries::get_call(&mut *conn, call_id).await?;
    if call.published_at.is_none() {
        return Ok(());
    }
    let apps =
        queries::list_applications(&mut *conn, &super::model::ApplicationQuery { call_id: Some(call_id), ..Default::default() }).await?;
    let waiting: Vec<&Application> = apps.iter().filter(|a| a.status == S::Waitlisted).collect();
    let ranks: HashMap<i64, i64> = waiting.iter().map(|a| (a.id, a.rank.unwrap_or(i64::MAX))).collect();
    let outcomes = run(&mut *conn, &call, &apps, &waiting, &ranks).await?;
    let respond_by = in_secs_text(call.response_days * 24 * 3600);
    for o in outcomes.iter().filter(|o| o.partner.is_some()) {
        let a = queries::get_application(&mut *conn, o.application_id).await?;
        queries::set_respond_by(&mut *conn, a.id, Some(&respond_by)).await?;
        move_to(&mut *conn, actor, &a, S::Offered, "").await?;
    }
    Ok(())
}

/// Declines every offer whose answer date has passed and offers the places again; run
/// by the scheduler. Answers how many lapsed.
pub async fn lapse_offers(conn: &mut AnyConnection) -> AppResult<usize> {
    let actor = Actor::system("offer-deadline");
    let lapsed = queries::lapsed_offers(&mut *conn, &now_text()).await?;
    for (id, call_id) in &lapsed {
        let a = queries::get_application(&mut *conn, *id).await?;
        move_to(&mut *conn, &actor, &a, S::Declined, "The time to answer the offer passed.").await?;
        queries::set_respond_by(&mut *conn, *id, None).await?;
        offer_freed_places(&mut *conn, &actor, *call_id).await?;
    }
    Ok(lapsed.len())
}
