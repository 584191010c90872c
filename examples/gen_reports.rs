//! Report data generator and benchmark. Driven by `scripts/bench-reports.sh`.
//!
//! `gen_reports generate [--database-url URL]` loads, into a migrated and empty database
//! (`--database-url`, else `LIAISON_DATABASE_URL`, else SQLite in `LIAISON_DATA_DIR`):
//! the seed story, 2,000 partner institutions in 60 countries, 20,000 people, 5,000
//! agreements (home + one partner, every tenth two partners; 1–3 cooperation areas; all
//! statuses; signed 2010–2026, three to five years' term), 20,000 programmes (four per
//! agreement), 1,000,000 mobilities spread unevenly over the programmes (each programme
//! runs two to four academic years, inbound, outbound or both, for students or staff;
//! status follows the year: past years completed or withdrawn, the current one in
//! progress, accepted or withdrawn, later ones nominated or accepted), the matching
//! `mobility_counts` rows (one INSERT … SELECT … GROUP BY over the loaded mobilities),
//! and 100,000 visits 2010 to next year. Multi-row VALUES in batches of 1,000, one
//! transaction per table. Deterministic (SplitMix64 with a fixed seed); dates relative
//! to the fixed years above, statuses relative to today's academic year.
//!
//! `gen_reports bench BASE_URL TOKEN REQUESTS` — requests every report (JSON, plus the
//! page, CSV and SVG of some, and the dashboard) REQUESTS times one after another and
//! prints p50/p99/max latency as seen by the client over keep-alive HTTP.

use std::time::{Duration, Instant};

use liaison::{config::RawSettings, db::Db};

const PARTNERS: usize = 2_000;
const PEOPLE: usize = 20_000;
const AGREEMENTS: usize = 5_000;
const PROGRAMMES_PER_AGREEMENT: usize = 4;
const MOBILITIES: usize = 1_000_000;
const VISITS: usize = 100_000;
const BATCH: usize = 1_000;

const COUNTRIES: [&str; 60] = [
    "MY", "TH", "SG", "ID", "VN", "PH", "KH", "LA", "MM", "BN", "JP", "KR", "MN", "KZ", "UZ", "PK", "IN", "BD", "LK", "NP", "AE", "SA",
    "EG", "TR", "IR", "RU", "BY", "PL", "DE", "FR", "GB", "IE", "NL", "BE", "ES", "PT", "IT", "AT", "CH", "SE", "NO", "FI", "DK", "CZ",
    "HU", "GR", "US", "CA", "MX", "BR", "AR", "CL", "PE", "AU", "NZ", "ZA", "NG", "KE", "ET", "GH",
];
const AREAS: [&str; 8] = [
    "joint_education",
    "academic_exchange",
    "teacher_training",
    "degree_progression",
    "student_exchange",
    "faculty_exchange",
    "joint_training",
    "collaborative_research",
];
const KINDS: [&str; 5] = ["mou", "programme", "exchange", "progression", "research"];

/// A small deterministic generator (SplitMix64), so every run loads the same data.
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

/// Multi-row INSERT in batches of `BATCH` rows.
struct Loader {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    head: String,
    rows: Vec<String>,
    total: usize,
}

impl Loader {
    async fn new(db: &Db, head: &str) -> anyhow::Result<Loader> {
        Ok(Loader { tx: db.begin().await?, head: head.to_string(), rows: Vec::with_capacity(BATCH), total: 0 })
    }

    async fn push(&mut self, row: String) -> anyhow::Result<()> {
        self.rows.push(row);
        if self.rows.len() == BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> anyhow::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let sql = format!("{} VALUES {}", self.head, self.rows.join(","));
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *self.tx).await?;
        self.total += self.rows.len();
        self.rows.clear();
        Ok(())
    }

    async fn finish(mut self) -> anyhow::Result<usize> {
        self.flush().await?;
        self.tx.commit().await?;
        Ok(self.total)
    }
}

/// Ids of rows whose `title`/`name_en` is `{prefix}{index}`, by index.
async fn ids_by_index(db: &Db, sql: &'static str, prefix: &str, n: usize) -> anyhow::Result<Vec<i64>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(sql).bind(format!("{prefix}%")).fetch_all(&db.pool).await?;
    let mut ids = vec![0; n];
    for (id, title) in rows {
        if let Some(i) = title.strip_prefix(prefix).and_then(|s| s.parse::<usize>().ok()).filter(|i| *i < n) {
            ids[i] = id;
        }
    }
    anyhow::ensure!(ids.iter().all(|id| *id > 0), "missing rows for {prefix}");
    Ok(ids)
}

async fn generate(url: Option<String>) -> anyhow::Result<()> {
    let settings = RawSettings {
        data_dir: std::env::var_os("LIAISON_DATA_DIR").map(Into::into),
        database_url: url.or_else(|| std::env::var("LIAISON_DATABASE_URL").ok()).filter(|u| !u.is_empty()),
        ..Default::default()
    }
    .resolve()?;
    let db = Db::connect(&settings).await?;
    let started = Instant::now();
    liaison::seed::load(&db, "Demo University of Technology").await?;
    let home: i64 = sqlx::query_scalar("SELECT id FROM institutions WHERE is_home = 1").fetch_one(&db.pool).await?;
    let now = liaison::time::now_text();
    let mut rng = Rng(20240508);

    let mut l = Loader::new(&db, "INSERT INTO institutions (name_en, country, partnership_status, created_at, updated_at)").await?;
    for i in 0..PARTNERS {
        let status = match rng.below(100) {
            0..70 => "active",
            70..85 => "prospective",
            85..95 => "suspended",
            _ => "ended",
        };
        l.push(format!("('Gen Partner {i}', '{}', '{status}', '{now}', '{now}')", COUNTRIES[i % COUNTRIES.len()])).await?;
    }
    l.finish().await?;
    let partners = ids_by_index(&db, "SELECT id, name_en FROM institutions WHERE name_en LIKE $1", "Gen Partner ", PARTNERS).await?;

    let mut l = Loader::new(&db, "INSERT INTO people (name_en, created_at, updated_at)").await?;
    for i in 0..PEOPLE {
        l.push(format!("('Gen Person {i}', '{now}', '{now}')")).await?;
    }
    l.finish().await?;
    let people = ids_by_index(&db, "SELECT id, name_en FROM people WHERE name_en LIKE $1", "Gen Person ", PEOPLE).await?;
    println!("institutions and people: {:.1} s", started.elapsed().as_secs_f64());

    // Agreements, then their parties and areas.
    let mut agreement_partners: Vec<Vec<i64>> = Vec::with_capacity(AGREEMENTS);
    let mut agreement_areas: Vec<Vec<&str>> = Vec::with_capacity(AGREEMENTS);
    let mut l =
        Loader::new(&db, "INSERT INTO agreements (kind, title, status, signed_date, effective_date, expiry_date, created_at, updated_at)")
            .await?;
    for i in 0..AGREEMENTS {
        let status = match rng.below(100) {
            0..5 => "draft",
            5..10 => "negotiation",
            10..20 => "signed",
            20..70 => "in_effect",
            70..92 => "expired",
            _ => "terminated",
        };
        let (signed, expiry) = if matches!(status, "draft" | "negotiation") {
            ("NULL".to_string(), "NULL".to_string())
        } else {
            let y = 2010 + rng.below(17);
            let (m, d) = (1 + rng.below(12), 1 + rng.below(28));
            (format!("'{y}-{m:02}-{d:02}'"), format!("'{}-{m:02}-{d:02}'", y + 3 + rng.below(3)))
        };
        l.push(format!("('{}', 'Gen Agreement {i}', '{status}', {signed}, {signed}, {expiry}, '{now}', '{now}')", rng.pick(&KINDS)))
            .await?;
        let mut ps = vec![partners[rng.below(PARTNERS)]];
        if i % 10 == 0 {
            let other = partners[rng.below(PARTNERS)];
            if other != ps[0] {
                ps.push(other);
            }
        }
        let mut areas: Vec<&str> = (0..1 + rng.below(3)).map(|_| rng.pick(&AREAS)).collect();
        areas.sort_unstable();
        areas.dedup();
        agreement_partners.push(ps);
        agreement_areas.push(areas);
    }
    l.finish().await?;
    let agreements = ids_by_index(&db, "SELECT id, title FROM agreements WHERE title LIKE $1", "Gen Agreement ", AGREEMENTS).await?;
    let mut l = Loader::new(&db, "INSERT INTO agreement_parties (agreement_id, institution_id)").await?;
    for (i, a) in agreements.iter().enumerate() {
        l.push(format!("({a}, {home})")).await?;
        for p in &agreement_partners[i] {
            l.push(format!("({a}, {p})")).await?;
        }
    }
    l.finish().await?;
    let mut l = Loader::new(&db, "INSERT INTO agreement_areas (agreement_id, area)").await?;
    for (i, a) in agreements.iter().enumerate() {
        for area in &agreement_areas[i] {
            l.push(format!("({a}, '{area}')")).await?;
        }
    }
    l.finish().await?;
    println!("agreements: {:.1} s", started.elapsed().as_secs_f64());

    // Programmes: four per agreement, in one of its areas (or another).
    let n_programmes = AGREEMENTS * PROGRAMMES_PER_AGREEMENT;
    let mut l = Loader::new(&db, "INSERT INTO programmes (agreement_id, area, title, status, created_at, updated_at)").await?;
    let mut programme_agreement = Vec::with_capacity(n_programmes);
    for i in 0..n_programmes {
        let a = i / PROGRAMMES_PER_AGREEMENT;
        let area = if rng.below(4) == 0 { rng.pick(&AREAS) } else { agreement_areas[a][rng.below(agreement_areas[a].len())] };
        let status = ["planned", "active", "active", "active", "suspended", "closed"][rng.below(6)];
        l.push(format!("({}, '{area}', 'Gen Programme {i}', '{status}', '{now}', '{now}')", agreements[a])).await?;
        programme_agreement.push(a);
    }
    l.finish().await?;
    let programmes = ids_by_index(&db, "SELECT id, title FROM programmes WHERE title LIKE $1", "Gen Programme ", n_programmes).await?;
    println!("programmes: {:.1} s", started.elapsed().as_secs_f64());

    mobilities(&db, &mut rng, &programmes, &programme_agreement, &agreement_partners, &people, &now).await?;
    println!("mobilities: {:.1} s", started.elapsed().as_secs_f64());
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO mobility_counts (programme_id, partner_institution_id, academic_year, direction, participant_kind, status, n) \
         SELECT programme_id, partner_institution_id, academic_year, direction, participant_kind, status, COUNT(*) FROM mobilities \
         GROUP BY programme_id, partner_institution_id, academic_year, direction, participant_kind, status",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let counts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mobility_counts").fetch_one(&db.pool).await?;
    println!("mobility_counts ({counts} rows): {:.1} s", started.elapsed().as_secs_f64());

    visits(&db, &mut rng, &now).await?;
    db.analyze().await?;
    println!(
        "generated {PARTNERS} partners, {AGREEMENTS} agreements, {n_programmes} programmes, {MOBILITIES} mobilities \
         ({counts} count rows), {VISITS} visits in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The current academic year's first calendar year (years start on 1 September).
fn current_academic_start() -> usize {
    let today = liaison::time::today();
    let y: usize = today[..4].parse().unwrap_or(2025);
    if &today[5..7] >= "09" { y } else { y - 1 }
}

async fn mobilities(
    db: &Db,
    rng: &mut Rng,
    programmes: &[i64],
    programme_agreement: &[usize],
    agreement_partners: &[Vec<i64>],
    people: &[i64],
    now: &str,
) -> anyhow::Result<()> {
    // Uneven sizes: weight 1..=100 squared, scaled to the total.
    let weights: Vec<usize> = programmes.iter().map(|_| 1 + rng.below(100)).map(|w| w * w).collect();
    let sum: usize = weights.iter().sum();
    let mut sizes: Vec<usize> = weights.iter().map(|w| w * MOBILITIES / sum).collect();
    sizes[0] += MOBILITIES - sizes.iter().sum::<usize>();
    let current = current_academic_start();
    let mut l = Loader::new(
        db,
        "INSERT INTO mobilities (programme_id, person_id, partner_institution_id, participant_kind, direction, academic_year, \
         start_date, end_date, status, created_at, updated_at)",
    )
    .await?;
    for (p, size) in sizes.iter().enumerate() {
        let partners = &agreement_partners[programme_agreement[p]];
        let start = 2019 + rng.below(8);
        let span = 2 + rng.below(3);
        let mode = rng.below(10); // 0–3 inbound, 4–7 outbound, 8–9 both
        let kind = if rng.below(10) == 0 { "staff" } else { "student" };
        for _ in 0..*size {
            let y = start + rng.below(span);
            let direction = match mode {
                0..=3 => "inbound",
                4..=7 => "outbound",
                _ => ["inbound", "outbound"][rng.below(2)],
            };
            let r = rng.below(100);
            let status = if y < current {
                if r < 93 { "completed" } else { "withdrawn" }
            } else if y == current {
                match r {
                    0..75 => "in_progress",
                    75..90 => "accepted",
                    _ => "withdrawn",
                }
            } else {
                match r {
                    0..60 => "nominated",
                    60..95 => "accepted",
                    _ => "withdrawn",
                }
            };
            l.push(format!(
                "({},{},{},'{kind}','{direction}','{y}-{}','{y}-09-01','{}-06-30','{status}','{now}','{now}')",
                programmes[p],
                people[rng.below(people.len())],
                partners[rng.below(partners.len())],
                y + 1,
                y + 1
            ))
            .await?;
        }
    }
    l.finish().await?;
    Ok(())
}

async fn visits(db: &Db, rng: &mut Rng, now: &str) -> anyhow::Result<()> {
    let today = liaison::time::today();
    let mut l =
        Loader::new(db, "INSERT INTO visits (direction, title, start_date, end_date, status, head_count, created_at, updated_at)").await?;
    for i in 0..VISITS {
        let y = 2010 + rng.below(18);
        let (m, d) = (1 + rng.below(12), 1 + rng.below(28));
        let start = format!("{y}-{m:02}-{d:02}");
        let r = rng.below(100);
        let status = if start < today {
            if r < 90 { "completed" } else { "cancelled" }
        } else if r < 50 {
            "planned"
        } else {
            "confirmed"
        };
        let direction = if rng.below(3) == 0 { "outbound" } else { "inbound" };
        l.push(format!("('{direction}', 'Gen Visit {i}', '{start}', '{start}', '{status}', {}, '{now}', '{now}')", 1 + rng.below(12)))
            .await?;
    }
    l.finish().await?;
    Ok(())
}

/// Paths the benchmark requests: every report's JSON, filtered variants, the page, CSV,
/// SVG of the largest ones, and the dashboard.
const PATHS: &[&str] = &[
    "/api/v1/reports/partners-areas",
    "/api/v1/reports/agreements-by-status",
    "/api/v1/reports/agreements-by-country",
    "/api/v1/reports/agreements-by-year",
    "/api/v1/reports/mobilities-by-direction",
    "/api/v1/reports/mobilities-by-direction?year=2024",
    "/api/v1/reports/mobilities-by-country",
    "/api/v1/reports/mobilities-by-programme",
    "/api/v1/reports/mobilities-by-programme?year=2024&direction=inbound",
    "/api/v1/reports/mobilities-by-year",
    "/api/v1/reports/visits-by-year",
    "/api/v1/reports/visits-by-year?direction=outbound",
    "/reports/partners-areas",
    "/reports/mobilities-by-programme",
    "/reports/mobilities-by-country.csv",
    "/reports/partners-areas.xlsx",
    "/reports/mobilities-by-year.svg",
    "/reports",
];

async fn bench(base: String, token: String, requests: usize) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().build()?;
    println!("{:<70} {:>9} {:>9} {:>9}", "request", "p50 ms", "p99 ms", "max ms");
    let mut worst = Duration::ZERO;
    for path in PATHS {
        let mut lat = Vec::with_capacity(requests);
        for _ in 0..requests {
            let t = Instant::now();
            let res = client.get(format!("{base}{path}")).bearer_auth(&token).send().await?;
            anyhow::ensure!(res.status().is_success(), "{path}: {}", res.status());
            res.bytes().await?;
            lat.push(t.elapsed());
        }
        lat.sort();
        let pct = |q: f64| lat[((lat.len() as f64 * q).ceil() as usize).clamp(1, lat.len()) - 1].as_secs_f64() * 1000.0;
        worst = worst.max(lat[lat.len() - 1]);
        println!("{path:<70} {:>9.1} {:>9.1} {:>9.1}", pct(0.5), pct(0.99), pct(1.0));
    }
    println!("slowest single request: {:.1} ms", worst.as_secs_f64() * 1000.0);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") => {
            let url = args.iter().position(|a| a == "--database-url").and_then(|i| args.get(i + 1)).cloned();
            generate(url).await
        }
        Some("bench") if args.len() == 5 => bench(args[2].clone(), args[3].clone(), args[4].parse()?).await,
        _ => anyhow::bail!("usage: gen_reports generate [--database-url URL] | gen_reports bench BASE_URL TOKEN REQUESTS"),
    }
}
