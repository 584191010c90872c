//! A small iCalendar (RFC 5545) writer: content lines folded at 75 octets without
//! splitting a UTF-8 character, CRLF line endings, TEXT escaping, and a VTIMEZONE for
//! every zone the events use, generated from jiff's bundled tz database.
//!
//! Hand-written because a feed needs only VCALENDAR, VTIMEZONE and VEVENT: a crate
//! would cost more compile time than these two hundred lines.

use std::collections::BTreeMap;

use jiff::{
    Timestamp, ToSpan,
    civil::Date,
    tz::{Offset, TimeZone},
};

/// When an event happens.
#[derive(Debug, Clone)]
pub enum When {
    /// From `start` to `end`, shown in the IANA zone `tz` (the venue's).
    Timed {
        /// Start instant.
        start: Timestamp,
        /// End instant.
        end: Timestamp,
        /// IANA zone name, e.g. `Asia/Shanghai`.
        tz: String,
    },
    /// Whole days from `first` to `last`, both included.
    AllDay {
        /// First day.
        first: Date,
        /// Last day.
        last: Date,
    },
}

/// One VEVENT.
#[derive(Debug, Clone)]
pub struct Event {
    /// Stable identifier, e.g. `session-12@liaison`.
    pub uid: String,
    /// Goes up on every change so clients replace the event.
    pub sequence: i64,
    /// When the record was last changed (DTSTAMP and LAST-MODIFIED).
    pub modified: Timestamp,
    /// Title.
    pub summary: String,
    /// Where, if known.
    pub location: String,
    /// Free text (kind, topics, participants).
    pub description: String,
    /// TENTATIVE, CONFIRMED or CANCELLED.
    pub status: &'static str,
    /// When.
    pub when: When,
}

/// Accumulates folded content lines.
#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    /// Appends one content line, folded at 75 octets (RFC 5545 §3.1).
    fn line(&mut self, content: &str) {
        fold_into(&mut self.out, content);
    }

    /// `NAME:value` with the value written as is.
    fn prop(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{value}"));
    }

    /// `NAME:value` with the value escaped as TEXT.
    fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape_text(value)));
    }
}

/// Writes `content` as one or more physical lines of at most 75 octets, each ending in
/// CRLF; continuation lines start with a space. Never splits a UTF-8 character.
pub fn fold_into(out: &mut String, content: &str) {
    let mut rest = content;
    let mut limit = 75;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // The leading space of a continuation line counts towards its 75 octets.
        limit = 74;
    }
}

/// Escapes a TEXT value: backslash, semicolon, comma and line breaks; drops the other
/// control characters, which content lines may not carry.
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `20240508T013000Z`.
fn utc(ts: Timestamp) -> String {
    ts.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// `+0800`, or `+053730` when the offset has seconds (older LMT offsets).
fn offset_text(o: Offset) -> String {
    let s = o.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.unsigned_abs();
    let (h, m, sec) = (a / 3600, a / 60 % 60, a % 60);
    if sec == 0 { format!("{sign}{h:02}{m:02}") } else { format!("{sign}{h:02}{m:02}{sec:02}") }
}

/// Local wall-clock time of `ts` at `offset`, e.g. `20240508T093000`.
fn local(ts: Timestamp, offset: Offset) -> String {
    offset.to_datetime(ts).strftime("%Y%m%dT%H%M%S").to_string()
}

/// The zone of a name, if the tz database knows it (UTC otherwise: times then carry `Z`).
fn zone(name: &str) -> Option<TimeZone> {
    TimeZone::get(name).ok().filter(|_| name != "UTC")
}

/// A whole calendar: the header, one VTIMEZONE per zone used, then the events.
pub fn calendar(name: &str, events: &[Event]) -> String {
    let mut w = Writer::default();
    w.prop("BEGIN", "VCALENDAR");
    w.prop("VERSION", "2.0");
    w.prop("PRODID", "-//Liaison//Calendar feeds//EN");
    w.prop("CALSCALE", "GREGORIAN");
    w.text("X-WR-CALNAME", name);
    for (tz, (from, until)) in zones_used(events) {
        if let Some(zone) = zone(&tz) {
            vtimezone(&mut w, &tz, &zone, from, until);
        }
    }
    for e in events {
        vevent(&mut w, e);
    }
    w.prop("END", "VCALENDAR");
    w.out
}

/// Each zone's span of instants to cover: January 1 of the first event's year to
/// January 1 after the last event's year.
fn zones_used(events: &[Event]) -> BTreeMap<String, (Timestamp, Timestamp)> {
    let mut zones: BTreeMap<String, (Timestamp, Timestamp)> = BTreeMap::new();
    for e in events {
        if let When::Timed { start, end, tz } = &e.when {
            let span = zones.entry(tz.clone()).or_insert((*start, *end));
            span.0 = span.0.min(*start);
            span.1 = span.1.max(*end);
        }
    }
    for span in zones.values_mut() {
        let year = |t: Timestamp| t.to_zoned_datetime(TimeZone::UTC).year();
        let jan1 = |y: i16| Date::new(y, 1, 1).ok().and_then(|d| d.to_zoned_datetime(TimeZone::UTC).ok()).map(|z| z.timestamp());
        // A day of slack either side covers any zone's offset from UTC.
        span.0 = jan1(year(span.0)).and_then(|t| t.checked_sub(24.hours()).ok()).unwrap_or(span.0);
        span.1 = jan1(year(span.1).saturating_add(1)).and_then(|t| t.checked_add(24.hours()).ok()).unwrap_or(span.1);
    }
    zones
}

/// One observance: its onset (an instant) and the offsets either side.
struct Observance {
    onset: Timestamp,
    from: Offset,
    to: Offset,
    dst: bool,
    abbreviation: String,
}

/// The VTIMEZONE of `tz`: the observance in force at `from`, then every transition until
/// `until`, each as its own STANDARD or DAYLIGHT with a fixed DTSTART. Listing the
/// transitions (rather than inventing RRULEs) is exact for any zone, including ones
/// whose rules changed within the span.
fn vtimezone(w: &mut Writer, name: &str, tz: &TimeZone, from: Timestamp, until: Timestamp) {
    let mut list = Vec::new();
    match tz.preceding(from).next() {
        Some(t) => list.push(Observance {
            onset: t.timestamp(),
            from: tz.to_offset(t.timestamp().checked_sub(1.second()).unwrap_or(t.timestamp())),
            to: t.offset(),
            dst: t.dst().is_dst(),
            abbreviation: t.abbreviation().to_string(),
        }),
        None => {
            let info = tz.to_offset_info(from);
            // A zone that never changed: one observance from 1970-01-01, local time.
            let shift = jiff::SignedDuration::from_secs(i64::from(info.offset().seconds()));
            let onset = Timestamp::UNIX_EPOCH.checked_sub(shift).unwrap_or(Timestamp::UNIX_EPOCH);
            list.push(Observance {
                onset,
                from: info.offset(),
                to: info.offset(),
                dst: info.dst().is_dst(),
                abbreviation: info.abbreviation().to_string(),
            });
        }
    }
    for t in tz.following(from).take_while(|t| t.timestamp() < until) {
        let before = tz.to_offset(t.timestamp().checked_sub(1.second()).unwrap_or(t.timestamp()));
        list.push(Observance {
            onset: t.timestamp(),
            from: before,
            to: t.offset(),
            dst: t.dst().is_dst(),
            abbreviation: t.abbreviation().to_string(),
        });
    }
    w.prop("BEGIN", "VTIMEZONE");
    w.prop("TZID", name);
    for o in list {
        let kind = if o.dst { "DAYLIGHT" } else { "STANDARD" };
        w.prop("BEGIN", kind);
        // An observance's onset is local time as it was just before the change.
        w.prop("DTSTART", &local(o.onset, o.from));
        w.prop("TZOFFSETFROM", &offset_text(o.from));
        w.prop("TZOFFSETTO", &offset_text(o.to));
        if !o.abbreviation.is_empty() {
            w.text("TZNAME", &o.abbreviation);
        }
        w.prop("END", kind);
    }
    w.prop("END", "VTIMEZONE");
}

fn vevent(w: &mut Writer, e: &Event) {
    w.prop("BEGIN", "VEVENT");
    w.prop("UID", &e.uid);
    w.prop("SEQUENCE", &e.sequence.max(0).to_string());
    w.prop("DTSTAMP", &utc(e.modified));
    w.prop("LAST-MODIFIED", &utc(e.modified));
    match &e.when {
        When::Timed { start, end, tz } => match zone(tz) {
            Some(zone) => {
                w.prop(&format!("DTSTART;TZID={tz}"), &local(*start, zone.to_offset(*start)));
                w.prop(&format!("DTEND;TZID={tz}"), &local(*end, zone.to_offset(*end)));
            }
            None => {
                w.prop("DTSTART", &utc(*start));
                w.prop("DTEND", &utc(*end));
            }
        },
        When::AllDay { first, last } => {
            // DTEND of a date is exclusive: the day after the last day.
            let after = last.checked_add(1.day()).unwrap_or(*last);
            w.prop("DTSTART;VALUE=DATE", &first.strftime("%Y%m%d").to_string());
            w.prop("DTEND;VALUE=DATE", &after.strftime("%Y%m%d").to_string());
        }
    }
    w.text("SUMMARY", &e.summary);
    if !e.location.is_empty() {
        w.text("LOCATION", &e.location);
    }
    if !e.description.is_empty() {
        w.text("DESCRIPTION", &e.description);
    }
    w.prop("STATUS", e.status);
    w.prop("TRANSP", "OPAQUE");
    w.prop("END", "VEVENT");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<&str> {
        s.split("\r\n").filter(|l| !l.is_empty()).collect()
    }

    fn unfold(s: &str) -> String {
        s.replace("\r\n ", "")
    }

    #[test]
    fn short_lines_are_not_folded_and_end_in_crlf() {
        let mut out = String::new();
        fold_into(&mut out, "SUMMARY:Courtesy meeting");
        assert_eq!(out, "SUMMARY:Courtesy meeting\r\n");
    }

    #[test]
    fn long_lines_fold_at_75_octets_and_unfold_to_the_original() {
        let content = format!("DESCRIPTION:{}", "x".repeat(200));
        let mut out = String::new();
        fold_into(&mut out, &content);
        let physical = lines(&out);
        assert_eq!(physical[0].len(), 75);
        assert!(physical[1..].iter().all(|l| l.starts_with(' ') && l.len() <= 75));
        assert_eq!(unfold(&out), format!("{content}\r\n"));
    }

    #[test]
    fn folding_never_splits_a_chinese_character() {
        // 3 octets per character: 75 is not a multiple of 3 after the 8-octet name.
        let content = format!("SUMMARY:{}", "国际教育交流合作座谈会".repeat(10));
        let mut out = String::new();
        fold_into(&mut out, &content);
        for l in lines(&out) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        assert_eq!(unfold(&out), format!("{content}\r\n"));
    }

    #[test]
    fn text_values_escape_backslash_semicolon_comma_and_newlines() {
        assert_eq!(escape_text("a\\b;c,d\ne\r\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
        assert_eq!(escape_text("bell\u{7}less"), "bellless");
        assert_eq!(escape_text("1508, 实训楼"), "1508\\, 实训楼");
    }

    #[test]
    fn offsets_are_written_with_sign_hours_and_minutes() {
        assert_eq!(offset_text(Offset::from_seconds(8 * 3600).expect("offset")), "+0800");
        assert_eq!(offset_text(Offset::from_seconds(-(3 * 3600 + 1800)).expect("offset")), "-0330");
        assert_eq!(offset_text(Offset::from_seconds(19800 + 7).expect("offset")), "+053007");
    }

    fn event(tz: &str, start: &str, end: &str) -> Event {
        Event {
            uid: "session-1@liaison".into(),
            sequence: 2,
            modified: "2024-05-01T00:00:00Z".parse().expect("ts"),
            summary: "Symposium".into(),
            location: "1507, Shixun Building".into(),
            description: String::new(),
            status: "CONFIRMED",
            when: When::Timed { start: start.parse().expect("start"), end: end.parse().expect("end"), tz: tz.into() },
        }
    }

    #[test]
    fn a_shanghai_event_is_written_in_local_time_with_its_zone() {
        let cal = calendar("Visit", &[event("Asia/Shanghai", "2024-05-08T01:30:00Z", "2024-05-08T03:00:00Z")]);
        let l = lines(&cal);
        assert!(l.contains(&"DTSTART;TZID=Asia/Shanghai:20240508T093000"), "{cal}");
        assert!(l.contains(&"DTEND;TZID=Asia/Shanghai:20240508T110000"));
        assert!(l.contains(&"TZID:Asia/Shanghai"));
        assert!(l.contains(&"TZOFFSETTO:+0800"));
        assert!(l.contains(&"SEQUENCE:2"));
        assert!(!l.contains(&"BEGIN:DAYLIGHT"), "China has had no DST since 1991");
    }

    #[test]
    fn a_zone_with_summer_time_lists_the_years_transitions() {
        let cal = calendar("Visit", &[event("Europe/Berlin", "2024-07-01T08:00:00Z", "2024-07-01T09:00:00Z")]);
        let text = cal.replace("\r\n", "\n");
        assert!(text.contains("BEGIN:DAYLIGHT\nDTSTART:20240331T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST"), "{cal}");
        assert!(text.contains("BEGIN:STANDARD\nDTSTART:20241027T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET"));
        assert!(text.contains("DTSTART;TZID=Europe/Berlin:20240701T100000"));
    }

    #[test]
    fn all_day_events_end_the_day_after_their_last_day() {
        let e = Event {
            when: When::AllDay { first: "2024-05-08".parse().expect("d"), last: "2024-05-09".parse().expect("d") },
            ..event("Asia/Shanghai", "2024-05-08T01:30:00Z", "2024-05-08T03:00:00Z")
        };
        let cal = calendar("Visit", &[e]);
        assert!(cal.contains("DTSTART;VALUE=DATE:20240508\r\nDTEND;VALUE=DATE:20240510\r\n"), "{cal}");
        assert!(!cal.contains("BEGIN:VTIMEZONE"), "no timed event, no zone");
    }

    #[test]
    fn an_unknown_zone_falls_back_to_utc_times() {
        let cal = calendar("Visit", &[event("Mars/Olympus", "2024-05-08T01:30:00Z", "2024-05-08T03:00:00Z")]);
        assert!(cal.contains("DTSTART:20240508T013000Z\r\n"), "{cal}");
        assert!(!cal.contains("VTIMEZONE"));
    }
}
