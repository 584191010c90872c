//! What the home page counts, and the audit log's latest events. Every count is taken
//! the way the list it links to takes it, so the two always agree.

use sqlx::AnyConnection;

use super::Tile;
use crate::{
    audit::AuditEvent,
    auth::{CurrentUser, Permission},
    db::Db,
    error::AppResult,
    institutions::queries::{InstitutionQuery, list_institutions, list_people},
    news::{
        store::ArticleQuery,
        workflow::{Editor, waiting_for as articles_waiting_for},
    },
    status::Status,
    trips::TripQuery,
    visits::{
        model::ActionStatus,
        queries::{ActionFilter, VisitQuery, list_actions, list_visits},
    },
};

fn len<T>(v: &[T]) -> i64 {
    i64::try_from(v.len()).unwrap_or(i64::MAX)
}

/// What waits for the caller, only the lines that are not zero.
pub async fn waiting_for(conn: &mut AnyConnection, user: &CurrentUser) -> AppResult<Vec<Tile>> {
    let mut out = Vec::new();
    if user.can(Permission::EditNews) {
        let mut n = 0;
        for status in articles_waiting_for(&Editor::from_user(user)) {
            let q = ArticleQuery { status: Some(status.to_string()), q: None, page: Some(1), per_page: Some(1) };
            n += crate::news::store::list_articles(&mut *conn, &q).await?.1;
        }
        out.push(("dashboard.articles_waiting", n, "/articles?view=waiting".to_string()));
    }
    let mine = ActionFilter { owner_id: Some(user.id), status: Some(ActionStatus::Open.as_str().into()), ..Default::default() };
    out.push(("dashboard.actions_mine", len(&list_actions(&mut *conn, &mine).await?), "/actions".to_string()));
    let trips = crate::trips::workflow::list(&mut *conn, user, &TripQuery { waiting: Some(true), ..Default::default() }).await?;
    out.push(("dashboard.trips_waiting", len(&trips), "/trips?view=waiting".to_string()));
    if user.can(Permission::ManageRooms) {
        let pending = crate::rooms::pending_bookings(&mut *conn).await?;
        out.push(("dashboard.bookings_pending", len(&pending), "/rooms/approvals".to_string()));
    }
    out.retain(|t| t.1 > 0);
    Ok(out)
}

/// A visit list's total under one filter.
async fn visits_total(conn: &mut AnyConnection, status: &str) -> AppResult<i64> {
    let q = VisitQuery { status: Some(status.into()), per_page: Some(1), ..Default::default() };
    Ok(list_visits(conn, &q).await?.1)
}

/// An institution list's total under one status filter (none: all).
async fn institutions_total(db: &Db, status: Option<&str>) -> AppResult<i64> {
    let q = InstitutionQuery { status: status.map(str::to_string), per_page: Some(1), ..Default::default() };
    Ok(list_institutions(db, &q, None).await?.1)
}

/// The office-wide figures, each taken by the very query of the list its link opens.
pub async fn office_tiles(db: &Db, conn: &mut AnyConnection) -> AppResult<Vec<Tile>> {
    let overdue = list_actions(&mut *conn, &ActionFilter { overdue: Some(true), ..Default::default() }).await?;
    Ok(vec![
        ("dashboard.partners", institutions_total(db, Some("active")).await?, "/institutions?status=active".into()),
        ("dashboard.institutions", institutions_total(db, None).await?, "/institutions".into()),
        ("dashboard.people", list_people(db, None, None, 1, 1).await?.1, "/people".into()),
        ("dashboard.visits_planned", visits_total(&mut *conn, "planned").await?, "/visits?status=planned".into()),
        ("dashboard.visits_confirmed", visits_total(&mut *conn, "confirmed").await?, "/visits?status=confirmed".into()),
        ("dashboard.actions_overdue", len(&overdue), "/actions#overdue-h".into()),
        ("dashboard.expiring", crate::expiry::dashboard_count(&mut *conn).await?, "/agreements/expiring".into()),
    ])
}

/// The latest audit events, newest first.
pub async fn recent_events(conn: &mut AnyConnection, limit: i64) -> AppResult<Vec<AuditEvent>> {
    Ok(sqlx::query_as(
        "SELECT id, at, actor, action, entity, entity_id, before_json, after_json
         FROM audit_events ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// The records linked to one institution, per kind: (how many, the latest few).
pub type RelatedRecords = Vec<(i64, Vec<super::related::Linked>)>;

/// How many related rows the fragment lists per kind.
const RELATED_SHOWN: i64 = 8;

/// Per kind of related record, in the fragment's order (visits, agreements, programmes,
/// mobilities, articles): how to count them, how to list the latest (id, label, detail,
/// status), and the path their ids go under.
const RELATED: [(&str, &str, &str); 5] = [
    (
        "SELECT COUNT(*) FROM visit_institutions WHERE institution_id = $1",
        "SELECT v.id, v.title, v.start_date, v.status FROM visits v JOIN visit_institutions vi ON vi.visit_id = v.id
         WHERE vi.institution_id = $1 ORDER BY v.start_date DESC, v.id DESC LIMIT $2",
        "/visits",
    ),
    (
        "SELECT COUNT(*) FROM agreement_parties WHERE institution_id = $1",
        "SELECT a.id, a.title, COALESCE(a.expiry_date, ''), a.status FROM agreements a JOIN agreement_parties p ON p.agreement_id = a.id
         WHERE p.institution_id = $1 ORDER BY a.id DESC LIMIT $2",
        "/agreements",
    ),
    (
        "SELECT COUNT(*) FROM programmes g JOIN agreement_parties p ON p.agreement_id = g.agreement_id WHERE p.institution_id = $1",
        "SELECT g.id, g.title, COALESCE(g.start_date, ''), g.status FROM programmes g JOIN agreement_parties p ON p.agreement_id = g.agreement_id
         WHERE p.institution_id = $1 ORDER BY g.id DESC LIMIT $2",
        "/programmes",
    ),
    (
        "SELECT COUNT(*) FROM mobilities WHERE partner_institution_id = $1",
        "SELECT m.programme_id, p.name_en, m.academic_year || ' · ' || m.direction, m.status FROM mobilities m JOIN people p ON p.id = m.person_id
         WHERE m.partner_institution_id = $1 ORDER BY m.start_date DESC, m.id DESC LIMIT $2",
        "/programmes",
    ),
    (
        "SELECT COUNT(DISTINCT a.id) FROM articles a LEFT JOIN article_links l ON l.article_id = a.id AND l.kind = 'institution'
         WHERE a.institution_id = $1 OR l.target_id = $1",
        "SELECT a.id, COALESCE((SELECT v.title FROM article_versions v WHERE v.article_id = a.id AND v.lang = a.original_lang), a.slug),
                COALESCE(a.published_at, ''), a.status
         FROM articles a WHERE a.institution_id = $1
            OR EXISTS (SELECT 1 FROM article_links l WHERE l.article_id = a.id AND l.kind = 'institution' AND l.target_id = $1)
         ORDER BY a.id DESC LIMIT $2",
        "/articles",
    ),
];

/// The visits, agreements, programmes, mobilities and articles of an institution.
pub async fn related_of(conn: &mut AnyConnection, id: i64) -> AppResult<RelatedRecords> {
    let mut out = Vec::with_capacity(RELATED.len());
    for (count, rows, href) in RELATED {
        let total: i64 = sqlx::query_scalar(count).bind(id).fetch_one(&mut *conn).await?;
        let found: Vec<(i64, String, String, String)> = sqlx::query_as(rows).bind(id).bind(RELATED_SHOWN).fetch_all(&mut *conn).await?;
        out.push((total, found.into_iter().map(|(rid, label, detail, status)| (format!("{href}/{rid}"), label, detail, status)).collect()));
    }
    Ok(out)
}
