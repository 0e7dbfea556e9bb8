"""When a message may go: quiet hours in the school's own zone, and how long an SMS may wait at
the provider before it expires instead of arriving at night."""

import datetime as dt
import zoneinfo

# Twilio accepts a validity period of 1..36,000 seconds.
MAX_VALIDITY = 36_000
# An SMS with less time than this before the quiet hours waits for the morning instead.
MIN_VALIDITY = 5 * 60


def _local(now: dt.datetime, time_zone: str) -> dt.datetime:
    return now.astimezone(zoneinfo.ZoneInfo(time_zone))


def in_quiet_hours(now: dt.datetime, *, time_zone: str, start: dt.time, end: dt.time) -> bool:
    """The local time is inside [start, end), a window that may cross midnight."""
    if start == end:
        return False
    local = _local(now, time_zone).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_end(now: dt.datetime, *, time_zone: str, start: dt.time, end: dt.time):
    """The moment the quiet hours containing `now` end (an aware datetime); `now` itself when
    it is outside them."""
    if not in_quiet_hours(now, time_zone=time_zone, start=start, end=end):
        return now
    local = _local(now, time_zone)
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    # Re-resolve the wall time in the zone (a day may be 23 or 25 hours long).
    wall = candidate.replace(tzinfo=None)
    return wall.replace(tzinfo=zoneinfo.ZoneInfo(time_zone)).astimezone(dt.UTC)


def seconds_until_quiet(now: dt.datetime, *, time_zone: str, start: dt.time) -> int:
    """Seconds from `now` until the next start of the quiet hours."""
    local = _local(now, time_zone)
    candidate = local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return int((candidate - local).total_seconds())


def sms_validity(now: dt.datetime, *, time_zone: str, start: dt.time, end: dt.time) -> int:
    """How long an SMS handed over now may wait: until the quiet hours begin, at most Twilio's
    limit (the whole limit when the school has no quiet hours). Below MIN_VALIDITY the caller
    holds the message for the morning."""
    if start == end:
        return MAX_VALIDITY
    return min(MAX_VALIDITY, seconds_until_quiet(now, time_zone=time_zone, start=start))
