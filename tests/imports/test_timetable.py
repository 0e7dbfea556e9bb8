"""Importing the weekly timetable: only the lines that change are ended and added from the
first day chosen, through the journal's timetable services; a lesson already taught is never
touched."""

import datetime as dt

import pytest

from imports.models import ImportKind, ImportStatus
from journal.models import Lesson
from school.models import TimetableEntry
from tests import factories as f

from .helpers import confirm, csv_file, upload

pytestmark = pytest.mark.django_db

HEADER = ["День недели", "Номер урока", "Класс/группа", "Предмет", "Учитель", "Кабинет"]


@pytest.fixture
def monday_math(cast):
    """7 «А» mathematics on Mondays, 1st lesson: last Monday's lesson was taught (a mark and a
    topic), next Monday's is generated and untouched."""
    entry = TimetableEntry.objects.create(
        school=cast.school,
        year=cast.year,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        weekday=1,
        lesson_number=1,
        room="21",
        valid_from=cast.year.starts_on,
    )
    monday = cast.today - dt.timedelta(days=cast.today.weekday())
    taught = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        timetable_entry=entry,
        date=monday,
        lesson_number=1,
        topic="Дроби",
        work_type=cast.answer,
    )
    f.MarkFactory(lesson=taught, student=cast.pupil)
    upcoming = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        timetable_entry=entry,
        date=monday + dt.timedelta(days=7),
        lesson_number=1,
        work_type=cast.answer,
    )
    return entry, taught, upcoming


def _teacher_cell(user):
    t = user.teacher
    return f"{t.last_name} {t.first_name[0]}.{t.patronymic[:1]}."


def test_a_new_teacher_from_tomorrow_leaves_the_taught_lesson_alone(
    cast, monday_math, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    entry, taught, upcoming = monday_math
    tomorrow = cast.today + dt.timedelta(days=1)
    rows = [
        HEADER,
        ["Пн", "1", "7А", "Математика", _teacher_cell(cast.other_teacher), "21"],
        ["вторник", "2", "7 «А»", "русский язык", _teacher_cell(cast.class_teacher), ""],
    ]
    batch = upload(
        capture,
        cast.school_admin,
        ImportKind.TIMETABLE,
        csv_file(rows, encoding="cp1251"),
        valid_from=tomorrow.isoformat(),
    )
    assert batch.status == ImportStatus.PREVIEWED, batch.error
    assert (batch.counts["updated"], batch.counts["created"], batch.counts["errors"]) == (1, 1, 0)
    # The preview changed nothing.
    entry.refresh_from_db()
    assert entry.valid_to is None
    assert Lesson.objects.filter(pk=upcoming.pk).exists()

    batch = confirm(capture, batch, cast.school_admin)
    assert batch.status == ImportStatus.APPLIED, batch.error
    entry.refresh_from_db()
    assert entry.valid_to == cast.today
    taught.refresh_from_db()
    assert (taught.teacher, taught.timetable_entry, taught.topic) == (
        cast.subject_teacher.teacher,
        entry,
        "Дроби",
    )
    assert taught.marks.count() == 1
    # Next Monday's lesson is the new line's, with the new teacher.
    assert not Lesson.objects.filter(pk=upcoming.pk).exists()
    [replaced] = Lesson.objects.filter(
        class_group=cast.class_7a, date=upcoming.date, lesson_number=1
    )
    assert replaced.teacher == cast.other_teacher.teacher
    assert replaced.timetable_entry.valid_from == tomorrow

    # The same file again: nothing changes.
    again = upload(
        capture,
        cast.school_admin,
        ImportKind.TIMETABLE,
        csv_file(rows, encoding="cp1251"),
        valid_from=tomorrow.isoformat(),
    )
    assert (again.counts["created"], again.counts["updated"], again.counts["unchanged"]) == (
        0,
        0,
        2,
    )


def test_lines_the_file_does_not_name_are_listed_and_ended_only_when_chosen(
    cast, monday_math, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    entry, taught, _upcoming = monday_math
    tomorrow = cast.today + dt.timedelta(days=1)
    rows = [HEADER, ["Ср", "3", "7А", "Математика", _teacher_cell(cast.subject_teacher), "21"]]
    batch = upload(
        capture,
        cast.school_admin,
        ImportKind.TIMETABLE,
        csv_file(rows),
        valid_from=tomorrow.isoformat(),
    )
    assert len(batch.preview["missing"]) == 1
    assert "Пн, 1: 7 «А» — Математика" in batch.preview["missing"][0]
    confirm(capture, batch, cast.school_admin, end_missing=True)
    entry.refresh_from_db()
    assert entry.valid_to == cast.today
    assert Lesson.objects.filter(pk=taught.pk).exists()


def test_unknown_subject_teacher_or_class_are_errors_of_their_lines(
    cast, django_capture_on_commit_callbacks
):
    rows = [
        HEADER,
        ["Пн", "1", "7Я", "Математика", "Нет Такого", ""],
        ["Вс", "x", "7А", "Алхимия", _teacher_cell(cast.subject_teacher), ""],
    ]
    batch = upload(
        django_capture_on_commit_callbacks,
        cast.school_admin,
        ImportKind.TIMETABLE,
        csv_file(rows),
        valid_from=(cast.today + dt.timedelta(days=1)).isoformat(),
    )
    fields = {(e["line"], e["field"]) for e in batch.errors}
    assert (2, "Класс или группа") in fields
    assert (3, "День недели") in fields
    assert TimetableEntry.objects.filter(school=cast.school).count() == 0


def test_a_study_group_by_its_name_and_a_teacher_by_the_full_name(
    cast, django_capture_on_commit_callbacks
):
    from school.models import StudyGroup

    group = StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        name="7А английский, 2 группа",
        subject=cast.russian,
        class_group=cast.class_7a,
    )
    teacher = cast.class_teacher.teacher
    rows = [
        HEADER,
        ["4", "5", "7а Английский, 2 группа", "Русский язык", teacher.full_name, "каб. 3"],
    ]
    batch = upload(
        django_capture_on_commit_callbacks,
        cast.school_admin,
        ImportKind.TIMETABLE,
        csv_file(rows),
        valid_from=(cast.today + dt.timedelta(days=1)).isoformat(),
    )
    assert batch.counts["created"] == 1, batch.errors
    confirm(django_capture_on_commit_callbacks, batch, cast.school_admin)
    entry = TimetableEntry.objects.get(study_group=group)
    assert (entry.weekday, entry.lesson_number, entry.teacher, entry.room) == (
        4,
        5,
        teacher,
        "каб. 3",
    )
    assert entry.class_group is None


def test_a_check_confirmed_after_its_first_day_passed_is_refused(
    cast, monday_math, django_capture_on_commit_callbacks
):
    """Checked days ago for «tomorrow», confirmed now: lessons already given keep their line,
    even one with only a topic."""
    from django.core.exceptions import ValidationError

    from imports import services

    capture = django_capture_on_commit_callbacks
    entry, taught, _upcoming = monday_math
    taught.marks.all().delete()
    rows = [HEADER, ["Пн", "1", "7А", "Математика", _teacher_cell(cast.other_teacher), "21"]]
    batch = upload(
        capture,
        cast.school_admin,
        ImportKind.TIMETABLE,
        csv_file(rows),
        valid_from=(cast.today + dt.timedelta(days=1)).isoformat(),
    )
    assert batch.status == ImportStatus.PREVIEWED, batch.error
    # The days pass: its first day is now the Monday already taught.
    batch.options = {**batch.options, "valid_from": taught.date.isoformat()}
    batch.save(update_fields=["options"])
    with pytest.raises(ValidationError, match="Первый день"):
        confirm(capture, batch, cast.school_admin)
    # And a run already queued refuses it as well.
    batch.status = ImportStatus.APPLYING
    batch.save(update_fields=["status"])
    batch = services.batch_apply(batch_id=batch.pk)
    assert batch.status == ImportStatus.FAILED
    assert "Первый день" in batch.error
    entry.refresh_from_db()
    assert entry.valid_to is None
    assert Lesson.objects.filter(pk=taught.pk).exists()


def test_an_empty_subject_cell_is_an_error_not_a_subject_without_a_short_name(
    cast, django_capture_on_commit_callbacks
):
    from school.models import Subject

    Subject.objects.filter(school=cast.school).update(short_name="")
    rows = [HEADER, ["Ср", "3", "7А", "", _teacher_cell(cast.subject_teacher), "21"]]
    batch = upload(
        django_capture_on_commit_callbacks,
        cast.school_admin,
        ImportKind.TIMETABLE,
        csv_file(rows),
        valid_from=(cast.today + dt.timedelta(days=1)).isoformat(),
    )
    assert batch.status == ImportStatus.PREVIEWED, batch.error
    assert [(e["line"], e["field"]) for e in batch.errors] == [(2, "Предмет")]
    assert batch.counts["created"] == 0
