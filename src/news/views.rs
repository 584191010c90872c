//! View counting without personal data.
//!
//! A visitor is the first 128 bits of SHA-256(the day's salt, client address, user agent).
//! The salt is random, made by whichever instance needs it first, and kept in
//! `news_view_salts` so every instance hashes a visitor alike; salts and marks of past
//! days are deleted, after which no stored hash can be linked to an address. Neither the
//! address nor the user agent is ever written anywhere.
//!
//! The request path touches memory only: a set of (article, visitor) seen today on this
//! instance and a queue of new marks. A scheduled job (`crate::jobs`) writes the
//! queue every second in one transaction — `INSERT … ON CONFLICT DO NOTHING` into
//! `article_view_marks`, then `view_count` raised by the number of marks actually
//! inserted — so a visitor seen by two instances counts once. The in-memory set only
//! saves writes; the primary key of the marks is what makes a view count once a day.
//!
//! Not counted: HEAD requests, prefetches and previews (`Sec-Purpose`, `Purpose`,
//! `X-Purpose`, `X-Moz`), an empty or missing user agent, and user agents of robots and
//! tools (see [`is_robot`]).

use std::{
    collections::{HashMap, HashSet},
    sync::{Mutex, MutexGuard},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::http::{HeaderMap, Method, header};
use sha2::{Digest, Sha256};

use super::store::views as store;
use crate::db::Db;

/// How often queued marks are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// Marks kept in memory at most while the database is unreachable (then views are lost
/// rather than memory).
const MAX_QUEUED: usize = 100_000;
/// Visitors remembered per day; past this the set starts again (the database still
/// de-duplicates, it only costs writes).
const MAX_SEEN: usize = 200_000;

/// Parts of a user agent that mark robots, link previewers, monitors and command-line
/// tools (matched in lowercase). `HeadlessChrome` is in: real readers do not browse
/// headless, scrapers and screenshot services do.
const ROBOT_MARKS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "preview",
    "curl",
    "wget",
    "python",
    "headless",
    "facebookexternalhit",
    "embedly",
    "go-http-client",
    "java/",
    "libwww",
    "httpclient",
    "okhttp",
    "axios",
    "node-fetch",
    "scrapy",
    "phantomjs",
    "lighthouse",
    "pingdom",
    "uptime",
    "monitor",
    "feedfetcher",
    "validator",
    "apachebench",
    "wrk",
];

/// One visitor's view of one article on one day, not yet written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Mark {
    day: i64,
    article_id: i64,
    visitor: [u8; 16],
}

/// A view that arrived before the day's salt was known (the first moments of a day or
/// of the process): held until the next flush, never written as it is.
struct Unsalted {
    day: i64,
    article_id: i64,
    ip: String,
    user_agent: String,
}

#[derive(Default)]
struct State {
    /// Day number (days since 1970-01-01, UTC) that `salt` and `seen` belong to.
    day: i64,
    salt: Option<String>,
    seen: HashSet<(i64, [u8; 16])>,
    queued: Vec<Mark>,
    unsalted: Vec<Unsalted>,
}

/// The view counter of one instance.
#[derive(Default)]
pub struct Views {
    state: Mutex<State>,
}

/// Days since 1970-01-01 (UTC), now.
fn day_now() -> i64 {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    i64::try_from(secs / 86_400).unwrap_or(0)
}

/// `YYYY-MM-DD` of a day number.
fn day_text(day: i64) -> String {
    jiff::civil::date(1970, 1, 1).checked_add(jiff::Span::new().days(day)).map(|d| d.to_string()).unwrap_or_default()
}

/// The visitor hash: SHA-256 over salt, address and user agent (NUL-separated), cut to
/// 128 bits.
fn visitor(salt: &str, ip: &str, user_agent: &str) -> [u8; 16] {
    let mut h = Sha256::new();
    for part in [salt, ip, user_agent] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// True for user agents that are robots, previewers or tools, and for an empty one.
pub fn is_robot(user_agent: &str) -> bool {
    let ua = user_agent.trim().to_ascii_lowercase();
    ua.is_empty() || ROBOT_MARKS.iter().any(|m| ua.contains(m))
}

/// True when a request is a person's view: a GET, not a prefetch or preview, from a
/// user agent that is not a robot.
pub fn is_countable(method: &Method, headers: &HeaderMap) -> bool {
    if method != Method::GET {
        return false;
    }
    let speculative = ["sec-purpose", "purpose", "x-purpose", "x-moz"].iter().any(|name| {
        headers.get_all(*name).iter().any(|v| {
            let v = v.to_str().unwrap_or("").to_ascii_lowercase();
            v.contains("prefetch") || v.contains("preview") || v.contains("prerender")
        })
    });
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    !speculative && !is_robot(user_agent)
}

impl Views {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the set inconsistent in a way that
        // matters (the database de-duplicates), so a poisoned lock is used as it is.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes a view of `article_id` by the visitor at `ip` with `user_agent` (the caller
    /// has checked [`is_countable`]). Memory only; written by the next flush.
    pub fn record(&self, article_id: i64, ip: &str, user_agent: &str) {
        let day = day_now();
        let mut st = self.lock();
        match st.salt.clone().filter(|_| st.day == day) {
            Some(salt) => {
                let v = visitor(&salt, ip, user_agent);
                if st.seen.len() >= MAX_SEEN {
                    st.seen.clear();
                }
                if st.seen.insert((article_id, v)) && st.queued.len() < MAX_QUEUED {
                    st.queued.push(Mark { day, article_id, visitor: v });
                }
            }
            None if st.unsalted.len() < MAX_QUEUED => {
                st.unsalted.push(Unsalted { day, article_id, ip: ip.to_string(), user_agent: user_agent.to_string() })
            }
            None => {}
        }
    }

    /// Writes the queued marks, then makes sure today's salt is known (deleting past
    /// days' salts and marks when the day has changed) and hashes the views that waited
    /// for it. A failed write puts the marks back for the next flush.
    pub async fn flush(&self, db: &Db) -> anyhow::Result<()> {
        let queued = std::mem::take(&mut self.lock().queued);
        if !queued.is_empty()
            && let Err(e) = write_marks(db, &queued).await
        {
            let mut st = self.lock();
            let room = MAX_QUEUED.saturating_sub(st.queued.len());
            st.queued.extend(queued.into_iter().take(room));
            return Err(e);
        }
        let day = day_now();
        let known = {
            let st = self.lock();
            st.day == day && st.salt.is_some()
        };
        if !known {
            let salt = day_salt(db, day).await?;
            forget_past_days(db, day).await?;
            let mut st = self.lock();
            if st.day != day {
                st.seen.clear();
                st.day = day;
            }
            st.salt = Some(salt);
        }
        let mut st = self.lock();
        let waiting = std::mem::take(&mut st.unsalted);
        for u in waiting.into_iter().filter(|u| u.day == day) {
            if let Some(salt) = &st.salt {
                let v = visitor(salt, &u.ip, &u.user_agent);
                if st.seen.insert((u.article_id, v)) {
                    st.queued.push(Mark { day, article_id: u.article_id, visitor: v });
                }
            }
        }
        Ok(())
    }
}

/// Today's salt, made by the first instance that asks (the primary key settles a race).
async fn day_salt(db: &Db, day: i64) -> anyhow::Result<String> {
    let day = day_text(day);
    let mut conn = db.pool.acquire().await?;
    store::insert_day_salt(&mut conn, &day, &crate::auth::random_token(32)).await?;
    Ok(store::day_salt(&mut conn, &day).await?)
}

/// Deletes the salts and marks of days before `day`: from then on no stored hash can be
/// recomputed from an address.
async fn forget_past_days(db: &Db, day: i64) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    store::forget_before(&mut tx, &day_text(day)).await?;
    tx.commit().await?;
    Ok(())
}

/// Inserts the marks (those of deleted articles are skipped) and adds the number actually
/// inserted per article to its `view_count`, in one transaction. Rows go in sorted so two
/// instances flushing at once take their locks in the same order.
async fn write_marks(db: &Db, marks: &[Mark]) -> anyhow::Result<()> {
    let mut marks = marks.to_vec();
    marks.sort_unstable();
    marks.dedup();
    let mut added: HashMap<i64, i64> = HashMap::new();
    let mut tx = db.begin().await?;
    for chunk in marks.chunks(store::MARKS_PER_INSERT) {
        let rows: Vec<(String, i64, String)> =
            chunk.iter().map(|m| (day_text(m.day), m.article_id, crate::secret::hex(&m.visitor))).collect();
        for id in store::insert_marks(&mut tx, &rows).await? {
            *added.entry(id).or_default() += 1;
        }
    }
    let mut added: Vec<(i64, i64)> = added.into_iter().collect();
    added.sort_unstable();
    for (id, n) in added {
        store::add_views(&mut tx, id, n).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_and_tools_are_not_visitors() {
        assert!(is_robot(""));
        assert!(is_robot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"));
        assert!(is_robot("curl/8.5.0"));
        assert!(is_robot("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36"));
        assert!(is_robot("facebookexternalhit/1.1"));
        assert!(!is_robot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"));
    }

    #[test]
    fn prefetches_and_heads_do_not_count() {
        let browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0";
        let mut h = HeaderMap::new();
        h.insert(header::USER_AGENT, browser.parse().expect("ua"));
        assert!(is_countable(&Method::GET, &h));
        assert!(!is_countable(&Method::HEAD, &h));
        h.insert("sec-purpose", "prefetch;prerender".parse().expect("purpose"));
        assert!(!is_countable(&Method::GET, &h));
    }

    #[test]
    fn visitors_depend_on_salt_address_and_agent() {
        let a = visitor("s1", "192.0.2.1", "UA");
        assert_eq!(a, visitor("s1", "192.0.2.1", "UA"));
        assert_ne!(a, visitor("s2", "192.0.2.1", "UA"));
        assert_ne!(a, visitor("s1", "192.0.2.2", "UA"));
        assert_ne!(a, visitor("s1", "192.0.2.1", "UA2"));
        assert_eq!(day_text(19_867), "2024-05-24");
    }

    #[test]
    fn views_before_the_salt_wait_and_repeat_views_queue_once() {
        let views = Views::default();
        views.record(1, "192.0.2.1", "UA");
        assert_eq!(views.lock().unsalted.len(), 1);
        {
            let mut st = views.lock();
            st.day = day_now();
            st.salt = Some("salt".into());
        }
        views.record(1, "192.0.2.1", "UA");
        views.record(1, "192.0.2.1", "UA");
        views.record(2, "192.0.2.1", "UA");
        assert_eq!(views.lock().queued.len(), 2);
    }
}
