//! What each kind of record says to the search: its names (ranked first), the other
//! words that find it (its partner, country names in every language, topics, members),
//! how it is shown in a hit, and who may see it. One function per kind, each reading the
//! record and what it names with a few queries on the caller's connection.

use sqlx::AnyConnection;

use crate::{
    cooperation, reference,
    web::i18n::{Locale, Tr},
};

/// Who may find a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, on the public site too (partners on the public page, published articles).
    Public,
    /// Those who may read the office's records.
    Staff,
}

/// A record as the index holds it.
#[derive(Debug, Clone)]
pub struct Document {
    /// `institution`, `person`, `visit`, `agreement`, `programme`, `mobility`, `article`, `room`.
    pub kind: &'static str,
    /// The record's id.
    pub record_id: i64,
    /// Shown name (English or romanised).
    pub title: String,
    /// Shown name in Chinese, when the record has one.
    pub title_zh: Option<String>,
    /// A short, language-neutral line: an acronym, a partner, a building.
    pub detail: String,
    /// A country code to show in the reader's language.
    pub country: Option<String>,
    /// The date that matters most.
    pub on_date: Option<String>,
    /// Who may find it.
    pub audience: Audience,
    /// When a public document becomes public.
    pub public_from: Option<String>,
    /// The staff page.
    pub href: String,
    /// The public page, for public documents.
    pub public_href: Option<String>,
    /// Texts naming the record (ranked first).
    pub names: Vec<String>,
    /// Other texts that find it.
    pub other: Vec<String>,
}

impl Document {
    fn new(kind: &'static str, record_id: i64, title: String, href: String) -> Document {
        Document {
            kind,
            record_id,
            names: vec![title.clone()],
            title,
            title_zh: None,
            detail: String::new(),
            country: None,
            on_date: None,
            audience: Audience::Staff,
            public_from: None,
            href,
            public_href: None,
            other: Vec::new(),
        }
    }
}

/// Every kind of record the search finds, in the order hits of equal rank are shown.
pub const KINDS: &[&str] = &["institution", "person", "visit", "agreement", "programme", "mobility", "article", "room"];

/// The document of one record, or None when it is gone (or merged into another).
pub async fn document(conn: &mut AnyConnection, kind: &str, id: i64) -> anyhow::Result<Option<Document>> {
    match kind {
        "institution" => institution(conn, id).await,
        "person" => person(conn, id).await,
        "visit" => visit(conn, id).await,
        "agreement" => agreement(conn, id).await,
        "programme" => programme(conn, id).await,
        "mobility" => mobility(conn, id).await,
        "article" => article(conn, id).await,
        "room" => room(conn, id).await,
        _ => Ok(None),
    }
}

/// The ids of every record of a kind that has a document (for a rebuild).
pub fn all_ids_sql(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "institution" => "SELECT id FROM institutions WHERE merged_into IS NULL ORDER BY id",
        "person" => "SELECT id FROM people WHERE merged_into IS NULL ORDER BY id",
        "visit" => "SELECT id FROM visits ORDER BY id",
        "agreement" => "SELECT id FROM agreements ORDER BY id",
        "programme" => "SELECT id FROM programmes ORDER BY id",
        "mobility" => "SELECT id FROM mobilities ORDER BY id",
        "article" => "SELECT id FROM articles ORDER BY id",
        "room" => "SELECT id FROM rooms ORDER BY id",
        _ => return None,
    })
}

fn some(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The UI's words for a key (a kind, a status) in every language, so "memorandum",
/// "备忘录" and "persefahaman" all find a memorandum of understanding.
fn words(key: &str) -> String {
    Locale::ALL.iter().map(|l| Tr(*l).t(key)).collect::<Vec<_>>().join(" ")
}

/// Country names in every interface language.
fn country_words(code: &str) -> String {
    ["en", "zh", "ms"].iter().map(|l| reference::country_name(code, l)).collect::<Vec<_>>().join(" ")
}

type InstitutionRow =
    (String, Option<String>, Option<String>, Option<String>, String, Option<String>, Option<String>, Option<String>, i64, Option<i64>);

async fn institution(conn: &mut AnyConnection, id: i64) -> anyhow::Result<Option<Document>> {
    let row: Option<InstitutionRow> = sqlx::query_as(
        "SELECT name_en, name_zh, name_local, acronym, country, city, website, directory_domain,
                CASE WHEN is_public = 1 AND is_home = 0 THEN 1 ELSE 0 END, merged_into
         FROM institutions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((name_en, name_zh, name_local, acronym, country, city, website, domain, public, merged)) = row else {
        return Ok(None);
    };
    if merged.is_some() {
        return Ok(None);
    }
    let mut d = Document::new("institution", id, name_en, format!("/institutions/{id}"));
    d.title_zh = some(name_zh.clone());
    d.detail = some(acronym.clone()).unwrap_or_default();
    d.names.extend([name_zh, name_local, acronym].into_iter().flatten());
    d.other.extend([city, website, domain].into_iter().flatten());
    d.other.push(country_words(&country));
    d.country = Some(country);
    let units: Vec<(String,)> =
        sqlx::query_as("SELECT n.name FROM unit_names n JOIN units u ON u.id = n.unit_id WHERE u.institution_id = $1 LIMIT 500")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let strengths: Vec<(String,)> =
        sqlx::query_as("SELECT tag FROM institution_strengths WHERE institution_id = $1").bind(id).fetch_all(&mut *conn).await?;
    d.other.extend(units.into_iter().chain(strengths).map(|(n,)| n));
    if public == 1 {
        d.audience = Audience::Public;
        d.public_href = Some("/partners".into());
    }
    Ok(Some(d))
}

/// An institution's acronym (or English name), Chinese name and country, for the records
/// that name it.
/// With `home` false the home institution is left out (it is a party to everything).
async fn institution_words(conn: &mut AnyConnection, id: i64, home: bool) -> anyhow::Result<Option<(String, String, String)>> {
    let row: Option<(String, Option<String>, Option<String>, String)> =
        sqlx::query_as("SELECT name_en, name_zh, acronym, country FROM institutions WHERE id = $1 AND (is_home = 0 OR $2 = 1)")
            .bind(id)
            .bind(i64::from(home))
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(en, zh, acronym, country)| {
        let short = some(acronym.clone()).unwrap_or_else(|| en.clone());
        let all = [Some(en), zh, acronym].into_iter().flatten().collect::<Vec<_>>().join(" ");
        (short, all, country)
    }))
}

async fn person(conn: &mut AnyConnection, id: i64) -> anyhow::Result<Option<Document>> {
    type Row = (String, Option<String>, Option<String>, Option<i64>, Option<i64>);
    let row: Option<Row> = sqlx::query_as("SELECT name_en, name_zh, email, institution_id, merged_into FROM people WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some((name_en, name_zh, email, institution_id, merged)) = row else { return Ok(None) };
    if merged.is_some() {
        return Ok(None);
    }
    let mut d = Document::new("person", id, name_en, format!("/people/{id}"));
    d.title_zh = some(name_zh.clone());
    d.names.extend(name_zh);
    d.other.extend(email);
    if let Some(inst) = institution_id
        && let Some((short, all, country)) = institution_words(conn, inst, true).await?
    {
        d.detail = short;
        d.other.push(all);
        d.country = Some(country);
    }
    let titles: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT title_en, title_zh FROM positions WHERE person_id = $1").bind(id).fetch_all(&mut *conn).await?;
    d.other.extend(titles.into_iter().flat_map(|(en, zh)| [Some(en), zh]).flatten());
    Ok(Some(d))
}

/// The institutions a record names through a link table, as (acronyms, all words, first country).
async fn linked_institutions(conn: &mut AnyConnection, sql: &str, id: i64) -> anyhow::Result<(Vec<String>, Vec<String>, Option<String>)> {
    let ids: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(&mut *conn).await?;
    let (mut short, mut all, mut country) = (Vec::new(), Vec::new(), None);
    for (inst,) in ids {
        if let Some((s, a, c)) = institution_words(conn, inst, false).await? {
            short.push(s);
            all.push(a);
            country.get_or_insert(c);
        }
    }
    Ok((short, all, country))
}

async fn visit(conn: &mut AnyConnection, id: i64) -> anyhow::Result<Option<Document>> {
    let row: Option<(String, String, String, String, String)> =
        sqlx::query_as("SELECT title, purpose, direction, start_date, status FROM visits WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((title, purpose, direction, start, status)) = row else { return Ok(None) };
    let mut d = Document::new("visit", id, title, format!("/visits/{id}"));
    let (short, all, country) =
        linked_institutions(conn, "SELECT institution_id FROM visit_institutions WHERE visit_id = $1 ORDER BY institution_id", id).await?;
    d.detail = short.join(", ");
    d.country = country;
    d.other.extend(all);
    d.other.extend([purpose, start.clone(), words(&format!("visits.direction.{direction}")), words(&format!("visits.status.{status}"))]);
    d.on_date = Some(start);
    let members: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT p.name_en, p.name_zh FROM visit_members m JOIN people p ON p.id = m.person_id WHERE m.visit_id = $1
         UNION ALL SELECT p.name_en, p.name_zh FROM visit_hosts h JOIN people p ON p.id = h.person_id WHERE h.visit_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    d.other.extend(members.into_iter().flat_map(|(en, zh)| [Some(en), zh]).flatten());
    let sessions: Vec<(String,)> =
        sqlx::query_as("SELECT title FROM visit_sessions WHERE visit_id = $1").bind(id).fetch_all(&mut *conn).await?;
    d.other.extend(sessions.into_iter().map(|(t,)| t));
    Ok(Some(d))
}

async fn agreement(conn: &mut AnyConnection, id: i64) -> anyhow::Result<Option<Document>> {
    type Row = (String, String, String, Option<String>, Option<String>, String);
    let row: Option<Row> = sqlx::query_as("SELECT title, kind, status, signed_date, expiry_date, notes FROM agreements WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some((title, kind, status, signed, expiry, notes)) = row else { return Ok(None) };
    let mut d = Document::new("agreement", id, title, format!("/agreements/{id}"));
    let (short, all, country) =
        linked_institutions(conn, "SELECT institution_id FROM agreement_parties WHERE agreement_id = $1 ORDER BY institution_id", id)
            .await?;
    d.detail = short.join(", ");
    d.country = country;
    d.other.extend(all);
    d.other.extend([words(&format!("agreements.kind.{kind}")), words(&format!("agreements.status.{status}")), notes]);
    d.other.extend(signed.clone());
    let areas: Vec<(String,)> =
        sqlx::query_as("SELECT area FROM agreement_areas WHERE agreement_id = $1").bind(id).fetch_all(&mut *conn).await?;
    d.other.extend(areas.iter().map(|(a,)| area_words(a)));
    d.on_date = expiry.or(signed);
    Ok(Some(d))
}

fn area_words(key: &str) -> String {
    Locale::ALL.iter().map(|l| cooperation::area_name(key, l.code())).collect::<Vec<_>>().join(" ")
}

async fn programme(conn: &mut AnyConnection, id: i64) -> anyhow::Result<Option<Document>> {
    type Row = (String, String, Option<String>, Option<String>, String, i64, Option<String>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT title, area, structure, project_title, investigators, agreement_id, start_date FROM programmes WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((title, area, structure, project, investigators, agreement_id, start)) = row else { return Ok(None) };
    let mut d = Document::new("programme", id, title, format!("/programmes/{id}"));
    d.names.extend(project);
    let (short, all, country) = linked_institutions(
        conn,
        "SELECT institution_id FROM agreement_parties WHERE agreement_id = $1 ORDER BY institution_id",
        agreement_id,
    )
    .await?;
    d.detail = short.join(", ");
    d.country = country;
    d.other.extend(all);
    d.other.extend([area_words(&area), investigators]);
    d.other.extend(structure);
    d.on_date = start;
    Ok(Some(d))
}

async fn mobility(conn: &mut AnyConnection, id: i64) -> anyhow::Result<Option<Document>> {
    type Row = (String, Option<String>, i64, String, String, String, String, String);
    let row: Option<Row> = sqlx::query_as(
        "SELECT p.name_en, p.name_zh, m.partner_institution_id, g.title, m.academic_year, m.direction, m.start_date, m.status
         FROM mobilities m JOIN people p ON p.id = m.person_id JOIN programmes g ON g.id = m.programme_id WHERE m.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((name_en, name_zh, partner, programme, year, direction, start, status)) = row else { return Ok(None) };
    let programme_id: (i64,) = sqlx::query_as("SELECT programme_id FROM mobilities WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
    let mut d = Document::new("mobility", id, name_en, format!("/programmes/{}", programme_id.0));
    d.title_zh = some(name_zh.clone());
    d.names.extend(name_zh);
    if let Some((short, all, country)) = institution_words(conn, partner, false).await? {
        d.detail = format!("{short} · {year}");
        d.other.push(all);
        d.country = Some(country);
    }
    d.other.extend([
        programme,
        year,
        words(&format!("programmes.direction.{direction}")),
        words(&format!("reports.mobility_status.{status}")),
    ]);
    d.on_date = Some(start);
    Ok(Some(d))
}

/// At most this much of an article's body is indexed (its first screens say what it is about).
const BODY_CHARS: usize = 20_000;

async fn article(conn: &mut AnyConnection, id: i64) -> anyhow::Result<Option<Document>> {
    let row: Option<(String, String, Option<String>, Option<i64>)> =
        sqlx::query_as("SELECT slug, status, published_at, institution_id FROM articles WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((slug, status, published_at, institution_id)) = row else { return Ok(None) };
    let versions: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT lang, title, summary, body FROM article_versions WHERE article_id = $1 ORDER BY lang")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let title_of = |lang: &str| versions.iter().find(|v| v.0 == lang).map(|v| v.1.trim().to_string()).filter(|t| !t.is_empty());
    let title = title_of("en").or_else(|| versions.iter().map(|v| v.1.clone()).find(|t| !t.trim().is_empty())).unwrap_or(slug.clone());
    let mut d = Document::new("article", id, title, format!("/articles/{id}"));
    d.title_zh = title_of("zh");
    for (_, t, summary, body) in &versions {
        d.names.push(t.clone());
        d.other.push(summary.clone());
        d.other.push(body.chars().take(BODY_CHARS).collect());
    }
    if let Some(inst) = institution_id
        && let Some((short, all, country)) = institution_words(conn, inst, false).await?
    {
        d.detail = short;
        d.other.push(all);
        d.country = Some(country);
    }
    if status == "published" && published_at.is_some() {
        d.audience = Audience::Public;
        d.public_from = published_at.clone();
        d.public_href = Some(format!("/news/{slug}"));
        d.on_date = published_at.map(|p| p.chars().take(10).collect());
    }
    Ok(Some(d))
}

async fn room(conn: &mut AnyConnection, id: i64) -> anyhow::Result<Option<Document>> {
    let row: Option<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT r.name, r.equipment, b.name_en, b.name_zh FROM rooms r JOIN buildings b ON b.id = r.building_id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((name, equipment, building, building_zh)) = row else { return Ok(None) };
    let mut d = Document::new("room", id, format!("{name} · {building}"), format!("/rooms/{id}"));
    d.names = vec![name.clone()];
    d.title_zh = building_zh.as_ref().map(|b| format!("{b} {name}"));
    d.other.extend([building, equipment]);
    d.other.extend(building_zh);
    Ok(Some(d))
}
