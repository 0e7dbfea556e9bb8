"""The summary sheet and the statistics as PDFs through the generated files, and as XLSX and
CSV with formula injection neutralised."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from extracts.models import FileStatus, GeneratedFile
from extracts.spreadsheets import safe_cell, to_csv
from extracts.tables import Table

from .conftest import flat, pdf_text


@pytest.mark.parametrize("value", ["=1+1", "+7900", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_would_be_a_formula_stays_text(value):
    assert safe_cell(value) == "'" + value


def test_csv_is_utf8_with_a_bom_and_semicolons():
    body = to_csv([Table("Т", ["Имя", "Отметка"], [['=HYPERLINK("x")', "5"]])])
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert "Имя;Отметка" in text and "'=HYPERLINK" in text


def test_the_summary_sheet_as_pdf_xlsx_and_csv(
    cast, journal, as_user, django_capture_on_commit_callbacks, tmp_path
):
    cast.pupil.last_name = "=cmd|' /C calc'!A0"
    cast.pupil.save(update_fields=["last_name"])
    client = as_user(cast.class_teacher)
    url = reverse("extracts:summary_pdf", args=[cast.class_7a.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    generated = GeneratedFile.objects.get(kind="summary_sheet")
    assert generated.status == FileStatus.READY, generated.error
    content = b"".join(
        client.get(reverse("extracts:download", args=[generated.pk])).streaming_content
    )
    text = flat(pdf_text(content, tmp_path))
    assert "Сводная ведомость 7 «А»" in text and "Математика" in text

    xlsx = client.get(reverse("extracts:summary_export", args=[cast.class_7a.pk, "xlsx"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert any(n.startswith("'=cmd") for n in names)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    csv = client.get(reverse("extracts:summary_export", args=[cast.class_7a.pk, "csv"]))
    assert csv.content.startswith("\ufeff".encode()) and b";" in csv.content
    assert (
        client.get(reverse("extracts:summary_export", args=[cast.class_7a.pk, "ods"])).status_code
        == 404
    )


def test_the_summary_sheet_of_another_class_is_404_and_families_403(cast, as_user):
    url = reverse("extracts:summary_export", args=[cast.class_7a.pk, "csv"])
    assert as_user(cast.other_teacher).get(url).status_code == 404
    assert as_user(cast.guardian).get(url).status_code == 403


def test_the_statistics_as_pdf_and_spreadsheets_for_leaders_only(
    cast, journal, as_user, django_capture_on_commit_callbacks, tmp_path
):
    client = as_user(cast.deputy_head)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("extracts:statistics_pdf")).status_code == 302
    generated = GeneratedFile.objects.get(kind="statistics")
    assert generated.status == FileStatus.READY, generated.error
    content = b"".join(
        client.get(reverse("extracts:download", args=[generated.pk])).streaming_content
    )
    text = flat(pdf_text(content, tmp_path))
    assert "Статистика, Текущая четверть" in text and "Контрольная работа 1 3,00" in text
    for fmt in ("xlsx", "csv"):
        assert client.get(reverse("extracts:statistics_export", args=[fmt])).status_code == 200
    assert (
        as_user(cast.subject_teacher)
        .get(reverse("extracts:statistics_export", args=["csv"]))
        .status_code
        == 403
    )
