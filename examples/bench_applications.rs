//! Applications benchmark, driven by `scripts/bench-applications.sh`.
//!
//! `bench_applications pure` — the allocation alone (`model::allocation::allocate` and
//! `rank`): 5,000 applications with three choices each over 300 partners (1–20 places,
//! about 3,150 in all), deterministic; prints the median and worst of 20 runs.
//!
//! `bench_applications generate USERNAME` — into the database that `LIAISON_DATA_DIR` /
//! `LIAISON_DATABASE_URL` name (migrated): 300 partners with an agreement, a programme
//! and a quota each, one call over all of them (open for another 30 days), and 5,000
//! submitted, eligible, scored applications by generated students; the user USERNAME
//! (a student made beforehand) gets application number 5,001, a draft with three
//! choices. Prints that application's id.
//!
//! `bench_applications allocate` — runs the office's allocation of that call through the
//! library (read, rank, allocate, write 5,000 rows, one transaction) and prints the time;
//! the call's deadline is moved to the past first.

use std::time::Instant;

use liaison::{
    applications::{
        model::allocation::{Ranked, ToRank, allocate, rank},
        office,
    },
    audit::Actor,
    config::RawSettings,
    db::Db,
};

const PARTNERS: i64 = 300;
const APPLICATIONS: i64 = 5_000;

/// SplitMix64, so every run builds the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }

    /// Three distinct partners in 1..=PARTNERS, popular ones (low numbers) more often.
    fn choices(&mut self) -> Vec<i64> {
        let mut out = Vec::new();
        while out.len() < 3 {
            let a = self.below(PARTNERS as u64);
            let b = self.below(PARTNERS as u64);
            let p = a.min(b) + 1;
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }
}

fn places(p: i64) -> i64 {
    1 + (p * 7) % 20
}

fn pure() {
    let mut rng = Rng(42);
    let capacity = (1..=PARTNERS).map(|p| (p, places(p))).collect();
    let apps: Vec<(i64, Vec<i64>, i64)> = (1..=APPLICATIONS).map(|id| (id, rng.choices(), rng.below(10_000))).collect();
    let mut times = Vec::new();
    let mut placed = 0;
    for _ in 0..20 {
        let start = Instant::now();
        let ranks = rank(
            apps.iter().map(|(id, _, s)| ToRank { application_id: *id, score: Some(*s), gpa: None, submitted_at: String::new() }).collect(),
        );
        let ranked: Vec<Ranked> =
            ranks.iter().map(|(id, r)| Ranked { application_id: *id, rank: *r, choices: apps[(*id - 1) as usize].1.clone() }).collect();
        let out = allocate(&capacity, &[], &ranked);
        times.push(start.elapsed());
        placed = out.iter().filter(|o| o.partner.is_some()).count();
    }
    times.sort();
    let total: i64 = (1..=PARTNERS).map(places).sum();
    println!(
        "pure rank + allocate, {APPLICATIONS} applications × 3 choices over {PARTNERS} partners ({total} places, {placed} placed): median {:.2} ms, worst {:.2} ms (20 runs)",
        times[10].as_secs_f64() * 1000.0,
        times[19].as_secs_f64() * 1000.0
    );
}

async fn db() -> anyhow::Result<Db> {
    let settings = RawSettings {
        data_dir: std::env::var_os("LIAISON_DATA_DIR").map(Into::into),
        database_url: std::env::var("LIAISON_DATABASE_URL").ok(),
        ..Default::default()
    }
    .resolve()
    .map_err(|e| anyhow::anyhow!("{}: {}", e.setting, e.message))?;
    Db::connect(&settings).await
}

async fn exec(tx: &mut sqlx::AnyConnection, sql: &str) -> anyhow::Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut *tx).await?;
    Ok(())
}

async fn generate(username: &str) -> anyhow::Result<()> {
    let db = db().await?;
    let mut tx = db.begin().await?;
    let now = jiff::Timestamp::now();
    let opens = liaison::time::to_text(now - jiff::SignedDuration::from_hours(24));
    let closes = liaison::time::to_text(now + jiff::SignedDuration::from_hours(24 * 30));
    exec(&mut tx, "INSERT INTO institutions (name_en, country, is_home, created_at, updated_at) VALUES ('Home', 'CN', 1, 'x', 'x')")
        .await?;
    for p in 1..=PARTNERS {
        let inst: i64 = sqlx::query_scalar(
            "INSERT INTO institutions (name_en, country, created_at, updated_at) VALUES ($1, 'MY', 'x', 'x') RETURNING id",
        )
        .bind(format!("Partner university {p:03}"))
        .fetch_one(&mut *tx)
        .await?;
        let agreement: i64 = sqlx::query_scalar("INSERT INTO agreements (kind, title, status, created_at, updated_at) VALUES ('exchange', 'A', 'in_effect', 'x', 'x') RETURNING id")
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO agreement_parties (agreement_id, institution_id) VALUES ($1, $2)")
            .bind(agreement)
            .bind(inst)
            .execute(&mut *tx)
            .await?;
        let programme: i64 = sqlx::query_scalar(
            "INSERT INTO programmes (agreement_id, area, title, status, created_at, updated_at) VALUES ($1, 'student_exchange', 'Exchange', 'active', 'x', 'x') RETURNING id",
        )
        .bind(agreement)
        .fetch_one(&mut *tx)
        .await?;
        if p == 1 {
            sqlx::query(
                "INSERT INTO calls (programme_id, academic_year, direction, title_en, opens_at, closes_at, mobility_start, mobility_end, criteria, created_at, updated_at)
                 VALUES ($1, '2025-2026', 'outbound', 'Bench call', $2, $3, '2025-09-01', '2026-01-31', '[{\"key\":\"academic\",\"en\":\"Academic\",\"zh\":\"\",\"weight\":1}]', 'x', 'x')",
            )
            .bind(programme)
            .bind(&opens)
            .bind(&closes)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("INSERT INTO call_partners (call_id, programme_id, institution_id, places) VALUES (1, $1, $2, $3)")
            .bind(programme)
            .bind(inst)
            .bind(places(p))
            .execute(&mut *tx)
            .await?;
    }
    let mut rng = Rng(42);
    for i in 1..=APPLICATIONS {
        let user: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash, created_at, updated_at) VALUES ($1, $1, '', 'x', 'x') RETURNING id",
        )
        .bind(format!("student{i:05}"))
        .fetch_one(&mut *tx)
        .await?;
        let app: i64 = sqlx::query_scalar(
            "INSERT INTO applications (call_id, user_id, status, level, gpa_x100, score_x100, submitted_at, created_at, updated_at)
             VALUES (1, $1, 'eligible', 'undergraduate', $2, $3, $4, 'x', 'x') RETURNING id",
        )
        .bind(user)
        .bind(200 + rng.below(200))
        .bind(rng.below(10_000))
        .bind(&opens)
        .fetch_one(&mut *tx)
        .await?;
        for (k, c) in rng.choices().iter().enumerate() {
            sqlx::query("INSERT INTO application_choices (application_id, priority, call_partner_id) VALUES ($1, $2, $3)")
                .bind(app)
                .bind(k as i64 + 1)
                .bind(c)
                .execute(&mut *tx)
                .await?;
        }
    }
    let me: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = $1").bind(username).fetch_one(&mut *tx).await?;
    let app: i64 = sqlx::query_scalar(
        "INSERT INTO applications (call_id, user_id, status, level, gpa_x100, student_number, faculty, motivation, created_at, updated_at)
         VALUES (1, $1, 'draft', 'undergraduate', 345, '2022001', 'Civil Engineering', 'Bench', 'x', 'x') RETURNING id",
    )
    .bind(me)
    .fetch_one(&mut *tx)
    .await?;
    for (k, c) in [3_i64, 1, 2].iter().enumerate() {
        sqlx::query("INSERT INTO application_choices (application_id, priority, call_partner_id) VALUES ($1, $2, $3)")
            .bind(app)
            .bind(k as i64 + 1)
            .bind(c)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    println!("{app}");
    Ok(())
}

async fn allocate_in_db() -> anyhow::Result<()> {
    let db = db().await?;
    let past = liaison::time::to_text(jiff::Timestamp::now() - jiff::SignedDuration::from_mins(1));
    sqlx::query("UPDATE calls SET closes_at = $1 WHERE id = 1").bind(past).execute(&db.pool).await?;
    for _ in 0..3 {
        sqlx::query("UPDATE calls SET allocated_at = NULL").execute(&db.pool).await?;
        let start = Instant::now();
        let mut tx = db.begin().await?;
        let out = office::allocate(&mut tx, &Actor::system("bench"), 1).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        tx.commit().await?;
        println!(
            "allocation through the database ({} applications ranked, {} placed): {:.0} ms",
            out.len(),
            out.iter().filter(|o| o.partner.is_some()).count(),
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") => generate(args.get(2).map(String::as_str).unwrap_or("bench")).await,
        Some("allocate") => allocate_in_db().await,
        _ => {
            pure();
            Ok(())
        }
    }
}
