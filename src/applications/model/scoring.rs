//! Combining reviewers' scores: per criterion the reviewers' scores are averaged (or
//! their median taken, as the call says), then the criteria are weighted. An application
//! is scored only when every criterion has at least one score.

use super::Criterion;

/// One reviewer's score of one criterion, in hundredths (0–10000 = 0–100).
#[derive(Debug, Clone)]
pub struct Score {
    /// Reviewer (user id).
    pub reviewer: i64,
    /// Criterion key.
    pub criterion: String,
    /// Score in hundredths.
    pub value: i64,
}

/// The mean or median of a non-empty list, rounded to the nearest hundredth.
fn combine(mut values: Vec<i64>, rule: &str) -> i64 {
    if rule == "median" {
        values.sort_unstable();
        let n = values.len();
        if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2] + 1) / 2 }
    } else {
        let n = values.len() as i64;
        (values.iter().sum::<i64>() * 2 + n) / (2 * n)
    }
}

/// The weighted total (hundredths, 0–10000), or None while a criterion is unscored.
pub fn total(criteria: &[Criterion], rule: &str, scores: &[Score]) -> Option<i64> {
    let mut sum = 0;
    let mut weights = 0;
    for c in criteria {
        let values: Vec<i64> = scores.iter().filter(|s| s.criterion == c.key).map(|s| s.value).collect();
        if values.is_empty() {
            return None;
        }
        sum += combine(values, rule) * c.weight;
        weights += c.weight;
    }
    (weights > 0).then(|| (sum * 2 + weights) / (2 * weights))
}

/// Reads a score typed as `85` or `85.5` (0–100) into hundredths.
pub fn parse_score(text: &str) -> Option<i64> {
    let v: f64 = text.trim().parse().ok()?;
    (v.is_finite() && (0.0..=100.0).contains(&v)).then(|| (v * 100.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(key: &str, weight: i64) -> Criterion {
        Criterion { key: key.into(), en: key.into(), zh: String::new(), weight }
    }

    fn s(reviewer: i64, criterion: &str, value: i64) -> Score {
        Score { reviewer, criterion: criterion.into(), value }
    }

    #[test]
    fn reviewers_are_averaged_then_criteria_weighted() {
        let crit = [c("academic", 60), c("motivation", 40)];
        let scores = [s(1, "academic", 8000), s(2, "academic", 9000), s(1, "motivation", 7000)];
        // academic 85, motivation 70: 0.6 × 85 + 0.4 × 70 = 79.
        assert_eq!(total(&crit, "mean", &scores), Some(7900));
    }

    #[test]
    fn the_median_rule_resists_one_outlier() {
        let crit = [c("academic", 1)];
        let scores = [s(1, "academic", 8000), s(2, "academic", 8200), s(3, "academic", 1000)];
        assert_eq!(total(&crit, "median", &scores), Some(8000));
        assert_eq!(total(&crit, "mean", &scores), Some(5733));
    }

    #[test]
    fn an_unscored_criterion_leaves_no_total() {
        assert_eq!(total(&[c("a", 1), c("b", 1)], "mean", &[s(1, "a", 5000)]), None);
        assert_eq!(parse_score("85.5"), Some(8550));
        assert_eq!(parse_score("101"), None);
        assert_eq!(parse_score("NaN"), None);
    }
}
