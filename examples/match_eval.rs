//! Accuracy and speed of institution-name matching against the shipped directory.
//!
//! `cargo run --release --example match_eval [data/match-eval.tsv] [rounds]`
//!
//! Reports the precision of the confident choice (of the queries where the matcher
//! chose one, how many it got right — a choice for a query that names no institution
//! counts as wrong), recall in the top 5, both per kind of messiness, and single-core
//! throughput in names per second.

use std::time::Instant;

use liaison::institutions::{matching, reference};

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "data/match-eval.tsv".into());
    let rounds: usize = std::env::args().nth(2).and_then(|r| r.parse().ok()).unwrap_or(20);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let cases: Vec<(String, String, String)> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut it = l.split('\t');
            Some((it.next()?.to_string(), it.next()?.to_string(), it.next()?.to_string()))
        })
        .collect();
    let started = Instant::now();
    let index = reference::directory_index();
    println!("index: {} entries built in {:.0} ms", index.len(), started.elapsed().as_secs_f64() * 1000.0);
    let dir = reference::directory();
    let is = |entry: usize, expected: &str| dir[entry].domain == expected || dir[entry].more_domains.contains(&expected);

    let mut kinds: Vec<String> = cases.iter().map(|c| c.2.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let (mut chosen_all, mut right_all, mut named_all, mut top5_all) = (0, 0, 0, 0);
    println!("{:<13} {:>5} {:>7} {:>9} {:>7} {:>8}", "kind", "n", "chosen", "precision", "top-5", "recall@5");
    for kind in &kinds {
        let (mut n, mut chosen, mut right, mut named, mut top5) = (0, 0, 0, 0, 0);
        for (q, expected, _) in cases.iter().filter(|c| &c.2 == kind) {
            n += 1;
            let hits = index.search(q, 5);
            if let Some(h) = matching::chosen(&hits) {
                chosen += 1;
                if !expected.is_empty() && is(h.entry, expected) {
                    right += 1;
                } else if std::env::var("SHOW_WRONG").is_ok() {
                    println!("  wrong: {q:?} -> {} (expected {expected:?})", dir[h.entry].domain);
                }
            }
            if !expected.is_empty() {
                named += 1;
                if hits.iter().any(|h| is(h.entry, expected)) {
                    top5 += 1;
                } else if std::env::var("SHOW_MISSED").is_ok() {
                    println!("  missed: {q:?} (expected {expected})");
                }
            }
        }
        let precision = if chosen == 0 { 1.0 } else { right as f64 / chosen as f64 };
        let recall = if named == 0 { f64::NAN } else { top5 as f64 / named as f64 };
        println!("{kind:<13} {n:>5} {chosen:>7} {precision:>9.3} {top5:>7} {recall:>8.3}");
        (chosen_all, right_all, named_all, top5_all) = (chosen_all + chosen, right_all + right, named_all + named, top5_all + top5);
    }
    println!(
        "{:<13} {:>5} {:>7} {:>9.3} {:>7} {:>8.3}",
        "all",
        cases.len(),
        chosen_all,
        right_all as f64 / chosen_all.max(1) as f64,
        top5_all,
        top5_all as f64 / named_all.max(1) as f64
    );
    let started = Instant::now();
    let mut found = 0usize;
    for _ in 0..rounds {
        for (q, _, _) in &cases {
            found += index.search(q, 5).len();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let names = rounds * cases.len();
    println!("throughput: {names} names in {secs:.2} s on one core = {:.0} names/s ({found} candidates)", names as f64 / secs);
}
