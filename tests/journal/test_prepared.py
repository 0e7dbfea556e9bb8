"""journal.db.Prepared: a query compiled once runs with each call's own values."""

import datetime as dt

import pytest

from journal import models as jm
from journal.db import Prepared
from journal.services.checks import lock_lesson
from school import models as sm

pytestmark = pytest.mark.django_db


def test_each_call_gets_its_own_values_rows_and_related_rows(cast):
    students = Prepared(
        lambda *, pk, school_id: (
            sm.Student.objects.filter(pk=pk, school_id=school_id)
            .select_related("school")
            .order_by("pk")
        )
    )
    first = students.rows((), using="default", pk=cast.pupil.pk, school_id=cast.pupil.school_id)
    assert [s.pk for s in first] == [cast.pupil.pk]
    assert first[0].school.name == cast.pupil.school.name  # the select_related row
    other = students.rows(
        (), using="default", pk=cast.sibling_5b.pk, school_id=cast.sibling_5b.school_id
    )
    assert [s.pk for s in other] == [cast.sibling_5b.pk]
    # Another school's id finds nothing: the condition is kept, only its value changed.
    assert students.rows((), using="default", pk=cast.pupil.pk, school_id=-1) == []


def test_dates_are_values_too_and_datetimes_are_refused(cast):
    lessons = Prepared(
        lambda *, school_id, day: jm.Lesson.objects.filter(school_id=school_id, date=day)
    )
    day = cast.lesson.date
    found = lessons.rows((), using="default", school_id=cast.lesson.school_id, day=day)
    assert cast.lesson.pk in {lesson.pk for lesson in found}
    assert all(lesson.date == day for lesson in found)
    far = day - dt.timedelta(days=3650)
    assert lessons.rows((), using="default", school_id=cast.lesson.school_id, day=far) == []
    with pytest.raises(TypeError):
        Prepared(lambda **kw: jm.Lesson.objects.all()).rows(
            (), using="default", at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        )


def test_the_lesson_lock_brings_each_lessons_own_roster(cast):
    locked = lock_lesson(cast.lesson.pk)
    assert locked.pk == cast.lesson.pk
    assert cast.pupil.pk in locked.roster_ids
    assert cast.sibling_5b.pk not in locked.roster_ids
    with pytest.raises(jm.Lesson.DoesNotExist):
        lock_lesson(-5)


def test_a_shape_that_can_find_nothing_finds_nothing(cast):
    nobody = Prepared(lambda *, pk: sm.Student.objects.none().filter(pk=pk))
    assert nobody.rows((), using="default", pk=cast.pupil.pk) == []
    assert nobody.rows((), using="default", pk=cast.pupil.pk) == []  # the kept entry


def test_the_lock_among_a_journals_lessons_keeps_each_callers_scope(cast):
    """The column save's lock among the lessons a user may write in: compiled once per shape,
    it still finds the lesson for its teacher and the deputy head, and nothing for a teacher
    of another journal or for another subject's journal."""
    from django.db import transaction

    from journal.selectors import column_lessons

    lesson = cast.lesson

    def lock(user, **scope):
        scope = {"class_id": lesson.class_group_id, "subject_id": lesson.subject_id} | scope
        with transaction.atomic():
            return lock_lesson(lesson.pk, within=column_lessons(user, **scope))

    for _ in range(2):  # the second call runs the kept SQL
        assert lock(cast.subject_teacher).pk == lesson.pk
        assert lock(cast.deputy_head).pk == lesson.pk
        with pytest.raises(jm.Lesson.DoesNotExist):
            lock(cast.other_teacher)
        with pytest.raises(jm.Lesson.DoesNotExist):
            lock(cast.subject_teacher, subject_id=cast.russian.pk)
