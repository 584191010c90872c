//! The week grid of one room: which booking goes in which day column and which
//! quarter-hour rows, in the building's time zone. Pure functions, so the arithmetic
//! (clipping to the visible hours, bookings over midnight) is unit-tested here and the
//! template only prints classes from a fixed set that `static/rooms.css` defines.

use jiff::{
    Timestamp, ToSpan,
    civil::{Date, Time},
    tz::TimeZone,
};

use crate::rooms::{Booking, BookingStatus};

/// First hour shown.
pub const FIRST_HOUR: i64 = 7;
/// The grid ends at this hour.
pub const LAST_HOUR: i64 = 22;
/// Minutes per grid row.
const SLOT_MINUTES: i64 = 15;
/// Grid rows of bookings (07:00–22:00 in quarter hours); row 1 is the day headers.
pub const SLOTS: i64 = (LAST_HOUR - FIRST_HOUR) * 60 / SLOT_MINUTES;

/// One day column.
#[derive(Debug, Clone)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// 1 (Monday) to 7 (Sunday): the `d-N` class.
    pub column: usize,
    /// Locale key of the weekday's short name.
    pub weekday_key: &'static str,
}

/// One booking's block on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Booking id.
    pub booking_id: i64,
    /// Booking title.
    pub title: String,
    /// pending or confirmed.
    pub status: BookingStatus,
    /// Day column 1–7 (`d-N`).
    pub column: usize,
    /// First grid row (`r-N`, 2 = 07:00).
    pub row: i64,
    /// Rows covered (`span-N`).
    pub span: i64,
    /// The booking's local times, e.g. `09:00–11:00`.
    pub times: String,
    /// The day, `YYYY-MM-DD`.
    pub date: String,
}

impl Block {
    /// Waiting for a room manager.
    pub fn is_pending(&self) -> bool {
        self.status == BookingStatus::Pending
    }
}

/// A week of one room.
#[derive(Debug, Clone)]
pub struct Week {
    /// Monday.
    pub monday: Date,
    /// The seven days.
    pub days: Vec<Day>,
    /// Monday of the previous week.
    pub prev: String,
    /// Monday of the next week.
    pub next: String,
}

const WEEKDAYS: [&str; 7] = ["rooms.mon", "rooms.tue", "rooms.wed", "rooms.thu", "rooms.fri", "rooms.sat", "rooms.sun"];

impl Week {
    /// The week (Monday first) containing `day`.
    pub fn containing(day: Date) -> Week {
        let monday = day.saturating_sub(i64::from(day.weekday().to_monday_zero_offset()).days());
        let days = (0..7)
            .map(|i| Day { date: monday.saturating_add((i as i64).days()).to_string(), column: i + 1, weekday_key: WEEKDAYS[i] })
            .collect();
        Week { monday, days, prev: monday.saturating_sub(7.days()).to_string(), next: monday.saturating_add(7.days()).to_string() }
    }

    /// The week as a UTC window [Monday 00:00, next Monday 00:00) in `tz`.
    pub fn window(&self, tz: &TimeZone) -> Option<(Timestamp, Timestamp)> {
        let start = self.monday.to_zoned_datetime(tz.clone()).ok()?.timestamp();
        let end = self.monday.saturating_add(7.days()).to_zoned_datetime(tz.clone()).ok()?.timestamp();
        Some((start, end))
    }

    /// Blocks of the bookings in this week, clipped to the visible hours; a booking over
    /// midnight gives one block per day.
    pub fn blocks(&self, tz: &TimeZone, bookings: &[Booking]) -> Vec<Block> {
        let mut out = Vec::new();
        for b in bookings {
            let (Ok(start), Ok(end)) = (b.starts_at.parse::<Timestamp>(), b.ends_at.parse::<Timestamp>()) else { continue };
            for day in &self.days {
                if let Some((row, span)) = rows_on(day, tz, start, end) {
                    out.push(Block {
                        booking_id: b.id,
                        title: b.title.clone(),
                        status: b.status,
                        column: day.column,
                        row,
                        span,
                        times: times(tz, start, end),
                        date: day.date.clone(),
                    });
                }
            }
        }
        out
    }

    /// Hour labels: (grid row, `HH:00`).
    pub fn hours(&self) -> Vec<(i64, String)> {
        (FIRST_HOUR..LAST_HOUR).map(|h| (2 + (h - FIRST_HOUR) * 60 / SLOT_MINUTES, format!("{h:02}:00"))).collect()
    }
}

/// The grid rows a booking covers on one day, if it is visible that day.
fn rows_on(day: &Day, tz: &TimeZone, start: Timestamp, end: Timestamp) -> Option<(i64, i64)> {
    let date: Date = day.date.parse().ok()?;
    let open = date.at(FIRST_HOUR as i8, 0, 0, 0).to_zoned_datetime(tz.clone()).ok()?.timestamp();
    let close = date.at(LAST_HOUR as i8, 0, 0, 0).to_zoned_datetime(tz.clone()).ok()?.timestamp();
    let (from, to) = (start.max(open), end.min(close));
    if from >= to {
        return None;
    }
    let minutes = |t: Timestamp| {
        let local = t.to_zoned_datetime(tz.clone()).time();
        (i64::from(local.hour()) - FIRST_HOUR) * 60 + i64::from(local.minute())
    };
    // The close instant is 22:00 that day; a clipped end there must not read as 0.
    let end_min = if to == close { SLOTS * SLOT_MINUTES } else { minutes(to) };
    let first = (minutes(from) / SLOT_MINUTES).clamp(0, SLOTS - 1);
    let last = ((end_min + SLOT_MINUTES - 1) / SLOT_MINUTES).clamp(first + 1, SLOTS);
    Some((first + 2, last - first))
}

/// `09:00–11:00`, or with dates when the booking spans days.
pub fn times(tz: &TimeZone, start: Timestamp, end: Timestamp) -> String {
    let (s, e) = (start.to_zoned_datetime(tz.clone()), end.to_zoned_datetime(tz.clone()));
    if s.date() == e.date() {
        format!("{}–{}", s.strftime("%H:%M"), e.strftime("%H:%M"))
    } else {
        format!("{}–{}", s.strftime("%m-%d %H:%M"), e.strftime("%m-%d %H:%M"))
    }
}

/// A stored instant as a local date and time.
pub fn local(tz: &TimeZone, stored: &str) -> (String, String) {
    match stored.parse::<Timestamp>() {
        Ok(t) => {
            let z = t.to_zoned_datetime(tz.clone());
            (z.date().to_string(), z.strftime("%H:%M").to_string())
        }
        Err(_) => (stored.to_string(), String::new()),
    }
}

/// A local date and `HH:MM` in `tz` as an instant (None if either does not parse).
pub fn instant(tz: &TimeZone, date: &str, time: &str) -> Option<Timestamp> {
    let d: Date = date.trim().parse().ok()?;
    let t: Time = time.trim().parse().ok()?;
    d.to_datetime(t).to_zoned_datetime(tz.clone()).ok().map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").expect("tz")
    }

    fn booking(id: i64, start: &str, end: &str) -> Booking {
        let tz = shanghai();
        let parse = |s: &str| {
            let (d, t) = s.split_once(' ').expect("date time");
            crate::time::to_text(instant(&tz, d, t).expect("instant"))
        };
        Booking {
            id,
            room_id: 1,
            title: format!("b{id}"),
            starts_at: parse(start),
            ends_at: parse(end),
            status: BookingStatus::Confirmed,
            attendees: None,
        }
    }

    #[test]
    fn any_day_gives_its_monday_first_week() {
        let w = Week::containing("2024-05-08".parse().expect("date"));
        assert_eq!(w.days[0].date, "2024-05-06");
        assert_eq!(w.days[6].date, "2024-05-12");
        assert_eq!((w.prev.as_str(), w.next.as_str()), ("2024-04-29", "2024-05-13"));
        assert_eq!(Week::containing("2024-05-12".parse().expect("date")).monday.to_string(), "2024-05-06");
    }

    #[test]
    fn a_morning_booking_lands_in_its_day_and_quarter_hours() {
        let w = Week::containing("2024-05-08".parse().expect("date"));
        let blocks = w.blocks(&shanghai(), &[booking(1, "2024-05-08 09:00", "2024-05-08 11:00")]);
        assert_eq!(blocks.len(), 1);
        let b = &blocks[0];
        assert_eq!((b.column, b.row, b.span, b.times.as_str()), (3, 10, 8, "09:00–11:00"));
    }

    #[test]
    fn bookings_are_clipped_to_the_visible_hours_and_split_at_midnight() {
        let w = Week::containing("2024-05-08".parse().expect("date"));
        let tz = shanghai();
        let early = w.blocks(&tz, &[booking(1, "2024-05-06 06:00", "2024-05-06 07:20")]);
        assert_eq!((early[0].row, early[0].span), (2, 2));
        assert!(w.blocks(&tz, &[booking(2, "2024-05-06 22:00", "2024-05-06 23:30")]).is_empty());
        let overnight = w.blocks(&tz, &[booking(3, "2024-05-07 21:00", "2024-05-08 08:00")]);
        let placed: Vec<(usize, i64, i64)> = overnight.iter().map(|b| (b.column, b.row, b.span)).collect();
        assert_eq!(placed, [(2, 58, 4), (3, 2, 4)]);
    }

    #[test]
    fn odd_minutes_round_outwards() {
        let w = Week::containing("2024-05-08".parse().expect("date"));
        let b = &w.blocks(&shanghai(), &[booking(1, "2024-05-08 09:10", "2024-05-08 09:20")])[0];
        assert_eq!((b.row, b.span), (10, 2));
    }
}
