"""The student's paper extract carries what the family sees online, and nothing of anyone
else."""

import pytest
from django.urls import reverse

from extracts.models import ExtractCopy, FileStatus, GeneratedFile

from .conftest import flat, pdf_text


def request_extract(as_user, user, student, period, django_capture_on_commit_callbacks):
    client = as_user(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("extracts:student", args=[student.pk]), {"period": period.pk}
        )
    assert response.status_code == 302
    generated = GeneratedFile.objects.get(requested_by=user)
    assert response["Location"] == reverse("extracts:file", args=[generated.pk])
    return client, generated


@pytest.fixture
def extract(cast, journal, as_user, django_capture_on_commit_callbacks):
    client, generated = request_extract(
        as_user, cast.school_admin, cast.pupil, cast.period, django_capture_on_commit_callbacks
    )
    generated.refresh_from_db()
    assert generated.status == FileStatus.READY, generated.error
    response = client.get(reverse("extracts:download", args=[generated.pk]))
    assert response.status_code == 200
    return generated, b"".join(response.streaming_content), response


def test_the_extract_names_the_student_marks_averages_finals_and_signature_lines(
    cast, extract, tmp_path
):
    _generated, content, _response = extract
    text = flat(pdf_text(content, tmp_path))
    assert cast.pupil.full_name in text
    assert "МБОУ «Средняя школа № 7»" in text
    assert "Выписка из электронного журнала" in text
    # Math: 5 (1), 4 (1), 3 (3) → (5 + 4 + 9) / 5 = 3.60; Russian 5.00.
    assert "Математика 5, 4, 3 3,60 4" in text
    assert "Русский язык 5 5,00 5" in text
    assert "Чтобы выйти на «5»: ещё 9 пятёрок" in text  # what it takes, as in the diary
    assert "Контрольная работа" in text
    assert "Классный руководитель" in text
    assert "Получил" in text
    assert "Текущая четверть Математика 4" in text  # the published final
    assert "отложена до 09.12.2026 (болезнь)" in text  # the deferral with its reason
    assert "Задачи № 101–105" in text
    assert "Повторить дроби" in text


def test_another_students_data_is_not_in_it(cast, extract, tmp_path):
    _generated, content, _response = extract
    text = flat(pdf_text(content, tmp_path))
    assert cast.sibling_7a.last_name not in text
    marks = text.split("Отметки по датам")[1].split("Посещаемость")[0]
    assert "18.11.2026 Математика: 5 Ответ на уроке (1)." in marks
    assert "Математика: 2" not in marks and "5, 4, 3, 2" not in text and "2, 5" not in text


def test_the_download_is_an_attachment_with_a_cyrillic_name_and_no_caching(extract):
    _generated, _content, response = extract
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "%D0%92%D1%8B%D0%BF%D0%B8%D1%81%D0%BA%D0%B0" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_each_extract_is_a_copy_with_a_code_and_a_digest(cast, extract):
    generated, _content, _response = extract
    copy = ExtractCopy.objects.get(generated_file=generated)
    assert copy.student == cast.pupil
    assert len(copy.code) == 10 and len(copy.digest) == 64
