"""Filling control for the director and deputy head; the control-works calendar."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from journal import models as jm
from journal import selectors
from school import models as sm
from tests import factories as f


def test_filling_control_counts_lessons_lacking_records_and_late_marks(as_user, cast):
    held = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=cast.today - dt.timedelta(days=10),
        topic="Дроби",
        attendance_checked_at=timezone.now(),
        work_type=cast.answer,
    )
    mark = f.MarkFactory(lesson=held, student=cast.pupil)
    jm.Mark.objects.filter(pk=mark.pk).update(created_at=timezone.now())  # 10 days after: late
    response = as_user(cast.director).get(
        reverse("journal:control"),
        {"from": (cast.today - dt.timedelta(days=30)).isoformat(), "to": cast.today.isoformat()},
    )
    assert response.status_code == 200
    rows = selectors.filling_control(
        cast.director, starts_on=cast.today - dt.timedelta(days=30), ends_on=cast.today
    )
    (row,) = rows
    assert (row.lessons, row.without_topic, row.without_attendance, row.without_homework) == (
        2,
        1,
        1,
        2,
    )
    assert row.late_marks == 1
    assert row.group == "7 «А»"
    assert cast.subject_teacher.last_name in response.content.decode()


def test_the_teacher_home_lists_lessons_lacking_records(as_user, cast):
    page = as_user(cast.subject_teacher).get(reverse("journal:home")).content.decode()
    assert "нет темы" in page and "нет посещаемости" in page and "нет ДЗ" in page
    assert reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk]) in page


def test_the_class_teacher_home_links_every_subject_of_their_class(as_user, cast):
    page = as_user(cast.class_teacher).get(reverse("journal:home")).content.decode()
    assert reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk]) in page


def _control_lesson(cast, day, klass=None, number=1):
    return f.LessonFactory(
        school=cast.school,
        class_group=klass or cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=day,
        lesson_number=number,
        work_type=cast.control,
    )


def test_control_works_warn_of_two_on_a_day_and_the_day_after_a_holiday(as_user, cast):
    day = cast.today + dt.timedelta(days=(7 - cast.today.weekday()) % 7 + 7)  # a Monday ahead
    _control_lesson(cast, day, number=1)
    _control_lesson(cast, day, number=3)
    sm.Holiday.objects.create(
        school=cast.school,
        year=cast.year,
        name="Каникулы",
        starts_on=day + dt.timedelta(days=5),
        ends_on=day + dt.timedelta(days=13),  # ends on a Sunday
    )
    after = day + dt.timedelta(days=14)
    _control_lesson(cast, after)
    page = as_user(cast.subject_teacher).get(
        reverse("journal:control_works"),
        {"from": cast.today.isoformat(), "to": (cast.today + dt.timedelta(days=40)).isoformat()},
    )
    text = page.content.decode()
    assert text.count("больше одной контрольной работы в этот день") == 2
    assert text.count("первый день после каникул") == 1


def test_control_works_of_classes_the_teacher_does_not_teach_are_not_listed(as_user, cast):
    _control_lesson(cast, cast.today + dt.timedelta(days=3), klass=cast.class_5b)
    page = as_user(cast.subject_teacher).get(reverse("journal:control_works")).content.decode()
    assert "5 «Б»" not in page
    page = as_user(cast.other_teacher).get(reverse("journal:control_works")).content.decode()
    assert "5 «Б»" in page


def test_the_journal_home_runs_a_fixed_number_of_queries(
    as_user, cast, django_assert_max_num_queries
):
    client = as_user(cast.subject_teacher)
    url = reverse("journal:home")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(10):
        f.LessonFactory(
            school=cast.school,
            class_group=cast.class_7a,
            subject=cast.math,
            teacher=cast.subject_teacher.teacher,
            date=cast.today - dt.timedelta(days=n % 5),
            lesson_number=n % 7 + 1,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_parallel_groups_of_one_subject_are_one_control_work_for_the_class(as_user, cast):
    """English, group 1 and group 2, each write their control work on the same day: a student
    writes one of them, so no "more than one" warning; a class-wide one the same day warns."""
    day = cast.today + dt.timedelta(days=(7 - cast.today.weekday()) % 7 + 7)  # a Monday ahead
    groups = [
        sm.StudyGroup.objects.create(
            school=cast.school,
            year=cast.year,
            name=f"7А англ., {n} гр.",
            subject=cast.russian,
            class_group=cast.class_7a,
        )
        for n in (1, 2)
    ]
    for number, group in enumerate(groups, start=3):
        # The seed sets both the class and the group on a group's lesson.
        f.LessonFactory(
            school=cast.school,
            class_group=cast.class_7a,
            study_group=group,
            subject=cast.russian,
            teacher=cast.class_teacher.teacher,
            date=day,
            lesson_number=number,
            work_type=cast.control,
        )
    params = {"from": day.isoformat(), "to": day.isoformat()}
    text = as_user(cast.class_teacher).get(reverse("journal:control_works"), params)
    text = text.content.decode()
    assert "7А англ., 1 гр." in text and "7А англ., 2 гр." in text
    assert "больше одной контрольной работы в этот день" not in text
    _control_lesson(cast, day, number=1)
    text = as_user(cast.class_teacher).get(reverse("journal:control_works"), params)
    assert text.content.decode().count("больше одной контрольной работы в этот день") == 3
