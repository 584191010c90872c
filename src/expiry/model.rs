//! What "expiring" means: the window (today to today + N days), the notice date of an
//! agreement (expiry − notice days) and which of its two dates comes first.

use jiff::{Span, civil::Date};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, AppResult, FieldError};

/// The default horizon, and the one the dashboard tile and the weekly digest use.
pub const DEFAULT_DAYS: i64 = 90;

/// The longest horizon a list may ask for (ten years).
pub const MAX_DAYS: i64 = 3650;

/// Query of the expiring list, as typed (empty fields from a filter form are "any").
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ExpiryQueryParams {
    /// Days ahead, 0 to 3650 (default 90).
    pub days: Option<String>,
    /// Only agreements of this home unit (and its sub-units).
    pub unit_id: Option<String>,
}

/// A parsed window: from `today` to `today + days`, optionally one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First day of the window.
    pub today: Date,
    /// Days ahead.
    pub days: i64,
    /// Only this unit's agreements (and its sub-units').
    pub unit_id: Option<i64>,
}

impl Window {
    /// Parses the query against `today`; bad values are field errors.
    pub fn parse(q: &ExpiryQueryParams, today: Date) -> AppResult<Window> {
        let mut errors = Vec::new();
        let days = match q.days.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => DEFAULT_DAYS,
            Some(s) => match s.parse::<i64>() {
                Ok(d) if (0..=MAX_DAYS).contains(&d) => d,
                _ => {
                    errors.push(FieldError::new("days", format!("use a whole number of days from 0 to {MAX_DAYS}")));
                    DEFAULT_DAYS
                }
            },
        };
        let unit_id = match q.unit_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match s.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.push(FieldError::new("unit_id", "use a unit id"));
                    None
                }
            },
        };
        if errors.is_empty() { Ok(Window { today, days, unit_id }) } else { Err(AppError::Validation(errors)) }
    }

    /// The last day of the window.
    pub fn last(&self) -> Date {
        self.today.checked_add(Span::new().days(self.days)).unwrap_or(Date::MAX)
    }

    /// True if `d` falls in the window (both ends included).
    pub fn contains(&self, d: Date) -> bool {
        self.today <= d && d <= self.last()
    }
}

/// The notice date: `notice_days` before expiry (none when no notice period is set).
pub fn notice_date(expiry: Date, notice_days: Option<i64>) -> Option<Date> {
    let n = notice_days.filter(|n| *n >= 0)?;
    expiry.checked_sub(Span::new().days(n.min(MAX_DAYS * 10))).ok()
}

/// The date that matters next: the notice date while it is still ahead, else expiry.
pub fn next_date(today: Date, expiry: Date, notice: Option<Date>) -> Date {
    match notice {
        Some(n) if n >= today => n,
        _ => expiry,
    }
}

/// An agreement in the window: its expiry date or its notice date falls in it.
pub fn in_window(w: &Window, expiry: Date, notice: Option<Date>) -> bool {
    expiry >= w.today && (w.contains(expiry) || notice.is_some_and(|n| w.contains(n)))
}

/// A unit or a user, by id and name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedRef {
    /// Id.
    pub id: i64,
    /// Name (a unit's primary English name; a user's display name).
    pub name: String,
}

/// One agreement coming up for expiry or notice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpiringAgreement {
    /// Agreement id (its page is `/agreements/{id}`).
    pub id: i64,
    /// Title.
    pub title: String,
    /// mou, programme, exchange, progression or research.
    pub kind: String,
    /// signed or in_effect.
    pub status: String,
    /// The partner institutions (every party but the home institution), English names.
    pub partners: Vec<String>,
    /// Expiry date, `YYYY-MM-DD`.
    pub expiry_date: String,
    /// Last day to give notice (expiry − notice days), if a notice period is set.
    pub notice_date: Option<String>,
    /// The notice period in days, if set.
    pub notice_days: Option<i64>,
    /// Renews unless notice is given by the notice date.
    pub auto_renew: bool,
    /// The date that matters next (the notice date while ahead, else expiry).
    pub next_date: String,
    /// Days from today to `next_date`.
    pub days_left: i64,
    /// True if the notice date has already passed.
    pub notice_passed: bool,
    /// The home unit looking after it.
    pub unit: Option<NamedRef>,
    /// The user responsible for it.
    pub responsible: Option<NamedRef>,
}

/// `GET /api/v1/agreements/expiring`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpiringListResponse {
    /// First day of the window (today, UTC).
    pub today: String,
    /// Days ahead.
    pub days: i64,
    /// Last day of the window.
    pub until: String,
    /// The unit filter, if any.
    pub unit_id: Option<i64>,
    /// The agreements, the nearest date first.
    pub items: Vec<ExpiringAgreement>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("date")
    }

    fn q(days: &str, unit: &str) -> ExpiryQueryParams {
        ExpiryQueryParams { days: Some(days.into()), unit_id: Some(unit.into()) }
    }

    #[test]
    fn the_window_defaults_to_ninety_days_and_rejects_bad_values() {
        let w = Window::parse(&q("", ""), d("2024-05-08")).expect("window");
        assert_eq!((w.days, w.unit_id, w.last()), (90, None, d("2024-08-06")));
        assert_eq!(Window::parse(&q("30", "4"), d("2024-05-08")).expect("w").unit_id, Some(4));
        for (days, unit) in [("-1", ""), ("soon", ""), ("3651", ""), ("30", "x"), ("30", "0")] {
            assert!(Window::parse(&q(days, unit), d("2024-05-08")).is_err(), "{days} {unit}");
        }
    }

    #[test]
    fn the_notice_date_is_notice_days_before_expiry_and_matters_while_ahead() {
        let expiry = d("2024-12-31");
        assert_eq!(notice_date(expiry, Some(90)), Some(d("2024-10-02")));
        assert_eq!(notice_date(expiry, None), None);
        assert_eq!(next_date(d("2024-09-01"), expiry, notice_date(expiry, Some(90))), d("2024-10-02"));
        assert_eq!(next_date(d("2024-10-03"), expiry, notice_date(expiry, Some(90))), expiry);
    }

    #[test]
    fn an_agreement_is_in_the_window_by_its_expiry_or_its_notice_date() {
        let w = Window { today: d("2024-05-08"), days: 90, unit_id: None };
        assert!(in_window(&w, d("2024-08-06"), None));
        assert!(!in_window(&w, d("2024-08-07"), None));
        assert!(in_window(&w, d("2024-11-01"), Some(d("2024-08-01"))));
        assert!(!in_window(&w, d("2024-05-07"), None), "already expired");
    }
}
