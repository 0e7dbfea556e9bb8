"""The class teacher's overview: pupils × subjects with averages, absences by kind in the
period, and the pupils heading for a «2»."""

from django.urls import reverse

from journal import models as jm
from tests import factories as f
from tests.reports.helpers import give_marks


def overview_url(cast, klass=None):
    return reverse("journal:class_overview", args=[(klass or cast.class_7a).pk])


def absent(cast, student, code):
    jm.Attendance.objects.create(
        school=cast.school,
        lesson=cast.lesson,
        student=student,
        code=code,
        date=cast.lesson.date,
        created_by=cast.subject_teacher,
    )


def test_the_class_teacher_sees_averages_absences_and_pupils_at_risk(
    as_user, cast, django_assert_max_num_queries
):
    give_marks(cast, cast.pupil, [("2", cast.answer), ("2", cast.answer), ("3", cast.answer)])
    give_marks(cast, cast.sibling_7a, [("5", cast.answer), ("4", cast.answer)])
    absent(cast, cast.pupil, "ill")
    client = as_user(cast.class_teacher)
    client.get(overview_url(cast))
    with django_assert_max_num_queries(20):
        page = client.get(overview_url(cast))
    assert page.status_code == 200
    body = page.content.decode()
    risk = body[body.index("Ученики в зоне риска") : body.index('data-testid="class-overview"')]
    assert cast.pupil.short_name in risk and "Математика" in risk
    assert cast.sibling_7a.short_name not in risk
    table = body[body.index('data-testid="class-overview"') :]
    row = table[table.index(cast.sibling_7a.short_name) :]
    assert "4,50" in row[: row.index("</tr>")] or "4.50" in row[: row.index("</tr>")]
    pupil_row = table[table.index(cast.pupil.short_name) :]
    pupil_row = pupil_row[: pupil_row.index("</tr>")]
    assert pupil_row.count('<td class="num">1</td>') == 1  # one day ill


def test_the_query_count_does_not_grow_with_the_class(as_user, cast, django_assert_max_num_queries):
    client = as_user(cast.class_teacher)
    client.get(overview_url(cast))
    for _ in range(10):
        student = f.EnrollmentFactory(
            school=cast.school,
            class_group=cast.class_7a,
            year=cast.year,
            student=f.StudentFactory(school=cast.school),
        ).student
        give_marks(cast, student, [("4", cast.answer)])
        absent(cast, student, "absent")
    with django_assert_max_num_queries(20):
        assert client.get(overview_url(cast)).status_code == 200


def test_the_overview_is_the_class_teachers_and_the_leaders(as_user, cast):
    assert as_user(cast.director).get(overview_url(cast)).status_code == 200
    assert as_user(cast.deputy_head).get(overview_url(cast)).status_code == 200
    assert as_user(cast.subject_teacher).get(overview_url(cast)).status_code == 404
    assert as_user(cast.class_teacher).get(overview_url(cast, cast.class_5b)).status_code == 404
    assert as_user(cast.guardian).get(overview_url(cast)).status_code == 403
    assert as_user(cast.class_teacher).post(overview_url(cast)).status_code == 405
    foreign = f.ClassGroupFactory()
    assert as_user(cast.director).get(overview_url(cast, foreign)).status_code == 404
