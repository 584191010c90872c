//! Answering a query: the engine finds the documents holding every term (FTS5 on SQLite,
//! the GIN `tsvector` on PostgreSQL, both over the terms the application cut), with the
//! names that start with the query's text (B-tree ranges); then one ranking in Rust, the
//! same on both engines: a name equal to the query first, then names starting with it,
//! then records in a country the query names, then names holding its words, then records
//! found through other words. When fewer than five
//! records hold every word, a mistyped name word is corrected against the vocabulary of
//! name words and the query is asked again.

use serde::Serialize;
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::{
    index::CORRECTABLE,
    text::{self, QueryTerm},
};
use crate::{config::Engine, db::Db};

/// One record found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hit {
    /// `institution`, `person`, `visit`, `agreement`, `programme`, `mobility`, `article` or `room`.
    pub kind: String,
    /// The record's id.
    pub id: i64,
    /// Its name (English or romanised).
    pub title: String,
    /// Its Chinese name, when it has one.
    pub title_zh: Option<String>,
    /// A short line: an acronym, a partner, a building and its capacity.
    pub detail: String,
    /// Country code, when the record has one.
    pub country: Option<String>,
    /// The date that matters most (a visit's start, an agreement's expiry), when it has one.
    pub date: Option<String>,
    /// Where the record is shown (for public callers, its public page).
    pub href: String,
    /// Relevance: higher first (names equal to the query score 100 and more).
    pub score: f64,
}

/// What a search found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Results {
    /// The query as asked.
    pub query: String,
    /// The query with mistyped words corrected, when a correction found more.
    pub corrected: Option<String>,
    /// The hits, best first.
    pub hits: Vec<Hit>,
}

/// A search as asked.
pub struct Search<'a> {
    /// The text typed.
    pub q: &'a str,
    /// Only these kinds (empty: all).
    pub kinds: &'a [&'static str],
    /// True when the caller may read the office's records; otherwise only public documents.
    pub staff: bool,
    /// Hits wanted.
    pub limit: usize,
}

/// Terms all groups of which must match (a group matches when any of its terms does).
type Groups = Vec<Vec<QueryTerm>>;

/// A candidate as read from the index.
#[derive(sqlx::FromRow)]
struct Row {
    kind: String,
    record_id: i64,
    title: String,
    title_zh: Option<String>,
    detail: String,
    country: Option<String>,
    on_date: Option<String>,
    href: String,
    public_href: Option<String>,
    names: String,
    title_key: String,
    title_zh_key: Option<String>,
}

/// Runs a search.
pub async fn search(db: &Db, s: &Search<'_>) -> anyhow::Result<Results> {
    let terms = text::query_terms(s.q);
    let mut out = Results { query: s.q.to_string(), corrected: None, hits: Vec::new() };
    if terms.is_empty() {
        return Ok(out);
    }
    let mut conn = db.pool.acquire().await?;
    let groups: Groups = terms.iter().map(|t| vec![t.clone()]).collect();
    let rows = candidates(&mut conn, db.engine, &groups, s, true).await?;
    let ranker = Ranker::new(s);
    let mut hits: Vec<Hit> = rows.into_iter().enumerate().map(|(i, r)| ranker.hit(r, &terms, i, false)).collect();
    if hits.len() < 5 {
        // With nothing found, even a word the names use may be the mistyped one.
        let (groups, corrected) = corrections(&mut conn, &terms, hits.is_empty()).await?;
        if let Some(corrected) = corrected {
            // The names starting with the text were read by the first pass.
            let more = candidates(&mut conn, db.engine, &groups, s, false).await?;
            let before = hits.len();
            let fixed = text::query_terms(&corrected);
            for (i, r) in more.into_iter().enumerate() {
                if !hits.iter().any(|h| h.kind == r.kind && h.id == r.record_id) {
                    hits.push(ranker.hit(r, &fixed, i, true));
                }
            }
            if hits.len() > before {
                out.corrected = Some(corrected);
            }
        }
    }
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.title.cmp(&b.title)).then(a.id.cmp(&b.id)));
    hits.truncate(s.limit);
    out.hits = hits;
    Ok(out)
}

/// Matches read for ranking, at most: a query matching more is broad ("university", 合作,
/// two letters as typed) and is answered from names instead.
const BROAD: i64 = 400;

/// The documents to rank: names starting with the query's text (through the title
/// indexes), then every match when there are fewer than [`BROAD`]; otherwise the matches
/// in names (all of them when fewer than [`BROAD`], else the first 50), or, when no name
/// matches, the first 50 matches. `with_names` false leaves out the title ranges (a
/// corrected pass: the text typed was already looked up). The engine only finds; the ranking is
/// the same Rust on both engines, so the same complete set ranks the same way.
async fn candidates(
    conn: &mut AnyConnection,
    engine: Engine,
    groups: &Groups,
    s: &Search<'_>,
    with_names: bool,
) -> anyhow::Result<Vec<Row>> {
    let mut rows = if with_names { starting_with(conn, &text::key(s.q), s).await? } else { Vec::new() };
    let found = if count(conn, engine, groups, false).await? < BROAD {
        matching(conn, engine, groups, false, BROAD, s).await?
    } else {
        match count(conn, engine, groups, true).await? {
            // Found only in other words (a body, a partner's name): the first of them.
            0 => matching(conn, engine, groups, false, 50, s).await?,
            n if n < BROAD => matching(conn, engine, groups, true, BROAD, s).await?,
            // Broad even in names: the names starting with the text lead; a few more matches follow.
            _ => matching(conn, engine, groups, true, 50, s).await?,
        }
    };
    for row in found {
        if !rows.iter().any(|r| r.kind == row.kind && r.record_id == row.record_id) {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// How many documents match (in names only, with `names_only`), counted up to [`BROAD`].
async fn count(conn: &mut AnyConnection, engine: Engine, groups: &Groups, names_only: bool) -> anyhow::Result<i64> {
    let (sql, expr) = match engine {
        Engine::Sqlite => (
            format!("SELECT COUNT(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH $1 LIMIT {BROAD}) m"),
            fts5_expression(groups, names_only),
        ),
        Engine::Postgres => (
            format!("SELECT COUNT(*) FROM (SELECT 1 FROM search_documents d WHERE d.tsv @@ to_tsquery('simple', $1) LIMIT {BROAD}) m"),
            tsquery_expression(groups, names_only),
        ),
    };
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(expr).fetch_one(&mut *conn).await?)
}

const COLUMNS: &str =
    "d.kind, d.record_id, d.title, d.title_zh, d.detail, d.country, d.on_date, d.href, d.public_href, d.names, d.title_key, d.title_zh_key";

/// ` AND …` for the caller's audience (`$2` is now) and the kinds asked for.
fn filters(s: &Search<'_>) -> String {
    let audience = if s.staff { "" } else { " AND d.audience = 'public' AND (d.public_from IS NULL OR d.public_from <= $2)" };
    if s.kinds.is_empty() {
        return audience.to_string();
    }
    // Kinds come from the fixed list, never from the caller's text.
    format!("{audience} AND d.kind IN ({})", s.kinds.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", "))
}

/// The first `limit` matching documents (in names only, with `names_only`).
async fn matching(
    conn: &mut AnyConnection,
    engine: Engine,
    groups: &Groups,
    names_only: bool,
    limit: i64,
    s: &Search<'_>,
) -> anyhow::Result<Vec<Row>> {
    let filters = filters(s);
    let (sql, expr) = match engine {
        Engine::Sqlite => (
            format!(
                "SELECT {COLUMNS} FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid
                 WHERE search_fts MATCH $1{filters} LIMIT {limit}"
            ),
            fts5_expression(groups, names_only),
        ),
        Engine::Postgres => (
            format!("SELECT {COLUMNS} FROM search_documents d WHERE d.tsv @@ to_tsquery('simple', $1){filters} LIMIT {limit}"),
            tsquery_expression(groups, names_only),
        ),
    };
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(expr);
    if !s.staff {
        q = q.bind(crate::time::now_text());
    }
    Ok(q.fetch_all(&mut *conn).await?)
}

/// Documents whose title or Chinese title starts with the query's text (the first 50 of
/// each in the index's order: reading the whole range to sort it would cost what this avoids).
async fn starting_with(conn: &mut AnyConnection, key: &str, s: &Search<'_>) -> anyhow::Result<Vec<Row>> {
    if key.is_empty() {
        return Ok(Vec::new());
    }
    let filters = filters(s).replace("$2", "$3");
    let mut rows = Vec::new();
    for column in ["title_key", "title_zh_key"] {
        let sql = format!(
            "SELECT {COLUMNS} FROM search_documents d WHERE d.{column} >= $1 AND d.{column} < $2{filters}
             ORDER BY d.{column} LIMIT 50"
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(key).bind(format!("{key}\u{10FFFF}"));
        if !s.staff {
            q = q.bind(crate::time::now_text());
        }
        let found: Vec<Row> = q.fetch_all(&mut *conn).await?;
        rows.extend(found);
    }
    Ok(rows)
}

/// `("kuala"* OR "kuale") AND "马来"` (in the names column only: `names : (…)`); terms are
/// letters and digits only, so quoting is safe.
fn fts5_expression(groups: &Groups, names_only: bool) -> String {
    let term = |t: &QueryTerm| format!("\"{}\"{}", t.text, if t.prefix { "*" } else { "" });
    let expr =
        groups.iter().map(|g| format!("({})", g.iter().map(term).collect::<Vec<_>>().join(" OR "))).collect::<Vec<_>>().join(" AND ");
    if names_only { format!("names : ({expr})") } else { expr }
}

/// `(kuala:* | kuale) & 马来` (names only: weight A, `kuala:*A`).
fn tsquery_expression(groups: &Groups, names_only: bool) -> String {
    let weight = if names_only { "A" } else { "" };
    let term = |t: &QueryTerm| match (t.prefix, names_only) {
        (true, _) => format!("{}:*{weight}", t.text),
        (false, true) => format!("{}:A", t.text),
        (false, false) => t.text.clone(),
    };
    groups.iter().map(|g| format!("({})", g.iter().map(term).collect::<Vec<_>>().join(" | "))).collect::<Vec<_>>().join(" & ")
}

/// Corrects each mistyped word (four letters or more) against the name vocabulary: the
/// word itself stays an alternative, the closest names words join it. Returns the groups
/// and the corrected query, or None for the query when nothing was corrected.
async fn corrections(conn: &mut AnyConnection, terms: &[QueryTerm], all: bool) -> anyhow::Result<(Groups, Option<String>)> {
    let mut groups = Vec::new();
    let mut changed = false;
    let mut shown = Vec::new();
    for t in terms {
        let mut group = vec![t.clone()];
        let len = t.text.chars().count();
        if t.prefix && len >= CORRECTABLE && t.text.chars().all(char::is_alphabetic) {
            let near = neighbours(conn, &t.text, all).await?;
            if let Some(best) = near.first().filter(|b| **b != t.text) {
                changed = true;
                shown.push(best.clone());
            } else {
                shown.push(t.text.clone());
            }
            group.extend(near.into_iter().map(|w| QueryTerm { text: w, prefix: false }));
        } else {
            shown.push(t.text.clone());
        }
        groups.push(group);
    }
    Ok((groups, changed.then(|| shown.join(" "))))
}

/// Name words within one edit (words up to six letters) or two, best first, at most three;
/// none when the word is itself a name word, unless `all` (nothing was found: the
/// directory itself holds mistyped names, "Universiy …").
async fn neighbours(conn: &mut AnyConnection, word: &str, all: bool) -> anyhow::Result<Vec<String>> {
    let exact: Option<(String,)> =
        sqlx::query_as("SELECT term FROM search_vocabulary WHERE term = $1").bind(word).fetch_optional(&mut *conn).await?;
    if exact.is_some() && !all {
        return Ok(Vec::new());
    }
    let max = if word.chars().count() <= 6 { 1 } else { 2 };
    // A typo rarely hits the first letter: look among words that share it.
    let first: String = word.chars().take(1).collect();
    let len = word.chars().count() as i64;
    let words: Vec<(String,)> =
        sqlx::query_as("SELECT term FROM search_vocabulary WHERE term >= $1 AND term < $2 AND length(term) >= $3 AND length(term) <= $4")
            .bind(&first)
            .bind(format!("{first}\u{10FFFF}"))
            .bind(len - max as i64)
            // Longer words are compared by their start (the word as typed so far).
            .bind(len + 12)
            .fetch_all(&mut *conn)
            .await?;
    let mut near: Vec<(usize, String)> = words
        .into_iter()
        .filter_map(|(w,)| {
            // As typed, the word may be the start of a longer one: compare with its start too.
            let head: String = w.chars().take(word.chars().count()).collect();
            let d = text::distance(word, &w, max).or_else(|| text::distance(word, &head, max).map(|d| d + 1).filter(|d| *d <= max + 1));
            d.filter(|_| w != word).map(|d| (d, w))
        })
        .collect();
    near.sort();
    Ok(near.into_iter().take(3).map(|(_, w)| w).collect())
}

fn kind_prior(kind: &str) -> f64 {
    match kind {
        "institution" => 6.0,
        "person" => 5.0,
        "agreement" | "visit" => 4.0,
        "programme" | "room" => 3.0,
        "article" => 2.0,
        _ => 1.0,
    }
}

/// What every candidate of one search is scored against, computed once.
struct Ranker<'a> {
    s: &'a Search<'a>,
    /// The query as a name key.
    key: String,
    /// The country the whole query names, if it does ("马来西亚", "Malaysia").
    country: Option<&'static str>,
}

impl<'a> Ranker<'a> {
    fn new(s: &'a Search<'a>) -> Ranker<'a> {
        Ranker { s, key: text::key(s.q), country: crate::reference::country_by_name(s.q).map(|c| c.code) }
    }

    /// Scores a candidate (`position` is the order it was found in, a tie-breaker).
    fn hit(&self, row: Row, terms: &[QueryTerm], position: usize, corrected: bool) -> Hit {
        let Row { kind, record_id: id, title, title_zh, detail, country, on_date: date, href, public_href, names, title_key, title_zh_key } =
            row;
        // An institution's detail is its acronym, one of its names; other kinds' details name something else.
        let acronym = (kind == "institution").then(|| text::key(&detail));
        let shown: Vec<String> = [Some(title_key), title_zh_key, acronym].into_iter().flatten().collect();
        let in_country = self.country.is_some() && country.as_deref() == self.country;
        let base = if !corrected && shown.contains(&self.key) {
            100.0
        } else if !corrected && shown.iter().take(2).any(|n| n.starts_with(&self.key)) {
            80.0
        } else if in_country {
            75.0
        } else {
            let names: Vec<&str> = names.split(' ').collect();
            let found =
                terms.iter().filter(|t| names.iter().any(|n| if t.prefix { n.starts_with(t.text.as_str()) } else { *n == t.text })).count();
            40.0 + 30.0 * found as f64 / terms.len().max(1) as f64
        };
        let length = title.chars().count().min(100) as f64 / 50.0;
        let mut score = base + kind_prior(&kind) - length - position as f64 * 0.0001;
        if corrected {
            score *= 0.6;
        }
        Hit {
            href: if self.s.staff { href } else { public_href.unwrap_or(href) },
            kind,
            id,
            title,
            title_zh,
            detail,
            country,
            date,
            score: (score * 1000.0).round() / 1000.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_are_the_same_query_in_each_engine_syntax() {
        let groups: Groups = vec![
            vec![QueryTerm { text: "kuala".into(), prefix: true }, QueryTerm { text: "kuale".into(), prefix: false }],
            vec![QueryTerm { text: "马来".into(), prefix: false }],
        ];
        assert_eq!(fts5_expression(&groups, false), "(\"kuala\"* OR \"kuale\") AND (\"马来\")");
        assert_eq!(tsquery_expression(&groups, false), "(kuala:* | kuale) & (马来)");
        assert_eq!(fts5_expression(&groups, true), "names : ((\"kuala\"* OR \"kuale\") AND (\"马来\"))");
        assert_eq!(tsquery_expression(&groups, true), "(kuala:*A | kuale:A) & (马来:A)");
    }
}
