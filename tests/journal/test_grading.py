"""Weighted averages and suggested finals on worked examples."""

from decimal import Decimal

import pytest

from journal.grading import DEFAULT_THRESHOLDS, Thresholds, suggest_final, weighted_average


def test_weighted_average_with_weights_1_2_3():
    # (5×1 + 3×2 + 4×3) / (1 + 2 + 3) = 23 / 6 = 3.833…
    average = weighted_average([("5", 1), ("3", 2), ("4", 3)])
    assert average.value == Decimal("3.83")
    assert (average.total, average.weight, average.count) == (23, 6, 3)
    assert suggest_final(average, DEFAULT_THRESHOLDS) == 4


def test_pass_and_fail_do_not_count():
    average = weighted_average([("pass", 1), ("fail", 3), ("5", 2)])
    assert average.value == Decimal("5.00")
    assert average.count == 1


def test_no_numeric_marks_means_no_average_and_no_suggestion():
    average = weighted_average([("pass", 1)])
    assert average.value is None
    assert suggest_final(average, DEFAULT_THRESHOLDS) is None


@pytest.mark.parametrize(
    ("marks", "default", "strict"),
    [
        # 4.5 exactly: 5 with the usual thresholds, 4 with 4.6 / 3.6 / 2.6.
        ([("5", 1), ("4", 1)], 5, 4),
        ([("4", 1), ("3", 1)], 4, 3),
        ([("3", 1), ("2", 1)], 3, 2),
        ([("2", 3), ("3", 1)], 2, 2),
    ],
)
def test_the_school_thresholds_decide_the_rounding(marks, default, strict):
    average = weighted_average(marks)
    strict_school = Thresholds(Decimal("4.6"), Decimal("3.6"), Decimal("2.6"))
    assert suggest_final(average, DEFAULT_THRESHOLDS) == default
    assert suggest_final(average, strict_school) == strict


def test_the_suggestion_uses_the_exact_average_not_the_rounded_display():
    # 4.4999… displays as 4.50 but is below the threshold for 5.
    average = weighted_average([("5", 4999), ("4", 5001)])
    assert average.value == Decimal("4.50")
    assert suggest_final(average, DEFAULT_THRESHOLDS) == 4
