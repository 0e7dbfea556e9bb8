"""The school's statistics as pure functions over plain rows (no database): each is checked on a
worked example in tests/reports/test_statistics.py.

Finals are (status, value) pairs as stored on FinalMark. Which finals count:
- exempt (осв.) and deferred finals are not counted in the shares, the average or СОУ (the
  student has no result yet, or none is due); deferrals are reported beside them;
- н/а counts: it is a failure for success and quality, and weighs 8 in СОУ;
- a mark of 1 is a failing mark like 2 (it weighs 16 in СОУ like a 2);
- pass (зачёт) keeps a student successful and does not spoil quality; fail (незачёт) does both.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

GRADED, NOT_ASSESSED, EXEMPT, DEFERRED = "graded", "not_assessed", "exempt", "deferred"
EXCLUDED = {EXEMPT, DEFERRED}
NUMERIC = {"5": 5, "4": 4, "3": 3, "2": 2, "1": 1}
SOU_WEIGHTS = {"5": 100, "4": 64, "3": 36, "2": 16, "1": 16, "na": 8}
HUNDRED = Decimal(100)


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole in percent to one place (half up), or None when there is nothing to count."""
    if not whole:
        return None
    return (HUNDRED * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def final_key(status: str, value: str) -> str:
    """One label per final: '5'…'1', 'pass', 'fail', 'na', 'exempt', 'deferred'."""
    if status == GRADED:
        return value
    return {NOT_ASSESSED: "na", EXEMPT: "exempt", DEFERRED: "deferred"}[status]


def distribution(finals: Iterable[tuple[str, str]]) -> Counter:
    """How many finals of each kind: Counter({'5': n5, '4': n4, …, 'na': …, 'deferred': …})."""
    return Counter(final_key(s, v) for s, v in finals)


def _is_good(key: str) -> bool:
    return key in {"5", "4", "pass"}


def _is_failing(key: str) -> bool:
    return key in {"2", "1", "fail", "na"}


def quality(per_student: Mapping[int, Iterable[tuple[str, str]]]) -> tuple[Decimal | None, set]:
    """Качество знаний: the share of students whose counted finals are all 4 or 5 (or pass).

    Returns (percent, ids of the students counted as good); students with no counted final
    (only exempt or deferred) are not in the denominator."""
    counted, good = 0, set()
    for student_id, finals in per_student.items():
        keys = [final_key(s, v) for s, v in finals if s not in EXCLUDED]
        if not keys:
            continue
        counted += 1
        if all(_is_good(k) for k in keys):
            good.add(student_id)
    return percent(len(good), counted), good


def success(per_student: Mapping[int, Iterable[tuple[str, str]]]) -> tuple[Decimal | None, set]:
    """Успеваемость: the share of students with no 2 (nor 1, fail or н/а) among counted finals.

    Returns (percent, ids of the students counted as successful)."""
    counted, ok = 0, set()
    for student_id, finals in per_student.items():
        keys = [final_key(s, v) for s, v in finals if s not in EXCLUDED]
        if not keys:
            continue
        counted += 1
        if not any(_is_failing(k) for k in keys):
            ok.add(student_id)
    return percent(len(ok), counted), ok


def average_mark(finals: Iterable[tuple[str, str]]) -> Decimal | None:
    """The mean of the numeric finals (1–5) to two places; н/а, pass/fail and the rest skipped."""
    points = [NUMERIC[v] for s, v in finals if s == GRADED and v in NUMERIC]
    if not points:
        return None
    return (Decimal(sum(points)) / len(points)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def degree_of_learning(finals: Iterable[tuple[str, str]]) -> Decimal | None:
    """СОУ (V. P. Simonov): (100·n5 + 64·n4 + 36·n3 + 16·n2 + 8·n_na) / n, in percent to one
    place, where n counts the finals that carry a weight (pass/fail, exempt, deferred don't)."""
    total = n = 0
    for s, v in finals:
        weight = SOU_WEIGHTS.get(final_key(s, v))
        if weight is None:
            continue
        total += weight
        n += 1
    if not n:
        return None
    return (Decimal(total) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- Plan fulfilment ---------------------------------------------------------------------------


def study_days(
    start: dt.date, end: dt.date, holidays: Iterable[tuple[dt.date, dt.date]], days_a_week: int = 5
) -> int:
    """School days from start to end inclusive: Monday to Friday (or Saturday for a six-day
    week) outside the holidays."""
    off = [(a, b) for a, b in holidays]
    day, count = start, 0
    while day <= end:
        if day.isoweekday() <= days_a_week and not any(a <= day <= b for a, b in off):
            count += 1
        day += dt.timedelta(days=1)
    return count


def planned_lessons(hours_per_week: Decimal, days: int, days_a_week: int = 5) -> int:
    """Lessons the curriculum plans for `days` school days: hours per week × weeks, where a
    week is `days_a_week` school days, rounded half up to a whole lesson."""
    weeks = Decimal(days) / days_a_week
    return int((Decimal(hours_per_week) * weeks).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class LessonCounts:
    held: int
    cancelled: int
    moved: int  # originals that were moved away (their new date is counted where it falls)
    substituted: int  # held lessons given by a substitute (included in held)
    upcoming: int  # scheduled after the cut-off date


def count_lessons(lessons: Iterable[tuple[str, dt.date, bool]], until: dt.date) -> LessonCounts:
    """Count (status, date, substituted) lesson rows. A lesson is held when it is scheduled
    (not cancelled, not moved away) and its date is on or before `until`. A moved lesson is
    one row with status «moved» (its old date, not held) and one scheduled row on its new
    date, so it counts once; a substituted lesson is held."""
    held = cancelled = moved = substituted = upcoming = 0
    for status, date, is_substituted in lessons:
        if status == "cancelled":
            cancelled += 1
        elif status == "moved":
            moved += 1
        elif date > until:
            upcoming += 1
        else:
            held += 1
            substituted += bool(is_substituted)
    return LessonCounts(held, cancelled, moved, substituted, upcoming)


def fulfilment(held: int, planned: int) -> Decimal | None:
    """Выполнение программы: lessons held / lessons planned, in percent."""
    return percent(held, planned)


# --- By work type, risk --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkTypeLine:
    work_type: str
    marks: int
    average: Decimal | None


def by_work_type(marks: Iterable[tuple[str, str]]) -> list[WorkTypeLine]:
    """(work type name, mark value) rows → marks and plain average of numeric marks per type."""
    counts: Counter = Counter()
    sums: Counter = Counter()
    numeric: Counter = Counter()
    for name, value in marks:
        counts[name] += 1
        if value in NUMERIC:
            sums[name] += NUMERIC[value]
            numeric[name] += 1
    return [
        WorkTypeLine(
            name,
            counts[name],
            (Decimal(sums[name]) / numeric[name]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if numeric[name]
            else None,
        )
        for name in sorted(counts)
    ]


def at_risk(forecasts: Mapping[int, int | None], finals: Mapping[int, str]) -> set[int]:
    """Students at risk: forecast (suggested final) 2, or a final of н/а. `forecasts` maps a
    student to the suggested mark, `finals` to their final's label ('na', '5', …)."""
    return {s for s, mark in forecasts.items() if mark == 2} | {
        s for s, label in finals.items() if label in {"na", "2", "1"}
    }
