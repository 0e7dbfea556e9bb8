"""The substitute picker: the lesson's subject teachers first, free teachers before busy ones,
and a busy teacher refused on save."""

import datetime as dt

import pytest
from django.urls import reverse

from journal import selectors
from journal.models import LessonStatus
from tests import factories as f


@pytest.fixture
def busy_lesson(cast):
    """The class teacher gives Russian in 5 «Б» at the same date and period as the cast's
    lesson (7 «А» mathematics, lesson 2 today)."""
    return f.LessonFactory(
        school=cast.school,
        class_group=cast.class_5b,
        subject=cast.russian,
        teacher=cast.class_teacher.teacher,
        date=cast.lesson.date,
        lesson_number=cast.lesson.lesson_number,
    )


def _substitute(as_user, cast, teacher):
    return as_user(cast.deputy_head).post(
        reverse("journal:substitute", args=[cast.lesson.pk]), {"teacher": teacher.pk}
    )


def test_subject_teachers_come_first_and_busy_teachers_last(cast, busy_lesson):
    extra = f.TeacherFactory(school=cast.school, last_name="Аксёнова")
    candidates = selectors.substitute_candidates(cast.lesson)
    order = [c.teacher_id for c in candidates]
    # The other mathematics teacher (free), then the free others by surname, then the busy.
    assert order == [
        cast.other_teacher.teacher.pk,
        extra.pk,
        cast.class_teacher.teacher.pk,
    ]
    assert candidates[0].teaches_subject and candidates[0].is_free
    assert candidates[-1].busy_with == "5 «Б», Русский язык"
    assert cast.subject_teacher.teacher.pk not in order  # the lesson's own teacher


def test_a_cancelled_lesson_or_a_lesson_given_by_a_substitute_keeps_nobody_busy(cast, busy_lesson):
    busy_lesson.status = LessonStatus.CANCELLED
    busy_lesson.save(update_fields=["status"])
    assert selectors.busy_teachers(cast.lesson) == {}
    busy_lesson.status = LessonStatus.SCHEDULED
    busy_lesson.substitute_teacher = cast.other_teacher.teacher
    busy_lesson.save(update_fields=["status", "substitute_teacher"])
    # The class teacher's own lesson is given by someone else: the class teacher is free, the
    # substitute is busy.
    assert selectors.busy_teachers(cast.lesson) == {
        cast.other_teacher.teacher.pk: "5 «Б», Русский язык"
    }


def test_the_lesson_page_groups_the_picker_and_marks_the_busy(as_user, cast, busy_lesson):
    page = as_user(cast.deputy_head).get(reverse("journal:lesson", args=[cast.lesson.pk]))
    text = page.content.decode()
    assert '<optgroup label="Свободны, ведут Математика">' in text
    assert '<optgroup label="Заняты на этом уроке">' in text
    busy_option = f'<option value="{cast.class_teacher.teacher.pk}" disabled>'
    assert busy_option in text
    assert "занят: 5 «Б», Русский язык" in text
    assert text.index("Свободны, ведут Математика") < text.index("Заняты на этом уроке")


def test_a_busy_teacher_is_refused_with_the_lesson_named(as_user, cast, busy_lesson):
    response = _substitute(as_user, cast, cast.class_teacher.teacher)
    assert response.status_code == 302
    cast.lesson.refresh_from_db()
    assert cast.lesson.substitute_teacher is None
    page = as_user(cast.deputy_head).get(response.url).content.decode()
    assert "уже ведёт Русский язык в 5 «Б»" in page
    assert "выберите свободного учителя" in page


def test_a_free_teacher_is_saved_and_the_same_substitute_again_is_no_conflict(
    as_user, cast, busy_lesson
):
    assert _substitute(as_user, cast, cast.other_teacher.teacher).status_code == 302
    cast.lesson.refresh_from_db()
    assert cast.lesson.substitute_teacher == cast.other_teacher.teacher
    # The substitute's own lesson is not a conflict with itself.
    assert _substitute(as_user, cast, cast.other_teacher.teacher).status_code == 302
    cast.lesson.refresh_from_db()
    assert cast.lesson.substitute_teacher == cast.other_teacher.teacher


def test_a_teacher_substituting_elsewhere_at_that_period_is_busy(as_user, cast):
    f.LessonFactory(
        school=cast.school,
        class_group=cast.class_5b,
        subject=cast.math,
        teacher=cast.other_teacher.teacher,
        substitute_teacher=cast.class_teacher.teacher,
        date=cast.lesson.date,
        lesson_number=cast.lesson.lesson_number,
    )
    _substitute(as_user, cast, cast.class_teacher.teacher)
    cast.lesson.refresh_from_db()
    assert cast.lesson.substitute_teacher is None
    # The other teacher's own lesson is substituted: they are free to take this one.
    _substitute(as_user, cast, cast.other_teacher.teacher)
    cast.lesson.refresh_from_db()
    assert cast.lesson.substitute_teacher == cast.other_teacher.teacher


def test_the_picker_runs_three_queries_whatever_the_school(
    cast, busy_lesson, django_assert_num_queries
):
    with django_assert_num_queries(3):
        selectors.substitute_candidates(cast.lesson)
    for n in range(15):
        teacher = f.TeacherFactory(school=cast.school)
        f.TeachingAssignmentFactory(
            school=cast.school,
            year=cast.year,
            teacher=teacher,
            subject=cast.math,
            class_group=cast.class_5b,
        )
        f.LessonFactory(
            school=cast.school,
            class_group=cast.class_5b,
            subject=cast.math,
            teacher=teacher,
            date=cast.lesson.date,
            lesson_number=cast.lesson.lesson_number if n % 2 else 5,
        )
    with django_assert_num_queries(3):
        candidates = selectors.substitute_candidates(cast.lesson)
    assert len(candidates) == 17
    assert sum(not c.is_free for c in candidates) == 8


def test_the_lesson_page_for_the_deputy_head_keeps_a_fixed_query_count(
    as_user, cast, django_assert_max_num_queries
):
    client = as_user(cast.deputy_head)
    url = reverse("journal:lesson", args=[cast.lesson.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(10):
        teacher = f.TeacherFactory(school=cast.school)
        f.LessonFactory(
            school=cast.school,
            class_group=cast.class_5b,
            teacher=teacher,
            subject=cast.math,
            date=cast.lesson.date + dt.timedelta(days=n % 2),
            lesson_number=cast.lesson.lesson_number,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
