//! The delegation (named members), the hosts, and the people and units they are
//! chosen from.

use sqlx::AnyConnection;

use super::visits::{get_visit, touch};
use crate::{
    audit::{self, Action as AuditAction, Actor},
    error::{AppError, AppResult},
    visits::model::{Host, HostInput, Member, MemberInput, PersonRef, Visit, check_hosts, check_members},
};

pub(super) async fn person_name(conn: &mut AnyConnection, person_id: i64) -> AppResult<String> {
    let name: Option<String> =
        sqlx::query_scalar("SELECT name_en FROM people WHERE id = $1 AND merged_into IS NULL").bind(person_id).fetch_optional(conn).await?;
    name.ok_or_else(|| AppError::field("person_id", format!("there is no person {person_id}")))
}

pub(super) async fn insert_member(conn: &mut AnyConnection, visit_id: i64, m: &MemberInput) -> AppResult<()> {
    let name = person_name(&mut *conn, m.person_id).await?;
    if m.role == "leader"
        && let Some(other) = leader_of(&mut *conn, visit_id).await?
        && other.0 != m.person_id
    {
        return Err(AppError::field("role", format!("{} already leads the delegation; make them a member first", other.1)));
    }
    sqlx::query("INSERT INTO visit_members (visit_id, person_id, role) VALUES ($1, $2, $3)")
        .bind(visit_id)
        .bind(m.person_id)
        .bind(&m.role)
        .execute(conn)
        .await
        .map_err(|e| {
            if crate::db::is_unique_violation(&e) {
                AppError::field("person_id", format!("{name} is already in the delegation"))
            } else {
                e.into()
            }
        })?;
    Ok(())
}

async fn leader_of(conn: &mut AnyConnection, visit_id: i64) -> AppResult<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.name_en FROM visit_members m JOIN people p ON p.id = m.person_id WHERE m.visit_id = $1 AND m.role = 'leader'",
    )
    .bind(visit_id)
    .fetch_optional(conn)
    .await?)
}

/// The leader of a delegation speaks for one of the visit's institutions: a person
/// recorded at another institution is refused with their name.
pub(super) async fn check_leader_institution(conn: &mut AnyConnection, visit_id: i64, person_id: i64) -> AppResult<()> {
    let (name, inst): (String, Option<i64>) =
        sqlx::query_as("SELECT name_en, institution_id FROM people WHERE id = $1").bind(person_id).fetch_one(&mut *conn).await?;
    let listed: Vec<i64> = sqlx::query_scalar("SELECT institution_id FROM visit_institutions WHERE visit_id = $1")
        .bind(visit_id)
        .fetch_all(&mut *conn)
        .await?;
    match inst {
        Some(i) if !listed.is_empty() && !listed.contains(&i) => Err(AppError::field(
            "leader_person_id",
            format!("{name} is not at any of this visit's institutions, so cannot lead its delegation"),
        )),
        _ => Ok(()),
    }
}

/// Adds a named member to the delegation, raising the head count if it was lower.
pub async fn add_member(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, m: &MemberInput) -> AppResult<Vec<String>> {
    let m = check_members(std::slice::from_ref(m), None)?.remove(0);
    let before = get_visit(&mut *conn, visit_id).await?;
    insert_member(&mut *conn, visit_id, &m).await?;
    if m.role == "leader" {
        check_leader_institution(conn, visit_id, m.person_id).await?;
    }
    let named = before.members.len() as i64 + 1;
    let mut warnings = Vec::new();
    if named > before.head_count {
        sqlx::query("UPDATE visits SET head_count = $1 WHERE id = $2").bind(named).bind(visit_id).execute(&mut *conn).await?;
        warnings.push(format!("The head count was {} and is now {named}, the number of named members.", before.head_count));
    }
    touch(&mut *conn, visit_id).await?;
    let after = get_visit(&mut *conn, visit_id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit", visit_id, Some(&delegation_text(&before)), Some(&delegation_text(&after)))
        .await?;
    Ok(warnings)
}

/// Removes a person from the delegation.
pub async fn remove_member(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, person_id: i64) -> AppResult<()> {
    let before = get_visit(&mut *conn, visit_id).await?;
    let n = sqlx::query("DELETE FROM visit_members WHERE visit_id = $1 AND person_id = $2")
        .bind(visit_id)
        .bind(person_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    touch(&mut *conn, visit_id).await?;
    let after = get_visit(&mut *conn, visit_id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit", visit_id, Some(&delegation_text(&before)), Some(&delegation_text(&after)))
        .await?;
    Ok(())
}

pub(super) async fn insert_host(conn: &mut AnyConnection, visit_id: i64, h: &HostInput) -> AppResult<()> {
    check_hosts(std::slice::from_ref(h))?;
    if let Some(p) = h.person_id {
        person_name(&mut *conn, p).await?;
    }
    if let Some(u) = h.unit_id {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE id = $1").bind(u).fetch_optional(&mut *conn).await?;
        if found.is_none() {
            return Err(AppError::field("unit_id", format!("there is no unit {u}")));
        }
    }
    let dup: Option<i64> = sqlx::query_scalar("SELECT id FROM visit_hosts WHERE visit_id = $1 AND (person_id = $2 OR unit_id = $3)")
        .bind(visit_id)
        .bind(h.person_id)
        .bind(h.unit_id)
        .fetch_optional(&mut *conn)
        .await?;
    if dup.is_some() {
        return Err(AppError::field("host", "already a host of this visit"));
    }
    sqlx::query("INSERT INTO visit_hosts (visit_id, person_id, unit_id) VALUES ($1, $2, $3)")
        .bind(visit_id)
        .bind(h.person_id)
        .bind(h.unit_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds a host (person or unit).
pub async fn add_host(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, h: &HostInput) -> AppResult<()> {
    let before = get_visit(&mut *conn, visit_id).await?;
    insert_host(&mut *conn, visit_id, h).await?;
    touch(&mut *conn, visit_id).await?;
    let after = get_visit(&mut *conn, visit_id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit", visit_id, Some(&hosts_text(&before)), Some(&hosts_text(&after))).await?;
    Ok(())
}

/// Removes a host row.
pub async fn remove_host(conn: &mut AnyConnection, actor: &Actor, visit_id: i64, host_id: i64) -> AppResult<()> {
    let before = get_visit(&mut *conn, visit_id).await?;
    let n = sqlx::query("DELETE FROM visit_hosts WHERE visit_id = $1 AND id = $2")
        .bind(visit_id)
        .bind(host_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let after = get_visit(&mut *conn, visit_id).await?;
    audit::record(conn, actor, AuditAction::Update, "visit", visit_id, Some(&hosts_text(&before)), Some(&hosts_text(&after))).await?;
    Ok(())
}

/// The delegation in words, for the audit log ("Chen Zhihui (leader); head count 4").
fn delegation_text(v: &Visit) -> serde_json::Value {
    let names: Vec<String> = v.members.iter().map(|m| format!("{} ({})", m.name_en, m.role)).collect();
    serde_json::json!({ "members": names.join("; "), "head_count": v.head_count })
}

/// The hosts in words, for the audit log.
fn hosts_text(v: &Visit) -> serde_json::Value {
    let names: Vec<&str> = v.hosts.iter().map(|h| h.name.as_str()).collect();
    serde_json::json!({ "hosts": names.join("; ") })
}

/// Current positions of people, joined per person, in English and in Chinese (where the
/// records have the Chinese title and unit name): "Vice President; Director, Institute of
/// Smart Industry" and "副校长；智能产业研究院院长".
pub async fn titles(conn: &mut AnyConnection, person_ids: &[i64]) -> AppResult<Vec<(i64, String, String)>> {
    let today = crate::time::today();
    let mut out = Vec::new();
    for &p in person_ids {
        let rows: Vec<TitleRow> = sqlx::query_as(
            "SELECT po.title_en, po.title_zh,
                (SELECT n.name FROM unit_names n WHERE n.unit_id = po.unit_id AND n.lang = 'en' ORDER BY n.is_primary DESC, n.id LIMIT 1),
                (SELECT n.name FROM unit_names n WHERE n.unit_id = po.unit_id AND n.lang = 'zh' ORDER BY n.is_primary DESC, n.id LIMIT 1)
             FROM positions po WHERE po.person_id = $1 AND (po.end_date IS NULL OR po.end_date >= $2) ORDER BY po.id",
        )
        .bind(p)
        .bind(&today)
        .fetch_all(&mut *conn)
        .await?;
        let en: Vec<String> = rows.iter().map(|(t, _, u, _)| if let Some(u) = u { format!("{t}, {u}") } else { t.clone() }).collect();
        let zh: Vec<String> = rows
            .iter()
            .map(|(t, tz, u, uz)| {
                let title = tz.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| t.clone());
                match (uz.as_ref().or(u.as_ref()), uz.is_some()) {
                    (Some(unit), true) => format!("{unit}{title}"),
                    (Some(unit), false) => format!("{title}，{unit}"),
                    (None, _) => title,
                }
            })
            .collect();
        out.push((p, en.join("; "), zh.join("；")));
    }
    Ok(out)
}

/// A position's English and Chinese title, and its unit's English and Chinese name.
type TitleRow = (String, Option<String>, Option<String>, Option<String>);

/// A member row: person id, names, role, institution.
type MemberRow = (i64, String, Option<String>, String, Option<i64>);

/// A host row: id, person, unit, the person's names.
type HostRow = (i64, Option<i64>, Option<i64>, Option<String>, Option<String>);

pub(super) async fn members(conn: &mut AnyConnection, visit_id: i64) -> AppResult<Vec<Member>> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT p.id, p.name_en, p.name_zh, m.role, p.institution_id FROM visit_members m JOIN people p ON p.id = m.person_id
         WHERE m.visit_id = $1 ORDER BY CASE m.role WHEN 'leader' THEN 0 WHEN 'member' THEN 1 WHEN 'interpreter' THEN 2 ELSE 3 END, p.name_en",
    )
    .bind(visit_id)
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let t = titles(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .zip(t)
        .map(|(r, (_, titles, titles_zh))| Member {
            person_id: r.0,
            name_en: r.1,
            name_zh: r.2,
            role: r.3,
            titles,
            titles_zh,
            institution_id: r.4,
        })
        .collect())
}

pub use crate::institutions::lookup::unit_label;

/// A unit's primary Chinese name, if it has one.
async fn unit_name_zh(conn: &mut AnyConnection, unit_id: i64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT name FROM unit_names WHERE unit_id = $1 AND lang = 'zh' ORDER BY is_primary DESC, id LIMIT 1")
        .bind(unit_id)
        .fetch_optional(conn)
        .await?)
}

pub(super) async fn hosts(conn: &mut AnyConnection, visit_id: i64) -> AppResult<Vec<Host>> {
    let rows: Vec<HostRow> = sqlx::query_as(
        "SELECT h.id, h.person_id, h.unit_id, p.name_en, p.name_zh FROM visit_hosts h LEFT JOIN people p ON p.id = h.person_id WHERE h.visit_id = $1 ORDER BY h.id",
    )
    .bind(visit_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for (id, person_id, unit_id, pname, pname_zh) in rows {
        let (name, name_zh, titles, titles_zh) = match (person_id, unit_id) {
            (Some(p), _) => {
                let (_, en, zh) = titles(&mut *conn, &[p]).await?.pop().unwrap_or_default();
                (pname.unwrap_or_default(), pname_zh, en, zh)
            }
            (None, Some(u)) => (unit_label(&mut *conn, u).await?, unit_name_zh(&mut *conn, u).await?, String::new(), String::new()),
            _ => continue,
        };
        out.push(Host { id, person_id, unit_id, name, name_zh, titles, titles_zh });
    }
    Ok(out)
}

/// People of a list of ids, by name (for session participants).
pub async fn people_refs(conn: &mut AnyConnection, ids: &[i64]) -> AppResult<Vec<PersonRef>> {
    let mut out = Vec::new();
    for &id in ids {
        let p: Option<PersonRef> =
            sqlx::query_as("SELECT id, name_en FROM people WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
        out.push(p.ok_or_else(|| AppError::field("participant_ids", format!("there is no person {id}")))?);
    }
    Ok(out)
}

/// People of an institution (recorded there or holding a position there), by name.
pub async fn people_of(conn: &mut AnyConnection, institution_id: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name_en FROM people WHERE merged_into IS NULL AND (institution_id = $1 OR id IN (SELECT person_id FROM positions WHERE institution_id = $1)) ORDER BY name_en",
    )
    .bind(institution_id)
    .fetch_all(conn)
    .await?)
}

/// Active users, by name (owners of actions).
pub async fn active_users(conn: &mut AnyConnection) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as("SELECT id, display_name FROM users WHERE active = $1 ORDER BY display_name").bind(1).fetch_all(conn).await?)
}

/// Units of an institution with all their names, by id (hosts to choose from).
pub async fn units_of(conn: &mut AnyConnection, institution_id: i64) -> AppResult<Vec<(i64, String)>> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM units WHERE institution_id = $1 ORDER BY id").bind(institution_id).fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push((id, unit_label(&mut *conn, id).await?));
    }
    Ok(out)
}
