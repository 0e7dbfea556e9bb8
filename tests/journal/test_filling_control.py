"""Filling control for the director and deputy head: filters, totals per teacher, lessons
without marks, the missing finals above, worst first, highlighted, ten teachers a page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from journal import selectors
from tests import factories as f

URL = reverse("journal:control")


@pytest.fixture
def held(cast):
    """A held lesson of the range, well filled in unless told otherwise."""

    def make(n, *, teacher=None, klass=None, subject=None, filled=True, **kwargs):
        return f.LessonFactory(
            school=cast.school,
            class_group=klass or cast.class_7a,
            subject=subject or cast.math,
            teacher=teacher or cast.subject_teacher.teacher,
            date=cast.today - dt.timedelta(days=n // 6 + 1),
            lesson_number=n % 6 + 1,
            topic="Дроби" if filled else "",
            attendance_checked_at=timezone.now() if filled else None,
            **kwargs,
        )

    return make


def _range(cast):
    return {"from": (cast.today - dt.timedelta(days=30)).isoformat(), "to": cast.today.isoformat()}


def test_lessons_without_any_mark_are_counted_but_not_in_grade_one(cast, held):
    marked = held(0)
    f.MarkFactory(lesson=marked, student=cast.pupil)
    held(1)  # no mark
    first = f.ClassGroupFactory(school=cast.school, year=cast.year, level=1, letter="А")
    held(2, klass=first)  # grade 1: taught without marks
    rows = selectors.filling_control(
        cast.director, starts_on=cast.today - dt.timedelta(days=30), ends_on=cast.today
    )
    by_group = {(r.group, r.lessons): r.without_marks for r in rows}
    # 7 «А»: the cast's lesson of today, the marked and the unmarked one.
    assert by_group == {("1 «А»", 1): 0, ("7 «А»", 3): 2}


def test_the_filters_narrow_the_rows(as_user, cast, held):
    held(0)
    held(1, teacher=cast.class_teacher.teacher, subject=cast.russian)
    held(2, teacher=cast.other_teacher.teacher, klass=cast.class_5b)
    client = as_user(cast.deputy_head)

    def teachers(**params):
        page = client.get(URL, {**_range(cast), **params})
        assert page.status_code == 200
        return [t.teacher_id for t in page.context["page"]]

    assert len(teachers()) == 3
    assert teachers(klass=cast.class_5b.pk) == [cast.other_teacher.teacher.pk]
    assert teachers(teacher=cast.class_teacher.teacher.pk) == [cast.class_teacher.teacher.pk]
    assert sorted(teachers(subject=cast.math.pk)) == sorted(
        [cast.subject_teacher.teacher.pk, cast.other_teacher.teacher.pk]
    )


def test_a_filter_of_another_school_is_refused_and_shows_nothing_of_it(as_user, cast, held):
    held(0)
    foreign = f.TeacherFactory(last_name="Чужакова")
    f.LessonFactory(teacher=foreign, school=foreign.school, class_group__school=foreign.school)
    page = as_user(cast.director).get(URL, {**_range(cast), "teacher": foreign.pk})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Выберите корректный вариант" in text
    assert "Чужакова" not in text
    assert [t.teacher_id for t in page.context["page"]] == [cast.subject_teacher.teacher.pk]


def test_another_schools_director_sees_none_of_this_school(as_user, cast, held):
    held(0)
    other = f.SchoolFactory()
    director = f.UserFactory(school=other, username="director2", role=Role.DIRECTOR)
    text = as_user(director).get(URL, _range(cast)).content.decode()
    assert cast.subject_teacher.last_name not in text
    assert "За этот период уроков нет." in text


@pytest.mark.parametrize("who", ["subject_teacher", "class_teacher", "school_admin", "guardian"])
def test_other_roles_are_refused(as_user, cast, who):
    assert as_user(getattr(cast, who)).get(URL).status_code == 403


def test_teachers_come_worst_first_with_their_totals_and_highlights(as_user, cast, held):
    for n in range(4):
        held(n)  # the subject teacher's journals are filled in (but for homework and marks)
    for n in range(4):
        held(10 + n, teacher=cast.other_teacher.teacher, klass=cast.class_5b, filled=False)
    held(20, teacher=cast.other_teacher.teacher, klass=cast.class_7a)
    page = as_user(cast.deputy_head).get(URL, _range(cast))
    worst, better = page.context["page"]
    assert worst.teacher_id == cast.other_teacher.teacher.pk
    assert [r.group for r in worst.rows] == ["5 «Б»", "7 «А»"]
    assert (worst.total.lessons, worst.total.without_topic) == (5, 4)
    assert worst.total.flags["without_topic"] == "bad"  # 4 of 5
    assert better.total.flags["without_topic"] == "warn"  # the cast's lesson: 1 of 5
    table = page.content.decode().split('data-testid="control"')[1]
    assert 'class="num filling--bad">4</td>' in table
    assert f"teacher={cast.other_teacher.teacher.pk}" in table  # the teacher's journals alone
    assert table.index(cast.other_teacher.last_name) < table.index(cast.subject_teacher.last_name)
    # Named as every staff page names a teacher: «Фамилия И.О.».
    assert f">{cast.other_teacher.teacher.short_name}</a>" in table


def test_the_missing_finals_are_summarised_above_and_linked(as_user, cast, held):
    held(0)
    page = as_user(cast.director).get(URL, _range(cast))
    (summary,) = page.context["summary"]
    assert summary.period == cast.period
    # 7 «А»: three pupils lack their mathematics and Russian finals; 5 «Б»: two, mathematics.
    assert summary.total == 3 + 3 + 2
    text = page.content.decode()
    assert reverse("journal:missing_finals", args=[cast.period.pk]) in text
    assert "не выставлено 8 итоговых отметок" in text
    subject_teacher = next(
        t for t in page.context["page"] if t.teacher_id == cast.subject_teacher.teacher.pk
    )
    assert subject_teacher.missing_finals == 3


def test_the_missing_finals_follow_the_filters(as_user, cast, held):
    held(0)
    client = as_user(cast.director)
    page = client.get(URL, {**_range(cast), "klass": cast.class_5b.pk})
    (summary,) = page.context["summary"]
    assert summary.total == 2  # 5 «Б» mathematics only
    assert "Только по выбранным классу, учителю или предмету." in page.content.decode()
    page = client.get(URL, {**_range(cast), "subject": cast.russian.pk})
    assert page.context["summary"][0].total == 3  # 7 «А» Russian


def test_ten_teachers_a_page_and_the_filters_kept_in_the_page_links(as_user, cast, held):
    for n in range(12):
        held(n, teacher=f.TeacherFactory(school=cast.school))
    client = as_user(cast.deputy_head)
    first = client.get(URL, {**_range(cast), "subject": cast.math.pk})
    assert len(first.context["page"]) == 10
    assert f"subject={cast.math.pk}" in first.context["query"]
    assert "&amp;page=2" in first.content.decode()
    second = client.get(URL, {**_range(cast), "subject": cast.math.pk, "page": 2})
    assert len(second.context["page"]) == 3  # and the cast's subject teacher
    assert client.get(URL, {"page": "много"}).status_code == 200


def test_the_query_count_does_not_grow_with_the_school(
    as_user, cast, held, django_assert_max_num_queries
):
    held(0)
    client = as_user(cast.deputy_head)
    params = {**_range(cast), "klass": cast.class_7a.pk, "subject": cast.math.pk}
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, params).status_code == 200
    assert len(small.captured_queries) <= 16
    for n in range(30):
        teacher = f.TeacherFactory(school=cast.school)
        lesson = held(n + 1, teacher=teacher, filled=n % 2 == 0)
        f.MarkFactory(lesson=lesson, student=cast.pupil)
        f.ClassGroupFactory(school=cast.school, year=cast.year, level=n % 11 + 1, letter=f"Я{n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(URL, params).status_code == 200
