"""A hand-written iCalendar (RFC 5545) feed: the child's lessons, control works and holidays.

User text (subjects, topics, names) is escaped as TEXT values (§3.3.11) and lines are folded at
75 octets (§3.1); lines end with CRLF.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

PRODID = "-//ednevnik//diary feed//RU"


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never splitting a character."""
    out, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with one space
        if size + width > limit:
            out.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n ".join(out)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass
class Event:
    uid: str
    summary: str
    description: str = ""
    starts: dt.datetime | dt.date | None = None
    ends: dt.datetime | dt.date | None = None  # for all-day events: the last day (inclusive)
    location: str = ""
    cancelled: bool = False

    def lines(self, stamp: str) -> list[str]:
        lines = ["BEGIN:VEVENT", f"UID:{self.uid}", f"DTSTAMP:{stamp}"]
        if isinstance(self.starts, dt.datetime):
            lines.append(f"DTSTART:{_utc(self.starts)}")
            lines.append(f"DTEND:{_utc(self.ends or self.starts)}")
        else:
            last = self.ends or self.starts
            lines.append(f"DTSTART;VALUE=DATE:{self.starts:%Y%m%d}")
            lines.append(f"DTEND;VALUE=DATE:{last + dt.timedelta(days=1):%Y%m%d}")
        lines.append(f"SUMMARY:{escape_text(self.summary)}")
        if self.description:
            lines.append(f"DESCRIPTION:{escape_text(self.description)}")
        if self.location:
            lines.append(f"LOCATION:{escape_text(self.location)}")
        if self.cancelled:
            lines.append("STATUS:CANCELLED")
        lines.append("END:VEVENT")
        return lines


def calendar(name: str, events: Iterable[Event], *, now: dt.datetime) -> str:
    stamp = _utc(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines.extend(event.lines(stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
