//! Nominating students to partners, and partners answering through their link.
//!
//! A nomination creates the mobility (status nominated) through the programmes module's
//! own service, so it is counted in quotas, `mobility_counts` and the exchange balance
//! like any other; the partner's coordinator is mailed a signed link. The partner's
//! answer moves the application and the mobility together (accepted, or withdrawn when
//! rejected). Incoming calls take the partners' nominees the same way in reverse: each
//! becomes a person and an inbound mobility.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::{
    links::{self, Purpose},
    model::{ApplicationStatus as S, CallPartner, check_step},
    notify, queries,
};
use crate::{
    audit::{self, Action, Actor},
    error::{AppError, AppResult},
    programmes::{
        mobilities,
        model::{MobilityStatus, NewMobility},
    },
};

/// What a nomination run did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Nominated {
    /// Applications nominated now.
    pub applications: Vec<i64>,
    /// The mobilities created for them.
    pub mobilities: Vec<i64>,
    /// Partners mailed a link (those with a coordinator address).
    pub partners_mailed: Vec<i64>,
}

/// The call's partner row for a link or an application.
fn partner_of(partners: &[CallPartner], id: i64) -> AppResult<&CallPartner> {
    partners.iter().find(|p| p.id == id).ok_or(AppError::NotFound)
}

/// Nominates every accepted application of a call: a person and a nominated mobility
/// each, then one e-mail with a link per partner. `base` is the public URL's base.
pub async fn nominate(conn: &mut AnyConnection, actor: &Actor, call_id: i64, base: &str) -> AppResult<Nominated> {
    queries::lock_call(&mut *conn, call_id).await?;
    let call = queries::get_call(&mut *conn, call_id).await?;
    let partners = queries::call_partners(&mut *conn, call_id).await?;
    let home = queries::home_institution(&mut *conn).await?;
    let q = super::model::ApplicationQuery { call_id: Some(call_id), status: Some("accepted".into()), ..Default::default() };
    let mut out = Nominated { applications: Vec::new(), mobilities: Vec::new(), partners_mailed: Vec::new() };
    let mut by_partner: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for a in queries::list_applications(&mut *conn, &q).await? {
        let cp = partner_of(&partners, a.allocated_partner_id.ok_or(AppError::NotFound)?)?;
        let person = queries::insert_person(&mut *conn, &a.student_name, a.student_email.as_deref(), home).await?;
        let m = NewMobility {
            programme_id: cp.programme_id,
            person_id: person,
            participant_kind: "student".into(),
            direction: "outbound".into(),
            partner_institution_id: Some(cp.institution_id),
            academic_year: call.academic_year.clone(),
            start_date: call.mobility_start.clone(),
            end_date: call.mobility_end.clone(),
            override_warnings: false,
            override_note: None,
        };
        let mobility = mobilities::create_mobility(&mut *conn, actor, &m).await?;
        queries::set_nominated(&mut *conn, a.id, person, mobility).await?;
        check_step(a.status, S::Nominated)?;
        queries::move_status(&mut *conn, a.id, a.status, S::Nominated, "", &actor.label).await?;
        let after = queries::get_application(&mut *conn, a.id).await?;
        audit::record(&mut *conn, actor, Action::Update, "application", a.id, Some(&a), Some(&after)).await?;
        notify::student(&mut *conn, a.id, S::Nominated, "").await?;
        by_partner.entry(cp.id).or_default().push(a.student_name.clone());
        out.applications.push(a.id);
        out.mobilities.push(mobility);
    }
    for (cp_id, names) in &by_partner {
        let cp = partner_of(&partners, *cp_id)?;
        let Some(to) = cp.coordinator_email.as_deref() else { continue };
        let token = links::sign(&mut *conn, Purpose::Review, *cp_id).await?;
        let path = format!("{base}/partner/review/{token}");
        let key = format!("nominations:{cp_id}:{}", out.applications.first().copied().unwrap_or(0));
        notify::partner(&mut *conn, &key, to, &call.title_en, names, &path).await?;
        out.partners_mailed.push(cp.institution_id);
    }
    Ok(out)
}

/// A partner's answer on one nominee.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PartnerDecision {
    /// Accept (true) or reject (false).
    pub accept: bool,
    /// Why (required to reject).
    #[serde(default)]
    pub reason: String,
}

/// Records a partner's answer, reached through a link for `call_partner_id`: the
/// application and its mobility move together.
pub async fn decide(conn: &mut AnyConnection, call_partner_id: i64, application_id: i64, d: &PartnerDecision) -> AppResult<S> {
    let a = queries::get_application(&mut *conn, application_id).await?;
    if a.allocated_partner_id != Some(call_partner_id) || a.mobility_id.is_none() {
        return Err(AppError::NotFound);
    }
    if !d.accept && d.reason.trim().is_empty() {
        return Err(AppError::field("reason", "say why the nominee is not accepted: the student and the office are told"));
    }
    if a.status != S::Nominated {
        return Err(AppError::Conflict(format!("This nominee is already {}.", a.status), None));
    }
    let actor = Actor::system(&format!("partner link ({call_partner_id})"));
    let to = if d.accept { S::PartnerAccepted } else { S::PartnerRejected };
    queries::set_partner_reason(&mut *conn, a.id, d.reason.trim()).await?;
    if !queries::move_status(&mut *conn, a.id, a.status, to, d.reason.trim(), &actor.label).await? {
        return Err(AppError::Conflict("The nominee changed meanwhile; reload and try again.".into(), None));
    }
    if let Some(m) = a.mobility_id {
        mobilities::set_status(&mut *conn, &actor, m, if d.accept { MobilityStatus::Accepted } else { MobilityStatus::Withdrawn }).await?;
    }
    let after = queries::get_application(&mut *conn, a.id).await?;
    audit::record(&mut *conn, &actor, Action::Update, "application", a.id, Some(&a), Some(&after)).await?;
    notify::student(conn, a.id, to, d.reason.trim()).await?;
    Ok(to)
}

/// One incoming nominee.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Nominee {
    /// The call's partner row nominating.
    #[serde(default)]
    pub call_partner_id: i64,
    /// Name.
    pub name: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
}

/// Records an incoming nominee of a partner (by the office or through the partner's
/// link): a person at the partner and an inbound mobility, nominated. Answers the
/// mobility's id.
pub async fn incoming(conn: &mut AnyConnection, actor: &Actor, call_id: i64, n: &Nominee) -> AppResult<i64> {
    let call = queries::get_call(&mut *conn, call_id).await?;
    if call.direction != "inbound" {
        return Err(AppError::Conflict("This call is for our own students; partners nominate only to incoming calls.".into(), None));
    }
    let partners = queries::call_partners(&mut *conn, call_id).await?;
    let cp = partner_of(&partners, n.call_partner_id)
        .map_err(|_| AppError::field("call_partner_id", "that partner is not offered in this call"))?;
    let name = n.name.trim();
    if name.is_empty() {
        return Err(AppError::field("name", "give the nominee's name"));
    }
    let email = Some(n.email.trim()).filter(|e| !e.is_empty());
    if email.is_some_and(|e| !e.contains('@')) {
        return Err(AppError::field("email", "give an e-mail address such as name@example.edu"));
    }
    let person = queries::insert_person(&mut *conn, name, email, Some(cp.institution_id)).await?;
    let m = NewMobility {
        programme_id: cp.programme_id,
        person_id: person,
        participant_kind: "student".into(),
        direction: "inbound".into(),
        partner_institution_id: Some(cp.institution_id),
        academic_year: call.academic_year.clone(),
        start_date: call.mobility_start.clone(),
        end_date: call.mobility_end.clone(),
        override_warnings: false,
        override_note: None,
    };
    mobilities::create_mobility(conn, actor, &m).await
}

/// The call's partner row a link opens (404 when the link is not valid for `purpose`).
pub async fn link_partner(conn: &mut AnyConnection, purpose: Purpose, token: &str) -> AppResult<(super::model::Call, CallPartner)> {
    let cp_id = links::verify(&mut *conn, purpose, token).await?;
    let call_id = queries::call_of_partner(&mut *conn, cp_id).await?;
    let call = queries::get_call(&mut *conn, call_id).await?;
    let partners = queries::call_partners(&mut *conn, call_id).await?;
    let cp = partner_of(&partners, cp_id)?.clone();
    Ok((call, cp))
}
