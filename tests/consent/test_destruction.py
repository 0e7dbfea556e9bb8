"""Consent-based data (contacts) is destroyed 30 days after the last electronic consent was
withdrawn, with a record of it; running the command twice destroys and records nothing more."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from consent.models import Consent, ContactPoint, Destruction, Purpose
from consent.services import consent_based_data_destroy
from journal.models import Mark
from notifications.models import OutboxMessage
from tests import factories as f
from tests.consent.factories import ContactFactory


@pytest.fixture
def withdrawn_family(cast):
    guardian = cast.guardian.guardian
    ContactFactory(guardian=guardian, kind="phone", value="+79001234567")
    ContactFactory(guardian=guardian, kind="email", value="mama@example.ru")
    ContactFactory(guardian=cast.stranger.guardian, kind="phone", value="+79009999999")
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil)
    OutboxMessage.objects.create(
        school=cast.school,
        guardian=guardian,
        student=cast.pupil,
        channel="sms",
        recipient="+79001234567",
        body="Математика: 5",
        dedupe_key="sent-1",
        status="sent",
    )
    Consent.objects.filter(guardian=guardian).update(
        withdrawn_on=cast.today - dt.timedelta(days=31)
    )
    return guardian


def test_contacts_are_destroyed_after_thirty_days_and_recorded(cast, withdrawn_family):
    records = consent_based_data_destroy(school_id=cast.school.pk, today=cast.today)
    assert [(r.model_label, r.rows, r.guardian_id) for r in records] == [
        ("consent.ContactPoint", 2, withdrawn_family.pk),
        ("notifications.OutboxMessage", 1, withdrawn_family.pk),
    ]
    assert not ContactPoint.objects.filter(guardian=withdrawn_family).exists()
    assert not OutboxMessage.objects.filter(guardian=withdrawn_family).exists()
    assert ContactPoint.objects.filter(guardian=cast.stranger.guardian).exists()
    assert Mark.objects.filter(student=cast.pupil).exists()  # journal records are never deleted
    assert Consent.objects.filter(guardian=withdrawn_family).exists()  # nor the decisions


def test_not_before_thirty_days(cast, withdrawn_family):
    Consent.objects.filter(guardian=withdrawn_family).update(
        withdrawn_on=cast.today - dt.timedelta(days=29)
    )
    assert consent_based_data_destroy(school_id=cast.school.pk, today=cast.today) == []
    assert ContactPoint.objects.filter(guardian=withdrawn_family).count() == 2


def test_not_while_another_electronic_consent_is_in_force(cast, withdrawn_family):
    f.ConsentFactory(
        school=cast.school,
        guardian=withdrawn_family,
        student=cast.pupil,
        purpose=Purpose.SMS,
        decided_on=cast.today - dt.timedelta(days=40),
    )
    assert consent_based_data_destroy(school_id=cast.school.pk, today=cast.today) == []


def test_the_command_is_idempotent(cast, withdrawn_family):
    out = StringIO()
    call_command("destroy_withdrawn_data", stdout=out)
    assert "consent.ContactPoint × 2" in out.getvalue()
    call_command("destroy_withdrawn_data", stdout=StringIO())
    assert Destruction.objects.count() == 2
    record = Destruction.objects.get(model_label="consent.ContactPoint")
    assert record.guardian_name == withdrawn_family.full_name


def test_the_daily_task_runs_the_same_service_once(cast, withdrawn_family):
    from consent.tasks import destroy_withdrawn_data_task

    assert destroy_withdrawn_data_task() == 2
    assert destroy_withdrawn_data_task() == 0
    assert not ContactPoint.objects.filter(guardian=withdrawn_family).exists()
