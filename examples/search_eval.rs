//! Global search: data, recall and the queries to load. Driven by `scripts/bench-search.sh`.
//!
//! `search_eval generate` loads, into a migrated and empty database (`LIAISON_DATABASE_URL`,
//! else SQLite in `LIAISON_DATA_DIR`), the seed story and 100,000 records across modules:
//! 20,000 institutions from the shipped directory (their real names in many languages,
//! Chinese names where the directory has them, acronyms made from the initials), 30,000
//! people (romanised Malay, Chinese and English names, a third with Chinese names), 15,000
//! visits, 12,000 agreements, 10,000 programmes, 10,000 mobilities, 2,500 bilingual
//! articles and 500 rooms; then writes every search document (`search::index::rebuild`)
//! and prints how long that took. Deterministic (SplitMix64, fixed seed).
//!
//! `search_eval recall` asks a labelled set of 100 queries — full names, names as typed,
//! acronyms, Chinese names, mistyped names, people, room numbers, agreements, Chinese
//! article words — each with the one record it must find, and prints recall in the top 5
//! (and the misses). The set is drawn from the loaded data with the same seed, so every
//! run on either engine asks the same queries. `--write FILE` also writes the set as TSV.

use std::time::Instant;

use liaison::{
    config::RawSettings,
    db::Db,
    search::query::{Search, search},
};

const INSTITUTIONS: usize = 20_000;
const PEOPLE: usize = 30_000;
const VISITS: usize = 15_000;
const AGREEMENTS: usize = 12_000;
const PROGRAMMES: usize = 10_000;
const MOBILITIES: usize = 10_000;
const ARTICLES: usize = 2_500;
const ROOMS_PER_BUILDING: usize = 100;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

const GIVEN: &[&str] = &[
    "Aminah", "Farid", "Nurul", "Hafiz", "Siti", "Azlan", "Wei", "Mei", "Jun", "Li", "Hui", "Ming", "James", "Sarah", "Olivia", "Daniel",
    "Priya", "Arjun", "Thanh", "Somchai", "Yuki", "Haruto", "Ji-woo", "Minh", "Rizal", "Dewi", "Fatimah", "Zulkifli", "Khairul", "Lina",
];
const FAMILY: &[&str] = &[
    "Abdullah", "Rahman", "Ismail", "Hassan", "Tan", "Lim", "Wong", "Chen", "Zhang", "Wang", "Liu", "Huang", "Smith", "Brown", "Nguyen",
    "Tran", "Sato", "Suzuki", "Kim", "Park", "Singh", "Kumar", "Yusof", "Ahmad", "Othman", "Ibrahim", "Osman", "Razak", "Hamid", "Lee",
];
const ZH_FAMILY: &[&str] =
    &["陈", "李", "王", "张", "刘", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡", "林", "郭", "何", "高", "罗"];
const ZH_GIVEN: &[&str] =
    &["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平"];
const BUILDING: &[(&str, &str)] = &[
    ("Shixun Building", "实训楼"),
    ("Library", "图书馆"),
    ("Administration Building", "行政楼"),
    ("Science Hall", "科学馆"),
    ("Guest House", "国际交流中心"),
];
const KINDS: &[&str] = &["mou", "programme", "exchange", "progression", "research"];
const AREAS: &[&str] = &["joint_education", "academic_exchange", "teacher_training", "degree_progression", "student_exchange"];

/// A directory institution: English name, Chinese name, country, domain, acronym.
#[derive(Clone)]
struct Inst {
    name: String,
    zh: Option<String>,
    country: String,
    domain: String,
    acronym: String,
}

fn acronym(name: &str) -> String {
    name.split_whitespace().filter(|w| w.chars().next().is_some_and(char::is_uppercase)).filter_map(|w| w.chars().next()).collect()
}

fn directory() -> Vec<Inst> {
    let text = std::fs::read_to_string("data/directory.tsv").expect("run from the project root (data/directory.tsv)");
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (domain, country, name, zh) =
            (f[0], f.get(1).copied().unwrap_or(""), f.get(2).copied().unwrap_or(""), f.get(4).copied().unwrap_or(""));
        if country.len() != 2
            || name.is_empty()
            || name.len() > 200
            || domain == "iukl.edu.my"
            || !seen.insert(name.to_lowercase())
            || !seen.insert(domain.to_string())
        {
            continue;
        }
        let zh = Some(zh.to_string()).filter(|z| !z.is_empty());
        out.push(Inst { acronym: acronym(name), name: name.into(), zh, country: country.into(), domain: domain.into() });
        if out.len() == INSTITUTIONS {
            break;
        }
    }
    out
}

async fn open() -> anyhow::Result<Db> {
    let settings = RawSettings {
        data_dir: std::env::var_os("LIAISON_DATA_DIR").map(Into::into),
        database_url: std::env::var("LIAISON_DATABASE_URL").ok().filter(|u| !u.is_empty()),
        ..Default::default()
    }
    .resolve()?;
    Db::connect(&settings).await
}

fn person_name(rng: &mut Rng, i: usize) -> (String, Option<String>) {
    let en = format!("{} {}", rng.pick(GIVEN), rng.pick(FAMILY));
    // A middle initial makes most names unique, as in a real office's records.
    let en = format!("{en} {}.", (b'A' + (i % 26) as u8) as char);
    let zh = i.is_multiple_of(3).then(|| format!("{}{}{}", rng.pick(ZH_FAMILY), rng.pick(ZH_GIVEN), rng.pick(ZH_GIVEN)));
    (en, zh)
}

async fn generate() -> anyhow::Result<()> {
    let db = open().await?;
    db.migrate().await?;
    let started = Instant::now();
    liaison::seed::load(&db, "Demo University of Technology").await?;
    let home: i64 = sqlx::query_scalar("SELECT id FROM institutions WHERE is_home = 1").fetch_one(&db.pool).await?;
    let now = liaison::time::now_text();
    let mut rng = Rng(20240508);
    let insts = directory();
    let mut tx = db.pool.begin().await?;
    let mut inst_ids = Vec::with_capacity(insts.len());
    for (i, inst) in insts.iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO institutions (name_en, name_zh, acronym, country, website, directory_domain, is_public, partnership_status,
                created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $8) RETURNING id",
        )
        .bind(&inst.name)
        .bind(&inst.zh)
        .bind(Some(&inst.acronym).filter(|a| a.len() >= 2))
        .bind(&inst.country)
        .bind(format!("https://{}", inst.domain))
        .bind(&inst.domain)
        .bind(i64::from(i % 4 == 0))
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        inst_ids.push(id);
    }
    let inst_id = |i: usize| inst_ids[i % inst_ids.len()];
    let mut person_ids = Vec::with_capacity(PEOPLE);
    for i in 0..PEOPLE {
        let (en, zh) = person_name(&mut rng, i);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO people (name_en, name_zh, institution_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(en)
        .bind(zh)
        .bind(inst_id(i))
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        person_ids.push(id);
    }
    for i in 0..VISITS {
        let k = rng.below(insts.len());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO visits (direction, title, purpose, start_date, end_date, status, created_at, updated_at)
             VALUES ('inbound', $1, 'Courtesy meeting and symposium on cooperation', $2, $2, 'completed', $3, $3) RETURNING id",
        )
        .bind(format!("Delegation from {} visits us", insts[k].name))
        .bind(format!("{}-05-08", 2015 + i % 12))
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO visit_institutions (visit_id, institution_id) VALUES ($1, $2)")
            .bind(id)
            .bind(inst_id(k))
            .execute(&mut *tx)
            .await?;
    }
    let mut agreement_ids = Vec::with_capacity(AGREEMENTS);
    for i in 0..AGREEMENTS {
        let kind = KINDS[i % KINDS.len()];
        let label = match kind {
            "mou" => "Memorandum of Understanding",
            "programme" => "Programme Agreement",
            "exchange" => "Student Exchange Agreement",
            "progression" => "Progression Agreement",
            _ => "Research Agreement",
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO agreements (kind, title, status, expiry_date, created_at, updated_at)
             VALUES ($1, $2, 'in_effect', $3, $4, $4) RETURNING id",
        )
        .bind(kind)
        .bind(format!("{label} with {}", insts[i % insts.len()].name))
        .bind(format!("{}-12-31", 2026 + i % 5))
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO agreement_parties (agreement_id, institution_id) VALUES ($1, $2), ($1, $3)")
            .bind(id)
            .bind(home)
            .bind(inst_id(i))
            .execute(&mut *tx)
            .await?;
        agreement_ids.push(id);
    }
    let mut programme_ids = Vec::with_capacity(PROGRAMMES);
    for i in 0..PROGRAMMES {
        let area = AREAS[i % AREAS.len()];
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO programmes (agreement_id, area, title, status, created_at, updated_at)
             VALUES ($1, $2, $3, 'active', $4, $4) RETURNING id",
        )
        .bind(agreement_ids[i % AGREEMENTS])
        .bind(area)
        .bind(format!("{} {} {}", insts[i % insts.len()].acronym, liaison::cooperation::area_name(area, "en"), 2020 + i % 7))
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        programme_ids.push(id);
    }
    for i in 0..MOBILITIES {
        sqlx::query(
            "INSERT INTO mobilities (programme_id, person_id, partner_institution_id, participant_kind, direction, academic_year,
                start_date, end_date, status, created_at, updated_at)
             VALUES ($1, $2, $3, 'student', 'outbound', '2025-2026', '2025-09-01', '2026-01-31', 'accepted', $4, $4)",
        )
        .bind(programme_ids[i % PROGRAMMES])
        .bind(person_ids[i % PEOPLE])
        .bind(inst_id(i))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    for i in 0..ARTICLES {
        let k = rng.below(insts.len());
        let zh_name = insts[k].zh.clone().unwrap_or_else(|| insts[k].name.clone());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO articles (slug, original_lang, required_langs, status, author_name, institution_id, published_at,
                created_at, updated_at) VALUES ($1, 'zh', 'zh,en', 'published', 'Qin Lijuan', $2, $3, $4, $4) RETURNING id",
        )
        .bind(format!("bench-article-{i}"))
        .bind(inst_id(k))
        .bind(format!("{}-05-24T02:00:00Z", 2015 + i % 11))
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let versions = [
            (
                "zh",
                format!("{zh_name}代表团来访我校洽谈合作"),
                format!("双方就学生交流、本硕连读、科研合作等项目进行了深入交流，达成合作共识。第{i}期。"),
            ),
            (
                "en",
                format!("Delegation from {} visits for cooperation talks", insts[k].name),
                format!("Both sides discussed student exchange and joint research. Issue {i}."),
            ),
        ];
        for (lang, title, body) in versions {
            sqlx::query(
                "INSERT INTO article_versions (article_id, lang, title, summary, body, body_html, updated_at, updated_by)
                 VALUES ($1, $2, $3, '', $4, '', $5, 'bench')",
            )
            .bind(id)
            .bind(lang)
            .bind(title)
            .bind(body)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
    }
    for (b, (en, zh)) in BUILDING.iter().enumerate() {
        let building: i64 = sqlx::query_scalar(
            "INSERT INTO buildings (institution_id, name_en, name_zh, time_zone, created_at)
             VALUES ($1, $2, $3, 'Asia/Shanghai', $4) RETURNING id",
        )
        .bind(home)
        .bind(format!("{en} {}", b + 2))
        .bind(format!("{zh}{}", b + 2))
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        for r in 0..ROOMS_PER_BUILDING {
            sqlx::query("INSERT INTO rooms (building_id, name, capacity, created_at) VALUES ($1, $2, $3, $4)")
                .bind(building)
                .bind(format!("{}{:03}", b + 2, r + 1))
                .bind(10 + (r % 8) as i64 * 10)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    println!("loaded 100,000 records in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let n = liaison::search::index::rebuild(&db).await?;
    println!("search documents written: {n} in {:.1} s", started.elapsed().as_secs_f64());
    db.analyze().await?;
    Ok(())
}

/// One labelled query: the text and the record it must find.
struct Labelled {
    what: &'static str,
    q: String,
    kind: &'static str,
    id: i64,
}

/// One letter changed in the longest word (a neighbour swapped in, or one dropped).
fn typo(rng: &mut Rng, text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (i, longest) = words.iter().enumerate().max_by_key(|(_, w)| w.chars().count()).map(|(i, w)| (i, *w)).unwrap_or((0, ""));
    let mut chars: Vec<char> = longest.chars().collect();
    if chars.len() < 6 || !chars.iter().all(|c| c.is_ascii_alphabetic()) {
        return text.to_string();
    }
    let at = 2 + rng.below(chars.len() - 3);
    if rng.below(2) == 0 {
        chars.swap(at, at + 1)
    } else {
        chars.remove(at);
    }
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    out[i] = chars.into_iter().collect();
    out.join(" ")
}

async fn labelled(db: &Db) -> anyhow::Result<Vec<Labelled>> {
    let mut rng = Rng(1507);
    let insts: Vec<(i64, String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT id, name_en, name_zh, acronym FROM institutions WHERE is_home = 0 ORDER BY id").fetch_all(&db.pool).await?;
    let people: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT id, name_en, name_zh FROM people ORDER BY id").fetch_all(&db.pool).await?;
    let rooms: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM rooms ORDER BY id").fetch_all(&db.pool).await?;
    let agreements: Vec<(i64, String)> = sqlx::query_as("SELECT id, title FROM agreements ORDER BY id").fetch_all(&db.pool).await?;
    let articles: Vec<(i64, String)> =
        sqlx::query_as("SELECT article_id, title FROM article_versions WHERE lang = 'zh' ORDER BY article_id").fetch_all(&db.pool).await?;
    let mut set = Vec::new();
    let mut add = |what, q: String, kind, id| set.push(Labelled { what, q, kind, id });
    let unique_acronyms: Vec<_> = insts
        .iter()
        .filter(|(_, _, _, a)| {
            a.as_ref().is_some_and(|a| a.len() >= 3 && insts.iter().filter(|(_, _, _, b)| b.as_ref() == Some(a)).count() == 1)
        })
        .collect();
    let with_zh: Vec<_> = insts.iter().filter(|(_, _, z, _)| z.as_ref().is_some_and(|z| z.chars().count() >= 4)).collect();
    for _ in 0..15 {
        let (id, n, _, _) = &insts[rng.below(insts.len())];
        add("full name", n.clone(), "institution", *id);
    }
    for _ in 0..10 {
        let (id, n, _, _) = &insts[rng.below(insts.len())];
        let words: Vec<&str> = n.split_whitespace().collect();
        let typed = if words.len() >= 3 {
            format!("{} {}", words[..words.len() - 1].join(" "), &words[words.len() - 1].chars().take(3).collect::<String>())
        } else {
            n.clone()
        };
        add("name as typed", typed, "institution", *id);
    }
    for _ in 0..10 {
        let (id, _, _, a) = unique_acronyms[rng.below(unique_acronyms.len())];
        add("acronym", a.clone().unwrap_or_default(), "institution", *id);
    }
    for _ in 0..10 {
        let (id, _, z, _) = with_zh[rng.below(with_zh.len())];
        add("Chinese name", z.clone().unwrap_or_default(), "institution", *id);
    }
    for _ in 0..10 {
        let (id, n, _, _) = &insts[rng.below(insts.len())];
        let t = typo(&mut rng, n);
        add("mistyped name", t, "institution", *id);
    }
    for _ in 0..10 {
        let (id, n, _) = &people[rng.below(people.len())];
        add("person", n.clone(), "person", *id);
    }
    for _ in 0..5 {
        let (id, n, _) = &people[rng.below(people.len())];
        let t = typo(&mut rng, n);
        add("mistyped person", t, "person", *id);
    }
    for _ in 0..5 {
        let (id, _, z) = people.iter().filter(|p| p.2.is_some()).nth(rng.below(1000)).expect("Chinese names");
        add("Chinese person", z.clone().unwrap_or_default(), "person", *id);
    }
    for _ in 0..10 {
        let (id, n) = &rooms[rng.below(rooms.len())];
        add("room number", n.clone(), "room", *id);
    }
    for _ in 0..5 {
        let (id, t) = &agreements[rng.below(agreements.len())];
        add("agreement", t.clone(), "agreement", *id);
    }
    for _ in 0..10 {
        let (id, t) = &articles[rng.below(articles.len())];
        add("Chinese article title", t.clone(), "article", *id);
    }
    Ok(set)
}

async fn recall(write: Option<String>) -> anyhow::Result<()> {
    let db = open().await?;
    let set = labelled(&db).await?;
    let mut found = 0;
    let mut lines = vec!["what\tquery\tkind\tid\trank".to_string()];
    let mut by_what: Vec<(&str, usize, usize, f64, f64)> = Vec::new();
    for l in &set {
        let t = Instant::now();
        let r = search(&db, &Search { q: &l.q, kinds: &[], staff: true, limit: 5 }).await?;
        let took = t.elapsed().as_secs_f64() * 1000.0;
        let rank = r.hits.iter().position(|h| h.kind == l.kind && h.id == l.id);
        if rank.is_some() {
            found += 1;
        } else {
            println!("miss: {} {:?} → {:?}", l.what, l.q, r.hits.iter().map(|h| (&h.kind, &h.title)).collect::<Vec<_>>());
        }
        match by_what.iter_mut().find(|e| e.0 == l.what) {
            Some(e) => {
                e.1 += 1;
                e.2 += usize::from(rank.is_some());
                e.3 += took;
                e.4 = e.4.max(took);
            }
            None => by_what.push((l.what, 1, usize::from(rank.is_some()), took, took)),
        }
        lines.push(format!("{}\t{}\t{}\t{}\t{}", l.what, l.q, l.kind, l.id, rank.map(|r| (r + 1).to_string()).unwrap_or("-".into())));
    }
    for (what, n, ok, total, max) in &by_what {
        println!("{what:>22}: {ok}/{n}   one at a time: mean {:.1} ms, max {max:.1} ms", total / *n as f64);
    }
    println!("recall@5: {found}/{} = {:.2}", set.len(), found as f64 / set.len() as f64);
    if let Some(path) = write {
        std::fs::write(path, lines.join("\n") + "\n")?;
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => generate().await,
        Some("recall") => recall(args.iter().position(|a| a == "--write").and_then(|i| args.get(i + 1).cloned())).await,
        _ => anyhow::bail!("usage: search_eval generate | recall [--write FILE]"),
    }
}
