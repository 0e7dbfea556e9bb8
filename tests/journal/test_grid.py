"""The journal grid: what it shows, and a query count that does not grow with the data."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal import models as jm
from school import models as sm
from tests import factories as f

from .conftest import column_data


def _fill(cast, *, students: int, lessons: int, marks_per_cell: int = 1):
    klass = [cast.pupil, cast.sibling_7a, cast.pupil_no_consent]
    for _ in range(students - len(klass)):
        klass.append(
            f.EnrollmentFactory(
                school=cast.school,
                class_group=cast.class_7a,
                year=cast.year,
                student=f.StudentFactory(school=cast.school),
            ).student
        )
    rows = []
    start = cast.period.starts_on
    for n in range(lessons):
        rows.append(
            jm.Lesson(
                school=cast.school,
                class_group=cast.class_7a,
                subject=cast.math,
                teacher=cast.subject_teacher.teacher,
                date=start + dt.timedelta(days=n % 30),
                lesson_number=n // 30 + 3,
                work_type=cast.control if n % 5 == 0 else cast.answer,
                topic=f"Тема {n}",
            )
        )
    made = jm.Lesson.objects.bulk_create(rows)
    marks, absences = [], []
    for lesson in made:
        for i, student in enumerate(klass):
            for slot in range(1, marks_per_cell + 1):
                marks.append(
                    jm.Mark(
                        school=cast.school,
                        lesson=lesson,
                        student=student,
                        slot=slot,
                        value=str(2 + (i + slot) % 4),
                        work_type=lesson.work_type,
                        date=lesson.date,
                        subject=cast.math,
                        created_by=cast.subject_teacher,
                    )
                )
            if i % 7 == 0:
                absences.append(
                    jm.Attendance(
                        school=cast.school,
                        lesson=lesson,
                        student=student,
                        code="absent",
                        date=lesson.date,
                        created_by=cast.subject_teacher,
                    )
                )
    jm.Mark.objects.bulk_create(marks)
    jm.Attendance.objects.bulk_create(absences)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_grid_runs_a_fixed_number_of_queries_at_1x_and_10x_data(
    as_user, cast, grid_url, django_assert_max_num_queries
):
    client = as_user(cast.subject_teacher)
    _fill(cast, students=3, lessons=3)
    small = _count(client, grid_url)
    _fill(cast, students=30, lessons=30, marks_per_cell=2)  # ten times the lessons and marks
    with django_assert_max_num_queries(small):
        response = client.get(grid_url)
    assert response.content.decode().count('class="cell"') >= 30 * 30
    # session, user, scope (with the school, work types, periods and whether the user teaches
    # or leads the class: no query for the teacher profile), students, lessons, marks and
    # attendance (one UNION ALL), the access log (one INSERT)
    assert small <= 7


def test_the_grid_shows_marks_attendance_and_the_weighted_average(as_user, cast, grid_url):
    control = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=cast.today - dt.timedelta(days=1),
        work_type=cast.control,
        topic="Контрольная по дробям",
    )
    f.MarkFactory(lesson=control, student=cast.pupil, value="5")
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="3")
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="pass", slot=2)
    jm.Attendance.objects.create(
        school=cast.school,
        lesson=control,
        student=cast.sibling_7a,
        code="ill",
        date=control.date,
        created_by=cast.subject_teacher,
    )
    page = as_user(cast.subject_teacher).get(grid_url).content.decode()
    # (5 × 3 + 3 × 1) / 4 = 4.50; pass/fail does not count.
    assert f'data-testid="average-{cast.pupil.pk}">4,50<' in page
    assert 'value="3/зач"' in page  # today's lesson is the editable column
    assert "Контрольная работа ×3" in page or "×3" in page
    assert ">б</span>" in page


def test_the_grid_escapes_topics(as_user, cast, grid_url):
    cast.lesson.topic = "<script>alert(1)</script>"
    cast.lesson.save(update_fields=["topic"])
    page = as_user(cast.subject_teacher).get(grid_url).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page


def test_read_only_cells_escape_comments_and_keep_their_markup(as_user, cast, grid_url):
    """The read-only cells (the grid's Jinja2 table): the comment is escaped in the title, and
    the cell reads «5/4» with its attendance code."""
    before = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=cast.today - dt.timedelta(days=1),
        work_type=cast.control,
    )
    f.MarkFactory(lesson=before, student=cast.pupil, value="5", comment='<b>"устно"</b> & Co')
    f.MarkFactory(lesson=before, student=cast.pupil, value="4", slot=2)
    jm.Attendance.objects.create(
        school=cast.school,
        lesson=before,
        student=cast.pupil,
        code="late",
        date=before.date,
        created_by=cast.subject_teacher,
    )
    page = as_user(cast.subject_teacher).get(grid_url).content.decode()
    assert (
        '<td class="cell" title="&lt;b&gt;&#34;устно&#34;&lt;/b&gt; &amp; Co">'
        '5/4 <span class="att att--late">оп</span></td>'
    ) in page
    assert "<b>" not in page
    # today's lesson is still the editable column, between the read-only ones
    assert f'data-testid="mark-{cast.pupil.pk}"' in page


def test_the_header_and_the_edited_column_keep_their_badges_links_and_labels(
    as_user, cast, grid_url
):
    """Header cells and the edited column: badges, links and labels in Russian from the
    catalogue, every value escaped."""

    def lesson(days: int, **kwargs):
        return f.LessonFactory(
            school=cast.school,
            class_group=cast.class_7a,
            subject=cast.math,
            teacher=cast.subject_teacher.teacher,
            date=cast.today - dt.timedelta(days=days),
            work_type=cast.control,
            **kwargs,
        )

    substituted = lesson(1, substitute_teacher=cast.other_teacher.teacher, topic="<i>Дроби</i>")
    cancelled = lesson(2, status="cancelled")
    lesson(3, status="moved")
    client = as_user(cast.subject_teacher)
    page = client.get(grid_url).content.decode()
    last_name = cast.other_teacher.last_name
    assert f'<span class="badge" title="замена">замена: {last_name}</span>' in page
    assert f'title="&lt;i&gt;Дроби&lt;/i&gt;">{substituted.date:%d.%m}</a>' in page
    assert '<span class="visually-hidden">&lt;i&gt;Дроби&lt;/i&gt;</span>' in page
    assert "×3</span>" in page
    assert 'class="journal-grid__lesson is-closed is-cancelled"' in page
    assert '<span class="badge badge--warn">отменён</span>' in page
    assert '<span class="badge">перенесён</span>' in page
    edit_link = f"{grid_url}?period={cast.period.pk}&amp;edit={substituted.pk}"
    assert f'<a class="edit-link" href="{edit_link}">заполнить</a>' in page
    assert f"edit={cancelled.pk}" not in page  # no edit link on a cancelled lesson
    assert 'class="journal-grid__lesson is-editing"' in page  # today's lesson
    assert 'aria-label="Отметка: ' in page and 'aria-label="Посещаемость: ' in page
    assert 'title="Комментарий, изменение или удаление отметки"' in page
    assert f'name="mv-{cast.pupil.pk}"' in page
    # a bad mark: the cell is flagged, the typed text kept (escaped)
    response = client.post(
        grid_url,
        column_data(cast.lesson, {cast.pupil: '7"<b>'}),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="cell cell--edit has-error"' in body
    assert 'value="7&#34;&lt;b&gt;"' in body
    assert f'data-testid="mark-{cast.pupil.pk}" aria-invalid="true"' in body


def test_another_period_of_another_school_is_404(as_user, cast, grid_url):
    foreign = f.PeriodFactory()
    response = as_user(cast.subject_teacher).get(grid_url, {"period": foreign.pk})
    assert response.status_code == 404


def test_a_group_journal_is_for_its_teacher(as_user, cast):
    from django.urls import reverse

    group = sm.StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        name="7А англ. 1",
        subject=cast.russian,
        class_group=cast.class_7a,
    )
    sm.StudyGroupMembership.objects.create(school=cast.school, group=group, student=cast.pupil)
    f.TeachingAssignmentFactory(
        school=cast.school,
        year=cast.year,
        teacher=cast.other_teacher.teacher,
        subject=cast.russian,
        class_group=None,
        study_group=group,
    )
    lesson = f.LessonFactory(
        school=cast.school,
        class_group=None,
        study_group=group,
        subject=cast.russian,
        teacher=cast.other_teacher.teacher,
        date=cast.today,
        work_type=cast.answer,
    )
    url = reverse("journal:grid_group", args=[group.pk])
    assert as_user(cast.other_teacher).get(url).status_code == 200
    assert as_user(cast.class_teacher).get(url).status_code == 200  # homeroom, read-only
    assert as_user(cast.subject_teacher).get(url).status_code == 404
    response = as_user(cast.other_teacher).post(
        url,
        {
            "lesson": lesson.pk,
            f"mark-{cast.pupil.pk}": "4",
            f"mv-{cast.pupil.pk}": "",
            f"av-{cast.pupil.pk}": "0",
        },
    )
    assert response.status_code == 302
    # A student of the class outside the group is a tampered id.
    response = as_user(cast.other_teacher).post(
        url, {"lesson": lesson.pk, f"mark-{cast.sibling_7a.pk}": "4"}
    )
    assert response.status_code == 404
    assert list(jm.Mark.objects.values_list("student_id", flat=True)) == [cast.pupil.pk]


@pytest.mark.parametrize("persona", ["deputy_head", "director", "class_teacher"])
def test_leaders_and_the_class_teacher_open_the_grid(as_user, cast, grid_url, persona):
    assert as_user(getattr(cast, persona)).get(grid_url).status_code == 200
