"""The export holds everything about one guardian and child from every app, and nothing about
another family (a second family in the same class)."""

import json

import pytest
from django.urls import reverse

from consent.models import PdRequest
from consent.selectors import pd_export_build
from consent.services import access_log_record, pd_request_register
from journal import models as jm
from notifications.models import OutboxMessage
from tests import factories as f
from tests.consent.factories import ContactFactory


@pytest.fixture
def two_families(cast):
    """The cast's `guardian` and `guardian_without_consent` both have a child in 7 «А»."""
    ours, theirs = cast.guardian.guardian, cast.guardian_without_consent.guardian
    for guardian, child, phone, value in [
        (ours, cast.pupil, "+79001110000", "5"),
        (theirs, cast.pupil_no_consent, "+79002220000", "2"),
    ]:
        ContactFactory(guardian=guardian, kind="phone", value=phone)
        f.MarkFactory(lesson=cast.lesson, student=child, value=value)
        jm.Attendance.objects.create(
            school=cast.school,
            lesson=cast.lesson,
            student=child,
            code="absent",
            date=cast.lesson.date,
            created_by=cast.subject_teacher,
        )
        jm.Remark.objects.create(
            school=cast.school,
            student=child,
            lesson=cast.lesson,
            subject=cast.math,
            kind=jm.RemarkKind.choices[0][0],
            text=f"Замечание {value}",
            author=cast.subject_teacher,
        )
        access_log_record(cast.class_teacher, child, "журнал класса")
        OutboxMessage.objects.create(
            school=cast.school,
            guardian=guardian,
            student=child,
            channel="sms",
            recipient=phone,
            body=f"Отметка {value}",
            dedupe_key=f"k-{child.pk}",
        )
    request = pd_request_register(
        registered_by=cast.school_admin, guardian=ours, student=cast.pupil, received_on=cast.today
    )
    return ours, theirs, request


def test_the_export_holds_the_familys_data_from_every_app(cast, two_families):
    ours, _theirs, _request = two_families
    export = pd_export_build(guardian_id=ours.pk, student_id=cast.pupil.pk)
    data = export["data"]
    assert [row["id"] for row in data["school.Guardian"]] == [ours.pk]
    assert [row["id"] for row in data["school.Student"]] == [cast.pupil.pk]
    assert [row["value"] for row in data["journal.Mark"]] == ["5"]
    assert len(data["journal.Attendance"]) == 1
    assert [row["text"] for row in data["journal.Remark"]] == ["Замечание 5"]
    assert len(data["school.Enrollment"]) == 1
    assert [row["value"] for row in data["consent.ContactPoint"]] == ["+79001110000"]
    assert len(data["consent.Consent"]) == 1
    assert len(data["consent.AccessLogEntry"]) == 1
    assert len(data["consent.PdRequest"]) == 1
    assert [row["body"] for row in data["notifications.OutboxMessage"]] == ["Отметка 5"]
    assert {row["username"] for row in data["accounts.User"]} == {"guardian", "student"}
    assert all("password" not in row for row in data["accounts.User"])


def test_the_export_holds_nothing_of_the_other_family(cast, two_families):
    ours, theirs, _request = two_families
    text = json.dumps(pd_export_build(guardian_id=ours.pk, student_id=cast.pupil.pk), default=str)
    for foreign in [
        theirs.last_name,
        cast.pupil_no_consent.last_name,
        "+79002220000",
        "Отметка 2",
        "Замечание 2",
        "guardian_without_consent",
        cast.stranger_child.last_name,
    ]:
        assert foreign not in text, foreign


def test_the_json_and_pdf_exports_are_served_to_the_admin(
    cast, two_families, as_user, django_capture_on_commit_callbacks
):
    from tests.consent.test_pdf import built_pdf

    _ours, theirs, request = two_families
    client = as_user(cast.school_admin)
    response = client.get(reverse("consent:pd_export", args=[request.pk, "json"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert cast.pupil.last_name in body and theirs.last_name not in body
    # The PDF is built by a worker: the link leads to the generated file's page.
    content = built_pdf(
        client,
        reverse("consent:pd_export", args=[request.pk, "pdf"]),
        django_capture_on_commit_callbacks,
    )
    assert content.startswith(b"%PDF")


def test_a_request_is_due_in_ten_working_days(cast, two_families):
    _ours, _theirs, request = two_families
    from consent.dates import add_working_days

    assert request.due_on == add_working_days(cast.today, 10)
    assert PdRequest.objects.get().registered_by == cast.school_admin
