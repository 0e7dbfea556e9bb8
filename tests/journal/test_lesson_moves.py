"""Moving a lesson: a taken slot, a day off and a holiday are refused; a chain of moves leaves
one lesson where it ended; a move can be undone."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from journal import models as jm
from journal import services
from school import models as sm
from tests import factories as f


@pytest.fixture
def thursday(cast):
    return cast.today + dt.timedelta(days=1)


def move(cast, lesson, date, number):
    return services.lesson_move(
        user=cast.deputy_head, lesson=lesson, date=date, lesson_number=number
    )


def refusal(cast, lesson, date, number) -> str:
    with pytest.raises(ValidationError) as error:
        move(cast, lesson, date, number)
    return " ".join(error.value.messages)


def other_lesson(cast, date, number, **kwargs):
    kwargs.setdefault("class_group", cast.class_7a)
    kwargs.setdefault("subject", cast.russian)
    kwargs.setdefault("teacher", cast.class_teacher.teacher)
    return f.LessonFactory(school=cast.school, date=date, lesson_number=number, **kwargs)


def test_a_slot_the_class_already_has_is_refused(cast, thursday):
    other_lesson(cast, thursday, 1)
    assert "уже есть Русский язык" in refusal(cast, cast.lesson, thursday, 1)
    assert jm.Lesson.objects.filter(moved_from=cast.lesson).count() == 0
    cast.lesson.refresh_from_db()
    assert cast.lesson.status == "scheduled"


def test_a_slot_where_the_teacher_gives_another_lesson_is_refused(cast, thursday):
    other_lesson(cast, thursday, 3, class_group=cast.class_5b, teacher=cast.subject_teacher.teacher)
    assert "учитель уже ведёт урок" in refusal(cast, cast.lesson, thursday, 3)


def test_a_taken_room_is_refused(cast, thursday):
    cast.lesson.room = "214"
    cast.lesson.save(update_fields=["room"])
    other_lesson(cast, thursday, 4, class_group=cast.class_5b, room="214")
    assert "Кабинет 214 занят" in refusal(cast, cast.lesson, thursday, 4)


def test_a_cancelled_lesson_does_not_take_the_slot(cast, thursday):
    other_lesson(cast, thursday, 1, status=jm.LessonStatus.CANCELLED)
    assert move(cast, cast.lesson, thursday, 1).date == thursday


def test_a_sunday_is_refused(cast):
    sunday = cast.today + dt.timedelta(days=4)
    assert sunday.isoweekday() == 7
    assert "воскресенье" in refusal(cast, cast.lesson, sunday, 1)


def test_a_saturday_is_refused_when_the_class_never_studies_on_saturdays(cast):
    for weekday in range(1, 6):
        f_entry(cast, weekday)
    saturday = cast.today + dt.timedelta(days=3)
    assert "выходной день" in refusal(cast, cast.lesson, saturday, 1)
    assert move(cast, cast.lesson, saturday - dt.timedelta(days=1), 6).lesson_number == 6


def f_entry(cast, weekday):
    return sm.TimetableEntry.objects.create(
        school=cast.school,
        year=cast.year,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        weekday=weekday,
        lesson_number=8,
        valid_from=cast.year.starts_on,
    )


def test_a_holiday_is_refused(cast):
    monday = cast.today + dt.timedelta(days=5)
    sm.Holiday.objects.create(
        school=cast.school,
        year=cast.year,
        name="Зимние каникулы",
        starts_on=monday,
        ends_on=monday + dt.timedelta(days=6),
    )
    assert "каникулы" in refusal(cast, cast.lesson, monday + dt.timedelta(days=1), 1).lower()


def test_a_chain_of_moves_leaves_one_lesson_where_it_ended(cast, thursday):
    friday = thursday + dt.timedelta(days=1)
    first = move(cast, cast.lesson, thursday, 1)
    second = move(cast, first, friday, 1)
    # Moving the original again moves its one replacement.
    third = move(cast, cast.lesson, friday, 3)
    assert first.pk == second.pk == third.pk
    lessons = jm.Lesson.objects.filter(class_group=cast.class_7a, subject=cast.math)
    assert sorted(lessons.values_list("status", "date", "lesson_number")) == sorted(
        [("moved", cast.today, 2), ("scheduled", friday, 3)]
    )


def test_moving_back_to_the_timetabled_slot_undoes_the_move(cast, thursday):
    replacement = move(cast, cast.lesson, thursday, 1)
    services.lesson_update(user=cast.deputy_head, lesson=replacement, topic="Дроби")
    back = move(cast, replacement, cast.today, 2)
    assert back.pk == cast.lesson.pk
    assert (back.status, back.topic) == ("scheduled", "Дроби")
    assert list(jm.Lesson.objects.filter(subject=cast.math).values_list("pk", flat=True)) == [
        cast.lesson.pk
    ]


def test_undo_from_the_original_lesson(cast, thursday):
    move(cast, cast.lesson, thursday, 1)
    back = services.lesson_move_undo(user=cast.deputy_head, lesson=cast.lesson)
    assert back.status == "scheduled"
    assert not jm.Lesson.objects.filter(moved_from=cast.lesson).exists()


def test_undo_of_a_lesson_never_moved_is_refused(cast):
    with pytest.raises(ValidationError):
        services.lesson_move_undo(user=cast.deputy_head, lesson=cast.lesson)


def test_a_replacement_with_marks_is_not_moved_back(cast, thursday, clock):
    replacement = move(cast, cast.lesson, cast.today, 5)
    f.MarkFactory(lesson=replacement, student=cast.pupil)
    assert "уже есть отметки" in refusal(cast, replacement, cast.today, 2)


def test_the_lesson_page_offers_the_undo_and_it_works(as_user, cast, thursday):
    from django.urls import reverse

    replacement = move(cast, cast.lesson, thursday, 1)
    client = as_user(cast.deputy_head)
    page = client.get(reverse("journal:lesson", args=[replacement.pk])).content.decode()
    assert "Отменить перенос (вернуть на 25.11.2026, 2-й урок)" in page
    response = client.post(
        reverse("journal:move", args=[replacement.pk]),
        {"date": cast.today.isoformat(), "lesson_number": 2},
    )
    assert response.status_code == 302
    cast.lesson.refresh_from_db()
    assert cast.lesson.status == "scheduled"
    assert not jm.Lesson.objects.filter(pk=replacement.pk).exists()
