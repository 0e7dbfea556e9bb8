"""Marks with the explained forecast, finals as published, the timetable, the control-works and
holiday calendar, the teachers, remarks newest first, and the calendar feed."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.formats import date_format

from diary.models import CalendarFeed
from journal import models as jm
from school import models as sm
from tests import factories as f

pytestmark = pytest.mark.django_db


def mark(cast, student, value, work_type, day, subject=None, slot=1):
    lesson = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=subject or cast.math,
        teacher=cast.subject_teacher.teacher,
        date=day,
        lesson_number=slot,
        work_type=work_type,
    )
    return f.MarkFactory(lesson=lesson, student=student, value=value, work_type=work_type)


def test_marks_show_the_weighted_average_and_the_explained_forecast(as_user, cast):
    day = cast.period.starts_on
    weighted = f.WorkTypeFactory(school=cast.school, name="Самостоятельная работа", weight=2)
    # (5·1 + 4·2 + 3·3) / 6 = 3.67 → 4 under the school's 4.5 / 3.5 / 2.5.
    mark(cast, cast.pupil, "5", cast.answer, day)
    mark(cast, cast.pupil, "4", weighted, day + dt.timedelta(days=1))
    mark(cast, cast.pupil, "3", cast.control, day + dt.timedelta(days=2))
    mark(cast, cast.pupil, "pass", cast.answer, day + dt.timedelta(days=3))
    response = as_user(cast.guardian).get(reverse("diary:marks", args=[cast.pupil.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="average">3.67' in body or 'data-testid="average">3,67' in body
    assert 'data-testid="forecast">4' in body
    assert "от 4,50 — прогноз «5»" in body or "от 4.50 — прогноз «5»" in body
    assert "Зачёт/незачёт и пропуски не учитываются" in body
    # (22 + 5n) / (6 + n) ≥ 4.5 ⇔ n ≥ 10.
    assert "Чтобы выйти на «5»: ещё 10 пятёрок (весом 1)" in body
    assert "весом 1" in body
    assert "зачёт" in body


def _absence(cast, student, day, subject, code, slot=1):
    lesson = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=subject,
        teacher=cast.subject_teacher.teacher,
        date=day,
        lesson_number=slot,
    )
    return jm.Attendance.objects.create(
        school=cast.school,
        lesson=lesson,
        student=student,
        code=code,
        date=day,
        created_by=cast.subject_teacher,
    )


def test_the_marks_page_counts_absences_per_subject_and_period(as_user, cast):
    day = cast.period.starts_on
    mark(cast, cast.pupil, "5", cast.answer, day)
    _absence(cast, cast.pupil, day + dt.timedelta(days=1), cast.math, "absent")
    _absence(cast, cast.pupil, day + dt.timedelta(days=2), cast.math, "ill")
    _absence(cast, cast.pupil, day + dt.timedelta(days=3), cast.math, "late")
    # A subject with an absence and no marks yet is listed too.
    _absence(cast, cast.pupil, day + dt.timedelta(days=1), cast.russian, "excused", slot=2)
    # Another period's absence and another pupil's are not counted.
    _absence(cast, cast.pupil, day - dt.timedelta(days=1), cast.math, "absent")
    _absence(cast, cast.pupil_no_consent, day + dt.timedelta(days=1), cast.math, "absent")
    body = as_user(cast.guardian).get(reverse("diary:marks", args=[cast.pupil.pk])).content.decode()
    math = body[body.index(">Математика</th>") : body.index(">Русский язык</th>")]
    assert re.search(r'data-testid="missed">2 <span class="hint">\(н 1, б 1, у 0\)', math)
    assert 'data-testid="late">1<' in math
    russian = body[body.index(">Русский язык</th>") :]
    assert re.search(r'data-testid="missed">1 <span class="hint">\(н 0, б 0, у 1\)', russian)
    assert "Пропущено уроков за период: 3; опозданий: 1." in body


def test_the_schools_thresholds_are_used_and_stated(as_user, cast):
    cast.school.threshold_5 = Decimal("4.60")
    cast.school.threshold_4 = Decimal("3.60")
    cast.school.threshold_3 = Decimal("2.60")
    cast.school.save()
    day = cast.period.starts_on
    mark(cast, cast.pupil, "4", cast.answer, day)
    mark(cast, cast.pupil, "4", cast.answer, day + dt.timedelta(days=1))
    mark(cast, cast.pupil, "3", cast.answer, day + dt.timedelta(days=2))  # 11 / 3 = 3.67 → 4
    body = as_user(cast.guardian).get(reverse("diary:marks", args=[cast.pupil.pk])).content.decode()
    assert "4,60" in body or "4.60" in body
    assert 'data-testid="forecast">4' in body
    # A 2 next: 13 / 4 = 3.25 < 3.6; a 3: 14 / 4 = 3.5 < 3.6; a 4: 15 / 4 = 3.75: keep it with 4.
    assert "Чтобы сохранить «4»: следующая отметка (весом 1) — не ниже 4" in body


def test_too_few_marks_make_the_forecast_uncertain(as_user, cast):
    mark(cast, cast.pupil, "5", cast.answer, cast.period.starts_on)
    body = as_user(cast.guardian).get(reverse("diary:marks", args=[cast.pupil.pk])).content.decode()
    assert "неточно: мало отметок" in body


def test_marks_of_another_period_are_chosen_by_the_family(as_user, cast):
    earlier = f.PeriodFactory(
        school=cast.school,
        year=cast.year,
        number=1,
        name="Прошлая четверть",
        starts_on=cast.year.starts_on,
        ends_on=cast.period.starts_on - dt.timedelta(days=1),
    )
    mark(cast, cast.pupil, "2", cast.answer, earlier.starts_on + dt.timedelta(days=1))
    client = as_user(cast.guardian)
    url = reverse("diary:marks", args=[cast.pupil.pk])
    assert "Математика" not in client.get(url).content.decode().split("</nav>")[-1]
    body = client.get(url, {"period": earlier.pk}).content.decode()
    assert "Математика" in body
    # A period of another school or level is a 404.
    foreign = f.PeriodFactory(level_min=10, level_max=11, number=3)
    assert client.get(url, {"period": foreign.pk}).status_code == 404


def test_finals_show_published_marks_and_deferrals(as_user, cast):
    now = timezone.now()
    until = cast.period.ends_on + dt.timedelta(days=36)  # from the frozen clock's period
    f.FinalMarkFactory(
        period=cast.period, student=cast.pupil, subject=cast.math, value="5", published_at=now
    )
    f.FinalMarkFactory(
        period=cast.period,
        student=cast.pupil,
        subject=cast.russian,
        status="deferred",
        value="",
        deferral_reason="Болезнь",
        deferred_until=until,
        published_at=now,
    )
    english = f.SubjectFactory(school=cast.school, name="Английский язык")
    f.FinalMarkFactory(  # not yet published: not shown
        period=cast.period, student=cast.pupil, subject=english, value="2", published_at=None
    )
    body = (
        as_user(cast.guardian).get(reverse("diary:finals", args=[cast.pupil.pk])).content.decode()
    )
    assert "Математика" in body
    with translation.override("ru"):
        assert f"отсрочена до {date_format(until, 'j E Y')}" in body  # «20 января 2027»
    assert "Английский язык" not in body
    # One grid: subjects in rows, the quarter and the year in columns, in that order.
    f.FinalMarkFactory(
        period=cast.year_period,
        kind="year",
        student=cast.pupil,
        subject=cast.math,
        value="4",
        published_at=now,
    )
    body = (
        as_user(cast.guardian).get(reverse("diary:finals", args=[cast.pupil.pk])).content.decode()
    )
    grid = body[body.index('data-testid="finals-grid"') :]
    head, rows = grid.split("</thead>", 1)
    assert head.index(cast.period.name) < head.index("Год")
    math_row = rows[rows.index("Математика") :]
    math_row = math_row[: math_row.index("</tr>")]
    assert math_row.index(">5<") < math_row.index(">4<")
    russian_row = rows[rows.index("Русский язык") :]
    assert "отсрочена" in russian_row[: russian_row.index("</tr>")]


def test_timetable_calendar_teachers_and_remarks(as_user, cast):
    monday = cast.today - dt.timedelta(days=cast.today.weekday())
    sm.TimetableEntry.objects.create(
        school=cast.school,
        year=cast.year,
        class_group=cast.class_7a,
        subject=cast.russian,
        teacher=cast.class_teacher.teacher,
        weekday=3,
        lesson_number=3,
        room="214",
        valid_from=cast.year.starts_on,
    )
    control = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=cast.period.ends_on - dt.timedelta(days=3),
        work_type=cast.control,
        topic="Итоговая контрольная",
    )
    sm.Holiday.objects.create(
        school=cast.school,
        year=cast.year,
        name="Зимние каникулы",
        starts_on=dt.date(cast.year.starts_on.year, 12, 29),
        ends_on=dt.date(cast.year.starts_on.year + 1, 1, 11),
    )
    for n, when in enumerate([monday - dt.timedelta(days=30), monday]):
        remark = jm.Remark.objects.create(
            school=cast.school,
            student=cast.pupil,
            kind="recommendation",
            text=f"Рекомендация {n}",
            author=cast.class_teacher,
        )
        jm.Remark.objects.filter(pk=remark.pk).update(
            created_at=timezone.make_aware(dt.datetime.combine(when, dt.time(12)))
        )
    client = as_user(cast.guardian)
    timetable = client.get(reverse("diary:timetable", args=[cast.pupil.pk])).content.decode()
    assert "Среда" in timetable and "Русский язык" in timetable and "214" in timetable
    calendar = client.get(reverse("diary:calendar", args=[cast.pupil.pk])).content.decode()
    assert "Итоговая контрольная" in calendar and "Зимние каникулы" in calendar
    assert control.work_type.name in calendar
    teachers = client.get(reverse("diary:teachers", args=[cast.pupil.pk])).content.decode()
    assert cast.subject_teacher.teacher.full_name in teachers
    assert cast.other_teacher.teacher.full_name not in teachers  # teaches 5 «Б» only
    remarks = client.get(reverse("diary:remarks", args=[cast.pupil.pk])).content.decode()
    assert remarks.index("Рекомендация 1") < remarks.index("Рекомендация 0")


def test_the_timetable_shows_the_week_as_held(as_user, cast, week):
    """Days with lessons show those lessons (substitution, cancellation, moves both ways); a
    day without lessons shows the regular timetable."""
    sm.TimetableEntry.objects.create(
        school=cast.school,
        year=cast.year,
        class_group=cast.class_7a,
        subject=cast.russian,
        teacher=cast.class_teacher.teacher,
        weekday=5,
        lesson_number=2,
        room="214",
        valid_from=cast.year.starts_on,
    )
    body = (
        as_user(cast.guardian)
        .get(reverse("diary:timetable", args=[cast.pupil.pk]))
        .content.decode()
    )

    def item(offset, number):
        day = week.monday + dt.timedelta(days=offset)
        found = re.search(rf'data-testid="tt-{day:%Y%m%d}-{number}">(.*?)</li>', body, re.S)
        assert found, (day, number)
        return found.group(1)

    monday_russian = item(0, 2)
    assert "замена" in monday_russian
    assert cast.subject_teacher.teacher.short_name in monday_russian
    assert f"по расписанию: {cast.class_teacher.teacher.short_name}" in monday_russian
    assert "Урок отменён" in item(1, 2)
    wednesday, thursday = (week.monday + dt.timedelta(days=n) for n in (2, 3))
    assert f"Перенесён на {dateformat.format(thursday, 'j E')}, 4-й урок" in item(2, 3)
    assert f"Перенесён с {dateformat.format(wednesday, 'j E')}, 3-й урок" in item(3, 4)
    friday = item(4, 2)
    assert "Русский язык" in friday and "214" in friday
    assert "Чужая тема группы" not in body and "7А англ. 2" not in body


# --- The calendar feed ---------------------------------------------------------------------


def test_a_guardian_creates_replaces_and_revokes_the_feed(as_user, cast):
    client = as_user(cast.guardian)
    url = reverse("diary:feed_settings", args=[cast.pupil.pk])

    def create() -> str:
        page = client.post(url, {"action": "create"}, follow=True).content.decode()
        return re.search(r'value="[^"]*/feed/([^"/]+)\.ics"', page).group(1)

    first = create()
    assert client.get(reverse("diary:feed", args=[cast.pupil.pk, first])).status_code == 200
    # The address shown once also as a webcal:// link, with a copy button and instructions.
    page = client.post(url, {"action": "create"}, follow=True).content.decode()
    token = re.search(r'value="[^"]*/feed/([^"/]+)\.ics"', page).group(1)
    feed_path = reverse("diary:feed", args=[cast.pupil.pk, token])
    assert f'href="webcal://testserver{feed_path}"' in page
    assert 'data-copy-target="feed-url"' in page and "/static/js/copy.js" in page
    assert "iPhone" in page and "Android" in page
    first = token
    second = create()
    assert second != first
    old = reverse("diary:feed", args=[cast.pupil.pk, first])
    assert client.get(old).status_code == 404
    client.post(url, {"action": "revoke"})
    assert not CalendarFeed.objects.active().exists()
    assert client.get(reverse("diary:feed", args=[cast.pupil.pk, second])).status_code == 404


def test_the_feed_is_valid_icalendar_with_escaped_text(client, cast):
    sm.BellSchedule.objects.create(
        school=cast.school, lesson_number=2, starts_at=dt.time(9, 25), ends_at=dt.time(10, 10)
    )
    cast.lesson.topic = "Дроби; сложение, вычитание\\деление\nи ещё <b>"
    cast.lesson.save(update_fields=["topic"])
    sm.Holiday.objects.create(
        school=cast.school,
        year=cast.year,
        name="Зимние каникулы",
        starts_on=dt.date(cast.year.starts_on.year, 12, 29),
        ends_on=dt.date(cast.year.starts_on.year + 1, 1, 11),
    )
    feed = CalendarFeed.objects.create(school=cast.school, user=cast.guardian, student=cast.pupil)
    response = client.get(reverse("diary:feed", args=[cast.pupil.pk, feed.token]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    text = raw.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "Дроби\\; сложение\\, вычитание\\\\деление\\nи ещё <b>" in unfolded
    # 09:25 Moscow is 06:25 UTC.
    assert f"DTSTART:{cast.lesson.date:%Y%m%d}T062500Z" in unfolded
    assert "SUMMARY:Каникулы: Зимние каникулы" in unfolded
    assert f"DTEND;VALUE=DATE:{cast.year.starts_on.year + 1}0112" in unfolded
    assert unfolded.count("BEGIN:VEVENT") == unfolded.count("END:VEVENT") == 2


@pytest.mark.parametrize("scale", [1, 10])
@pytest.mark.parametrize(
    ("name", "budget"),
    [
        ("diary:marks", 7),  # the chart of marks by period and the absences: an aggregate each
        ("diary:finals", 3),
        ("diary:timetable", 3),
        ("diary:calendar", 5),
        ("diary:teachers", 4),
        ("diary:remarks", 4),
    ],
)
def test_each_page_runs_a_fixed_number_of_queries(
    as_user, cast, name, budget, scale, django_assert_max_num_queries
):
    for n in range(5 * scale):
        day = cast.period.starts_on + dt.timedelta(days=n % 30)
        m = mark(cast, cast.pupil, str(2 + n % 4), cast.control if n % 4 == 0 else cast.answer, day)
        f.FinalMarkFactory(
            period=cast.period,
            student=cast.pupil,
            subject=f.SubjectFactory(school=cast.school, name=f"Предмет {n}"),
            published_at=timezone.now(),
        )
        jm.Remark.objects.create(
            school=cast.school,
            student=cast.pupil,
            lesson=m.lesson,
            kind="message",
            text=f"Сообщение {n}",
            author=cast.subject_teacher,
        )
    client = as_user(cast.guardian)
    with django_assert_max_num_queries(budget + 2):  # + session and user
        response = client.get(reverse(name, args=[cast.pupil.pk]))
    assert response.status_code == 200


def test_the_feed_carries_the_periods_control_works(client, cast):
    cast.period.ends_on = cast.today + dt.timedelta(days=120)
    cast.period.save(update_fields=["ends_on"])
    far = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.russian,
        teacher=cast.class_teacher.teacher,
        date=cast.today + dt.timedelta(days=100),
        lesson_number=3,
        work_type=cast.control,
    )
    feed = CalendarFeed.objects.create(school=cast.school, user=cast.guardian, student=cast.pupil)
    text = client.get(reverse("diary:feed", args=[cast.pupil.pk, feed.token])).content.decode()
    unfolded = text.replace("\r\n ", "")
    assert f"UID:lesson-{far.pk}@ednevnik" in unfolded
    assert "SUMMARY:Русский язык: Контрольная работа" in unfolded


def test_messages_to_parents_are_for_the_parents_only(as_user, cast, week):
    """The student's own account sees remarks and recommendations, not messages to parents;
    both pages say who sees what."""
    for kind, text in [("message", "Прошу зайти в школу"), ("recommendation", "Читать больше")]:
        jm.Remark.objects.create(
            school=cast.school,
            student=cast.pupil,
            lesson=week.lessons[0],
            kind=kind,
            text=text,
            author=cast.class_teacher,
        )
    url = reverse("diary:week", args=[cast.pupil.pk, week.monday])
    remarks_url = reverse("diary:remarks", args=[cast.pupil.pk])
    parent = as_user(cast.guardian)
    for page in (parent.get(url), parent.get(remarks_url)):
        body = page.content.decode()
        assert "Прошу зайти в школу" in body and "Читать больше" in body
    student = as_user(cast.student)
    for page in (student.get(f"{url}?day={week.monday.isoformat()}"), student.get(remarks_url)):
        body = page.content.decode()
        assert "Читать больше" in body
        assert "Прошу зайти в школу" not in body
    assert "только родители" in student.get(remarks_url).content.decode()
    assert "только родители" in parent.get(remarks_url).content.decode()


def test_the_marks_page_is_one_table_a_row_per_subject(as_user, cast):
    day = cast.period.starts_on
    mark(cast, cast.pupil, "5", cast.answer, day)
    mark(cast, cast.pupil, "3", cast.answer, day + dt.timedelta(days=1))
    _absence(cast, cast.pupil, day + dt.timedelta(days=1), cast.russian, "absent")
    body = as_user(cast.guardian).get(reverse("diary:marks", args=[cast.pupil.pk])).content.decode()
    start = body.index('data-testid="marks-table"')
    table = body[start : body.index("</table>", start)]
    rows = re.findall(r'<tr class="subject-marks">.*?</tr>', table, flags=re.S)
    assert [re.search(r'<th scope="row"[^>]*>([^<]+)</th>', r).group(1) for r in rows] == [
        "Математика",
        "Русский язык",
    ]
    math, russian = rows
    # The marks with their dates, the average and the forecast on the subject's own row.
    assert day.strftime("%d.%m") in math and (day + dt.timedelta(days=1)).strftime("%d.%m") in math
    assert 'data-testid="average">4' in math
    assert re.search(r'data-testid="missed">1 <span class="hint">\(н 1, б 0, у 0\)', russian)
    # Every cell says what it is on a phone, where the header row is not shown.
    assert math.count("data-label=") == 4


def test_fives_fours_and_threes_have_colours_of_their_own():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/css/diary.css").read_text()
    colours = {
        mark: re.search(rf"\.mark__value--{mark} \{{ color: (#[0-9a-f]{{6}}); \}}", css).group(1)
        for mark in ("5", "4", "3")
    }
    assert len(set(colours.values())) == 3, colours
