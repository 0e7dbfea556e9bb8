"""The statistics page opens on the latest period that has finals; classes come by level and
letter (5 «А» before 10 «А»), subjects in the order of the school's curriculum, a class's
groups with their class."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from journal import models as jm
from reports.ordering import SubjectOrder, statistics_default_period
from reports.selectors import statistics_finals, statistics_lessons
from school import models as sm
from tests import factories as f


@pytest.fixture
def first_quarter(cast):
    """The quarter before the running one, closed, from the first day of the year."""
    return f.PeriodFactory(
        school=cast.school,
        year=cast.year,
        number=1,
        name="1 четверть",
        starts_on=cast.year.starts_on,
        ends_on=cast.period.starts_on - dt.timedelta(days=1),
        closed_at=timezone.now(),
    )


def final(cast, student, period, value="5", subject=None):
    return jm.FinalMark.objects.create(
        school=cast.school,
        student=student,
        subject=subject or cast.math,
        period=period,
        value=value,
        set_by=cast.subject_teacher,
        set_at=timezone.now(),
    )


def periods_of(cast):
    return list(sm.ReportingPeriod.objects.filter(school=cast.school, year=cast.year))


def test_the_page_opens_on_the_last_period_with_finals_not_the_running_one(
    cast, first_quarter, as_user
):
    final(cast, cast.pupil, first_quarter)
    body = as_user(cast.deputy_head).get(reverse("reports:statistics")).content.decode()
    assert "Результаты: 1 четверть" in body
    assert f'<option value="{first_quarter.pk}" selected>' in body


def test_without_any_finals_the_page_opens_on_the_running_period(cast, first_quarter):
    chosen = statistics_default_period(
        school=cast.school, periods=periods_of(cast), today=cast.today
    )
    assert chosen == cast.period


def test_once_the_running_period_has_finals_it_is_the_default(cast, first_quarter):
    final(cast, cast.pupil, first_quarter)
    final(cast, cast.pupil, cast.period)
    chosen = statistics_default_period(
        school=cast.school, periods=periods_of(cast), today=cast.today
    )
    assert chosen == cast.period


def test_a_future_period_with_a_stray_final_is_not_the_default(cast, first_quarter):
    final(cast, cast.pupil, first_quarter)
    later = f.PeriodFactory(
        school=cast.school,
        year=cast.year,
        number=3,
        name="3 четверть",
        starts_on=cast.period.ends_on + dt.timedelta(days=10),
        ends_on=cast.period.ends_on + dt.timedelta(days=60),
    )
    final(cast, cast.sibling_7a, later)
    chosen = statistics_default_period(
        school=cast.school, periods=periods_of(cast), today=cast.today
    )
    assert chosen == first_quarter


@pytest.fixture
def planned_school(cast):
    """Classes 10 «А», 5 «А» and 7 «А»; the curriculum lists Russian before mathematics (the
    alphabet would put «Математика» first), and physics last."""
    physics = f.SubjectFactory(school=cast.school, name="Физика")
    classes = {
        7: cast.class_7a,
        10: f.ClassGroupFactory(school=cast.school, year=cast.year, level=10, letter="А"),
        5: f.ClassGroupFactory(school=cast.school, year=cast.year, level=5, letter="А"),
    }
    for level in (5, 7, 10):
        for subject in (cast.russian, cast.math, physics):
            sm.CurriculumPlan.objects.create(
                school=cast.school, year=cast.year, level=level, subject=subject, hours_per_week=2
            )
    taught = [(10, cast.math), (10, physics), (5, physics), (5, cast.math), (5, cast.russian)]
    for level, subject in taught + [(7, physics)]:
        f.TeachingAssignmentFactory(
            school=cast.school,
            year=cast.year,
            teacher=cast.subject_teacher.teacher,
            subject=subject,
            class_group=classes[level],
        )
    for level in (5, 10):
        f.EnrollmentFactory(school=cast.school, class_group=classes[level], year=cast.year)
    return classes, physics


def test_results_come_by_class_level_then_letter_and_in_curriculum_order(cast, planned_school):
    classes, physics = planned_school
    rows = statistics_finals(school=cast.school, period=cast.year_period)
    order = [(str(r.class_group), r.subject.name) for r in rows]
    assert order[:3] == [("5 «А»", "Русский язык"), ("5 «А»", "Математика"), ("5 «А»", "Физика")]
    classes_in_order = list(dict.fromkeys(name for name, _s in order))
    assert classes_in_order == ["5 «А»", "5 «Б»", "7 «А»", "10 «А»"]
    assert [s for c, s in order if c == "7 «А»"] == ["Русский язык", "Математика", "Физика"]


def test_plan_fulfilment_rows_keep_groups_with_their_class(cast, planned_school, as_user):
    classes, physics = planned_school
    group = sm.StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        name="7А физика, 1 гр.",
        subject=physics,
        class_group=cast.class_7a,
    )
    day = cast.period.starts_on
    for klass, subject, study_group in [
        (classes[10], cast.math, None),
        (cast.class_7a, physics, group),
        (cast.class_7a, cast.math, None),
        (cast.class_7a, cast.russian, None),
        (classes[5], physics, None),
        (cast.class_5b, cast.math, None),
    ]:
        f.LessonFactory(
            school=cast.school,
            class_group=klass,
            study_group=study_group,
            subject=subject,
            teacher=cast.subject_teacher.teacher,
            date=day,
            work_type=cast.answer,
        )
    rows = statistics_lessons(school=cast.school, period=cast.year_period, today=cast.today)
    assert [(r.label, r.subject.name) for r in rows] == [
        ("5 «А»", "Физика"),
        ("5 «Б»", "Математика"),
        ("7 «А»", "Русский язык"),
        ("7 «А»", "Математика"),
        ("7А физика, 1 гр.", "Физика"),
        ("10 «А»", "Математика"),
    ]


def test_a_subject_outside_the_plan_comes_after_the_planned_ones():
    class S:
        def __init__(self, pk, name):
            self.pk, self.name = pk, name

    russian, maths = S(1, "Русский язык"), S(2, "Математика")
    art, biology = S(3, "ИЗО"), S(4, "Биология")
    order = SubjectOrder([(5, 1), (5, 2), (7, 2), (7, 1)])
    assert order.sorted([art, maths, biology, russian], 5) == [russian, maths, biology, art]
    assert order.sorted([russian, maths], 7) == [maths, russian]
    # Without a level: each subject's earliest place in any level (both first somewhere, then
    # by name).
    assert order.sorted([art, russian, maths]) == [maths, russian, art]


def test_a_past_period_is_planned_to_its_end_and_says_so(cast, first_quarter, as_user):
    client = as_user(cast.director)
    sm.CurriculumPlan.objects.create(
        school=cast.school, year=cast.year, level=7, subject=cast.math, hours_per_week=5
    )
    f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=first_quarter.starts_on,
        work_type=cast.answer,
    )
    past = client.get(reverse("reports:statistics") + f"?period={first_quarter.pk}")
    body = past.content.decode()
    assert "По плану за период" in body and "По плану на сегодня" not in body
    [row] = statistics_lessons(school=cast.school, period=first_quarter, today=cast.today)
    whole = statistics_lessons(
        school=cast.school, period=first_quarter, today=first_quarter.ends_on
    )[0]
    assert row.planned == whole.planned  # a closed period: its plan is the whole period's
    running = client.get(reverse("reports:statistics") + f"?period={cast.period.pk}")
    assert "По плану на сегодня" in running.content.decode()
