"""The grid's column: attendance typed as a mark («н»), columns closed with their reason, and
the column POST's statements (the save's own, nothing read before it)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from journal import models as jm
from journal import services
from journal.services import CellInput
from tests import factories as f

from .conftest import column_data

TRANSACTION = ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT")


@pytest.mark.parametrize(
    ("typed", "code"),
    [("н", "absent"), ("Н", "absent"), ("б", "ill"), ("у", "excused"), ("оп", "late")],
)
def test_an_attendance_code_typed_in_the_mark_cell_is_saved_as_attendance(
    as_user, cast, grid_url, typed, code
):
    response = as_user(cast.subject_teacher).post(
        grid_url, column_data(cast.lesson, {cast.pupil: typed, cast.sibling_7a: "5"})
    )
    assert response.status_code == 302
    assert jm.Attendance.objects.get(lesson=cast.lesson, student=cast.pupil).code == code
    assert not jm.Mark.objects.filter(student=cast.pupil).exists()
    assert jm.Mark.objects.get(student=cast.sibling_7a).value == "5"
    change = jm.MarkChange.objects.get(entity="attendance")
    assert (change.action, change.student_id) == ("create", cast.pupil.pk)


def test_н_typed_over_a_mark_replaces_it_and_the_typed_code_wins_over_the_list(
    as_user, cast, grid_url
):
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="4")
    data = column_data(cast.lesson, {cast.pupil: ("н", "ill")})
    response = as_user(cast.subject_teacher).post(grid_url, data)
    assert response.status_code == 302
    assert jm.Attendance.objects.get(student=cast.pupil).code == "absent"
    assert not jm.Mark.objects.filter(student=cast.pupil).exists()
    assert jm.MarkChange.objects.filter(entity="mark", action="delete").count() == 1
    # The grid reads it back as an absence in the list and an empty mark.
    page = as_user(cast.subject_teacher).get(response["Location"]).content.decode()
    assert f'name="mark-{cast.pupil.pk}" value=""' in page
    assert '<option value="absent" selected>н</option>' in page


def test_a_fail_is_still_a_mark_and_a_stray_letter_is_refused(as_user, cast, grid_url):
    client = as_user(cast.subject_teacher)
    response = client.post(grid_url, column_data(cast.lesson, {cast.pupil: "н/з"}))
    assert response.status_code == 302
    assert jm.Mark.objects.get(student=cast.pupil).value == "fail"
    assert not jm.Attendance.objects.exists()
    response = client.post(grid_url, column_data(cast.lesson, {cast.sibling_7a: "нн"}))
    assert response.status_code == 400
    assert "не отметка" in response.content.decode()


def _lesson(cast, days: int, **kwargs):
    return f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=cast.today + dt.timedelta(days=days),
        work_type=cast.answer,
        **kwargs,
    )


def _header(page: str, lesson) -> str:
    start = page.index(f'data-testid="column-{lesson.pk}"')
    return page[page.rindex("<th", 0, start) : page.index("</th>", start)]


def test_columns_that_cannot_be_saved_are_closed_with_the_saves_own_reason(as_user, cast, grid_url):
    window = cast.school.edit_window_days
    assert cast.period.starts_on <= cast.today - dt.timedelta(days=window + 1)
    tomorrow = _lesson(cast, 1)
    old = _lesson(cast, -(window + 1))
    cancelled = _lesson(cast, -1, status="cancelled")
    recent = _lesson(cast, -1, lesson_number=5)
    page = as_user(cast.subject_teacher).get(grid_url).content.decode()
    for lesson, reason in (
        (tomorrow, "ещё не прошёл"),
        (old, f"({window} дн.)"),
        (cancelled, "отменён"),
    ):
        header = _header(page, lesson)
        assert "is-closed" in header and 'title="' in header, header
        assert reason in header, (reason, header)
        assert "edit-link" not in header
    assert "is-closed" not in _header(page, recent)
    assert "edit-link" in _header(page, recent)
    assert page.count('<col class="col--closed">') == 3
    # The deputy head corrects after the edit window (the form asks the reason): open.
    page = as_user(cast.deputy_head).get(grid_url).content.decode()
    assert "is-closed" not in _header(page, old)
    assert "is-closed" in _header(page, tomorrow)


def test_a_closed_column_asked_for_by_its_address_is_not_opened_for_editing(
    as_user, cast, grid_url
):
    tomorrow = _lesson(cast, 1)
    page = as_user(cast.subject_teacher).get(f"{grid_url}?edit={tomorrow.pk}").content.decode()
    assert 'class="journal-grid__lesson is-editing"' in _header(page, cast.lesson)
    assert f'name="lesson" value="{cast.lesson.pk}"' in page


def test_in_a_closed_period_every_column_is_closed_for_the_teacher(as_user, cast, grid_url):
    cast.period.closed_at = timezone.now()
    cast.period.save(update_fields=["closed_at"])
    page = as_user(cast.subject_teacher).get(grid_url).content.decode()
    header = _header(page, cast.lesson)
    assert "is-closed" in header and "Отчётный период закрыт" in header
    assert 'id="column-form"' not in page and "mark-input" not in page


def _class_of(cast, size: int):
    students = [cast.pupil, cast.sibling_7a, cast.pupil_no_consent]
    while len(students) < size:
        students.append(
            f.EnrollmentFactory(
                class_group=cast.class_7a, student=f.StudentFactory(school=cast.school)
            ).student
        )
    return students


def _statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("size", [3, 25])
def test_the_column_post_runs_the_saves_statements_and_nothing_before_them(
    as_user, cast, grid_url, size
):
    """Changing every mark of a column in one POST: the session, the user and the save (its
    transaction, the lock that is also the access check, the records, one UPDATE, the history)
    — 8 statements, the same for 3 pupils as for 25; nothing of the journal read before."""
    students = _class_of(cast, size)
    services.marks_save_column(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        cells=[CellInput(student_id=s.pk, marks=("5",)) for s in students],
    )
    client = as_user(cast.subject_teacher)
    client.get(grid_url)
    data = column_data(
        cast.lesson,
        dict.fromkeys(students, "4"),
        extra={"work_type": str(cast.answer.pk), "period": str(cast.period.pk)},
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.post(grid_url, data)
    assert response.status_code == 302
    sql = _statements(queries)
    assert len(sql) <= 8, "\n".join(s[:120] for s in sql)
    assert not any("school_teacher" in s.split("WHERE")[0] for s in sql)
    assert set(jm.Mark.objects.values_list("value", flat=True)) == {"4"}
    assert response["Location"].endswith(f"?period={cast.period.pk}&edit={cast.lesson.pk}")


def test_the_save_service_runs_at_most_six_statements_for_a_changed_column(cast):
    students = _class_of(cast, 25)
    services.marks_save_column(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        cells=[CellInput(student_id=s.pk, marks=("5",)) for s in students],
    )
    cells = [CellInput(student_id=s.pk, marks=("3",), mark_versions={1: 1}) for s in students]
    with CaptureQueriesContext(connection) as queries:
        services.marks_save_column(user=cast.subject_teacher, lesson=cast.lesson, cells=cells)
    sql = _statements(queries)
    assert len(sql) <= 6, "\n".join(s[:120] for s in sql)


def test_the_column_post_refuses_a_teacher_of_another_journal_and_writes_nothing(
    as_user, cast, grid_url
):
    # The other teacher teaches in the school but not this class's mathematics: 404.
    data = column_data(cast.lesson, {cast.pupil: "5"})
    assert as_user(cast.other_teacher).post(grid_url, data).status_code == 404
    # A guardian is the wrong role: 403.
    assert as_user(cast.guardian).post(grid_url, data).status_code == 403
    # The lesson of another school's journal through this journal's address: 404.
    foreign = f.LessonFactory()
    data = column_data(foreign, {cast.pupil: "5"})
    assert as_user(cast.subject_teacher).post(grid_url, data).status_code == 404
    assert not jm.Mark.objects.exists()
