"""The whole path with real parts: a committed outbox row is handed to Redis, a real Celery
worker claims it, checks consent at send time and sends it through Django's SMTP backend to a
loopback SMTP server. Exactly once."""

import time

import pytest

from consent.models import ConsentForm, Purpose
from consent.services import consent_record, consent_withdraw
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import outbox_enqueue
from notifications.tasks import outbox_send_task
from tests.consent.factories import ContactFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def email_family(cast):
    guardian = cast.guardian.guardian
    ContactFactory(guardian=guardian, kind="email", value="mama@example.ru")
    consent = consent_record(
        recorded_by=cast.school_admin,
        guardian=guardian,
        student=cast.pupil,
        purpose=Purpose.EMAIL,
        decision="consent",
        form=ConsentForm.PAPER,
        decided_on=cast.today,
    )
    return guardian, consent


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_queued_email_goes_out_once_through_a_real_worker(
    cast, email_family, celery_worker, smtp_fake
):
    guardian, _ = email_family
    message = outbox_enqueue(
        school_id=cast.school.pk,
        guardian_id=guardian.pk,
        student_id=cast.pupil.pk,
        channel="email",
        subject="Новая отметка",
        body="Математика: 5",
        dedupe_key="mark-42",
    )
    assert wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT)
    # A second delivery of the same task (a redelivered message, a retry) sends nothing more.
    outbox_send_task.delay(message.pk)
    time.sleep(1.0)
    assert len(smtp_fake.messages) == 1
    received = smtp_fake.messages[0]
    assert received.recipients == ["mama@example.ru"]
    assert received.message["Subject"] == "Новая отметка"
    assert "Математика: 5" in received.message.get_content()
    assert received.message["X-Ednevnik-Dedupe-Key"] == "mark-42"


def test_a_withdrawal_before_the_worker_sends_stops_the_message(
    cast, email_family, celery_worker, smtp_fake
):
    guardian, consent = email_family
    message = OutboxMessage.objects.create(
        school=cast.school,
        guardian=guardian,
        student=cast.pupil,
        channel="email",
        recipient="mama@example.ru",
        subject="Новая отметка",
        body="Математика: 5",
        dedupe_key="mark-43",
    )
    consent_withdraw(consent=consent, withdrawn_on=cast.today, recorded_by=cast.school_admin)
    # Even if the row were still queued when the worker gets it, consent is checked at send time.
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.QUEUED)
    outbox_send_task.delay(message.pk)
    assert wait_for(
        lambda: OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.CANCELLED
    )
    assert smtp_fake.messages == []
