"""The journal grid of a class-subject-period as XLSX and CSV: for whoever may see the grid
(its teacher, the class teacher, the school's leaders), 404 for anyone else of the school's
staff and for another school, 403 for families; the same marks, attendance and averages as
the page, formula injection neutralised, a Cyrillic file name."""

import csv
import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories as f


def export_url(cast, fmt: str) -> str:
    return reverse("extracts:journal_class_export", args=[cast.class_7a.pk, cast.math.pk, fmt])


@pytest.fixture
def group(cast):
    from school import models as sm

    group = sm.StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        name="7 «А» математика, 1 группа",
        subject=cast.math,
        class_group=cast.class_7a,
    )
    sm.StudyGroupMembership.objects.create(school=cast.school, group=group, student=cast.pupil)
    sm.TeachingAssignment.objects.create(
        school=cast.school,
        year=cast.year,
        teacher=cast.subject_teacher.teacher,
        subject=cast.math,
        study_group=group,
    )
    return group


def rows_of_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_subject_teacher_gets_the_grid_as_xlsx(
    cast, journal, as_user, django_assert_max_num_queries
):
    client = as_user(cast.subject_teacher)
    with django_assert_max_num_queries(12):
        response = client.get(export_url(cast, "xlsx") + f"?period={cast.period.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=utf-8''" + quote("Журнал Математика, 7 «А»") in disposition
    assert disposition.endswith(".xlsx")
    rows = rows_of_xlsx(response.content)
    header, body = rows[0], {row[0]: row for row in rows[1:]}
    assert header[0] == "Обучающийся" and header[-3:] == [
        "Средневзвешенный балл",
        "Предлагаемая итоговая",
        "Пропуски",
    ]
    pupil = body[cast.pupil.full_name]
    # 5 and 4 (answers, weight 1), 3 (control work, weight 3), absent ill on the second lesson.
    assert [c for c in pupil[1:-3] if c] == ["5", "4 б", "3"]
    assert pupil[-3:] == ["3,60", "4", "1"]
    assert body[cast.sibling_7a.full_name][1] == "2"
    assert any("Контрольная работа" in h or "(" in h for h in header[1:-3])


def test_the_csv_is_utf8_with_a_bom_semicolons_and_no_formulas(cast, journal, as_user):
    cast.pupil.last_name = '=HYPERLINK("http://evil")'
    cast.pupil.save(update_fields=["last_name"])
    response = as_user(cast.subject_teacher).get(export_url(cast, "csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Журнал: Математика, 7 «А», Текущая четверть"]
    assert lines[1][0] == "Обучающийся"
    names = [line[0] for line in lines[2:]]
    assert any(name.startswith("'=HYPERLINK") for name in names)
    assert not any(name.startswith("=") for name in names)


def test_the_class_teacher_and_the_leaders_may_export(cast, journal, as_user):
    for user in (cast.class_teacher, cast.deputy_head, cast.director):
        response = as_user(user).get(export_url(cast, "csv"))
        assert response.status_code == 200, user


def test_a_study_groups_journal_exports_its_members_only(cast, journal, group, as_user):
    url = reverse("extracts:journal_group_export", args=[group.pk, "xlsx"])
    rows = rows_of_xlsx(as_user(cast.subject_teacher).get(url).content)
    assert [row[0] for row in rows[1:]] == [cast.pupil.full_name]
    assert as_user(cast.other_teacher).get(url).status_code == 404


def test_another_teacher_and_another_school_get_404_families_403(cast, journal, as_user):
    url = export_url(cast, "csv")
    assert as_user(cast.other_teacher).get(url).status_code == 404
    teacher_elsewhere = f.TeacherFactory().user
    assert as_user(teacher_elsewhere).get(url).status_code == 404
    for user in (cast.guardian, cast.student, cast.school_admin, cast.outsider):
        assert as_user(user).get(url).status_code == 403, user


def test_an_unknown_format_or_period_is_404(cast, journal, as_user):
    client = as_user(cast.subject_teacher)
    ods = reverse("extracts:journal_class_export", args=[cast.class_7a.pk, cast.math.pk, "ods"])
    assert client.get(ods).status_code == 404
    assert client.get(export_url(cast, "csv") + "?period=987654321").status_code == 404
    assert client.post(export_url(cast, "csv")).status_code == 405


def test_the_grid_page_links_to_the_exports(cast, journal, as_user):
    page = as_user(cast.class_teacher).get(
        reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk])
    )
    html = page.content.decode()
    assert 'data-testid="journal-exports"' in html
    assert f"{export_url(cast, 'xlsx')}?period={cast.period.pk}" in html
    assert f"{export_url(cast, 'csv')}?period={cast.period.pk}" in html
