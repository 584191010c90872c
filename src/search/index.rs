//! Keeping the index: every audited change re-reads the documents it touches, on the
//! same connection and transaction as the change (`audit::record` calls [`after_change`]
//! through the hook the application installs), so a record and its document commit or
//! roll back together, on every instance. `rebuild` writes every document again (an
//! upgraded database, a bulk load that bypassed the domain functions).

use futures_util::future::BoxFuture;
use sqlx::AnyConnection;

use super::{
    documents::{self, Audience, Document, KINDS},
    text,
};
use crate::db::Db;

/// The documents an audited change of `entity` `id` touches, as (kind, id) pairs.
async fn touched(conn: &mut AnyConnection, entity: &str, id: i64) -> anyhow::Result<Vec<(&'static str, i64)>> {
    let ids = |rows: Vec<(i64,)>| rows.into_iter().map(|(i,)| i).collect::<Vec<_>>();
    Ok(match entity {
        "institution" => {
            // People show their institution's names: a renamed partner's people follow.
            let people: Vec<(i64,)> =
                sqlx::query_as("SELECT id FROM people WHERE institution_id = $1 LIMIT 2000").bind(id).fetch_all(&mut *conn).await?;
            std::iter::once(("institution", id)).chain(ids(people).into_iter().map(|p| ("person", p))).collect()
        }
        "unit" => {
            let owner: Vec<(i64,)> =
                sqlx::query_as("SELECT institution_id FROM units WHERE id = $1").bind(id).fetch_all(&mut *conn).await?;
            ids(owner).into_iter().map(|i| ("institution", i)).collect()
        }
        "person" => vec![("person", id)],
        "visit" => vec![("visit", id)],
        "visit_session" => {
            let visit: Vec<(i64,)> =
                sqlx::query_as("SELECT visit_id FROM visit_sessions WHERE id = $1").bind(id).fetch_all(&mut *conn).await?;
            ids(visit).into_iter().map(|v| ("visit", v)).collect()
        }
        "agreement" => vec![("agreement", id)],
        "programme" => vec![("programme", id)],
        "mobility" => vec![("mobility", id)],
        "article" => vec![("article", id)],
        "article_version" => {
            let article: Vec<(i64,)> =
                sqlx::query_as("SELECT article_id FROM article_versions WHERE id = $1").bind(id).fetch_all(&mut *conn).await?;
            ids(article).into_iter().map(|a| ("article", a)).collect()
        }
        "room" => vec![("room", id)],
        "building" => {
            let rooms: Vec<(i64,)> = sqlx::query_as("SELECT id FROM rooms WHERE building_id = $1").bind(id).fetch_all(&mut *conn).await?;
            ids(rooms).into_iter().map(|r| ("room", r)).collect()
        }
        _ => Vec::new(),
    })
}

/// The audit hook: refreshes what a change touched, on the change's own transaction.
pub fn after_change<'c>(conn: &'c mut AnyConnection, entity: &'c str, id: i64) -> BoxFuture<'c, anyhow::Result<()>> {
    Box::pin(async move {
        for (kind, record) in touched(conn, entity, id).await? {
            refresh(conn, kind, record).await?;
        }
        Ok(())
    })
}

/// Writes (or removes) the document of one record.
pub async fn refresh(conn: &mut AnyConnection, kind: &str, id: i64) -> anyhow::Result<()> {
    match documents::document(conn, kind, id).await? {
        Some(doc) => store(conn, &doc).await,
        None => {
            sqlx::query("DELETE FROM search_documents WHERE kind = $1 AND record_id = $2").bind(kind).bind(id).execute(&mut *conn).await?;
            Ok(())
        }
    }
}

/// Name words shorter than this are not corrected when mistyped (too many neighbours).
pub const CORRECTABLE: usize = 4;

async fn store(conn: &mut AnyConnection, doc: &Document) -> anyhow::Result<()> {
    let names = text::terms(&doc.names.join(" "));
    let mut other = text::terms(&doc.other.join(" "));
    other.retain(|t| !names.contains(t));
    sqlx::query(
        "INSERT INTO search_documents
            (kind, record_id, title, title_zh, detail, country, on_date, audience, public_from, href, public_href, names, terms,
             title_key, title_zh_key, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (kind, record_id) DO UPDATE SET
            title = excluded.title, title_zh = excluded.title_zh, detail = excluded.detail, country = excluded.country,
            on_date = excluded.on_date, audience = excluded.audience, public_from = excluded.public_from, href = excluded.href,
            public_href = excluded.public_href, names = excluded.names, terms = excluded.terms, title_key = excluded.title_key,
            title_zh_key = excluded.title_zh_key, updated_at = excluded.updated_at",
    )
    .bind(doc.kind)
    .bind(doc.record_id)
    .bind(&doc.title)
    .bind(&doc.title_zh)
    .bind(&doc.detail)
    .bind(&doc.country)
    .bind(&doc.on_date)
    .bind(if doc.audience == Audience::Public { "public" } else { "staff" })
    .bind(&doc.public_from)
    .bind(&doc.href)
    .bind(&doc.public_href)
    .bind(names.join(" "))
    .bind(other.join(" "))
    .bind(text::key(&doc.title))
    .bind(doc.title_zh.as_deref().map(text::key))
    .bind(crate::time::now_text())
    .execute(&mut *conn)
    .await?;
    let words: Vec<&String> =
        names.iter().filter(|t| t.chars().count() >= CORRECTABLE && t.chars().all(|c| c.is_alphabetic() && !text::is_cjk(c))).collect();
    if !words.is_empty() {
        let values: Vec<String> = (1..=words.len()).map(|i| format!("(${i})")).collect();
        let sql = format!("INSERT INTO search_vocabulary (term) VALUES {} ON CONFLICT (term) DO NOTHING", values.join(", "));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for w in words {
            q = q.bind(w);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records written per transaction by a rebuild.
const BATCH: usize = 500;

/// Writes every document again (and drops those of records that are gone); returns the
/// number of documents written.
pub async fn rebuild(db: &Db) -> anyhow::Result<u64> {
    let mut written = 0u64;
    let mut conn = db.pool.acquire().await?;
    sqlx::query("DELETE FROM search_documents").execute(&mut *conn).await?;
    for kind in KINDS {
        let Some(sql) = documents::all_ids_sql(kind) else { continue };
        let ids: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await?;
        for chunk in ids.chunks(BATCH) {
            let mut tx = db.pool.begin().await?;
            for (id,) in chunk {
                refresh(&mut tx, kind, *id).await?;
                written += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(written)
}

/// Rebuilds when the index is empty but records exist (a database from before the
/// search, or filled by a bulk load): run once at start-up, in the background.
pub async fn rebuild_if_empty(db: &Db) -> anyhow::Result<Option<u64>> {
    let (docs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM search_documents LIMIT 1) d").fetch_one(&db.pool).await?;
    if docs > 0 {
        return Ok(None);
    }
    let (records,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM institutions LIMIT 1) a) + (SELECT COUNT(*) FROM (SELECT 1 FROM articles LIMIT 1) b)
              + (SELECT COUNT(*) FROM (SELECT 1 FROM rooms LIMIT 1) c)",
    )
    .fetch_one(&db.pool)
    .await?;
    if records == 0 {
        return Ok(None);
    }
    rebuild(db).await.map(Some)
}
