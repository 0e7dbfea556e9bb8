"""The week page: lessons in order with times, teachers and substitutes, topics, homework with
files, marks with their details, attendance, remarks, cancelled and moved lessons, holidays,
today; a fixed number of queries whatever the amount of data."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from diary.models import WeekAcknowledgement
from journal import models as jm
from school import models as sm
from tests import factories as f

from .conftest import add_marks

pytestmark = pytest.mark.django_db

# docs/benchmarks.md: diary_week ≤ 8 (session, user, 6 reads: homework is two indexed queries)
WEEK_QUERY_BUDGET = 8
CACHED_WEEK_QUERIES = 3


def week_url(student, monday):
    return reverse("diary:week", args=[student.pk, monday])


def test_the_week_shows_each_lesson_with_its_records(as_user, cast, week):
    body = as_user(cast.guardian).get(week_url(cast.pupil, week.monday)).content.decode()
    # Lessons in order with times from the bell schedule.
    assert "08:30–09:15" in body and "09:25–10:10" in body
    assert body.index("Линейные уравнения") < body.index("Русский язык")
    # A substitution names both teachers.
    assert "замена" in body
    assert f"по расписанию: {cast.class_teacher.teacher.short_name}" in body
    # Homework with its due date and its file through the checked download.
    assert "Домашнее задание (к 24 ноября)" in body
    file_url = reverse("diary:homework_file", args=[cast.pupil.pk, week.file.pk])
    assert file_url in body
    assert "задание.pdf" in body
    # The mark with work type and weight, its details in a <details> element.
    details = re.search(
        rf'<details class="mark" data-testid="mark-{week.mark.pk}">(.*?)</details>', body, re.S
    )
    assert details, "mark details"
    text = details.group(1)
    assert "Ответ на уроке" in text and "Вес" in text and "Хороший ответ у доски" in text
    assert cast.subject_teacher.short_name in text
    assert "23 ноября 2026" in text
    # Attendance, a remark, a cancelled and a moved lesson.
    assert "болел (б)" in body
    assert "Забыл тетрадь" in body
    assert "Замечание:</span> Забыл тетрадь" in body
    assert "Урок отменён" in body
    assert "Перенесён на 26 ноября, 4-й урок" in body
    assert "Перенесён с 25 ноября, 3-й урок" in body
    # Nothing of another pupil.
    assert "Чужая отметка" not in body


def test_user_text_is_escaped(as_user, cast, week):
    body = as_user(cast.guardian).get(week_url(cast.pupil, week.monday)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x onerror" not in body


def test_a_student_in_a_group_sees_the_groups_lessons_and_not_the_other_groups(as_user, cast, week):
    body = as_user(cast.guardian).get(week_url(cast.pupil, week.monday)).content.decode()
    assert "Present Simple" in body
    assert "Чужая тема группы" not in body


def test_an_individual_plan_group_is_shown_too(as_user, cast, week):
    english = sm.Subject.objects.get(school=cast.school, name="Английский язык")
    plan = sm.StudyGroup.objects.create(
        school=cast.school, year=cast.year, name="ИУП Пётр", subject=english, kind="individual"
    )
    sm.StudyGroupMembership.objects.create(school=cast.school, group=plan, student=cast.pupil)
    jm.Lesson.objects.create(
        school=cast.school,
        study_group=plan,
        subject=english,
        teacher=cast.other_teacher.teacher,
        date=week.monday + dt.timedelta(days=4),
        lesson_number=5,
        topic="Индивидуальное занятие",
    )
    body = as_user(cast.guardian).get(week_url(cast.pupil, week.monday)).content.decode()
    assert "Индивидуальное занятие" in body


def test_holidays_are_shown_as_such(as_user, cast, week):
    sm.Holiday.objects.create(
        school=cast.school,
        year=cast.year,
        name="Осенние каникулы",
        starts_on=week.monday + dt.timedelta(days=14),
        ends_on=week.monday + dt.timedelta(days=20),
    )
    body = (
        as_user(cast.guardian)
        .get(week_url(cast.pupil, week.monday + dt.timedelta(days=14)))
        .content.decode()
    )
    assert body.count("Каникулы: Осенние каникулы") == 5


def test_today_is_highlighted_and_the_weeks_link_to_each_other(as_user, cast, week):
    client = as_user(cast.guardian)
    current = client.get(reverse("diary:current_week", args=[cast.pupil.pk]))
    assert current.url == week_url(cast.pupil, week.monday)
    body = client.get(current.url).content.decode()
    assert body.count('aria-current="date"') == 1
    assert f'id="day-{cast.today:%Y%m%d}"' in body
    assert week_url(cast.pupil, week.monday - dt.timedelta(days=7)) in body
    assert week_url(cast.pupil, week.monday + dt.timedelta(days=7)) in body
    other = client.get(week_url(cast.pupil, week.monday - dt.timedelta(days=7)))
    assert 'aria-current="date"' not in other.content.decode()


def selected_day(body: str) -> str:
    """The id of the day a phone shows (the week's other days are hidden there by CSS)."""
    found = re.findall(r'<section class="day day--selected[^"]*" aria-labelledby="day-(\d+)"', body)
    assert len(found) == 1, found
    return found[0]


def test_the_week_opens_on_today_with_day_tabs_and_neighbouring_days(as_user, cast, week):
    body = as_user(cast.guardian).get(week_url(cast.pupil, week.monday)).content.decode()
    assert selected_day(body) == f"{cast.today:%Y%m%d}"
    nav = body[body.index('data-testid="day-nav"') :]
    nav = nav[: nav.index("</nav>")]
    # One tab per school day, the selected one marked, today's the current date.
    assert nav.count('data-testid="day-tab-') == 5
    assert nav.count('aria-current="true"') == 1
    yesterday = cast.today - dt.timedelta(days=1)
    tomorrow = cast.today + dt.timedelta(days=1)
    assert f"?day={yesterday.isoformat()}" in nav and f"?day={tomorrow.isoformat()}" in nav


def test_another_day_of_the_week_is_chosen_and_monday_steps_back_to_friday(as_user, cast, week):
    client = as_user(cast.guardian)
    body = client.get(week_url(cast.pupil, week.monday), {"day": week.monday.isoformat()})
    body = body.content.decode()
    assert selected_day(body) == f"{week.monday:%Y%m%d}"
    friday = week.monday - dt.timedelta(days=3)
    assert f"{week_url(cast.pupil, friday - dt.timedelta(days=4))}?day={friday.isoformat()}" in body
    # A day outside the week, or not a date, falls back to today.
    for wrong in ("2026-01-01", "вчера"):
        body = client.get(week_url(cast.pupil, week.monday), {"day": wrong}).content.decode()
        assert selected_day(body) == f"{cast.today:%Y%m%d}"
    # A past week without today opens on its Monday.
    before = week.monday - dt.timedelta(days=7)
    body = client.get(week_url(cast.pupil, before)).content.decode()
    assert selected_day(body) == f"{before:%Y%m%d}"


def test_the_acknowledgement_comes_before_the_days(as_user, cast, week):
    body = as_user(cast.guardian).get(week_url(cast.pupil, week.monday)).content.decode()
    assert body.index('data-testid="acknowledge"') < body.index('class="day ')


def test_a_day_in_the_middle_of_the_week_redirects_to_its_monday(as_user, cast, week):
    client = as_user(cast.guardian)
    response = client.get(week_url(cast.pupil, week.monday + dt.timedelta(days=2)))
    assert response.status_code == 302
    assert response.url == week_url(cast.pupil, week.monday)


def test_a_bad_date_is_a_404(as_user, cast):
    client = as_user(cast.guardian)
    assert client.get(f"/diary/{cast.pupil.pk}/week/2026-02-30/").status_code == 404
    assert client.get(f"/diary/{cast.pupil.pk}/week/26-11-23/").status_code == 404


@pytest.mark.parametrize("scale", [1, 10])
def test_the_week_page_runs_a_fixed_small_number_of_queries(
    as_user, cast, week, scale, django_assert_max_num_queries
):
    # 10×: ten times the marks before the week, and ten times the remarks, homework and
    # files in it.
    add_marks(cast, cast.pupil, per_lesson_days=6 * scale, start=week.monday)
    for n in range(2 * scale):
        homework = jm.Homework.objects.create(
            school=cast.school,
            lesson=week.lessons[n % len(week.lessons)],
            text=f"Задание {n}",
            created_by=cast.subject_teacher,
        )
        jm.HomeworkFile.objects.create(
            school=cast.school,
            homework=homework,
            file=f"homework/{n}.pdf",
            original_name=f"файл-{n}.pdf",
            size=10,
            content_type="application/pdf",
        )
    for n in range(3 * scale):
        jm.Remark.objects.create(
            school=cast.school,
            student=cast.pupil,
            lesson=week.lessons[n % len(week.lessons)],
            kind="comment",
            text=f"Замечание {n}",
            author=cast.subject_teacher,
        )
    client = as_user(cast.guardian)
    url = week_url(cast.pupil, week.monday)
    with django_assert_max_num_queries(WEEK_QUERY_BUDGET):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Замечание {3 * scale - 1}" in body
    assert f"файл-{2 * scale - 1}.pdf" in body


def test_the_week_query_count_does_not_grow_with_data(as_user, cast, week):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(cast.guardian)
    url = week_url(cast.pupil, week.monday)
    client.get(url)
    cache.clear()  # the week as first rendered: not from the cache (diary.weekcache)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add_marks(cast, cast.pupil, per_lesson_days=60, start=week.monday)
    with CaptureQueriesContext(connection) as large:
        client.get(url)  # the marks bumped the class's journal version: rendered afresh
    assert len(small) == len(large) <= WEEK_QUERY_BUDGET
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    # From the cache (the triggers keep the journal's version on PostgreSQL and SQLite): the
    # session, the user, the frame with its access check and the version.
    assert len(cached) == CACHED_WEEK_QUERIES


# --- «Ознакомлен» ------------------------------------------------------------------------------


def test_a_guardian_confirms_the_week_once(as_user, cast, week):
    client = as_user(cast.guardian)
    url = reverse("diary:acknowledge_week", args=[cast.pupil.pk, week.monday])
    first = client.post(url)
    assert first.status_code == 302
    client.post(url)  # a double submit
    acks = WeekAcknowledgement.objects.filter(student=cast.pupil, week_start=week.monday)
    assert acks.count() == 1
    assert acks.get().guardian.user == cast.guardian
    body = client.get(week_url(cast.pupil, week.monday)).content.decode()
    assert 'data-testid="acknowledged"' in body
    assert "Вы подтвердили ознакомление" in body


def test_a_student_sees_the_week_but_does_not_sign_it(as_user, cast, week):
    body = as_user(cast.student).get(week_url(cast.pupil, week.monday)).content.decode()
    assert "Линейные уравнения" in body
    assert 'data-testid="acknowledge"' not in body


def test_a_future_week_cannot_be_confirmed(as_user, cast, week):
    client = as_user(cast.guardian)
    future = week.monday + dt.timedelta(days=7)
    response = client.post(
        reverse("diary:acknowledge_week", args=[cast.pupil.pk, future]), follow=True
    )
    assert "ещё не началась" in response.content.decode()
    assert not WeekAcknowledgement.objects.exists()


def test_no_one_confirms_another_familys_week(as_user, cast, week):
    url = reverse("diary:acknowledge_week", args=[cast.pupil.pk, week.monday])
    assert as_user(cast.stranger).post(url).status_code == 404
    assert as_user(cast.student).post(url).status_code == 404  # a student does not sign
    assert as_user(cast.subject_teacher).post(url).status_code == 403
    no_consent = reverse("diary:acknowledge_week", args=[cast.pupil_no_consent.pk, week.monday])
    assert as_user(cast.guardian_without_consent).post(no_consent).status_code == 404
    assert not WeekAcknowledgement.objects.exists()


def test_the_class_teacher_sees_who_confirmed(as_user, cast, week):
    as_user(cast.guardian).post(
        reverse("diary:acknowledge_week", args=[cast.pupil.pk, week.monday])
    )
    url = reverse("diary:class_acknowledgements_week", args=[cast.class_7a.pk, week.monday])
    response = as_user(cast.class_teacher).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Подтвердили: 1 из 3" in body
    assert cast.pupil.full_name in body
    assert "не подтверждено" in body


def test_the_class_teacher_page_is_only_for_that_class_teacher(as_user, cast):
    url = reverse("diary:class_acknowledgements", args=[cast.class_7a.pk])
    other_class = reverse("diary:class_acknowledgements", args=[cast.class_5b.pk])
    assert as_user(cast.class_teacher).get(url).status_code == 200
    assert as_user(cast.class_teacher).get(other_class).status_code == 404
    assert as_user(cast.subject_teacher).get(url).status_code == 404  # a teacher, not theirs
    assert as_user(cast.guardian).get(url).status_code == 403
    assert as_user(cast.deputy_head).get(url).status_code == 403
    assert as_user(cast.class_teacher).post(url).status_code == 405


@pytest.mark.parametrize("scale", [1, 10])
def test_the_class_teacher_page_runs_a_fixed_number_of_queries(
    as_user, cast, week, scale, django_assert_max_num_queries
):
    for _n in range(3 * scale):
        child = f.EnrollmentFactory(
            school=cast.school, class_group=cast.class_7a, year=cast.year
        ).student
        f.GuardianStudentFactory(school=cast.school, student=child)
    url = reverse("diary:class_acknowledgements_week", args=[cast.class_7a.pk, week.monday])
    client = as_user(cast.class_teacher)
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert f"из {3 + 3 * scale}" in response.content.decode()


def test_homework_is_listed_on_the_day_it_is_due(as_user, cast, week):
    # Set on Monday, due on Tuesday (the fixture); and one set the week before, due this Friday.
    earlier = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.russian,
        teacher=cast.class_teacher.teacher,
        date=week.monday - dt.timedelta(days=3),
        lesson_number=1,
    )
    jm.Homework.objects.create(
        school=cast.school,
        lesson=earlier,
        text="Сочинение о зиме",
        due_date=week.monday + dt.timedelta(days=4),
        created_by=cast.class_teacher,
    )
    other_group_hw = jm.Homework.objects.create(
        school=cast.school,
        lesson=week.other_group_lesson,
        text="Задание чужой группы",
        due_date=week.monday + dt.timedelta(days=4),
        created_by=cast.subject_teacher,
    )
    body = as_user(cast.guardian).get(week_url(cast.pupil, week.monday)).content.decode()
    tuesday = body.split(f'data-testid="due-{week.monday + dt.timedelta(days=1):%Y%m%d}"')[1]
    assert "№ 125, 126" in tuesday.split("</div>")[0]
    friday = body.split(f'data-testid="due-{week.monday + dt.timedelta(days=4):%Y%m%d}"')[1]
    assert "Сочинение о зиме" in friday.split("</div>")[0]
    assert other_group_hw.text not in body


def test_the_week_also_renders_in_english(as_user, cast, week):
    response = as_user(cast.guardian).get(
        week_url(cast.pupil, week.monday), HTTP_ACCEPT_LANGUAGE="en"
    )
    body = response.content.decode()
    assert 'lang="en"' in body
    assert "Lesson cancelled" in body and "Acknowledged" in body
