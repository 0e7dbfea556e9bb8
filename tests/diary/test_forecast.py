"""The forecast explains itself, on worked examples, and its "what it takes" answers are correct
and minimal (checked by brute force against journal.grading)."""

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest

from diary.forecast import forecast
from journal.grading import DEFAULT_THRESHOLDS, Thresholds, suggest_final, weighted_average

STRICT = Thresholds(Decimal("4.6"), Decimal("3.6"), Decimal("2.6"))


def test_a_weighted_average_with_weights_one_two_and_three():
    # (5·1 + 4·2 + 3·3) / (1 + 2 + 3) = 22 / 6 = 3.666…
    result = forecast([("5", 1), ("4", 2), ("3", 3)], DEFAULT_THRESHOLDS, min_marks=3)
    assert result.average.value == Decimal("3.67")
    assert result.mark == 4
    assert not result.uncertain
    # Reaching 4.5 with fives of weight 1: (22 + 5n) / (6 + n) ≥ 4.5 ⇔ n ≥ 10.
    assert result.next_mark == 5
    assert result.fives_needed == 10


def test_the_same_marks_under_stricter_thresholds():
    result = forecast([("5", 1), ("4", 2), ("3", 3)], STRICT, min_marks=3)
    assert result.mark == 4  # 3.666… ≥ 3.6
    # (22 + 5n) / (6 + n) ≥ 4.6 ⇔ 0.4n ≥ 5.6 ⇔ n ≥ 14.
    assert result.fives_needed == 14
    # A single 2 of weight 1: 24 / 7 = 3.43 < 3.6, so the 4 is at risk; a 3 gives 25 / 7 = 3.57
    # (still below 3.6) and a 4 gives 26 / 7 = 3.71: no mark below 4.
    assert result.at_risk
    assert result.keep_floor == 4
    assert result.hold_from == 4


def test_the_rounding_uses_the_exact_average_not_the_displayed_one():
    # 4·1 + 5·1 = 9 over 2 = 4.5 exactly: a 5 under 4.5, a 4 under 4.6.
    assert forecast([("4", 1), ("5", 1)], DEFAULT_THRESHOLDS, min_marks=1).mark == 5
    assert forecast([("4", 1), ("5", 1)], STRICT, min_marks=1).mark == 4


def test_pass_fail_marks_do_not_count():
    with_pass = forecast(
        [("3", 1), ("pass", 3), ("fail", 2), ("4", 1)], DEFAULT_THRESHOLDS, min_marks=3
    )
    assert with_pass.average.count == 2
    assert with_pass.average.value == Decimal("3.50")
    assert with_pass.mark == 4
    assert with_pass.uncertain  # two numeric marks are fewer than three


def test_attendance_codes_are_not_marks():
    result = forecast(
        [("absent", 1), ("ill", 1), ("late", 1), ("2", 2)], DEFAULT_THRESHOLDS, min_marks=1
    )
    assert result.average.count == 1
    assert result.mark == 2
    # From 2 (weight 2) to 2.5 with fives of weight 1: (4 + 5n) / (2 + n) ≥ 2.5 ⇔ n ≥ 1.
    assert result.next_mark == 3
    assert result.fives_needed == 1
    assert not result.at_risk  # a 2 cannot fall lower


def test_no_marks_no_forecast():
    result = forecast([("pass", 1)], DEFAULT_THRESHOLDS, min_marks=3)
    assert result.mark is None
    assert result.uncertain
    assert result.fives_needed is None


def test_a_five_has_no_next_mark_and_a_safe_five_is_not_at_risk():
    result = forecast([("5", 3), ("5", 2), ("5", 1)], DEFAULT_THRESHOLDS, min_marks=3)
    assert result.mark == 5
    assert result.next_mark is None
    # 30 / 6 = 5; with a 2 of weight 1: 32 / 7 = 4.57 ≥ 4.5; safe.
    assert not result.at_risk
    assert result.keep_floor == 2


def test_a_threshold_of_five_is_never_reached_from_below():
    perfect_only = Thresholds(Decimal("5.00"), Decimal("3.5"), Decimal("2.5"))
    result = forecast([("4", 1)], perfect_only, min_marks=1)
    assert result.mark == 4
    assert result.fives_needed is None


def test_heavier_assumed_fives_need_fewer_of_them():
    marks = [("3", 1), ("3", 1), ("4", 2)]  # 14 / 4 = 3.5 → 4
    # (14 + 5n) / (4 + n) ≥ 4.5 ⇔ 0.5n ≥ 4 ⇔ n ≥ 8.
    assert forecast(marks, DEFAULT_THRESHOLDS, min_marks=3).fives_needed == 8
    # (14 + 10n) / (4 + 2n) ≥ 4.5 ⇔ n ≥ 4.
    assert forecast(marks, DEFAULT_THRESHOLDS, min_marks=3, assumed_weight=2).fives_needed == 4


def _reaches(marks, extra, thresholds, target):
    return suggest_final(weighted_average(marks + extra), thresholds) >= target


CASES = [
    list(combo)
    for size in range(1, 4)
    for combo in itertools.product(
        [(v, w) for v in ("1", "2", "3", "4", "5") for w in (1, 2, 3)], repeat=size
    )
]


@pytest.mark.parametrize("thresholds", [DEFAULT_THRESHOLDS, STRICT], ids=["4.5", "4.6"])
@pytest.mark.parametrize("weight", [1, 2])
def test_what_it_takes_is_correct_and_minimal_by_brute_force(thresholds, weight):
    checked = 0
    for marks in CASES[::7]:
        result = forecast(marks, thresholds, min_marks=3, assumed_weight=weight)
        if result.next_mark is not None:
            n = result.fives_needed
            assert n is not None
            five = [("5", weight)]
            assert _reaches(marks, five * n, thresholds, result.next_mark), marks
            if n > 0:
                assert not _reaches(marks, five * (n - 1), thresholds, result.next_mark), marks
            checked += 1
        if result.keep_floor is not None and result.mark > 2:
            floor = result.keep_floor
            assert _reaches(marks, [(str(floor), weight)], thresholds, result.mark), marks
            if floor > 1:
                lower = [(str(floor - 1), weight)]
                assert not _reaches(marks, lower, thresholds, result.mark), marks
            assert result.at_risk == (not _reaches(marks, [("2", weight)], thresholds, result.mark))
            # Any run of marks from hold_from up keeps the forecast.
            run = [(str(result.hold_from), weight)] * 20
            assert _reaches(marks, run, thresholds, result.mark), marks
    assert checked > 100


def test_next_threshold_is_exact():
    result = forecast([("4", 1)], STRICT, min_marks=1)
    assert result.next_threshold == Fraction(23, 5)


@pytest.mark.parametrize(
    ("marks", "mark", "lowest"),
    [
        # (2 + 2 + 3) / 3 = 2.33 → 2; (7 + x) / 4 ≥ 2.5 ⇔ x ≥ 3: one 3 or better.
        (["2", "2", "3"], 2, 3),
        # 17 / 5 = 3.4 → 3; (17 + x) / 6 ≥ 3.5 ⇔ x ≥ 4: one 4 or better.
        (["3", "3", "4", "4", "3"], 3, 4),
    ],
)
def test_when_one_mark_is_enough_the_lowest_such_mark_is_named(marks, mark, lowest):
    result = forecast([(m, 1) for m in marks], DEFAULT_THRESHOLDS, min_marks=3)
    assert result.mark == mark and result.fives_needed == 1
    assert result.lowest_enough == lowest
    reaches = [
        suggest_final(weighted_average([(m, 1) for m in [*marks, str(v)]]), DEFAULT_THRESHOLDS)
        == mark + 1
        for v in range(1, 6)
    ]
    assert reaches.index(True) + 1 == lowest


@pytest.mark.django_db
def test_the_marks_page_says_one_mark_of_three_or_better(as_user, cast):
    import datetime as dt

    from django.urls import reverse

    from tests import factories as f

    for n, value in enumerate(["2", "2", "3"]):
        lesson = f.LessonFactory(
            school=cast.school,
            class_group=cast.class_7a,
            subject=cast.math,
            teacher=cast.subject_teacher.teacher,
            date=cast.today - dt.timedelta(days=n + 1),
            lesson_number=1,
            work_type=cast.answer,
        )
        f.MarkFactory(lesson=lesson, student=cast.pupil, value=value, work_type=cast.answer)
    body = as_user(cast.guardian).get(reverse("diary:marks", args=[cast.pupil.pk]))
    page = body.content.decode()
    assert "одна отметка «3» или выше" in page
    # Each mark of the compact list carries its date.
    yesterday = cast.today - dt.timedelta(days=1)
    assert f'<span class="mark__date">{yesterday:%d.%m}</span>' in page
