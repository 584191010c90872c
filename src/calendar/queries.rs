//! All SQL of the calendar: the feeds' sessions (with their topics and participants,
//! read for the same filter), the visit, room and booking rows, and what the invitation
//! letter says about a visit and its people.

use sqlx::{AnyConnection, FromRow};

use crate::error::AppResult;

/// Which agenda sessions a feed lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sessions {
    /// The sessions of one visit (subject: the visit).
    OfVisit,
    /// The sessions a person takes part in, is a delegation member of, or hosts
    /// (subject: the person).
    OfPerson,
}

impl Sessions {
    /// The condition over `s`, the session, with `$1` the subject.
    fn filter(self) -> &'static str {
        match self {
            Sessions::OfVisit => "s.visit_id = $1",
            Sessions::OfPerson => {
                "(EXISTS (SELECT 1 FROM session_participants sp0 WHERE sp0.session_id = s.id AND sp0.person_id = $1)
     OR EXISTS (SELECT 1 FROM visit_members m WHERE m.visit_id = s.visit_id AND m.person_id = $1)
     OR EXISTS (SELECT 1 FROM visit_hosts h WHERE h.visit_id = s.visit_id AND h.person_id = $1))"
            }
        }
    }
}

/// An agenda session with its visit and, when in one of our rooms, the room and building.
#[derive(Debug, FromRow)]
pub struct SessionRow {
    /// Session id.
    pub id: i64,
    /// Session kind (`meeting`, `tour`, …).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Start instant (RFC 3339).
    pub starts_at: String,
    /// End instant (RFC 3339).
    pub ends_at: String,
    /// Free-text venue (used when there is no room).
    pub venue: String,
    /// iCalendar SEQUENCE.
    pub sequence: i64,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// The visit's title.
    pub visit_title: String,
    /// The visit's IANA time zone.
    pub visit_tz: String,
    /// The visit's status.
    pub visit_status: String,
    /// Room name.
    pub room: Option<String>,
    /// Building name, English.
    pub building_en: Option<String>,
    /// Building name, Chinese.
    pub building_zh: Option<String>,
    /// Building's IANA time zone.
    pub building_tz: Option<String>,
}

/// One cooperation area a session is about.
#[derive(Debug, FromRow)]
pub struct SessionTopic {
    /// Session id.
    pub session_id: i64,
    /// Area key.
    pub area: String,
}

/// One participant of a session.
#[derive(Debug, FromRow)]
pub struct SessionPerson {
    /// Session id.
    pub session_id: i64,
    /// Name, English.
    pub name_en: String,
    /// Name, Chinese.
    pub name_zh: Option<String>,
}

/// The sessions `which` selects for `subject`, by start.
pub async fn sessions(conn: &mut AnyConnection, which: Sessions, subject: i64) -> AppResult<Vec<SessionRow>> {
    let sql = format!(
        "SELECT s.id, s.kind, s.title, s.starts_at, s.ends_at, s.venue, s.sequence, s.updated_at,
                v.title AS visit_title, v.time_zone AS visit_tz, v.status AS visit_status,
                r.name AS room, b.name_en AS building_en, b.name_zh AS building_zh, b.time_zone AS building_tz
         FROM visit_sessions s JOIN visits v ON v.id = s.visit_id
         LEFT JOIN rooms r ON r.id = s.room_id LEFT JOIN buildings b ON b.id = r.building_id
         WHERE {} ORDER BY s.starts_at, s.id",
        which.filter()
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(subject).fetch_all(conn).await?)
}

/// The topics of the same sessions.
pub async fn session_topics(conn: &mut AnyConnection, which: Sessions, subject: i64) -> AppResult<Vec<SessionTopic>> {
    let sql =
        format!("SELECT t.session_id, t.area FROM session_topics t JOIN visit_sessions s ON s.id = t.session_id WHERE {}", which.filter());
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(subject).fetch_all(conn).await?)
}

/// The participants of the same sessions, by English name.
pub async fn session_people(conn: &mut AnyConnection, which: Sessions, subject: i64) -> AppResult<Vec<SessionPerson>> {
    let sql = format!(
        "SELECT sp.session_id, p.name_en, p.name_zh FROM session_participants sp JOIN people p ON p.id = sp.person_id
         JOIN visit_sessions s ON s.id = sp.session_id WHERE {} ORDER BY p.name_en",
        which.filter()
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(subject).fetch_all(conn).await?)
}

/// What the visit's own all-day event says.
#[derive(Debug, FromRow)]
pub struct VisitEventRow {
    /// Title.
    pub title: String,
    /// Purpose.
    pub purpose: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Status.
    pub status: String,
    /// Last change.
    pub updated_at: String,
    /// The visit's recorded changes (status events and audited updates).
    pub sequence: i64,
}

/// The visit's event row, if there is such a visit.
pub async fn visit_event(conn: &mut AnyConnection, id: i64) -> AppResult<Option<VisitEventRow>> {
    Ok(sqlx::query_as(
        "SELECT v.title, v.purpose, v.start_date, v.end_date, v.status, v.updated_at,
                (SELECT COUNT(*) FROM visit_status_events e WHERE e.visit_id = v.id)
                + (SELECT COUNT(*) FROM audit_events a WHERE a.entity = 'visit' AND a.entity_id = v.id AND a.action = 'update') AS sequence
         FROM visits v WHERE v.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// A name in English and, if known, Chinese.
pub type Names = (String, Option<String>);

/// A person's names, if there is such a person.
pub async fn person_names(conn: &mut AnyConnection, id: i64) -> AppResult<Option<Names>> {
    Ok(sqlx::query_as("SELECT name_en, name_zh FROM people WHERE id = $1").bind(id).fetch_optional(conn).await?)
}

/// A room and its building.
#[derive(Debug, FromRow)]
pub struct RoomRow {
    /// Room name.
    pub name: String,
    /// Building name, English.
    pub building_en: String,
    /// Building name, Chinese.
    pub building_zh: Option<String>,
    /// Building's IANA time zone.
    pub time_zone: String,
}

/// The room, if there is one.
pub async fn room(conn: &mut AnyConnection, id: i64) -> AppResult<Option<RoomRow>> {
    Ok(sqlx::query_as(
        "SELECT r.name, b.name_en AS building_en, b.name_zh AS building_zh, b.time_zone
         FROM rooms r JOIN buildings b ON b.id = r.building_id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// A booking of a room.
#[derive(Debug, FromRow)]
pub struct BookingRow {
    /// Booking id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Start instant.
    pub starts_at: String,
    /// End instant.
    pub ends_at: String,
    /// Status.
    pub status: String,
    /// Last change.
    pub updated_at: String,
    /// Its audited updates (status changes), which only grow.
    pub sequence: i64,
}

/// All bookings of a room, cancelled ones included, by start.
pub async fn bookings(conn: &mut AnyConnection, room_id: i64) -> AppResult<Vec<BookingRow>> {
    Ok(sqlx::query_as(
        "SELECT bk.id, bk.title, bk.starts_at, bk.ends_at, bk.status, bk.updated_at,
                (SELECT COUNT(*) FROM audit_events a WHERE a.entity = 'booking' AND a.entity_id = bk.id AND a.action = 'update') AS sequence
         FROM bookings bk WHERE bk.room_id = $1 ORDER BY bk.starts_at, bk.id",
    )
    .bind(room_id)
    .fetch_all(conn)
    .await?)
}

/// What the invitation letter reads of the visit itself.
#[derive(Debug, FromRow)]
pub struct LetterVisit {
    /// `inbound` or `outbound`.
    pub direction: String,
    /// Title.
    pub title: String,
    /// Purpose.
    pub purpose: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Announced head count.
    pub head_count: i64,
    /// The visit's IANA time zone.
    pub time_zone: String,
}

/// The visit, if there is one.
pub async fn letter_visit(conn: &mut AnyConnection, id: i64) -> AppResult<Option<LetterVisit>> {
    Ok(sqlx::query_as("SELECT direction, title, purpose, start_date, end_date, head_count, time_zone FROM visits WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// The visiting institutions' names, by English name.
pub async fn visit_institutions(conn: &mut AnyConnection, visit_id: i64) -> AppResult<Vec<Names>> {
    Ok(sqlx::query_as(
        "SELECT i.name_en, i.name_zh FROM visit_institutions vi JOIN institutions i ON i.id = vi.institution_id
         WHERE vi.visit_id = $1 ORDER BY i.name_en",
    )
    .bind(visit_id)
    .fetch_all(conn)
    .await?)
}

/// The hosting units' primary names (English, possibly empty, and Chinese), in order.
pub async fn host_units(conn: &mut AnyConnection, visit_id: i64) -> AppResult<Vec<Names>> {
    Ok(sqlx::query_as(
        "SELECT COALESCE((SELECT n.name FROM unit_names n WHERE n.unit_id = h.unit_id AND n.lang = 'en' ORDER BY n.is_primary DESC, n.id LIMIT 1), ''),
                (SELECT n.name FROM unit_names n WHERE n.unit_id = h.unit_id AND n.lang = 'zh' ORDER BY n.is_primary DESC, n.id LIMIT 1)
         FROM visit_hosts h WHERE h.visit_id = $1 AND h.unit_id IS NOT NULL ORDER BY h.id",
    )
    .bind(visit_id)
    .fetch_all(conn)
    .await?)
}

/// Which of a visit's people the letter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitPeople {
    /// The delegation, leader first (role: leader, member, interpreter, …).
    Members,
    /// The host officials (role: `host`).
    Hosts,
}

/// A person of a visit with their role there.
#[derive(Debug, FromRow)]
pub struct VisitPerson {
    /// Person id.
    pub id: i64,
    /// Name, English.
    pub name_en: String,
    /// Name, Chinese.
    pub name_zh: Option<String>,
    /// Role in the visit.
    pub role: String,
    /// Sort key of the role.
    pub ord: i64,
}

/// The visit's members (leader first) or hosts, in order.
pub async fn visit_people(conn: &mut AnyConnection, which: VisitPeople, visit_id: i64) -> AppResult<Vec<VisitPerson>> {
    let (table, role) = match which {
        VisitPeople::Members => (
            "visit_members",
            "x.role AS role, CAST(CASE x.role WHEN 'leader' THEN 0 WHEN 'member' THEN 1 WHEN 'interpreter' THEN 2 ELSE 3 END AS BIGINT)",
        ),
        VisitPeople::Hosts => ("visit_hosts", "'host' AS role, CAST(0 AS BIGINT)"),
    };
    let sql = format!(
        "SELECT p.id, p.name_en, p.name_zh, {role} AS ord FROM {table} x JOIN people p ON p.id = x.person_id
         WHERE x.visit_id = $1 ORDER BY ord, x.id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(visit_id).fetch_all(conn).await?)
}

/// A current position: the title and its unit, in English and Chinese.
#[derive(Debug, FromRow)]
pub struct Title {
    /// Title, English.
    pub title_en: String,
    /// Title, Chinese.
    pub title_zh: Option<String>,
    /// Unit's primary name, English.
    pub unit_en: Option<String>,
    /// Unit's primary name, Chinese.
    pub unit_zh: Option<String>,
}

/// A person's positions current on `today` (not ended before it), in order.
pub async fn current_titles(conn: &mut AnyConnection, person_id: i64, today: &str) -> AppResult<Vec<Title>> {
    Ok(sqlx::query_as(
        "SELECT t.title_en, t.title_zh,
                (SELECT n.name FROM unit_names n WHERE n.unit_id = t.unit_id AND n.lang = 'en' ORDER BY n.is_primary DESC, n.id LIMIT 1) AS unit_en,
                (SELECT n.name FROM unit_names n WHERE n.unit_id = t.unit_id AND n.lang = 'zh' ORDER BY n.is_primary DESC, n.id LIMIT 1) AS unit_zh
         FROM positions t WHERE t.person_id = $1 AND (t.end_date IS NULL OR t.end_date >= $2) ORDER BY t.id",
    )
    .bind(person_id)
    .bind(today)
    .fetch_all(conn)
    .await?)
}
