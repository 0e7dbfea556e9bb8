"""The journal's invariants hold in the database and explain themselves in Russian."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from journal import models as jm
from school import models as sm
from tests import factories as f


@pytest.fixture(autouse=True)
def russian():
    with translation.override("ru"):
        yield


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_a_duplicate_final_mark_is_refused_by_validation_and_by_the_database(cast):
    first = f.FinalMarkFactory(
        school=cast.school,
        period=cast.period,
        student=cast.pupil,
        subject=cast.math,
        set_by=cast.subject_teacher,
    )
    twin = jm.FinalMark(
        school=cast.school,
        period=cast.period,
        student=cast.pupil,
        subject=cast.math,
        kind=first.kind,
        value="5",
        set_by=cast.subject_teacher,
        set_at=first.set_at,
    )
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "уже есть итоговая отметка" in messages_of(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert jm.FinalMark.objects.filter(student=cast.pupil).count() == 1


@pytest.mark.parametrize("value", ["6", "0", "5.0", " 5 ", "５", ""])
def test_a_mark_outside_the_scale_is_refused(cast, value):
    mark = jm.Mark(
        school=cast.school,
        lesson=cast.lesson,
        student=cast.pupil,
        value=value,
        work_type=cast.answer,
        date=cast.lesson.date,
        subject=cast.math,
        created_by=cast.subject_teacher,
    )
    with pytest.raises(ValidationError) as error:
        mark.full_clean()
    assert "value" in error.value.message_dict
    if value:  # an empty value never reaches the database check: it is a required field
        with pytest.raises(IntegrityError), transaction.atomic():
            mark.save()
    assert not jm.Mark.objects.exists()


def test_the_database_itself_refuses_a_mark_outside_the_scale(cast):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="6")
    assert "mark_value_in_scale" in str(error.value)


def test_a_second_mark_in_the_same_lesson_slot_is_refused(cast):
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="5", slot=1)
    second = jm.Mark(
        school=cast.school,
        lesson=cast.lesson,
        student=cast.pupil,
        slot=1,
        value="4",
        work_type=cast.answer,
        date=cast.lesson.date,
        subject=cast.math,
        created_by=cast.subject_teacher,
    )
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "уже есть отметка" in messages_of(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    assert jm.Mark.objects.get(lesson=cast.lesson, student=cast.pupil).value == "5"


def test_two_marks_in_one_lesson_use_two_slots(cast):
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="5", slot=1)
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="4", slot=2)
    values = jm.Mark.objects.filter(lesson=cast.lesson, student=cast.pupil).order_by("slot")
    assert [m.value for m in values] == ["5", "4"]


def test_a_student_cannot_be_enrolled_in_two_classes_in_one_year(cast):
    second = sm.Enrollment(
        school=cast.school,
        student=cast.pupil,
        class_group=cast.class_5b,
        year=cast.year,
        joined_on=cast.year.starts_on,
    )
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "уже зачислен" in messages_of(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_a_transfer_closes_the_old_enrollment_first(cast):
    old = sm.Enrollment.objects.get(student=cast.pupil, year=cast.year)
    old.left_on = cast.today
    old.save(update_fields=["left_on"])
    moved = sm.Enrollment(
        school=cast.school,
        student=cast.pupil,
        class_group=cast.class_5b,
        year=cast.year,
        joined_on=cast.today,
    )
    moved.full_clean()
    moved.save()
    assert sm.Enrollment.objects.filter(student=cast.pupil, left_on__isnull=True).get() == moved


def test_a_graded_final_needs_a_value_and_a_deferral_needs_reason_and_date(cast):
    empty = jm.FinalMark(
        school=cast.school,
        period=cast.period,
        student=cast.pupil,
        subject=cast.math,
        value="",
        set_by=cast.subject_teacher,
        set_at=cast.school.now(),
    )
    with pytest.raises(ValidationError):
        empty.full_clean()
    deferred = jm.FinalMark(
        school=cast.school,
        period=cast.period,
        student=cast.pupil,
        subject=cast.math,
        status=jm.FinalStatus.DEFERRED,
        set_by=cast.subject_teacher,
        set_at=cast.school.now(),
    )
    with pytest.raises(ValidationError) as error:
        deferred.full_clean()
    assert "Отсрочке нужны причина и дата" in messages_of(error.value)


def test_class_level_outside_1_to_11_is_refused(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        sm.ClassGroup.objects.create(school=cast.school, year=cast.year, level=12, letter="А")


def test_school_thresholds_must_be_ordered(cast):
    cast.school.threshold_4 = cast.school.threshold_5
    with pytest.raises(ValidationError):
        cast.school.full_clean()
