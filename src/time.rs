//! Instants are stored as fixed-width UTC text (`2024-05-08T01:30:00.000000Z`) so that
//! both engines compare and sort them the same way; dates as `YYYY-MM-DD`.

use jiff::Timestamp;

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

/// Today's date (UTC), `YYYY-MM-DD`: what "overdue" and "current position" compare with.
pub fn today() -> String {
    Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date().to_string()
}

/// Parses a `YYYY-MM-DD` date, returning it normalised.
pub fn parse_date(text: &str) -> Option<String> {
    let d: jiff::civil::Date = text.trim().parse().ok()?;
    Some(d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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
