"""Who may ask for extracts and download them; what the verification code tells whom."""

import datetime as dt

import pytest
from django.urls import reverse

from extracts.models import ExtractCopy, FileStatus, GeneratedFile
from tests import factories as f


def build(client, url, data, callbacks):
    with callbacks(execute=True):
        response = client.post(url, data)
    return response


@pytest.fixture
def made(cast, journal, as_user, django_capture_on_commit_callbacks):
    """A class teacher's extract of Pёtr for the period."""
    client = as_user(cast.class_teacher)
    response = build(
        client,
        reverse("extracts:student", args=[cast.pupil.pk]),
        {"period": cast.period.pk},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    generated = GeneratedFile.objects.get(requested_by=cast.class_teacher)
    assert generated.status == FileStatus.READY, generated.error
    return generated


def test_the_office_and_the_class_teacher_may_ask(cast, journal, as_user):
    for user in (cast.school_admin, cast.class_teacher):
        assert (
            as_user(user).get(reverse("extracts:student", args=[cast.pupil.pk])).status_code == 200
        )
        assert (
            as_user(user).get(reverse("extracts:class", args=[cast.class_7a.pk])).status_code == 200
        )


def test_another_class_teacher_and_another_school_get_404(cast, journal, as_user):
    for user in (cast.other_teacher, cast.subject_teacher):
        client = as_user(user)
        assert client.get(reverse("extracts:student", args=[cast.pupil.pk])).status_code == 404
        assert client.get(reverse("extracts:class", args=[cast.class_7a.pk])).status_code == 404
        assert (
            client.post(reverse("extracts:class_batch", args=[cast.class_7a.pk])).status_code == 404
        )
    outsider = as_user(cast.outsider)
    assert outsider.get(reverse("extracts:student", args=[cast.pupil.pk])).status_code == 404


def test_families_are_the_wrong_role(cast, as_user):
    for user in (cast.guardian, cast.stranger, cast.student):
        response = as_user(user).get(reverse("extracts:student", args=[cast.pupil.pk]))
        assert response.status_code == 403


def test_wrong_method_is_405(cast, as_user):
    client = as_user(cast.school_admin)
    assert client.get(reverse("extracts:class_batch", args=[cast.class_7a.pk])).status_code == 405
    assert client.post(reverse("extracts:index")).status_code == 405


def test_only_the_requester_and_the_office_download(cast, made, as_user):
    url = reverse("extracts:download", args=[made.pk])
    assert as_user(cast.class_teacher).get(url).status_code == 200
    assert as_user(cast.school_admin).get(url).status_code == 200
    for user in (cast.other_teacher, cast.guardian_of_two, cast.stranger, cast.outsider):
        assert as_user(user).get(url).status_code == 404, user
        assert as_user(user).get(reverse("extracts:file", args=[made.pk])).status_code == 404


def test_the_status_page_shows_progress_until_ready(cast, as_user):
    generated = GeneratedFile.objects.create(
        school=cast.school,
        kind="class_batch",
        requested_by=cast.school_admin,
        title="Выписки 7 «А»",
        params={},
        expires_at=cast.school.today() and dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        progress_done=10,
        progress_total=25,
        status=FileStatus.BUILDING,
    )
    client = as_user(cast.school_admin)
    page = client.get(reverse("extracts:file", args=[generated.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "10 из 25" in page and "js/extracts.js" in page
    state = client.get(reverse("extracts:file", args=[generated.pk]), {"format": "json"}).json()
    assert state == {
        "status": "building",
        "done": 10,
        "total": 25,
        "percent": 40,
        "finished": False,
    }


def test_the_code_tells_staff_the_extract_is_unchanged_then_changed(cast, journal, made, as_user):
    copy = ExtractCopy.objects.get(generated_file=made)
    url = reverse("extracts:verify", args=[copy.code])
    page = as_user(cast.subject_teacher).get(url)
    assert page.status_code == 200
    assert 'data-unchanged="yes"' in page.content.decode()
    assert cast.pupil.full_name in page.content.decode()
    mark = journal["marks"][1]
    mark.value = "5"
    mark.save(update_fields=["value"])
    page = as_user(cast.subject_teacher).get(url).content.decode()
    assert 'data-unchanged="no"' in page


def test_the_code_tells_families_and_other_schools_nothing(cast, made, as_user):
    copy = ExtractCopy.objects.get(generated_file=made)
    url = reverse("extracts:verify", args=[copy.code])
    for user in (cast.guardian, cast.stranger, cast.student, cast.outsider):
        assert as_user(user).get(url).status_code == 404, user
    assert (
        as_user(cast.school_admin).get(reverse("extracts:verify", args=["ZZZZZZZZZZ"])).status_code
        == 404
    )


def test_expired_files_are_removed_and_the_row_stays(cast, made, clock):
    from extracts.services import files_expire

    assert made.file
    clock.move_to(made.expires_at + dt.timedelta(minutes=1))
    assert files_expire() == 1
    made.refresh_from_db()
    assert not made.file and made.file_removed_at and not made.downloadable


def test_a_failed_build_keeps_its_error(cast, as_user, django_capture_on_commit_callbacks):
    from extracts.services import file_request

    with django_capture_on_commit_callbacks(execute=True):
        generated = file_request(
            requested_by=cast.school_admin,
            kind="class_batch",
            title="x",
            params={"period_id": 999999, "student_ids": [cast.pupil.pk]},
        )
    generated.refresh_from_db()
    assert generated.status == FileStatus.FAILED and "DoesNotExist" in generated.error


def test_a_second_student_of_another_school_is_not_found(cast, as_user):
    other = f.StudentFactory()
    assert (
        as_user(cast.school_admin).get(reverse("extracts:student", args=[other.pk])).status_code
        == 404
    )


def test_the_class_and_file_pages_have_a_fixed_number_of_queries(
    cast, made, as_user, django_assert_max_num_queries
):
    client = as_user(cast.school_admin)
    with django_assert_max_num_queries(22):
        assert client.get(reverse("extracts:class", args=[cast.class_7a.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("extracts:file", args=[made.pk])).status_code == 200
