"""The school admin's page of the OneRoster CSV bundle: build and download, upload."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api.bundle import files
from api.bundle.export import bundle_export
from school.models import Student
from tests.signin import sign_in


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test keeps its bundles in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path


def test_the_school_admin_builds_and_downloads_the_school_s_bundle(client, cast):
    sign_in(client, cast.school_admin)
    response = client.post(reverse("api:bundle_export"), {"since": ""})
    assert response.status_code == 302
    [name] = files.names(cast.school.pk)
    page = client.get(reverse("api:bundle"))
    assert page.status_code == 200
    assert name in page.content.decode()
    download = client.get(reverse("api:bundle_download", args=[name]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    users = zipfile.ZipFile(io.BytesIO(content)).read("users.csv").decode()
    assert cast.pupil.last_name in users


def test_another_school_s_admin_gets_a_404_for_this_school_s_bundle(client, cast):
    sign_in(client, cast.school_admin)
    client.post(reverse("api:bundle_export"), {"since": ""})
    [name] = files.names(cast.school.pk)
    sign_in(client, cast.outsider)
    assert client.get(reverse("api:bundle_download", args=[name])).status_code == 404
    assert name not in client.get(reverse("api:bundle")).content.decode()


@pytest.mark.parametrize("persona", ["subject_teacher", "director", "guardian"])
def test_other_roles_get_a_403(client, cast, persona):
    sign_in(client, getattr(cast, persona))
    assert client.get(reverse("api:bundle")).status_code == 403
    assert client.post(reverse("api:bundle_export"), {"since": ""}).status_code == 403
    assert not files.names(cast.school.pk)


def test_the_page_takes_no_put(client, cast):
    sign_in(client, cast.school_admin)
    assert client.put(reverse("api:bundle")).status_code == 405


def test_an_upload_imports_the_bundle_or_lists_its_errors(client, cast):
    sign_in(client, cast.school_admin)
    data = bundle_export(school=cast.school)
    upload = SimpleUploadedFile("bundle.zip", data, content_type="application/zip")
    response = client.post(reverse("api:bundle_import"), {"bundle": upload})
    assert response.status_code == 200
    assert "Пакет загружен" in response.content.decode() or response.context["imported"]
    count = Student.objects.filter(school=cast.school).count()
    broken = SimpleUploadedFile("bundle.zip", b"not a zip", content_type="application/zip")
    response = client.post(reverse("api:bundle_import"), {"bundle": broken})
    assert response.status_code == 422
    assert response.context["errors"]
    assert Student.objects.filter(school=cast.school).count() == count


def test_the_page_s_query_count_does_not_grow_with_the_bundles(
    client, cast, django_assert_max_num_queries
):
    sign_in(client, cast.school_admin)
    for _n in range(3):
        client.post(reverse("api:bundle_export"), {"since": ""})
    with django_assert_max_num_queries(6):
        response = client.get(reverse("api:bundle"))
    assert response.status_code == 200
    assert len(files.names(cast.school.pk)) == 3


def test_the_command_writes_a_delta_bundle(cast, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "delta.zip"
    call_command("oneroster_bundle", cast.school.pk, str(out), "--since", "2000-01-01T00:00:00Z")
    archive = zipfile.ZipFile(out)
    assert "file.users,delta" in archive.read("manifest.csv").decode()
    assert cast.pupil.last_name in archive.read("users.csv").decode()
