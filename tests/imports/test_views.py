"""The import pages: the school admin uploads, maps, reads the preview, confirms; others are
refused (a teacher or deputy head 403, another school's admin 404)."""

import pytest
from django.urls import reverse

from imports.models import ImportBatch, ImportKind, ImportStatus
from school.models import Student
from tests.signin import sign_in

from .helpers import csv_file, upload

pytestmark = pytest.mark.django_db

ROWS = [
    ["Фамилия", "Имя", "Отчество", "Дата рождения", "Класс"],
    ["Ёлкина", "Дарья", "Сергеевна", "01.09.2015", "3А"],
    ["Орлов", "Олег", "", "32.01.2015", "3А"],
]


@pytest.fixture
def admin_client(client, cast):
    return sign_in(client, cast.school_admin)


def test_the_admin_uploads_sees_the_preview_and_confirms(
    cast, admin_client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("imports:upload"),
            {"kind": ImportKind.STUDENTS, "file": csv_file(ROWS, encoding="cp1251")},
        )
    assert response.status_code == 302, response.content.decode()[-3000:]
    batch = ImportBatch.objects.get(school=cast.school)
    assert response["Location"] == reverse("imports:batch", args=[batch.pk])
    with django_assert_max_num_queries(12):
        page = admin_client.get(response["Location"])
    body = page.content.decode()
    assert "Ёлкина Дарья Сергеевна, 3 «А»" in body
    assert 'data-testid="error-line-3"' in body
    assert "Дата рождения" in body
    assert "Новый класс 3 «А»." in body
    assert not Student.objects.filter(last_name="Ёлкина").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("imports:confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert Student.objects.filter(last_name="Ёлкина").exists()
    # A second confirmation changes nothing.
    admin_client.post(reverse("imports:confirm", args=[batch.pk]))
    assert Student.objects.filter(last_name="Ёлкина").count() == 1


def test_a_working_batch_reloads_itself(cast, admin_client):
    batch = ImportBatch.objects.create(
        school=cast.school,
        kind=ImportKind.STUDENTS,
        uploaded_by=cast.school_admin,
        file_name="a.csv",
        content=b"x",
        status=ImportStatus.APPLYING,
        progress_total=10,
    )
    body = admin_client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in body
    assert 'data-testid="progress"' in body


def test_unknown_headers_go_to_the_mapping_page(
    cast, admin_client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    rows = [["Surname", "Name", "Form"], ["Зайцева", "Ксения", "2А"]]
    response = admin_client.post(
        reverse("imports:upload"),
        {"kind": ImportKind.STUDENTS, "file": csv_file(rows, delimiter=",")},
    )
    batch = ImportBatch.objects.get(school=cast.school)
    assert response["Location"] == reverse("imports:mapping", args=[batch.pk])
    with django_assert_max_num_queries(10):
        page = admin_client.get(response["Location"])
    assert "Зайцева" in page.content.decode()  # the first lines beside the columns
    bad = admin_client.post(reverse("imports:mapping", args=[batch.pk]), {"col_0": "last_name"})
    assert bad.status_code == 400
    assert "Выберите столбец для" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        good = admin_client.post(
            reverse("imports:mapping", args=[batch.pk]),
            {"col_0": "last_name", "col_1": "first_name", "col_2": "class_name"},
        )
    assert good["Location"] == reverse("imports:batch", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.status, batch.counts["created"]) == (ImportStatus.PREVIEWED, 1)


def test_bad_uploads_are_refused_with_a_russian_message(cast, admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin_client.post(
        reverse("imports:upload"),
        {"kind": ImportKind.STUDENTS, "file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04junk")},
    )
    assert response.status_code == 400
    assert "XLSX" in response.content.decode()
    response = admin_client.post(
        reverse("imports:upload"),
        {
            "kind": ImportKind.TIMETABLE,
            "file": csv_file(ROWS),
            "valid_from": cast.today.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "выберите завтрашний" in response.content.decode().lower()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("persona", ["subject_teacher", "deputy_head", "director", "guardian"])
def test_other_roles_are_refused(cast, client, persona):
    sign_in(client, getattr(cast, persona))
    assert client.get(reverse("imports:index")).status_code == 403
    assert client.post(reverse("imports:upload")).status_code == 403


def test_another_schools_admin_gets_404_for_this_schools_batch(
    cast, client, django_capture_on_commit_callbacks
):
    batch = upload(
        django_capture_on_commit_callbacks, cast.school_admin, ImportKind.STUDENTS, csv_file(ROWS)
    )
    sign_in(client, cast.outsider)
    for name in ("imports:batch", "imports:mapping"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED
    # And the list shows only one's own school's imports.
    assert batch.file_name not in client.get(reverse("imports:index")).content.decode()


def test_wrong_methods(admin_client):
    assert admin_client.get(reverse("imports:upload")).status_code == 405
    assert admin_client.post(reverse("imports:index")).status_code == 405
    assert admin_client.get(reverse("imports:confirm", args=[1])).status_code == 405


def test_the_admin_menu_links_the_import(cast, admin_client):
    body = admin_client.get(reverse("home")).content.decode()
    assert reverse("imports:index") in body


def test_the_index_lists_the_schools_imports_in_a_fixed_number_of_queries(
    cast, admin_client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _n in range(3):
        upload(
            django_capture_on_commit_callbacks,
            cast.school_admin,
            ImportKind.STUDENTS,
            csv_file(ROWS, name="list.csv"),
        )
    with django_assert_max_num_queries(10):
        body = admin_client.get(reverse("imports:index")).content.decode()
    assert body.count("list.csv") == 3


def test_a_file_of_too_many_lines_is_refused_with_a_russian_message(cast, admin_client, settings):
    lines = [ROWS[0]] + [["Иванов", f"Иван{n}", "", "", "3А"] for n in range(25)]
    settings.IMPORT_MAX_ROWS = 20
    response = admin_client.post(
        reverse("imports:upload"), {"kind": ImportKind.STUDENTS, "file": csv_file(lines)}
    )
    assert response.status_code == 400
    assert "не больше 20 строк" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_csv_with_only_carriage_returns_uploads(cast, admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = "\r".join(";".join(cells) for cells in ROWS).encode("cp1251")
    response = admin_client.post(
        reverse("imports:upload"),
        {"kind": ImportKind.STUDENTS, "file": SimpleUploadedFile("x.csv", content)},
    )
    assert response.status_code == 302
    assert ImportBatch.objects.get().progress_total == 2


def test_a_file_of_100_000_lines_is_refused_at_the_default_limit(cast, admin_client):
    lines = [ROWS[0]] + [["Иванов", f"Иван{n}", "", "", "3А"] for n in range(100_000)]
    response = admin_client.post(
        reverse("imports:upload"), {"kind": ImportKind.STUDENTS, "file": csv_file(lines)}
    )
    assert response.status_code == 400
    assert "не больше 10000 строк" in response.content.decode()
    assert not ImportBatch.objects.exists()
