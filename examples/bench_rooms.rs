//! Rooms benchmark: generates 200 rooms and 100,000 bookings, then measures
//! availability search (`GET /api/v1/rooms/free`) and booking (`POST /api/v1/bookings`)
//! over HTTP against a running `liaison serve`. Driven by `scripts/bench-rooms.sh`.
//!
//! `bench_rooms generate` — loads the seed story and the generated rooms and bookings
//! into the database that `LIAISON_DATA_DIR` / `LIAISON_DATABASE_URL` name (migrated,
//! empty). Bookings: one a day per room over 500 days around today, 08:00–20:00 local
//! (Asia/Shanghai), 1–3 hours; 85 % confirmed, 10 % pending, 5 % cancelled. Deterministic.
//!
//! `bench_rooms load BASE_URL TOKEN SECONDS CONNECTIONS` — availability search with
//! random windows and capacities, the plain room list as a baseline (same JSON, no
//! availability check), then bookings of distinct rooms and slots (no two
//! requests collide), each for SECONDS with CONNECTIONS concurrent keep-alive clients.
//! Prints requests per second and latency percentiles.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use liaison::{config::RawSettings, db::Db};

const ROOMS: i64 = 200;
const DAYS: i64 = 500;
const CAPACITIES: [i64; 8] = [8, 12, 16, 20, 30, 40, 60, 120];

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

    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
}

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

/// `YYYY-MM-DDTHH:00:00.000000Z` for `day` days from today at `hour` o'clock in UTC+8.
fn at(day: i64, hour: i64) -> String {
    let d = today().saturating_add(jiff::Span::new().days(day));
    let ts = d.at(0, 0, 0, 0).to_zoned_datetime(jiff::tz::TimeZone::UTC).expect("utc").timestamp();
    liaison::time::to_text(ts.checked_add(jiff::SignedDuration::from_hours(hour - 8)).expect("instant"))
}

async fn generate() -> anyhow::Result<()> {
    let settings = RawSettings {
        data_dir: std::env::var_os("LIAISON_DATA_DIR").map(Into::into),
        database_url: std::env::var("LIAISON_DATABASE_URL").ok().filter(|u| !u.is_empty()),
        ..Default::default()
    }
    .resolve()?;
    let db = Db::connect(&settings).await?;
    let started = Instant::now();
    liaison::seed::load(&db, "Demo University of Technology").await?;
    let mut tx = db.pool.begin().await?;
    let home: i64 = sqlx::query_scalar("SELECT id FROM institutions WHERE is_home = 1").fetch_one(&mut *tx).await?;
    let now = liaison::time::now_text();
    let mut buildings = Vec::new();
    for b in 0..10 {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO buildings (institution_id, name_en, time_zone, created_at) VALUES ($1, $2, 'Asia/Shanghai', $3) RETURNING id",
        )
        .bind(home)
        .bind(format!("Bench Building {b}"))
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        buildings.push(id);
    }
    let mut rng = Rng(20240508);
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rooms").fetch_one(&mut *tx).await?;
    for r in existing..ROOMS {
        sqlx::query(
            "INSERT INTO rooms (building_id, name, capacity, equipment, needs_approval, created_at) VALUES ($1, $2, $3, '', $4, $5)",
        )
        .bind(buildings[(r % 10) as usize])
        .bind(format!("B{r:03}"))
        .bind(CAPACITIES[rng.below(CAPACITIES.len() as u64) as usize])
        .bind(i64::from(r % 20 == 0))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    let rooms: Vec<i64> = sqlx::query_scalar("SELECT id FROM rooms ORDER BY id").fetch_all(&mut *tx).await?;
    let mut rows = Vec::with_capacity(500);
    let mut total = 0;
    for room in &rooms {
        for day in -(DAYS / 2)..(DAYS / 2) {
            let start = 8 + rng.below(10);
            let len = 1 + rng.below(3);
            let status = match rng.below(100) {
                0..=84 => "confirmed",
                85..=94 => "pending",
                _ => "cancelled",
            };
            rows.push(format!(
                "({room}, 'Bench booking {room}/{day}', '{}', '{}', '{status}', {}, NULL, '{now}', '{now}')",
                at(day, start),
                at(day, start + len),
                1 + rng.below(40)
            ));
            if rows.len() == 500 {
                total += flush(&mut tx, &mut rows).await?;
            }
        }
    }
    total += flush(&mut tx, &mut rows).await?;
    tx.commit().await?;
    db.analyze().await?;
    println!("generated {} rooms and {total} bookings in {:.1} s", rooms.len(), started.elapsed().as_secs_f64());
    Ok(())
}

async fn flush(tx: &mut sqlx::Transaction<'_, sqlx::Any>, rows: &mut Vec<String>) -> anyhow::Result<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "INSERT INTO bookings (room_id, title, starts_at, ends_at, status, attendees, booked_by, created_at, updated_at) VALUES {}",
        rows.join(", ")
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut **tx).await?;
    let n = rows.len();
    rows.clear();
    Ok(n)
}

/// Latencies of one phase.
struct Phase {
    ok: usize,
    failed: usize,
    latencies: Vec<Duration>,
}

async fn run_phase<F, Fut>(conns: usize, seconds: u64, request: F) -> Phase
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for worker in 0..conns {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut phase = Phase { ok: 0, failed: 0, latencies: Vec::new() };
            let mut i = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                let ok = request(worker, i).await;
                phase.latencies.push(t.elapsed());
                if ok {
                    phase.ok += 1
                } else {
                    phase.failed += 1
                }
                i += 1;
            }
            phase
        }));
    }
    let mut all = Phase { ok: 0, failed: 0, latencies: Vec::new() };
    for t in tasks {
        let p = t.await.expect("worker");
        all.ok += p.ok;
        all.failed += p.failed;
        all.latencies.extend(p.latencies);
    }
    all.latencies.sort();
    all
}

fn report(label: &str, p: &Phase, seconds: u64) {
    let pct = |q: f64| {
        let i = ((p.latencies.len() as f64 * q).ceil() as usize).clamp(1, p.latencies.len().max(1)) - 1;
        p.latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{label:<44} {:>8.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>7.2} ms   ({} ok, {} failed)",
        p.ok as f64 / seconds as f64,
        pct(0.50),
        pct(0.99),
        pct(1.0),
        p.ok,
        p.failed
    );
}

async fn load(base: String, token: String, seconds: u64, conns: usize) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(conns).build()?;
    let (c, b, t) = (client.clone(), base.clone(), token.clone());
    let search = run_phase(conns, seconds, move |worker, i| {
        let (c, b, t) = (c.clone(), b.clone(), t.clone());
        async move {
            let mut rng = Rng((worker as u64) << 32 | i as u64);
            let day = rng.below(DAYS as u64) - DAYS / 2;
            let hour = 8 + rng.below(11);
            let (from, to) = (at(day, hour), at(day, hour + 1 + rng.below(2)));
            let capacity = [1, 10, 20, 40, 80][rng.below(5) as usize];
            let url = format!("{b}/api/v1/rooms/free?from={from}&to={to}&capacity={capacity}");
            match c.get(url).bearer_auth(&t).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            }
        }
    })
    .await;
    report("availability search (200 rooms, 100k bookings)", &search, seconds);
    let (c, b, t) = (client.clone(), base.clone(), token.clone());
    let list = run_phase(conns, seconds, move |_, _| {
        let (c, b, t) = (c.clone(), b.clone(), t.clone());
        async move {
            match c.get(format!("{b}/api/v1/rooms")).bearer_auth(&t).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            }
        }
    })
    .await;
    report("baseline: GET /api/v1/rooms (all 200, no search)", &list, seconds);
    let rooms: Vec<serde_json::Value> = client.get(format!("{base}/api/v1/rooms")).bearer_auth(&token).send().await?.json().await?;
    let rooms: Arc<Vec<i64>> = Arc::new(rooms.iter().filter_map(|r| r["id"].as_i64()).collect());
    let n = rooms.len();
    let book = run_phase(conns, seconds, move |worker, i| {
        let (c, b, t, rooms) = (client.clone(), base.clone(), token.clone(), rooms.clone());
        async move {
            // Distinct (room, day) per request, after the generated bookings end.
            let k = i * conns + worker;
            let (room, day) = (rooms[k % n], DAYS / 2 + 10 + (k / n) as i64);
            let body =
                serde_json::json!({"room_id": room, "title": "Bench", "starts_at": at(day, 9), "ends_at": at(day, 10), "attendees": 5});
            matches!(c.post(format!("{b}/api/v1/bookings")).bearer_auth(&t).json(&body).send().await, Ok(r) if r.status().as_u16() == 201)
        }
    })
    .await;
    report("POST /api/v1/bookings (distinct rooms/slots)", &book, seconds);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") => generate().await,
        Some("load") if args.len() == 6 => load(args[2].clone(), args[3].clone(), args[4].parse()?, args[5].parse()?).await,
        _ => anyhow::bail!("usage: bench_rooms generate | bench_rooms load BASE_URL TOKEN SECONDS CONNECTIONS"),
    }
}
