"""Worked examples for every statistic; the expected numbers are computed by hand in comments."""

import datetime as dt
from decimal import Decimal

from reports import statistics as st

G = "graded"


def finals(*labels):
    """'5' → ("graded", "5"); 'na' → ("not_assessed", ""); 'exempt', 'deferred' likewise."""
    special = {"na": "not_assessed", "exempt": "exempt", "deferred": "deferred"}
    return [(special[x], "") if x in special else (G, x) for x in labels]


# A class of 10 in one subject: 5 5 4 4 4 3 3 2 н/а, and one deferred (not counted).
CLASS = finals("5", "5", "4", "4", "4", "3", "3", "2", "na", "deferred")
PER_STUDENT = {i + 1: [f] for i, f in enumerate(CLASS)}


def test_quality_counts_students_with_only_4_and_5():
    # Counted students: 9 (the deferred one is out). Only 4 and 5: students 1–5 → 5 / 9 = 55.6 %.
    value, good = st.quality(PER_STUDENT)
    assert value == Decimal("55.6")
    assert good == {1, 2, 3, 4, 5}


def test_success_counts_students_with_no_2_and_no_na():
    # 9 counted; failing: the 2 (student 8) and н/а (student 9) → 7 / 9 = 77.8 %.
    value, ok = st.success(PER_STUDENT)
    assert value == Decimal("77.8")
    assert ok == {1, 2, 3, 4, 5, 6, 7}


def test_quality_and_success_across_several_subjects_per_student():
    # Student 1: 5, 4 → good and successful. Student 2: 5, 3 → successful only.
    # Student 3: 4, 2 → neither. Student 4: only exempt → not counted at all.
    per_student = {
        1: finals("5", "4"),
        2: finals("5", "3"),
        3: finals("4", "2"),
        4: finals("exempt"),
    }
    assert st.quality(per_student) == (Decimal("33.3"), {1})  # 1 / 3
    assert st.success(per_student) == (Decimal("66.7"), {1, 2})  # 2 / 3


def test_average_mark():
    # Numeric finals 5 5 4 4 4 3 3 2 → 30 / 8 = 3.75 (н/а and deferred skipped).
    assert st.average_mark(CLASS) == Decimal("3.75")


def test_degree_of_learning_sou():
    # n5 = 2, n4 = 3, n3 = 2, n2 = 1, n_na = 1, n = 9 (deferred not counted):
    # (100·2 + 64·3 + 36·2 + 16·1 + 8·1) / 9 = (200 + 192 + 72 + 16 + 8) / 9 = 488 / 9 = 54.2 %.
    assert st.degree_of_learning(CLASS) == Decimal("54.2")


def test_distribution():
    d = st.distribution(CLASS)
    assert (d["5"], d["4"], d["3"], d["2"], d["na"], d["deferred"]) == (2, 3, 2, 1, 1, 1)


def test_no_counted_finals_means_no_number_rather_than_zero():
    only_deferred = {1: finals("deferred")}
    assert st.quality(only_deferred) == (None, set())
    assert st.degree_of_learning(finals("deferred", "exempt")) is None
    assert st.average_mark([]) is None


def test_study_days_skip_weekends_and_holidays():
    # 2026-11-02 (Mon) … 2026-11-15 (Sun): two weeks, 10 weekdays; a holiday on
    # 2026-11-04 (Wed) leaves 9.
    days = st.study_days(
        dt.date(2026, 11, 2), dt.date(2026, 11, 15), [(dt.date(2026, 11, 4), dt.date(2026, 11, 4))]
    )
    assert days == 9


def test_plan_fulfilment_with_a_cancelled_a_substituted_and_a_moved_lesson():
    # Mathematics, 2 hours a week, 2026-11-02 … 2026-11-15 with a holiday on Wednesday 04.11:
    # 9 school days = 9/5 = 1.8 weeks → planned 2 × 1.8 = 3.6 → 4 lessons.
    days = st.study_days(
        dt.date(2026, 11, 2), dt.date(2026, 11, 15), [(dt.date(2026, 11, 4), dt.date(2026, 11, 4))]
    )
    planned = st.planned_lessons(Decimal("2"), days)
    assert planned == 4
    lessons = [
        ("scheduled", dt.date(2026, 11, 2), False),  # held
        ("cancelled", dt.date(2026, 11, 5), False),  # cancelled: not held
        ("scheduled", dt.date(2026, 11, 9), True),  # given by a substitute: held
        ("moved", dt.date(2026, 11, 12), False),  # moved away: its old date does not count…
        ("scheduled", dt.date(2026, 11, 13), False),  # …its new date does: held once
    ]
    counts = st.count_lessons(lessons, until=dt.date(2026, 11, 15))
    # Held: 02.11, 09.11 (substituted), 13.11 (moved here) = 3.
    assert counts == st.LessonCounts(held=3, cancelled=1, moved=1, substituted=1, upcoming=0)
    # Fulfilment 3 / 4 = 75 %.
    assert st.fulfilment(counts.held, planned) == Decimal("75.0")


def test_lessons_after_the_cut_off_are_upcoming_not_held():
    counts = st.count_lessons([("scheduled", dt.date(2026, 12, 1), False)], dt.date(2026, 11, 30))
    assert (counts.held, counts.upcoming) == (0, 1)


def test_by_work_type():
    # Oral answers 5, 4, pass → 2 numeric, (5 + 4) / 2 = 4.50; control works 3, 2 → 2.50.
    lines = st.by_work_type(
        [
            ("Ответ", "5"),
            ("Ответ", "4"),
            ("Ответ", "pass"),
            ("Контрольная", "3"),
            ("Контрольная", "2"),
        ]
    )
    assert lines == [
        st.WorkTypeLine("Контрольная", 2, Decimal("2.50")),
        st.WorkTypeLine("Ответ", 3, Decimal("4.50")),
    ]


def test_students_at_risk_have_forecast_2_or_not_assessed():
    # Student 1 forecast 2; student 2 forecast 4 but н/а; student 3 forecast 3 with a final 3;
    # student 4 no forecast (no marks) and no final.
    forecasts = {1: 2, 2: 4, 3: 3, 4: None}
    labels = {2: "na", 3: "3"}
    assert st.at_risk(forecasts, labels) == {1, 2}
