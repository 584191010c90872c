//! Instants are stored as fixed-width UTC text (`2024-05-08T01:30:00.000000Z`) so that
//! both engines compare and sort them the same way; dates as `YYYY-MM-DD`.

use jiff::{Timestamp, civil::Date, tz::TimeZone};

/// Formats an instant for storage.
pub fn to_text(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The current instant, formatted for storage.
pub fn now_text() -> String {
    to_text(Timestamp::now())
}

/// The instant `secs` seconds from now, formatted for storage.
pub fn in_secs_text(secs: i64) -> String {
    let ts = Timestamp::now().checked_add(jiff::SignedDuration::from_secs(secs)).unwrap_or(Timestamp::MAX);
    to_text(ts)
}

/// The international office's own time zone: trips, reports and the public news site
/// count days in it.
pub const OFFICE_TIME_ZONE: &str = "Asia/Shanghai";

/// Today's date in a time zone.
pub fn today_in(tz: &TimeZone) -> Date {
    Timestamp::now().to_zoned_datetime(tz.clone()).date()
}

/// The date at `now` in the zone named (a venue's IANA name), falling back to the
/// office's zone, then UTC, for a name the tz database does not know.
pub fn date_in_named(time_zone: &str, now: Timestamp) -> Date {
    let tz = TimeZone::get(time_zone).or_else(|_| TimeZone::get(OFFICE_TIME_ZONE)).unwrap_or(TimeZone::UTC);
    now.to_zoned_datetime(tz).date()
}

/// Today's date in the office's time zone.
pub fn office_today() -> Date {
    date_in_named(OFFICE_TIME_ZONE, Timestamp::now())
}

/// Today's date (UTC): what "overdue", "expiring" and "current position" compare with.
pub fn today_date() -> Date {
    today_in(&TimeZone::UTC)
}

/// Today's date (UTC), `YYYY-MM-DD`.
pub fn today() -> String {
    today_date().to_string()
}

/// Parses a `YYYY-MM-DD` date, returning it normalised; only four-digit years from 1000
/// (a record dated in year 0000 is a typing slip, and stored dates must sort as text).
pub fn parse_date(text: &str) -> Option<String> {
    let d: jiff::civil::Date = text.trim().parse().ok()?;
    (1000..=9999).contains(&d.year()).then(|| d.to_string())
}

/// A stored UTC instant (`2024-05-08T01:30:00Z`) as `2024-05-08 09:30` in the office's
/// time zone, what every page shows; text that is not an instant is returned as it is.
pub fn local_display(at: &str) -> String {
    match at.parse::<Timestamp>() {
        Ok(ts) => {
            let tz = TimeZone::get(OFFICE_TIME_ZONE).unwrap_or(TimeZone::UTC);
            ts.to_zoned_datetime(tz).strftime("%Y-%m-%d %H:%M").to_string()
        }
        Err(_) => at.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_need_a_four_digit_year() {
        assert_eq!(parse_date(" 2024-05-08 ").as_deref(), Some("2024-05-08"));
        assert_eq!(parse_date("0000-01-01"), None);
        assert_eq!(parse_date("0999-12-31"), None);
        assert_eq!(parse_date("2024-02-30"), None);
    }

    #[test]
    fn stored_instants_sort_as_text() {
        let a = to_text("2024-05-08T01:30:00Z".parse().expect("ts"));
        let b = to_text("2024-05-08T10:00:00.5Z".parse().expect("ts"));
        assert_eq!(a, "2024-05-08T01:30:00.000000Z");
        assert!(a < b);
    }

    #[test]
    fn dates_are_validated() {
        assert_eq!(parse_date("2024-05-08").as_deref(), Some("2024-05-08"));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("soon"), None);
    }
}
