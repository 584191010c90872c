#!/usr/bin/env python3
"""Reads an .ics file with the `icalendar` library and prints its events as JSON.

Used by tests/api/calendar.rs so that our feeds are checked by an independent parser,
not only by our own code. For every VEVENT it prints (a JSON list) uid, sequence, summary, location,
description, status, tzid, dtstart and dtend (ISO 8601 with offset, or a date for
all-day events), and `dtstart_vtimezone`: the start re-computed from the feed's own
VTIMEZONE component alone (not the parser's tz database), which checks the VTIMEZONE
we generate (null when the feed has no VTIMEZONE for the event's TZID).

Usage: python3 tests/calendar/parse_ics.py FILE
"""

import datetime
import json
import sys

import icalendar


def iso(value):
    return value.isoformat() if value is not None else None


def main(path):
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    zones = {}
    for vtz in cal.walk("VTIMEZONE"):
        try:
            zones[str(vtz["TZID"])] = vtz.to_tz(lookup_tzid=False)
        except TypeError:  # icalendar < 6 (e.g. Debian's python3-icalendar) always builds it
            zones[str(vtz["TZID"])] = vtz.to_tz()
    events = []
    for ev in cal.walk("VEVENT"):
        start = ev["DTSTART"]
        tzid = start.params.get("TZID")
        dt = start.dt
        from_vtz = None
        if tzid and isinstance(dt, datetime.datetime) and tzid in zones:
            naive, tz = dt.replace(tzinfo=None), zones[tzid]
            # pytz-style zones (icalendar < 6) must localize; zoneinfo-style ones are attached.
            local = tz.localize(naive) if hasattr(tz, "localize") else naive.replace(tzinfo=tz)
            from_vtz = local.isoformat()
        events.append(
            {
                "uid": str(ev.get("UID")),
                "sequence": int(ev.get("SEQUENCE", 0)),
                "summary": str(ev.get("SUMMARY", "")),
                "location": str(ev.get("LOCATION", "")),
                "description": str(ev.get("DESCRIPTION", "")),
                "status": str(ev.get("STATUS", "")),
                "tzid": tzid,
                "dtstart": iso(dt),
                "dtend": iso(ev["DTEND"].dt) if "DTEND" in ev else None,
                "dtstart_vtimezone": from_vtz,
            }
        )
    print(json.dumps(events, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
