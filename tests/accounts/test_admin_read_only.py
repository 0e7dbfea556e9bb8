"""Consent, its history and the access log, and the journal's lessons, marks, attendance,
homework and remarks are read-only in the Django admin: they change only through their own
pages and services. Looking at consent, contacts and the outbox there is in the access log."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from consent.models import AccessLogEntry, Consent, ContactPoint
from journal import models as jm
from notifications.models import OutboxMessage
from tests import factories as f

READ_ONLY = [
    Consent,
    ContactPoint,
    AccessLogEntry,
    jm.Lesson,
    jm.Mark,
    jm.Attendance,
    jm.Homework,
    jm.Remark,
    OutboxMessage,
]


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m._meta.label)
def test_the_admin_may_look_but_not_add_change_or_delete(cast, model):
    model_admin = site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = cast.school_admin
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_a_consent_decision_cannot_be_changed_in_the_admin(as_user, cast):
    consent = Consent.objects.filter(student=cast.pupil).get()
    client = as_user(cast.school_admin)
    url = reverse("admin:consent_consent_change", args=[consent.pk])
    response = client.post(
        url,
        {
            "school": cast.school.pk,
            "guardian": consent.guardian_id,
            "student": consent.student_id,
            "purpose": consent.purpose,
            "decision": "refusal",
            "form": consent.form,
            "decided_on": consent.decided_on.isoformat(),
        },
    )
    assert response.status_code == 403
    consent.refresh_from_db()
    assert consent.decision == "consent"


def test_no_consent_is_added_through_the_admin(as_user, cast):
    response = as_user(cast.school_admin).get(reverse("admin:consent_consent_add"))
    assert response.status_code == 403


def test_a_remark_cannot_be_written_in_another_teachers_name(as_user, cast):
    response = as_user(cast.school_admin).post(
        reverse("admin:journal_remark_add"),
        {
            "school": cast.school.pk,
            "lesson": cast.lesson.pk,
            "student": cast.pupil.pk,
            "author": cast.subject_teacher.pk,
            "kind": "note",
            "text": "Forged",
        },
    )
    assert response.status_code == 403
    assert not jm.Remark.objects.filter(text="Forged").exists()


def test_a_lesson_cannot_be_changed_in_the_admin(as_user, cast):
    url = reverse("admin:journal_lesson_change", args=[cast.lesson.pk])
    client = as_user(cast.school_admin)
    assert client.get(url).status_code == 200  # a read-only view
    assert client.post(url, {"topic": "changed"}).status_code == 403
    cast.lesson.refresh_from_db()
    assert cast.lesson.topic != "changed"


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("admin:consent_consent_changelist", None),
        ("admin:consent_contactpoint_changelist", "contact"),
        ("admin:notifications_outboxmessage_changelist", "message"),
    ],
)
def test_looking_at_consent_contacts_and_the_outbox_is_logged(as_user, cast, url_name, make):
    guardian = cast.pupil.guardian_links.get().guardian
    if make == "contact":
        ContactPoint.objects.create(
            school=cast.school,
            guardian=guardian,
            kind="phone",
            value="+79001234567",
            source="application",
            recorded_by=cast.school_admin,
        )
    if make == "message":
        OutboxMessage.objects.create(
            school=cast.school,
            guardian=guardian,
            student=cast.pupil,
            channel="email",
            recipient="mama@example.org",
            body="Оценка",
            dedupe_key="test-1",
        )
    response = as_user(cast.school_admin).get(reverse(url_name))
    assert response.status_code == 200
    assert AccessLogEntry.objects.filter(student=cast.pupil, viewer=cast.school_admin).exists()
    if make == "contact":  # the phone as people write it, not as it is stored
        page = response.content.decode()
        assert "+7 900 123-45-67" in page and "+79001234567" not in page


def test_an_uploaded_scan_is_judged_by_its_content_not_its_name(as_user, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from school.models import GuardianStudent

    link = GuardianStudent.objects.get(student=cast.pupil_no_consent)
    disguised = SimpleUploadedFile(
        "scan.pdf", b"<html><script>alert(1)</script>", "application/pdf"
    )
    response = as_user(cast.school_admin).post(
        reverse("consent:record", args=[link.pk]),
        {
            "purpose": "diary",
            "decision": "consent",
            "form": "paper",
            "decided_on": cast.today.isoformat(),
            "document": disguised,
        },
    )
    assert response.status_code == 400
    assert "PDF, JPEG или PNG" in response.content.decode()
    assert not Consent.objects.filter(student=cast.pupil_no_consent).exists()


def test_a_real_scan_named_wrongly_is_stored_as_what_it_is(as_user, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from school.models import GuardianStudent

    link = GuardianStudent.objects.get(student=cast.pupil_no_consent)
    png = SimpleUploadedFile(
        "photo.exe", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "application/x-msdownload"
    )
    response = as_user(cast.school_admin).post(
        reverse("consent:record", args=[link.pk]),
        {
            "purpose": "diary",
            "decision": "consent",
            "form": "paper",
            "decided_on": cast.today.isoformat(),
            "document": png,
        },
    )
    assert response.status_code == 302
    stored = Consent.objects.get(student=cast.pupil_no_consent)
    assert stored.document.name.endswith(".png")


def test_every_model_registered_read_only_is_still_scoped_and_listed(as_user, cast):
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil)
    client = as_user(cast.school_admin)
    for model in READ_ONLY:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
