"""The deputy head's timetable: lines, bells, generating the year's lessons safely."""

import datetime as dt

import pytest
from django.urls import reverse

from journal import models as jm
from journal import services
from school import models as sm
from tests import factories as f


def monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


@pytest.fixture
def entry(cast):
    return sm.TimetableEntry.objects.create(
        school=cast.school,
        year=cast.year,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        weekday=1,
        lesson_number=3,
        valid_from=cast.year.starts_on,
    )


def test_generating_creates_weekday_lessons_and_skips_holidays(cast, entry):
    start = monday_on_or_after(cast.year.starts_on)
    sm.Holiday.objects.create(
        school=cast.school,
        year=cast.year,
        name="Осенние каникулы",
        starts_on=start + dt.timedelta(days=7),
        ends_on=start + dt.timedelta(days=13),
    )
    # A holiday of grade 1 only does not stop grade 7.
    sm.Holiday.objects.create(
        school=cast.school,
        year=cast.year,
        name="Дополнительные каникулы",
        starts_on=start + dt.timedelta(days=14),
        ends_on=start + dt.timedelta(days=20),
        level_min=1,
        level_max=1,
    )
    created = services.lessons_generate(
        user=cast.deputy_head,
        school=cast.school,
        year=cast.year,
        starts_on=start,
        ends_on=start + dt.timedelta(days=27),
    )
    dates = list(
        jm.Lesson.objects.filter(timetable_entry=entry)
        .order_by("date")
        .values_list("date", flat=True)
    )
    assert created == 3
    assert dates == [start, start + dt.timedelta(days=14), start + dt.timedelta(days=21)]
    assert all(d.isoweekday() == 1 for d in dates)


def test_generating_twice_changes_nothing_and_keeps_taught_lessons(cast, entry):
    start = monday_on_or_after(cast.year.starts_on)
    kwargs = {
        "user": cast.deputy_head,
        "school": cast.school,
        "year": cast.year,
        "starts_on": start,
        "ends_on": start + dt.timedelta(days=13),
    }
    assert services.lessons_generate(**kwargs) == 2
    taught = jm.Lesson.objects.filter(timetable_entry=entry).order_by("date").first()
    taught.topic = "Дроби"
    taught.save(update_fields=["topic"])
    f.MarkFactory(lesson=taught, student=cast.pupil, work_type=cast.answer)
    assert services.lessons_generate(**kwargs) == 0
    assert jm.Lesson.objects.filter(timetable_entry=entry).count() == 2
    taught.refresh_from_db()
    assert taught.topic == "Дроби"
    assert jm.Mark.objects.filter(lesson=taught).count() == 1


def test_ending_a_line_removes_only_untouched_future_lessons(cast, entry):
    start = monday_on_or_after(cast.today)
    services.lessons_generate(
        user=cast.deputy_head,
        school=cast.school,
        year=cast.year,
        starts_on=start,
        ends_on=start + dt.timedelta(days=13),
    )
    first, second = jm.Lesson.objects.filter(timetable_entry=entry).order_by("date")
    jm.Homework.objects.create(
        school=cast.school, lesson=second, text="Задание", created_by=cast.subject_teacher
    )
    removed = services.timetable_entry_end(
        user=cast.deputy_head, entry=entry, last_day=start - dt.timedelta(days=1)
    )
    assert removed == 1
    assert list(jm.Lesson.objects.filter(timetable_entry=entry)) == [second]


def test_the_deputy_head_adds_a_line_and_generates_through_the_page(as_user, cast):
    client = as_user(cast.deputy_head)
    url = reverse("journal:timetable")
    response = client.post(
        reverse("journal:timetable_line_add"),
        {
            "class_group": cast.class_7a.pk,
            "subject": cast.russian.pk,
            "teacher": cast.class_teacher.teacher.pk,
            "weekday": 2,
            "lesson_number": 1,
            "valid_from": cast.year.starts_on.isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(f"{url}?class={cast.class_7a.pk}").content.decode()
    assert "Русский язык" in page and "Вторник" in page
    start = monday_on_or_after(cast.today)
    response = client.post(
        reverse("journal:timetable_generate"),
        {
            "class_group": cast.class_7a.pk,
            "starts_on": start.isoformat(),
            "ends_on": (start + dt.timedelta(days=6)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert jm.Lesson.objects.filter(
        subject=cast.russian, date=start + dt.timedelta(days=1)
    ).exists()


def test_a_clashing_line_gets_a_russian_error(as_user, cast, entry):
    response = as_user(cast.deputy_head).post(
        reverse("journal:timetable_line_add"),
        {
            "class_group": cast.class_7a.pk,
            "subject": cast.russian.pk,
            "teacher": cast.class_teacher.teacher.pk,
            "weekday": 1,
            "lesson_number": 3,
            "valid_from": cast.year.starts_on.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "У класса уже есть урок в это время" in response.content.decode()
    assert sm.TimetableEntry.objects.count() == 1


def test_a_line_for_a_class_of_another_school_is_refused(as_user, cast):
    foreign_class = f.ClassGroupFactory()
    response = as_user(cast.deputy_head).post(
        reverse("journal:timetable_line_add"),
        {
            "class_group": foreign_class.pk,
            "subject": cast.russian.pk,
            "teacher": cast.class_teacher.teacher.pk,
            "weekday": 1,
            "lesson_number": 4,
            "valid_from": cast.year.starts_on.isoformat(),
        },
    )
    assert response.status_code == 400
    assert not sm.TimetableEntry.objects.exists()


def test_ending_a_line_of_another_school_is_404(as_user, cast):
    foreign = f.ClassGroupFactory()
    teacher = f.TeacherFactory(school=foreign.school)
    line = sm.TimetableEntry.objects.create(
        school=foreign.school,
        year=foreign.year,
        class_group=foreign,
        subject=f.SubjectFactory(school=foreign.school),
        teacher=teacher,
        weekday=1,
        lesson_number=1,
        valid_from=foreign.year.starts_on,
    )
    response = as_user(cast.deputy_head).post(reverse("journal:timetable_end", args=[line.pk]))
    assert response.status_code == 404
    line.refresh_from_db()
    assert line.valid_to is None


def test_the_bell_schedule_is_set(as_user, cast):
    client = as_user(cast.deputy_head)
    client.post(
        reverse("journal:timetable_bell"),
        {"lesson_number": 1, "starts_at": "08:30", "ends_at": "09:15"},
    )
    client.post(
        reverse("journal:timetable_bell"),
        {"lesson_number": 1, "starts_at": "08:00", "ends_at": "08:45"},
    )
    bell = sm.BellSchedule.objects.get(school=cast.school)
    assert bell.starts_at == dt.time(8, 0)


def test_the_generate_form_opens_with_dates_a_date_input_accepts(as_user, cast):
    """A date input takes only ISO dates: in Russian the defaults must not render as 01.12.2026
    (the browser would then show both required fields empty)."""
    import re

    client = as_user(cast.deputy_head)
    page = client.get(reverse("journal:timetable"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    values = dict(
        re.findall(r'<input type="date" name="(starts_on|ends_on)" value="([^"]*)"', page)
    )
    assert values == {
        "starts_on": cast.today.isoformat(),
        "ends_on": cast.year.ends_on.isoformat(),
    }, values
    assert cast.today.strftime("%d.%m.%Y") not in page.split('name="starts_on"')[1][:40]


def test_every_date_input_of_the_forms_renders_iso():
    from django.utils import translation

    from consent.forms import ConsentRecordForm
    from extracts.forms import HandOverForm
    from journal.forms import DeferForm, GenerateForm, MoveForm

    day = dt.date(2026, 12, 1)
    with translation.override("ru"):
        assert 'value="2026-12-01"' in str(GenerateForm(initial={"starts_on": day})["starts_on"])
        assert 'value="2026-12-01"' in MoveForm.base_fields["date"].widget.render("date", day)
        assert 'value="2026-12-01"' in str(
            DeferForm.base_fields["due_date"].widget.render("d", day)
        )
        assert 'value="2026-12-01"' in HandOverForm.base_fields["handed_on"].widget.render("h", day)
        widget = ConsentRecordForm.base_fields["decided_on"].widget
        assert 'value="2026-12-01"' in widget.render("decided_on", day)
