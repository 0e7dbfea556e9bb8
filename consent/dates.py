"""Deadlines the law sets in working days."""

import datetime as dt


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (Monday to Friday; the day of receipt does not
    count). Public holidays are not excluded: the answer is due no later than this date."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
