//! The allocation of places: a pure function from ranked applications (each with its
//! partners in order of preference) and the places at each partner, to who gets which
//! place and why. No database, no clock: the same input always gives the same answer,
//! so the office can run it again and a student can be told exactly what happened.
//!
//! The rule is serial dictatorship by rank: in rank order, each student gets their most
//! preferred partner that still has a place. Places already held (offers out, places
//! accepted, manual allocations by the office) are taken off first. The explanation
//! names, for every choice passed over, the rank of the student who took its last place.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One ranked application to place.
#[derive(Debug, Clone)]
pub struct Ranked {
    /// Application id.
    pub application_id: i64,
    /// Rank (1 = best); ties are broken by application id.
    pub rank: i64,
    /// Partner ids (the call's partner rows) in order of preference.
    pub choices: Vec<i64>,
}

/// A choice passed over: full when this student's turn came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = AllocationSkipped)]
pub struct Skipped {
    /// Its priority in the student's list (1 = first choice).
    pub priority: i64,
    /// The call's partner row.
    pub partner: i64,
    /// The rank of the student who took its last place (none: it had no places, or they
    /// were all held before the run).
    pub filled_at_rank: Option<i64>,
}

/// What the allocation decided for one application, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = AllocationOutcome)]
pub struct Outcome {
    /// Application id.
    pub application_id: i64,
    /// Its rank.
    pub rank: i64,
    /// The call's partner row it got, if any.
    pub partner: Option<i64>,
    /// Which of its choices that was (1 = first).
    pub priority: Option<i64>,
    /// The choices passed over before it (all of them when it got none).
    pub skipped: Vec<Skipped>,
}

/// Places each student by rank (see the module header). `places` is per partner row;
/// `held` are places already taken before this run (partner, and the holder's rank if
/// known). Answers one outcome per ranked application, in rank order.
pub fn allocate(places: &HashMap<i64, i64>, held: &[(i64, Option<i64>)], ranked: &[Ranked]) -> Vec<Outcome> {
    let mut free: HashMap<i64, i64> = places.clone();
    let mut last_rank: HashMap<i64, i64> = HashMap::new();
    for (partner, rank) in held {
        if let Some(n) = free.get_mut(partner) {
            *n -= 1;
        }
        if let Some(r) = rank {
            let e = last_rank.entry(*partner).or_insert(*r);
            *e = (*e).max(*r);
        }
    }
    let mut order: Vec<&Ranked> = ranked.iter().collect();
    order.sort_by_key(|r| (r.rank, r.application_id));
    let mut out = Vec::with_capacity(order.len());
    for r in order {
        let mut skipped = Vec::new();
        let mut got = None;
        for (i, partner) in r.choices.iter().enumerate() {
            let priority = i as i64 + 1;
            match free.get_mut(partner) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    last_rank.insert(*partner, r.rank);
                    got = Some((*partner, priority));
                    break;
                }
                _ => skipped.push(Skipped { priority, partner: *partner, filled_at_rank: last_rank.get(partner).copied() }),
            }
        }
        out.push(Outcome {
            application_id: r.application_id,
            rank: r.rank,
            partner: got.map(|g| g.0),
            priority: got.map(|g| g.1),
            skipped,
        });
    }
    out
}

/// One application to rank.
#[derive(Debug, Clone)]
pub struct ToRank {
    /// Application id.
    pub application_id: i64,
    /// Combined score in hundredths (none: not fully scored; ranked after the scored).
    pub score: Option<i64>,
    /// GPA in hundredths (the first tie-break).
    pub gpa: Option<i64>,
    /// When it was submitted (earlier first: the second tie-break).
    pub submitted_at: String,
}

/// Ranks applications: score (highest first, unscored last), then GPA, then the earlier
/// submission, then the id, so no two share a rank. Answers (application id, rank).
pub fn rank(mut items: Vec<ToRank>) -> Vec<(i64, i64)> {
    items.sort_by(|a, b| {
        b.score
            .unwrap_or(-1)
            .cmp(&a.score.unwrap_or(-1))
            .then(b.gpa.unwrap_or(-1).cmp(&a.gpa.unwrap_or(-1)))
            .then(a.submitted_at.cmp(&b.submitted_at))
            .then(a.application_id.cmp(&b.application_id))
    });
    items.iter().enumerate().map(|(i, t)| (t.application_id, i as i64 + 1)).collect()
}

/// An outcome in words, in English or Chinese; `name` gives a partner row's name.
pub fn explain(o: &Outcome, name: &dyn Fn(i64) -> String, zh: bool) -> String {
    let passed: Vec<String> = o
        .skipped
        .iter()
        .map(|s| match (s.filled_at_rank, zh) {
            (Some(r), false) => format!("choice {} ({}) was full at rank {}", s.priority, name(s.partner), r),
            (Some(r), true) => format!("第 {} 志愿（{}）的名额在排名第 {} 位时已满", s.priority, name(s.partner), r),
            (None, false) => format!("choice {} ({}) had no place left", s.priority, name(s.partner)),
            (None, true) => format!("第 {} 志愿（{}）已无名额", s.priority, name(s.partner)),
        })
        .collect();
    let sep = if zh { "；" } else { "; " };
    match (o.partner, o.priority, zh) {
        (Some(p), Some(1), false) => format!("Rank {}: got choice 1 ({}).", o.rank, name(p)),
        (Some(p), Some(1), true) => format!("排名第 {} 位：获得第 1 志愿（{}）。", o.rank, name(p)),
        (Some(p), Some(n), false) => format!("Rank {}: got choice {n} ({}) because {}.", o.rank, name(p), passed.join(sep)),
        (Some(p), Some(n), true) => format!("排名第 {} 位：获得第 {n} 志愿（{}），因为{}。", o.rank, name(p), passed.join(sep)),
        (_, _, false) if passed.is_empty() => format!("Rank {}: no place (no partner chosen).", o.rank),
        (_, _, true) if passed.is_empty() => format!("排名第 {} 位：未获名额（未选择合作院校）。", o.rank),
        (_, _, false) => format!("Rank {}: no place, because {}.", o.rank, passed.join(sep)),
        (_, _, true) => format!("排名第 {} 位：未获名额，因为{}。", o.rank, passed.join(sep)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: i64, rank: i64, choices: &[i64]) -> Ranked {
        Ranked { application_id: id, rank, choices: choices.to_vec() }
    }

    fn places(p: &[(i64, i64)]) -> HashMap<i64, i64> {
        p.iter().copied().collect()
    }

    #[test]
    fn each_student_gets_the_best_choice_left_in_rank_order() {
        let out = allocate(&places(&[(1, 1), (2, 1), (3, 5)]), &[], &[r(10, 2, &[1, 2]), r(11, 1, &[1, 3]), r(12, 3, &[1, 2, 3])]);
        let got: Vec<_> = out.iter().map(|o| (o.application_id, o.partner, o.priority)).collect();
        assert_eq!(got, [(11, Some(1), Some(1)), (10, Some(2), Some(2)), (12, Some(3), Some(3))]);
        assert_eq!(out[1].skipped, [Skipped { priority: 1, partner: 1, filled_at_rank: Some(1) }]);
        assert_eq!(out[2].skipped.len(), 2);
        assert_eq!(out[2].skipped[1], Skipped { priority: 2, partner: 2, filled_at_rank: Some(2) });
    }

    #[test]
    fn the_explanation_names_the_full_choice_and_the_rank() {
        let out = allocate(&places(&[(1, 1), (2, 1)]), &[], &[r(1, 13, &[1]), r(2, 14, &[1, 2])]);
        let name = |p: i64| if p == 1 { "IUKL".to_string() } else { "Monash".to_string() };
        assert_eq!(explain(&out[1], &name, false), "Rank 14: got choice 2 (Monash) because choice 1 (IUKL) was full at rank 13.");
        assert_eq!(explain(&out[0], &name, false), "Rank 13: got choice 1 (IUKL).");
        assert!(explain(&out[1], &name, true).contains("第 2 志愿"));
    }

    #[test]
    fn held_places_are_taken_off_first_and_unknown_partners_have_none() {
        let out = allocate(&places(&[(1, 2)]), &[(1, Some(4)), (1, None)], &[r(1, 1, &[9, 1])]);
        assert_eq!(out[0].partner, None);
        assert_eq!(
            out[0].skipped,
            [Skipped { priority: 1, partner: 9, filled_at_rank: None }, Skipped { priority: 2, partner: 1, filled_at_rank: Some(4) }]
        );
        let name = |_: i64| "X".to_string();
        assert_eq!(
            explain(&out[0], &name, false),
            "Rank 1: no place, because choice 1 (X) had no place left; choice 2 (X) was full at rank 4."
        );
    }

    #[test]
    fn the_same_input_in_any_order_gives_the_same_answer() {
        let a = [r(1, 1, &[1, 2]), r(2, 2, &[1, 2]), r(3, 3, &[2, 1]), r(4, 3, &[2])];
        let mut b = a.clone();
        b.reverse();
        let p = places(&[(1, 1), (2, 2)]);
        assert_eq!(allocate(&p, &[], &a), allocate(&p, &[], &b));
        assert_eq!(allocate(&p, &[], &a)[3].partner, None);
    }

    #[test]
    fn ranking_orders_by_score_then_gpa_then_submission() {
        let t = |id, score, gpa, at: &str| ToRank { application_id: id, score, gpa, submitted_at: at.into() };
        let ranks = rank(vec![
            t(1, Some(7000), Some(300), "b"),
            t(2, Some(8000), Some(200), "c"),
            t(3, Some(7000), Some(350), "d"),
            t(4, None, Some(400), "a"),
            t(5, Some(7000), Some(300), "a"),
        ]);
        assert_eq!(ranks, [(2, 1), (3, 2), (5, 3), (1, 4), (4, 5)]);
    }
}
