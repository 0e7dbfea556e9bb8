"""The statistics computed from the database: plan fulfilment with a cancelled, a substituted
and a moved lesson; results of a class; links to the rows; queries at 1× and 10×."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from journal import models as jm
from journal.services import final_mark_set
from reports.selectors import statistics_finals, statistics_lesson_list, statistics_lessons
from school import models as sm
from tests import factories as f
from tests.reports.helpers import give_marks


@pytest.fixture
def fixed_period(cast):
    """Two school weeks of the cast's year, Monday to Sunday, with a holiday on the first
    Wednesday: 9 school days."""
    start = cast.year.starts_on + dt.timedelta(days=7)
    start -= dt.timedelta(days=start.weekday())  # a Monday
    period = f.PeriodFactory(
        school=cast.school,
        year=cast.year,
        number=1,
        name="Две недели",
        starts_on=start,
        ends_on=start + dt.timedelta(days=13),
    )
    sm.Holiday.objects.create(
        school=cast.school,
        year=cast.year,
        name="Праздник",
        starts_on=start + dt.timedelta(days=2),
        ends_on=start + dt.timedelta(days=2),
    )
    sm.CurriculumPlan.objects.create(
        school=cast.school, year=cast.year, level=7, subject=cast.math, hours_per_week=2
    )
    return period


def lesson(cast, day, **kwargs):
    return f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=day,
        work_type=cast.answer,
        **kwargs,
    )


def test_plan_fulfilment_from_the_journal(cast, fixed_period):
    mon = fixed_period.starts_on
    lesson(cast, mon)  # held
    lesson(cast, mon + dt.timedelta(days=3), status="cancelled")  # not held
    lesson(cast, mon + dt.timedelta(days=7), substitute_teacher=cast.other_teacher.teacher)
    moved = lesson(cast, mon + dt.timedelta(days=10), status="moved")
    lesson(cast, mon + dt.timedelta(days=11), moved_from=moved)  # the moved lesson's new date
    [row] = statistics_lessons(
        school=cast.school,
        period=fixed_period,
        today=fixed_period.ends_on,
        class_id=cast.class_7a.pk,
    )
    # Planned: 9 school days = 1.8 weeks × 2 hours = 3.6 → 4. Held: Monday, the substituted
    # lesson and the moved lesson on its new date = 3. Fulfilment 3 / 4 = 75 %.
    assert row.planned == 4
    assert (row.counts.held, row.counts.cancelled, row.counts.moved, row.counts.substituted) == (
        3,
        1,
        1,
        1,
    )
    assert row.fulfilment == Decimal("75.0")
    # Each number links to the lessons it counts.
    held = statistics_lesson_list(
        school=cast.school,
        period=fixed_period,
        today=fixed_period.ends_on,
        class_id=cast.class_7a.pk,
        subject_id=cast.math.pk,
        metric="held",
    )
    assert [lsn.date for lsn in held] == [
        mon,
        mon + dt.timedelta(days=7),
        mon + dt.timedelta(days=11),
    ]


def test_class_results_and_their_rows(cast, fixed_period, as_user):
    for student, choice in [
        (cast.pupil, "5"),
        (cast.sibling_7a, "4"),
        (cast.pupil_no_consent, "2"),
    ]:
        final_mark_set(
            user=cast.subject_teacher,
            student=student,
            subject=cast.math,
            period=fixed_period,
            choice=choice,
        )
    [row] = statistics_finals(
        school=cast.school, period=fixed_period, class_id=cast.class_7a.pk, subject_id=cast.math.pk
    )
    # Finals 5, 4, 2: quality 2/3 = 66.7 %; success 2/3 = 66.7 %; average 11/3 = 3.67;
    # СОУ (100 + 64 + 16) / 3 = 60.0 %; the student with 2 is at risk.
    assert (row.quality, row.success, row.average, row.sou) == (
        Decimal("66.7"),
        Decimal("66.7"),
        Decimal("3.67"),
        Decimal("60.0"),
    )
    assert row.at_risk == 1 and row.students == 3
    client = as_user(cast.deputy_head)
    page = client.get(reverse("reports:statistics") + f"?period={fixed_period.pk}").content.decode()
    assert "Качество знаний" in page and "66,7" in page and "60,0" in page
    rows_url = (
        reverse("reports:statistics_rows")
        + f"?period={fixed_period.pk}&class_id={cast.class_7a.pk}&subject={cast.math.pk}"
    )
    good = client.get(rows_url + "&metric=good").content.decode()
    assert cast.pupil.short_name in good and cast.sibling_7a.short_name in good
    assert cast.pupil_no_consent.short_name not in good
    risk = client.get(rows_url + "&metric=at_risk").content.decode()
    assert cast.pupil_no_consent.short_name in risk and cast.pupil.short_name not in risk
    assert client.get(rows_url + "&metric=bogus").status_code == 404


def test_a_forecast_of_2_puts_a_student_at_risk_before_any_final(cast):
    # 2, 2 (weight 1) and 3 (weight 3): (4 + 9) / 5 = 2.6 → 3; 2, 2, 2 → 2.
    give_marks(cast, cast.pupil, [("2", cast.answer), ("2", cast.answer), ("3", cast.control)])
    give_marks(cast, cast.sibling_7a, [("2", cast.answer)] * 3)
    [row] = statistics_finals(
        school=cast.school, period=cast.period, class_id=cast.class_7a.pk, subject_id=cast.math.pk
    )
    assert row.at_risk == 1 and row.quality is None


def test_statistics_page_queries_do_not_grow(
    cast, fixed_period, as_user, django_assert_max_num_queries
):
    client = as_user(cast.director)
    url = reverse("reports:statistics") + f"?period={fixed_period.pk}"

    def add_students(n):
        for _ in range(n):
            student = f.EnrollmentFactory(
                school=cast.school, class_group=cast.class_7a, year=cast.year
            ).student
            jm.FinalMark.objects.create(
                school=cast.school,
                student=student,
                subject=cast.math,
                period=fixed_period,
                value="4",
                set_by=cast.subject_teacher,
                set_at=timezone.now(),
            )
            lesson(cast, fixed_period.starts_on)

    add_students(2)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    add_students(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_statistics_by_teacher(cast):
    for teacher, klass in [
        (cast.subject_teacher, cast.class_7a),
        (cast.other_teacher, cast.class_5b),
    ]:
        rows = statistics_finals(
            school=cast.school, period=cast.period, teacher_id=teacher.teacher.pk
        )
        assert [(r.class_group, r.subject) for r in rows] == [(klass, cast.math)]


def test_a_groups_numbers_link_to_that_groups_lessons_only(cast, fixed_period, as_user):
    mon = fixed_period.starts_on
    groups = [
        sm.StudyGroup.objects.create(
            school=cast.school,
            year=cast.year,
            name=f"7А математика, {n} гр.",
            subject=cast.math,
            class_group=cast.class_7a,
        )
        for n in (1, 2)
    ]
    lesson(cast, mon, study_group=groups[0])
    lesson(cast, mon, study_group=groups[1], lesson_number=5)
    lesson(cast, mon + dt.timedelta(days=1), study_group=groups[1])
    rows = statistics_lessons(
        school=cast.school,
        period=fixed_period,
        today=fixed_period.ends_on,
        class_id=cast.class_7a.pk,
    )
    by_group = {row.study_group_id: row for row in rows}
    body = (
        as_user(cast.deputy_head)
        .get(
            reverse("reports:statistics_rows")
            + f"?period={fixed_period.pk}&{by_group[groups[1].pk].rows_query}&metric=held"
        )
        .content.decode()
    )
    assert body.count("7А математика, 2 гр.") >= 2
    assert "7А математика, 1 гр." not in body
    both = (
        as_user(cast.deputy_head)
        .get(
            reverse("reports:statistics_rows")
            + f"?period={fixed_period.pk}&subject={cast.math.pk}&class_id={cast.class_7a.pk}&metric=held"
        )
        .content.decode()
    )
    assert "7А математика, 1 гр." in both  # without the group: both groups' lessons
