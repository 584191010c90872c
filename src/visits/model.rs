//! Visit types, their input, and the rules that input must meet (parsed once, here).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, FieldError};

/// Inbound (a delegation comes to us) or outbound (we send one).
pub const DIRECTIONS: &[&str] = &["inbound", "outbound"];
/// Visit statuses, in their order (cancelled may end any but completed).
pub const STATUSES: &[&str] = &["planned", "confirmed", "completed", "cancelled"];
/// Roles in a delegation.
pub const MEMBER_ROLES: &[&str] = &["leader", "member", "interpreter", "other"];
/// Kinds of agenda session.
pub const SESSION_KINDS: &[&str] = &["courtesy_meeting", "symposium", "signing_ceremony", "campus_tour", "banquet", "other"];
/// Kinds of outcome.
pub const OUTCOME_KINDS: &[&str] = &["consensus", "decision"];
/// Follow-up action statuses.
pub const ACTION_STATUSES: &[&str] = &["open", "done", "cancelled"];

/// A named member of the delegation, as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MemberInput {
    /// The person (from the directory of people).
    pub person_id: i64,
    /// leader, member, interpreter or other (default member).
    #[serde(default = "default_role")]
    pub role: String,
}

fn default_role() -> String {
    "member".into()
}

/// A host: an official (person) or a unit of the home institution — one of the two.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct HostInput {
    /// A person.
    #[serde(default)]
    pub person_id: Option<i64>,
    /// A unit.
    #[serde(default)]
    pub unit_id: Option<i64>,
}

/// A new visit.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewVisit {
    /// inbound or outbound.
    pub direction: String,
    /// Short title, e.g. "IUKL delegation: symposium on educational cooperation".
    pub title: String,
    /// Why they come (or we go).
    #[serde(default)]
    pub purpose: String,
    /// First day (YYYY-MM-DD, in the venue's time zone).
    pub start_date: String,
    /// Last day (YYYY-MM-DD).
    pub end_date: String,
    /// IANA time zone of the venue (default Asia/Shanghai).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Partner institutions: the visiting ones (inbound) or the ones visited (outbound).
    #[serde(default)]
    pub institution_ids: Vec<i64>,
    /// People in the delegation, named or not (default: the named members).
    #[serde(default)]
    pub head_count: Option<i64>,
    /// Named members with their roles.
    #[serde(default)]
    pub members: Vec<MemberInput>,
    /// The leader, who must be one of `members` (alternative to giving a member the role leader).
    #[serde(default)]
    pub leader_person_id: Option<i64>,
    /// Hosts: officials and units of the home institution.
    #[serde(default)]
    pub hosts: Vec<HostInput>,
}

/// Changes to a visit's own fields (the delegation, hosts and agenda have their own calls).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateVisit {
    /// Title.
    pub title: Option<String>,
    /// Purpose.
    pub purpose: Option<String>,
    /// First day.
    pub start_date: Option<String>,
    /// Last day.
    pub end_date: Option<String>,
    /// Time zone.
    pub time_zone: Option<String>,
    /// Head count.
    pub head_count: Option<i64>,
}

/// The checked fields of a visit row.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitFields {
    /// inbound/outbound.
    pub direction: String,
    /// Title.
    pub title: String,
    /// Purpose.
    pub purpose: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// IANA zone.
    pub time_zone: String,
    /// Head count.
    pub head_count: i64,
}

/// Checks the visit's own fields (as typed), collecting every problem; `named` is the
/// number of named members, which the head count must reach.
pub fn check_fields(raw: &VisitFields, named: usize) -> Result<VisitFields, AppError> {
    let VisitFields { direction, title, purpose, start_date: start, end_date: end, time_zone: tz, head_count } = raw;
    let head_count = *head_count;
    let mut errors = Vec::new();
    if !DIRECTIONS.contains(&direction.as_str()) {
        errors.push(FieldError::new("direction", "choose inbound (they visit us) or outbound (we visit them)"));
    }
    if title.trim().is_empty() {
        errors.push(FieldError::new("title", "give the visit a title"));
    }
    let s = crate::time::parse_date(start);
    let e = crate::time::parse_date(end);
    if s.is_none() {
        errors.push(FieldError::new("start_date", "use a date such as 2024-05-08"));
    }
    if e.is_none() {
        errors.push(FieldError::new("end_date", "use a date such as 2024-05-08"));
    }
    if let (Some(s), Some(e)) = (&s, &e)
        && e < s
    {
        errors.push(FieldError::new("end_date", "the visit ends before it starts"));
    }
    if jiff::tz::TimeZone::get(tz).is_err() {
        errors.push(FieldError::new("time_zone", format!("'{tz}' is not an IANA time zone such as Asia/Shanghai")));
    }
    if head_count < 0 {
        errors.push(FieldError::new("head_count", "the head count cannot be negative"));
    } else if (head_count as usize) < named {
        errors.push(FieldError::new(
            "head_count",
            format!("the delegation has {named} named members, so the head count must be at least {named}"),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(VisitFields {
        direction: direction.to_string(),
        title: title.trim().to_string(),
        purpose: purpose.trim().to_string(),
        start_date: s.unwrap_or_default(),
        end_date: e.unwrap_or_default(),
        time_zone: tz.to_string(),
        head_count,
    })
}

/// Checks the delegation: roles known, nobody twice, at most one leader, and a leader
/// given separately must be one of the members. Returns the members with the leader's
/// role applied.
pub fn check_members(members: &[MemberInput], leader: Option<i64>) -> Result<Vec<MemberInput>, AppError> {
    let mut errors = Vec::new();
    let mut out: Vec<MemberInput> = members.to_vec();
    for (i, m) in out.iter().enumerate() {
        if !MEMBER_ROLES.contains(&m.role.as_str()) {
            errors.push(FieldError::new(format!("members[{i}].role"), "use leader, member, interpreter or other"));
        }
        if out[..i].iter().any(|o| o.person_id == m.person_id) {
            errors.push(FieldError::new(format!("members[{i}].person_id"), "this person is already in the delegation"));
        }
    }
    if let Some(l) = leader {
        match out.iter_mut().find(|m| m.person_id == l) {
            Some(m) => m.role = "leader".into(),
            None => errors.push(FieldError::new(
                "leader_person_id",
                "the leader must be one of the named members of the delegation: add them to the members first",
            )),
        }
    }
    if out.iter().filter(|m| m.role == "leader").count() > 1 {
        errors.push(FieldError::new("members", "a delegation has one leader; give the others the role member"));
    }
    if errors.is_empty() { Ok(out) } else { Err(AppError::Validation(errors)) }
}

/// Checks that each host is a person or a unit, not both, not neither.
pub fn check_hosts(hosts: &[HostInput]) -> Result<(), AppError> {
    let errors: Vec<FieldError> = hosts
        .iter()
        .enumerate()
        .filter(|(_, h)| h.person_id.is_some() == h.unit_id.is_some())
        .map(|(i, _)| FieldError::new(format!("hosts[{i}]"), "a host is either a person (person_id) or a unit (unit_id)"))
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(AppError::Validation(errors)) }
}

/// Whether a visit may go from `from` to `to`; cancelling needs a reason.
pub fn check_transition(from: &str, to: &str, reason: Option<&str>) -> Result<(), AppError> {
    let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
    let msg = match (from, to) {
        (_, t) if !STATUSES.contains(&t) => Some("use planned, confirmed, completed or cancelled".to_string()),
        (f, t) if f == t => Some(format!("the visit is already {f}")),
        ("planned", "confirmed") | ("confirmed", "completed") => None,
        ("planned" | "confirmed", "cancelled") if has_reason => None,
        ("planned" | "confirmed", "cancelled") => {
            return Err(AppError::field("reason", "say why the visit is cancelled"));
        }
        ("planned", "completed") => Some("confirm the visit before completing it (planned → confirmed → completed)".into()),
        ("completed", _) => Some("a completed visit is closed; its status no longer changes".into()),
        ("cancelled", _) => Some("a cancelled visit stays cancelled; record a new visit instead".into()),
        (_, "planned") => Some("a visit cannot go back to planned".into()),
        _ => Some(format!("a visit cannot go from {from} to {to}")),
    };
    match msg {
        None => Ok(()),
        Some(m) => Err(AppError::field("status", m)),
    }
}

/// A visit in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitSummary {
    /// Id.
    pub id: i64,
    /// inbound/outbound.
    pub direction: String,
    /// Title.
    pub title: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Status.
    pub status: String,
    /// Head count.
    pub head_count: i64,
    /// Partner institutions' names, joined.
    pub institutions: String,
}

/// A partner institution of a visit.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct VisitInstitution {
    /// Id.
    pub id: i64,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// Acronym.
    pub acronym: Option<String>,
    /// Country code.
    pub country: String,
}

/// A named member of the delegation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Member {
    /// Person id.
    pub person_id: i64,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// Role in the delegation.
    pub role: String,
    /// Current positions, joined ("Vice President; Director, Institute of Smart Industry").
    pub titles: String,
    /// The person's institution.
    pub institution_id: Option<i64>,
}

/// A host (person or unit).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Host {
    /// Row id.
    pub id: i64,
    /// Person, if an official.
    pub person_id: Option<i64>,
    /// Unit, if a unit.
    pub unit_id: Option<i64>,
    /// Name (person's or all of the unit's names, "School of Foreign Studies (School of International Education)").
    pub name: String,
    /// Positions of a person.
    pub titles: String,
}

/// An agenda session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Session {
    /// Id.
    pub id: i64,
    /// Visit.
    pub visit_id: i64,
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Start (UTC).
    pub starts_at: String,
    /// End (UTC).
    pub ends_at: String,
    /// The venue's time zone (the room's building's, else the visit's).
    pub time_zone: String,
    /// Local start, `YYYY-MM-DD HH:MM`.
    pub local_start: String,
    /// Local end, `HH:MM`.
    pub local_end: String,
    /// Room.
    pub room_id: Option<i64>,
    /// Room and building, e.g. "Conference room 1508, Shixun Building".
    pub room: Option<String>,
    /// The room booking.
    pub booking_id: Option<i64>,
    /// Its status.
    pub booking_status: Option<String>,
    /// Venue text when not in one of our rooms.
    pub venue: String,
    /// Participants.
    pub participants: Vec<PersonRef>,
    /// Cooperation-area keys.
    pub topics: Vec<String>,
    /// Minutes.
    pub minutes: String,
    /// Goes up with each change (calendar clients replace the event).
    pub sequence: i64,
}

impl Session {
    /// The local day, `YYYY-MM-DD`.
    pub fn day(&self) -> &str {
        self.local_start.get(..10).unwrap_or("")
    }

    /// Local start time, `HH:MM`.
    pub fn start_time(&self) -> &str {
        self.local_start.get(11..).unwrap_or("")
    }

    /// Where, in words.
    pub fn place(&self) -> &str {
        self.room.as_deref().unwrap_or(&self.venue)
    }
}

/// A person, briefly.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct PersonRef {
    /// Id.
    pub id: i64,
    /// English name.
    pub name_en: String,
}

/// A session, as sent. Times are RFC 3339 with an offset.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewSession {
    /// Kind (courtesy_meeting, symposium, signing_ceremony, campus_tour, banquet, other).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Start.
    pub starts_at: String,
    /// End.
    pub ends_at: String,
    /// A room to book (one of ours).
    #[serde(default)]
    pub room_id: Option<i64>,
    /// Or a venue in words.
    #[serde(default)]
    pub venue: String,
    /// People taking part.
    #[serde(default)]
    pub participant_ids: Vec<i64>,
    /// Cooperation-area keys.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Minutes.
    #[serde(default)]
    pub minutes: String,
    /// Expected attendees for the booking (default: head count plus host officials).
    #[serde(default)]
    pub attendees: Option<i64>,
}

/// Changes to a session: only the fields given change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateSession {
    /// Kind.
    pub kind: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Start.
    pub starts_at: Option<String>,
    /// End.
    pub ends_at: Option<String>,
    /// Room (0 removes the room).
    pub room_id: Option<i64>,
    /// Venue.
    pub venue: Option<String>,
    /// Participants (replaces the list).
    pub participant_ids: Option<Vec<i64>>,
    /// Topics (replaces the list).
    pub topics: Option<Vec<String>>,
    /// Minutes.
    pub minutes: Option<String>,
    /// Attendees for a new booking.
    pub attendees: Option<i64>,
}

/// A session's checked times.
#[derive(Debug, Clone)]
pub struct SessionTimes {
    /// Start.
    pub start: jiff::Timestamp,
    /// End.
    pub end: jiff::Timestamp,
}

/// Checks a session's own fields against its visit: kind, title, times (end after start,
/// inside the visit's dates in the venue's time zone), topics.
pub fn check_session(s: &NewSession, start_date: &str, end_date: &str, tz: &str) -> Result<SessionTimes, AppError> {
    let mut errors = Vec::new();
    if !SESSION_KINDS.contains(&s.kind.as_str()) {
        errors.push(FieldError::new("kind", "use courtesy_meeting, symposium, signing_ceremony, campus_tour, banquet or other"));
    }
    if s.title.trim().is_empty() {
        errors.push(FieldError::new("title", "give the session a title"));
    }
    let parse = |field: &str, t: &str, errors: &mut Vec<FieldError>| {
        t.trim()
            .parse::<jiff::Timestamp>()
            .map_err(|_| errors.push(FieldError::new(field, "use a date and time with its offset, e.g. 2024-05-08T09:30:00+08:00")))
            .ok()
    };
    let start = parse("starts_at", &s.starts_at, &mut errors);
    let end = parse("ends_at", &s.ends_at, &mut errors);
    if let (Some(a), Some(b)) = (start, end) {
        if b <= a {
            errors.push(FieldError::new("ends_at", "the session ends before it starts"));
        }
        let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
        let day = |t: jiff::Timestamp| t.to_zoned_datetime(zone.clone()).date().to_string();
        let last = day(b.checked_sub(jiff::SignedDuration::from_secs(1)).unwrap_or(b));
        if day(a).as_str() < start_date || last.as_str() > end_date {
            errors.push(FieldError::new(
                "starts_at",
                format!(
                    "the session falls outside the visit's dates ({start_date} to {end_date}, {tz}); change the time or the visit's dates"
                ),
            ));
        }
    }
    for (i, t) in s.topics.iter().enumerate() {
        if crate::cooperation::area(t).is_none() {
            let keys: Vec<&str> = crate::cooperation::AREAS.iter().map(|a| a.key).collect();
            errors
                .push(FieldError::new(format!("topics[{i}]"), format!("'{t}' is not a cooperation area; use one of {}", keys.join(", "))));
        }
    }
    if s.attendees.is_some_and(|a| a < 1) {
        errors.push(FieldError::new("attendees", "give at least 1, or leave it out"));
    }
    match (start, end, errors.is_empty()) {
        (Some(start), Some(end), true) => Ok(SessionTimes { start, end }),
        _ => Err(AppError::Validation(errors)),
    }
}

/// An outcome: consensus or decision.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Outcome {
    /// Id.
    pub id: i64,
    /// consensus or decision.
    pub kind: String,
    /// What was agreed.
    pub text: String,
    /// Recorded at.
    pub created_at: String,
}

/// A new outcome.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewOutcome {
    /// consensus or decision.
    pub kind: String,
    /// What was agreed.
    pub text: String,
}

/// A follow-up action.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Action {
    /// Id.
    pub id: i64,
    /// Visit.
    pub visit_id: i64,
    /// The visit's title.
    pub visit_title: String,
    /// The outcome it follows from.
    pub outcome_id: Option<i64>,
    /// What to do.
    pub title: String,
    /// Owner (user).
    pub owner_id: Option<i64>,
    /// Owner's name.
    pub owner: Option<String>,
    /// Due date.
    pub due_date: String,
    /// open, done or cancelled.
    pub status: String,
}

impl Action {
    /// Open and due before `today`.
    pub fn is_overdue(&self, today: &str) -> bool {
        self.status == "open" && self.due_date.as_str() < today
    }
}

/// A new action.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewAction {
    /// What to do.
    pub title: String,
    /// Owner (a user id).
    pub owner_id: Option<i64>,
    /// Due date (YYYY-MM-DD).
    pub due_date: String,
    /// The outcome it follows from.
    #[serde(default)]
    pub outcome_id: Option<i64>,
}

/// Changes to an action.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateAction {
    /// open, done or cancelled.
    pub status: Option<String>,
    /// New due date.
    pub due_date: Option<String>,
    /// New owner.
    pub owner_id: Option<i64>,
}

/// One status change.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct StatusEvent {
    /// New status.
    pub status: String,
    /// Why (required for cancelling).
    pub reason: Option<String>,
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
}

/// A visit with everything recorded about it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Visit {
    /// Id.
    pub id: i64,
    /// inbound/outbound.
    pub direction: String,
    /// Title.
    pub title: String,
    /// Purpose.
    pub purpose: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// The venue's time zone.
    pub time_zone: String,
    /// planned, confirmed, completed or cancelled.
    pub status: String,
    /// People in the delegation (may exceed the named members).
    pub head_count: i64,
    /// Partner institutions.
    pub institutions: Vec<VisitInstitution>,
    /// Named members.
    pub members: Vec<Member>,
    /// Hosts.
    pub hosts: Vec<Host>,
    /// Agenda, in time order.
    pub sessions: Vec<Session>,
    /// Outcomes.
    pub outcomes: Vec<Outcome>,
    /// Follow-up actions.
    pub actions: Vec<Action>,
    /// Status history.
    pub history: Vec<StatusEvent>,
}

impl Visit {
    /// The delegation's leader.
    pub fn leader(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.role == "leader")
    }

    /// The agenda's days, in order, each with its sessions.
    pub fn days(&self) -> Vec<(String, Vec<&Session>)> {
        let mut out: Vec<(String, Vec<&Session>)> = Vec::new();
        for s in &self.sessions {
            match out.last_mut() {
                Some((d, v)) if d == s.day() => v.push(s),
                _ => out.push((s.day().to_string(), vec![s])),
            }
        }
        out
    }

    /// Statuses this visit may move to next.
    pub fn next_statuses(&self) -> Vec<&'static str> {
        STATUSES.iter().copied().filter(|t| check_transition(&self.status, t, Some("x")).is_ok()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(start: &str, end: &str, head: i64, named: usize) -> Result<VisitFields, AppError> {
        let raw = VisitFields {
            direction: "inbound".into(),
            title: "IUKL".into(),
            purpose: String::new(),
            start_date: start.into(),
            end_date: end.into(),
            time_zone: "Asia/Shanghai".into(),
            head_count: head,
        };
        check_fields(&raw, named)
    }

    #[test]
    fn a_head_count_may_exceed_the_named_members_but_not_fall_below() {
        assert!(fields("2024-05-08", "2024-05-08", 4, 1).is_ok());
        assert!(fields("2024-05-08", "2024-05-08", 0, 1).is_err());
    }

    #[test]
    fn dates_must_be_real_and_in_order() {
        assert!(fields("2024-05-09", "2024-05-08", 1, 0).is_err());
        assert!(fields("2024-02-30", "2024-03-01", 1, 0).is_err());
    }

    #[test]
    fn the_leader_must_be_a_member_and_only_one() {
        let m = |p, r: &str| MemberInput { person_id: p, role: r.into() };
        assert!(check_members(&[m(1, "member")], Some(2)).is_err());
        assert_eq!(check_members(&[m(1, "member")], Some(1)).expect("ok")[0].role, "leader");
        assert!(check_members(&[m(1, "leader"), m(2, "leader")], None).is_err());
        assert!(check_members(&[m(1, "member"), m(1, "interpreter")], None).is_err());
        assert!(check_members(&[m(1, "boss")], None).is_err());
    }

    #[test]
    fn status_moves_one_step_at_a_time() {
        assert!(check_transition("planned", "confirmed", None).is_ok());
        assert!(check_transition("confirmed", "completed", None).is_ok());
        assert!(check_transition("planned", "completed", None).is_err());
        assert!(check_transition("planned", "cancelled", None).is_err());
        assert!(check_transition("planned", "cancelled", Some("typhoon")).is_ok());
        assert!(check_transition("completed", "cancelled", Some("x")).is_err());
        assert!(check_transition("cancelled", "confirmed", None).is_err());
    }

    #[test]
    fn sessions_stay_inside_the_visit_in_the_venue_time_zone() {
        let s = |a: &str, b: &str| NewSession {
            kind: "symposium".into(),
            title: "Symposium".into(),
            starts_at: a.into(),
            ends_at: b.into(),
            room_id: None,
            venue: String::new(),
            participant_ids: vec![],
            topics: vec!["teacher_training".into()],
            minutes: String::new(),
            attendees: None,
        };
        let ok = s("2024-05-08T09:30:00+08:00", "2024-05-08T11:00:00+08:00");
        assert!(check_session(&ok, "2024-05-08", "2024-05-08", "Asia/Shanghai").is_ok());
        // 01:00 UTC on the 8th is 09:00 in Shanghai: inside, although UTC says otherwise for 23:30Z on the 7th.
        let early = s("2024-05-07T23:30:00Z", "2024-05-08T01:00:00Z");
        assert!(check_session(&early, "2024-05-08", "2024-05-08", "Asia/Shanghai").is_ok());
        let outside = s("2024-05-09T09:00:00+08:00", "2024-05-09T10:00:00+08:00");
        assert!(check_session(&outside, "2024-05-08", "2024-05-08", "Asia/Shanghai").is_err());
        let backwards = s("2024-05-08T11:00:00+08:00", "2024-05-08T09:00:00+08:00");
        assert!(check_session(&backwards, "2024-05-08", "2024-05-08", "Asia/Shanghai").is_err());
    }
}
