"""The shared meanings of the roster, defined once: who is in a class on a day or during a
period, and the current period of a school on a day."""

import datetime as dt

import pytest

from school.models import Enrollment, PeriodKind, ReportingPeriod, current_period
from tests import factories as f

D = dt.date


def quarter(number, starts_on, ends_on, pk):
    return ReportingPeriod(
        pk=pk, kind=PeriodKind.QUARTER, number=number, starts_on=starts_on, ends_on=ends_on
    )


YEAR = ReportingPeriod(pk=9, kind=PeriodKind.YEAR, starts_on=D(2026, 9, 1), ends_on=D(2027, 5, 31))
Q1 = quarter(1, D(2026, 9, 1), D(2026, 10, 24), 1)
Q2 = quarter(2, D(2026, 11, 5), D(2026, 12, 28), 2)
Q3 = quarter(3, D(2027, 1, 9), D(2027, 3, 20), 3)
Q4 = quarter(4, D(2027, 3, 30), D(2027, 5, 26), 4)
PERIODS = [YEAR, Q4, Q2, Q1, Q3]  # any order


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 9, 1), Q1),  # the first day of the year
        (D(2026, 10, 30), Q1),  # the autumn holidays: the quarter that has just ended
        (D(2026, 11, 5), Q2),
        (D(2026, 12, 31), Q2),  # New Year's Eve, in the winter holidays
        (D(2027, 1, 1), Q2),
        (D(2027, 1, 9), Q3),
        (D(2027, 7, 15), Q4),  # the summer holidays: the last quarter
        (D(2026, 8, 20), Q1),  # before the year starts: its first quarter
    ],
)
def test_the_current_period_on_a_day(day, expected):
    assert current_period(PERIODS, day) == expected


def test_the_year_is_current_only_without_shorter_periods():
    assert current_period([YEAR], D(2026, 11, 25)) == YEAR
    assert current_period([], D(2026, 11, 25)) is None


def test_of_two_covering_periods_the_one_that_started_last_is_current():
    half_year = ReportingPeriod(
        pk=7, kind=PeriodKind.HALF_YEAR, starts_on=D(2026, 9, 1), ends_on=D(2026, 12, 28)
    )
    assert current_period([half_year, Q2], D(2026, 11, 25)) == Q2


@pytest.fixture
def leavers(cast):
    """In 7 «А»: one pupil who left on 20 November, one who joined on 24 November."""
    left = f.EnrollmentFactory(
        school=cast.school,
        class_group=cast.class_7a,
        year=cast.year,
        student=f.StudentFactory(school=cast.school, last_name="Ушедший"),
        joined_on=cast.year.starts_on,
        left_on=D(2026, 11, 20),
    )
    joined = f.EnrollmentFactory(
        school=cast.school,
        class_group=cast.class_7a,
        year=cast.year,
        student=f.StudentFactory(school=cast.school, last_name="Новенький"),
        joined_on=D(2026, 11, 24),
    )
    return left, joined


def names(queryset):
    return set(queryset.filter(class_group__level=7).values_list("student__last_name", flat=True))


def test_enrolled_on_a_day_counts_the_leaving_day_and_not_before_joining(cast, leavers):
    on_leaving_day = names(Enrollment.objects.on_day(D(2026, 11, 20)))
    assert "Ушедший" in on_leaving_day and "Новенький" not in on_leaving_day
    today = names(Enrollment.objects.on_day(D(2026, 11, 25)))
    assert "Ушедший" not in today and "Новенький" in today


def test_enrolled_during_a_span_includes_leavers_and_late_joiners(cast, leavers):
    during = names(Enrollment.objects.during(D(2026, 11, 1), D(2026, 11, 30)))
    assert {"Ушедший", "Новенький"} <= during
    assert "Новенький" not in names(Enrollment.objects.during(D(2026, 9, 1), D(2026, 10, 31)))


def test_active_means_no_leaving_date(cast, leavers):
    active = names(Enrollment.objects.active())
    assert "Ушедший" not in active and "Новенький" in active
