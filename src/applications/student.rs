//! The student's side: start an application to an open call, fill it in, rank partners,
//! submit, withdraw, and answer an offer. Every rule that depends on time is checked
//! here, on the server, against the clock: after the call closes nothing of the
//! application can change, whatever the page showed.

use sqlx::AnyConnection;

use super::{
    model::{
        Application, ApplicationDetail, ApplicationInput, ApplicationStatus as S, Call, LEVELS, StudentAction, check_step, editable,
        missing, parse_gpa,
    },
    notify, office,
    queries::{self, Fields},
};
use crate::{
    audit::{self, Action, Actor},
    error::{AppError, AppResult, FieldError},
    status::Status,
    time::now_text,
};

/// The application if it is the student's own (404 otherwise: others' are not revealed).
pub async fn own(conn: &mut AnyConnection, user_id: i64, id: i64) -> AppResult<Application> {
    let a = queries::get_application(conn, id).await?;
    if a.user_id != user_id { Err(AppError::NotFound) } else { Ok(a) }
}

fn closed(call: &Call) -> AppError {
    AppError::Conflict(
        format!("The call closed at {}; applications can no longer be changed.", crate::time::local_display(&call.closes_at)),
        None,
    )
}

/// Starts a draft application to an open outgoing call; answers its id.
pub async fn start(conn: &mut AnyConnection, actor: &Actor, user_id: i64, call_id: i64) -> AppResult<i64> {
    let call = queries::get_call(&mut *conn, call_id).await?;
    if call.direction != "outbound" {
        return Err(AppError::Conflict("Students do not apply to this call: its nominees come from the partners.".into(), None));
    }
    let now = now_text();
    if !call.is_open_at(&now) {
        return Err(if now < call.opens_at { AppError::Conflict("The call is not open yet.".into(), None) } else { closed(&call) });
    }
    let id = queries::insert_application(&mut *conn, call_id, user_id).await?;
    queries::move_status(&mut *conn, id, S::Draft, S::Draft, "", &actor.label).await?;
    let after = queries::get_application(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Create, "application", id, None, Some(&after)).await?;
    Ok(id)
}

/// Checks the student's choices: partners of this call, none twice, at most the call's
/// number.
fn check_choices(call: &Call, partners: &[i64], given: &[i64], errors: &mut Vec<FieldError>) {
    if given.len() as i64 > call.max_choices {
        errors.push(FieldError::new("choices", format!("rank at most {n} partners", n = call.max_choices)));
    }
    for (i, c) in given.iter().enumerate() {
        if !partners.contains(c) {
            errors.push(FieldError::new(format!("choices[{i}]"), "that partner is not offered in this call"));
        } else if given[..i].contains(c) {
            errors.push(FieldError::new(format!("choices[{i}]"), "this partner is already ranked higher"));
        }
    }
}

/// Saves the student's fields and choices (absent fields stay as they are).
pub async fn update(conn: &mut AnyConnection, actor: &Actor, user_id: i64, id: i64, input: &ApplicationInput) -> AppResult<()> {
    let before = own(&mut *conn, user_id, id).await?;
    let call = queries::get_call(&mut *conn, before.call_id).await?;
    if !call.is_open_at(&now_text()) {
        return Err(closed(&call));
    }
    if !editable(before.status, true) {
        return Err(AppError::Conflict(format!("The application is {}; it can no longer be changed.", before.status), None));
    }
    let mut errors = Vec::new();
    let level = input.level.clone().unwrap_or_else(|| before.level.clone()).trim().to_string();
    if !level.is_empty() && !LEVELS.contains(&level.as_str()) {
        errors.push(FieldError::new("level", "use undergraduate, master or doctoral"));
    }
    let gpa = match input.gpa.as_deref().map(str::trim) {
        Some("") => None,
        Some(g) => parse_gpa(g).map_err(|e| errors.push(FieldError::new("gpa", e))).ok(),
        None => before.gpa_x100,
    };
    let text = |v: &Option<String>, old: &str, max: usize, field: &str, errors: &mut Vec<FieldError>| {
        let t = v.as_deref().unwrap_or(old).trim().to_string();
        if t.chars().count() > max {
            errors.push(FieldError::new(field, format!("at most {max} characters")));
        }
        t
    };
    let number = text(&input.student_number, &before.student_number, 40, "student_number", &mut errors);
    let faculty = text(&input.faculty, &before.faculty, 200, "faculty", &mut errors);
    let phone = text(&input.phone, &before.phone, 40, "phone", &mut errors);
    let cert = text(&input.language_certificate, &before.language_certificate, 200, "language_certificate", &mut errors);
    let motivation = text(&input.motivation, &before.motivation, 5000, "motivation", &mut errors);
    let partners: Vec<i64> = queries::call_partners(&mut *conn, call.id).await?.iter().map(|p| p.id).collect();
    if let Some(given) = &input.choices {
        check_choices(&call, &partners, given, &mut errors);
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let fields = Fields { level: &level, gpa, texts: [&number, &faculty, &phone, &cert, &motivation] };
    queries::update_fields(&mut *conn, id, &fields).await?;
    if let Some(given) = &input.choices {
        queries::set_choices(&mut *conn, id, given).await?;
    }
    let after = queries::get_application(&mut *conn, id).await?;
    audit::record(conn, actor, Action::Update, "application", id, Some(&before), Some(&after)).await?;
    Ok(())
}

/// The steps the student may take now.
pub fn actions(a: &Application, call: &Call, now: &str) -> Vec<StudentAction> {
    let open = call.is_open_at(now);
    let answer_in_time = a.respond_by.as_deref().is_none_or(|by| now < by);
    let mut out = Vec::new();
    if a.status == S::Draft && open {
        out.push(StudentAction::Submit);
    }
    if a.status == S::Offered && answer_in_time {
        out.extend([StudentAction::Accept, StudentAction::Decline]);
    }
    let may_withdraw = match a.status {
        S::Draft | S::Submitted => open,
        s => s.can_move_to(S::Withdrawn),
    };
    if may_withdraw {
        out.push(StudentAction::Withdraw);
    }
    out
}

/// Takes a student's step (submit, withdraw, accept, decline), mails them, and when a
/// place is given up offers it to the next in rank.
pub async fn step(conn: &mut AnyConnection, actor: &Actor, user_id: i64, id: i64, action: StudentAction) -> AppResult<S> {
    let before = own(&mut *conn, user_id, id).await?;
    let call = queries::get_call(&mut *conn, before.call_id).await?;
    let now = now_text();
    let to = action.target();
    check_step(before.status, to)?;
    if !actions(&before, &call, &now).contains(&action) {
        return Err(match action {
            StudentAction::Accept | StudentAction::Decline => {
                AppError::Conflict("The time to answer this offer has passed; the place went to the next in rank.".into(), None)
            }
            _ => closed(&call),
        });
    }
    if action == StudentAction::Submit {
        let choices = queries::choices(&mut *conn, id).await?.len();
        let docs = queries::documents(&mut *conn, id).await?;
        let lacking = missing(&call, &before, choices, &docs);
        if !lacking.is_empty() {
            let errors = lacking.iter().map(|m| FieldError::new(m.clone(), "this is still missing")).collect();
            return Err(AppError::Validation(errors));
        }
    }
    if !queries::move_status(&mut *conn, id, before.status, to, "", &actor.label).await? {
        return Err(AppError::Conflict("The application changed meanwhile; reload and try again.".into(), None));
    }
    let held_place = matches!(before.status, S::Offered | S::Accepted) && before.allocated_partner_id.is_some();
    let after = queries::get_application(&mut *conn, id).await?;
    audit::record(&mut *conn, actor, Action::Update, "application", id, Some(&before), Some(&after)).await?;
    notify::student(&mut *conn, id, to, "").await?;
    if held_place {
        queries::set_respond_by(&mut *conn, id, None).await?;
        office::offer_freed_places(conn, actor, call.id).await?;
    }
    Ok(to)
}

/// Everything the student's page (or the office's) shows of an application.
pub async fn detail(conn: &mut AnyConnection, a: Application, office_view: bool, zh: bool) -> AppResult<ApplicationDetail> {
    let call = queries::get_call(&mut *conn, a.call_id).await?;
    let partners = queries::call_partners(&mut *conn, call.id).await?;
    detail_with(conn, a, &call, &partners, office_view, zh).await
}

/// [`detail`] with the call and its partners already read.
pub async fn detail_with(
    conn: &mut AnyConnection,
    a: Application,
    call: &Call,
    partners: &[super::model::CallPartner],
    office_view: bool,
    zh: bool,
) -> AppResult<ApplicationDetail> {
    let choices = queries::choices(&mut *conn, a.id).await?;
    let documents = queries::documents(&mut *conn, a.id).await?;
    let now = now_text();
    let published = call.published_at.is_some();
    let explanation = match a.outcome() {
        Some(o) if office_view || published => {
            let name = |p: i64| partners.iter().find(|c| c.id == p).map(|c| c.name.clone()).unwrap_or_else(|| format!("#{p}"));
            let mut text = super::model::allocation::explain(&o, &name, zh);
            if let Some(note) = a.override_note.as_deref().filter(|_| office_view) {
                text = format!("{text} ({note})");
            }
            Some(text)
        }
        _ => None,
    };
    let scores = if office_view { queries::scores(&mut *conn, a.id).await? } else { Vec::new() };
    Ok(ApplicationDetail {
        missing: missing(call, &a, choices.len(), &documents),
        editable: editable(a.status, call.is_open_at(&now)),
        student_actions: actions(&a, call, &now),
        explanation,
        scores,
        choices,
        documents,
        application: a,
    })
}
