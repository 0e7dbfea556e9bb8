"""The parent's home page: per child, what is new since the previous visit (marks, remarks
the parent may see, homework for the next school day), only where the parent's own diary
consent is in force; a fixed number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import dateformat

from diary.models import HomeVisit
from journal import models as jm
from tests import factories as f

pytestmark = pytest.mark.django_db


def lesson_on(cast, day, klass=None, number=1, subject=None):
    return f.LessonFactory(
        school=cast.school,
        class_group=klass or cast.class_7a,
        subject=subject or cast.math,
        teacher=cast.subject_teacher.teacher,
        date=day,
        lesson_number=number,
        work_type=cast.answer,
    )


def news_of(body: str, student) -> str:
    start = body.index(f'data-testid="news-{student.pk}"')
    return body[start : body.index("</section>", start)]


def test_the_home_lists_new_marks_remarks_and_homework_for_tomorrow(as_user, cast, clock):
    lesson = lesson_on(cast, cast.today, number=3)
    f.MarkFactory(lesson=lesson, student=cast.pupil, value="5")
    jm.Remark.objects.create(
        school=cast.school,
        student=cast.pupil,
        lesson=lesson,
        kind="message",
        text="Прошу подписать дневник",
        author=cast.class_teacher,
    )
    jm.Homework.objects.create(
        school=cast.school,
        lesson=lesson,
        text="Параграф 12, задачи 3–5",
        due_date=cast.today + dt.timedelta(days=1),
        created_by=cast.subject_teacher,
    )
    other = lesson_on(cast, cast.today, klass=cast.class_5b)
    jm.Homework.objects.create(
        school=cast.school,
        lesson=other,
        text="Чужое задание",
        due_date=cast.today + dt.timedelta(days=1),
        created_by=cast.subject_teacher,
    )
    client = as_user(cast.guardian)
    body = client.get(reverse("home")).content.decode()
    news = news_of(body, cast.pupil)
    assert "Математика" in news and 'mark__value--5">5<' in news
    assert "Прошу подписать дневник" in news
    tomorrow = cast.today + dt.timedelta(days=1)  # of the frozen clock
    assert f"Домашнее задание на {dateformat.format(tomorrow, 'l, j E').lower()}" in news
    assert "Параграф 12, задачи 3–5" in news
    assert "Чужое задание" not in body

    # Back an hour later: the visit moved on, the old news are gone, a new mark is listed.
    clock.shift(dt.timedelta(hours=1))
    f.MarkFactory(lesson=lesson_on(cast, cast.today, number=4), student=cast.pupil, value="3")
    news = news_of(client.get(reverse("home")).content.decode(), cast.pupil)
    assert 'mark__value--3">3<' in news and 'mark__value--5">5<' not in news
    assert "Прошу подписать дневник" not in news
    # Coming back within minutes keeps the same news (the diary in between does not empty it).
    clock.shift(dt.timedelta(minutes=5))
    news = news_of(client.get(reverse("home")).content.decode(), cast.pupil)
    assert 'mark__value--3">3<' in news
    assert HomeVisit.objects.filter(guardian__user=cast.guardian, student=cast.pupil).count() == 1


def test_no_news_without_the_parents_own_consent(as_user, cast):
    lesson = lesson_on(cast, cast.today, number=3)
    f.MarkFactory(lesson=lesson, student=cast.pupil_no_consent, value="2")
    body = as_user(cast.guardian_without_consent).get(reverse("home")).content.decode()
    news = news_of(body, cast.pupil_no_consent)
    assert "mark__value" not in news
    assert "нет вашего согласия" in news
    assert not HomeVisit.objects.exists()


def test_a_guardian_of_two_sees_each_childs_news_apart(as_user, cast):
    f.MarkFactory(lesson=lesson_on(cast, cast.today, number=3), student=cast.sibling_7a, value="4")
    f.MarkFactory(
        lesson=lesson_on(cast, cast.today, klass=cast.class_5b, number=3),
        student=cast.sibling_5b,
        value="2",
    )
    body = as_user(cast.guardian_of_two).get(reverse("home")).content.decode()
    anna, ilya = news_of(body, cast.sibling_7a), news_of(body, cast.sibling_5b)
    assert 'mark__value--4">4<' in anna and 'mark__value--2">2<' not in anna
    assert 'mark__value--2">2<' in ilya and 'mark__value--4">4<' not in ilya


@pytest.mark.parametrize("scale", [1, 10])
def test_the_family_home_runs_a_fixed_number_of_queries(
    as_user, cast, scale, django_assert_max_num_queries
):
    for n in range(3 * scale):
        lesson = lesson_on(cast, cast.today - dt.timedelta(days=n % 5), number=1 + n % 6)
        f.MarkFactory(lesson=lesson, student=cast.sibling_7a, value=str(2 + n % 4))
        jm.Homework.objects.create(
            school=cast.school,
            lesson=lesson,
            text=f"Задание {n}",
            due_date=cast.today + dt.timedelta(days=1),
            created_by=cast.subject_teacher,
        )
    client = as_user(cast.guardian_of_two)
    # session, user, school, year, teacher and guardian (the menu), children, classes, visits
    # (lock and upsert, in a savepoint here, a transaction in production), marks, remarks, groups,
    # homework
    with django_assert_max_num_queries(16):
        response = client.get(reverse("home"))
    assert response.status_code == 200
