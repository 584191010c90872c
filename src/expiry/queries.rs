//! SQL of the expiry views, over the agreements tables of migration 0005 (read only:
//! this module never writes an agreement), and what the feed and the digest read of
//! users and the outbox.

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use sqlx::{AnyConnection, FromRow};

use super::model::{self, ExpiringAgreement, NamedRef, Window};
use crate::error::{AppError, AppResult};

/// Whose agreements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everyone's.
    All,
    /// Those one user is responsible for.
    Responsible(i64),
}

/// A unit's name in `lang` (`$lang` bound by the caller), falling back to English, then any.
fn unit_name_sql(unit: &str, lang: &str) -> String {
    format!(
        "(SELECT n.name FROM unit_names n WHERE n.unit_id = {unit}
          ORDER BY CASE n.lang WHEN {lang} THEN 0 WHEN 'en' THEN 1 ELSE 2 END, n.is_primary DESC, n.id LIMIT 1)"
    )
}

/// An agreement row with what the views show of it.
#[derive(Debug, Clone, FromRow)]
pub struct Row {
    /// Agreement id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: String,
    /// Status.
    pub status: String,
    /// Expiry date.
    pub expiry_date: String,
    /// Notice period in days.
    pub notice_days: Option<i64>,
    /// 0/1.
    pub auto_renew: i64,
    /// Home unit.
    pub unit_id: Option<i64>,
    /// Its name.
    pub unit_name: Option<String>,
    /// Responsible user.
    pub responsible_id: Option<i64>,
    /// Their display name.
    pub responsible_name: Option<String>,
    /// Their address.
    pub responsible_email: Option<String>,
    /// Their language.
    pub responsible_locale: Option<String>,
    /// 1 if the account is active.
    pub responsible_active: Option<i64>,
    /// Changes so far (status events): the feed's SEQUENCE.
    pub sequence: i64,
    /// Last change, stored instant.
    pub updated_at: String,
}

const COLUMNS: &str = "a.id, a.title, a.kind, a.status, a.expiry_date, a.notice_days, a.auto_renew, a.unit_id,
     {unit_name} AS unit_name, a.responsible_id, u.display_name AS responsible_name, u.email AS responsible_email,
     u.locale AS responsible_locale, u.active AS responsible_active,
     (SELECT COUNT(*) FROM agreement_status_events e WHERE e.agreement_id = a.id) AS sequence, a.updated_at";

/// Signed or in-effect agreements that may be in the window: expiring in it, or with a
/// notice period and expiring before the window's end plus the longest notice period
/// (whose notice date may fall in it; checked in Rust, as date arithmetic differs
/// between the engines). Dates compare as `YYYY-MM-DD` text.
pub async fn candidates(conn: &mut AnyConnection, w: &Window, scope: Scope, lang: &str) -> AppResult<Vec<Row>> {
    let longest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(notice_days) FROM agreements WHERE status IN ('signed', 'in_effect') AND expiry_date >= $1")
            .bind(w.today.to_string())
            .fetch_one(&mut *conn)
            .await?;
    let notice_end = Window { days: w.days.saturating_add(longest.unwrap_or(0)).min(model::MAX_DAYS * 10), ..*w }.last();
    let mut sql = String::new();
    let mut filter = String::new();
    let mut next = 5;
    if w.unit_id.is_some() {
        // The unit and every unit under it.
        sql.push_str(&format!(
            "WITH RECURSIVE sub (id) AS (SELECT CAST(${next} AS BIGINT) UNION SELECT c.id FROM units c JOIN sub ON c.parent_id = sub.id) "
        ));
        filter.push_str(" AND a.unit_id IN (SELECT id FROM sub)");
        next += 1;
    }
    if scope != Scope::All {
        filter.push_str(&format!(" AND a.responsible_id = ${next}"));
    }
    let columns = COLUMNS.replace("{unit_name}", &unit_name_sql("a.unit_id", "$3"));
    sql.push_str(&format!(
        "SELECT {columns} FROM agreements a LEFT JOIN users u ON u.id = a.responsible_id
         WHERE a.status IN ('signed', 'in_effect') AND a.expiry_date >= $1
           AND (a.expiry_date <= $2 OR (a.notice_days IS NOT NULL AND a.expiry_date <= $4)){filter}
         ORDER BY a.expiry_date, a.id"
    ));
    let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .bind(w.today.to_string())
        .bind(w.last().to_string())
        .bind(lang.to_string())
        .bind(notice_end.to_string());
    if let Some(unit) = w.unit_id {
        query = query.bind(unit);
    }
    if let Scope::Responsible(user) = scope {
        query = query.bind(user);
    }
    Ok(query.fetch_all(conn).await?)
}

/// The partner institutions of each agreement (every party but the home institution).
pub async fn partners(conn: &mut AnyConnection, ids: &[i64]) -> AppResult<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        // Ids are integers, so listing them in the text is safe.
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let rows: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT p.agreement_id, i.name_en FROM agreement_parties p JOIN institutions i ON i.id = p.institution_id
             WHERE p.agreement_id IN ({list}) AND i.is_home = 0 ORDER BY i.name_en"
        )))
        .fetch_all(&mut *conn)
        .await?;
        for (id, name) in rows {
            out.entry(id).or_default().push(name);
        }
    }
    Ok(out)
}

fn date(text: &str) -> AppResult<Date> {
    text.parse().map_err(|e| AppError::Internal(anyhow::anyhow!("stored date {text:?}: {e}")))
}

/// Turns candidate rows into the agreements of the window, the nearest date first.
pub fn in_window(w: &Window, rows: Vec<Row>, partners: &mut HashMap<i64, Vec<String>>) -> AppResult<Vec<(ExpiringAgreement, Row)>> {
    let mut out = Vec::new();
    for r in rows {
        let expiry = date(&r.expiry_date)?;
        let notice = model::notice_date(expiry, r.notice_days);
        if !model::in_window(w, expiry, notice) {
            continue;
        }
        let next = model::next_date(w.today, expiry, notice);
        let item = ExpiringAgreement {
            id: r.id,
            title: r.title.clone(),
            kind: r.kind.clone(),
            status: r.status.clone(),
            partners: partners.remove(&r.id).unwrap_or_default(),
            expiry_date: expiry.to_string(),
            notice_date: notice.map(|n| n.to_string()),
            notice_days: r.notice_days,
            auto_renew: r.auto_renew == 1,
            next_date: next.to_string(),
            days_left: (next - w.today).get_days().into(),
            notice_passed: notice.is_some_and(|n| n < w.today),
            unit: r.unit_id.map(|id| NamedRef { id, name: r.unit_name.clone().unwrap_or_default() }),
            responsible: r.responsible_id.map(|id| NamedRef { id, name: r.responsible_name.clone().unwrap_or_default() }),
        };
        out.push((item, r));
    }
    out.sort_by(|(a, _), (b, _)| a.next_date.cmp(&b.next_date).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// The agreements of the window for `scope`, with the rows they came from.
pub async fn expiring_rows(conn: &mut AnyConnection, w: &Window, scope: Scope, lang: &str) -> AppResult<Vec<(ExpiringAgreement, Row)>> {
    let rows = candidates(&mut *conn, w, scope, lang).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut partners = partners(conn, &ids).await?;
    in_window(w, rows, &mut partners)
}

/// The agreements of the window, the nearest date first.
pub async fn expiring(conn: &mut AnyConnection, w: &Window, lang: &str) -> AppResult<Vec<ExpiringAgreement>> {
    Ok(expiring_rows(conn, w, Scope::All, lang).await?.into_iter().map(|(a, _)| a).collect())
}

/// The units of the home institution, named in `lang`, for the filter.
pub async fn home_units(conn: &mut AnyConnection, lang: &str) -> AppResult<Vec<(i64, String)>> {
    let name = unit_name_sql("un.id", "$1");
    let rows: Vec<(i64, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT un.id, {name} FROM units un JOIN institutions i ON i.id = un.institution_id WHERE i.is_home = 1 ORDER BY un.id"
    )))
    .bind(lang)
    .fetch_all(conn)
    .await?;
    let mut units: Vec<(i64, String)> = rows.into_iter().map(|(id, n)| (id, n.unwrap_or_else(|| format!("#{id}")))).collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(units)
}

/// Agreements with an expiry date on or after `since` for a calendar feed: signed, in
/// effect, expired or terminated (terminated ones are sent as cancelled so that calendar
/// clients remove them), oldest expiry first.
pub async fn feed_rows(conn: &mut AnyConnection, since: Date, scope: Scope, lang: &str) -> AppResult<Vec<Row>> {
    let columns = COLUMNS.replace("{unit_name}", &unit_name_sql("a.unit_id", "$2"));
    let filter = if scope == Scope::All { "" } else { " AND a.responsible_id = $3" };
    let sql = format!(
        "SELECT {columns} FROM agreements a LEFT JOIN users u ON u.id = a.responsible_id
         WHERE a.status IN ('signed', 'in_effect', 'expired', 'terminated') AND a.expiry_date IS NOT NULL
           AND a.expiry_date >= $1{filter}
         ORDER BY a.expiry_date, a.id"
    );
    let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)).bind(since.to_string()).bind(lang.to_string());
    if let Scope::Responsible(user) = scope {
        query = query.bind(user);
    }
    Ok(query.fetch_all(conn).await?)
}

/// An expiry feed's reader: their shown name and language (`en`, `zh`), if they are an
/// active user.
pub async fn active_user(conn: &mut AnyConnection, id: i64) -> AppResult<Option<(String, String)>> {
    Ok(sqlx::query_as("SELECT display_name, locale FROM users WHERE id = $1 AND active = 1").bind(id).fetch_optional(conn).await?)
}

/// The names of the roles granted to a user (any unit).
pub async fn user_roles(conn: &mut AnyConnection, id: i64) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT role FROM role_grants WHERE user_id = $1").bind(id).fetch_all(conn).await?)
}

/// The outbox keys of the digests already queued for `week` (`2024-W19`).
pub async fn queued_digest_keys(conn: &mut AnyConnection, week: &str) -> AppResult<HashSet<String>> {
    let keys: Vec<String> = sqlx::query_scalar("SELECT dedupe_key FROM mail_outbox WHERE dedupe_key LIKE $1")
        .bind(format!("expiry-digest:%:{week}"))
        .fetch_all(conn)
        .await?;
    Ok(keys.into_iter().collect())
}
