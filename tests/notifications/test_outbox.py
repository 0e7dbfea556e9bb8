"""The outbox: a row before anything is sent, claimed once, consent checked at send time."""

import pytest

from consent.models import ConsentForm, Purpose
from consent.services import account_disable, consent_record, guardian_link_remove
from notifications import transports
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import outbox_enqueue, outbox_send
from notifications.tasks import outbox_send_task
from school.models import GuardianStudent
from tests.consent.factories import ContactFactory


@pytest.fixture(autouse=True)
def sms_locmem(settings):
    settings.SMS_BACKEND = "locmem"
    transports.sms_outbox.clear()
    yield
    transports.sms_outbox.clear()


@pytest.fixture
def sms_family(cast):
    guardian = cast.guardian.guardian
    ContactFactory(guardian=guardian, kind="phone", value="+79001234567")
    consent_record(
        recorded_by=cast.school_admin,
        guardian=guardian,
        student=cast.pupil,
        purpose=Purpose.SMS,
        decision="consent",
        form=ConsentForm.PAPER,
        decided_on=cast.today,
    )
    return guardian


def enqueue(cast, guardian, key="mark-1"):
    return outbox_enqueue(
        school_id=cast.school.pk,
        guardian_id=guardian.pk,
        student_id=cast.pupil.pk,
        channel="sms",
        body="Математика: 5",
        dedupe_key=key,
    )


def test_the_same_dedupe_key_twice_is_one_row(cast, sms_family):
    first = enqueue(cast, sms_family)
    second = enqueue(cast, sms_family)
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


def test_a_message_is_sent_once_however_often_the_task_runs(cast, sms_family):
    message = enqueue(cast, sms_family)
    assert outbox_send_task(message.pk) == OutboxStatus.SENT
    assert outbox_send_task(message.pk) is None
    assert outbox_send(message_id=message.pk) is None
    assert len(transports.sms_outbox) == 1


def test_a_task_for_a_vanished_message_exits_quietly(db):
    assert outbox_send_task(987654) is None


def test_a_claimed_message_is_not_sent_by_a_second_worker(cast, sms_family):
    message = enqueue(cast, sms_family)
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.SENDING)
    assert outbox_send(message_id=message.pk) is None
    assert transports.sms_outbox == []


def test_enqueue_schedules_the_send_after_commit(
    cast, sms_family, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = enqueue(cast, sms_family)
    assert transports.sms_outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


def test_a_transport_failure_marks_the_message_failed(cast, sms_family, settings):
    settings.SMS_BACKEND = "carrier-pigeon"  # no such backend: refused, recorded, not raised
    message = enqueue(cast, sms_family)
    assert outbox_send(message_id=message.pk) == OutboxStatus.FAILED
    message.refresh_from_db()
    assert "not available" in message.error


def test_disabling_the_account_cancels_queued_messages(cast, sms_family):
    message = enqueue(cast, sms_family)
    account_disable(disabled_by=cast.school_admin, guardian=sms_family)
    message.refresh_from_db()
    assert message.status == OutboxStatus.CANCELLED


def test_removing_the_link_cancels_and_blocks_messages_about_that_child(cast, sms_family):
    message = enqueue(cast, sms_family)
    link = GuardianStudent.objects.get(guardian=sms_family, student=cast.pupil)
    guardian_link_remove(removed_by=cast.school_admin, link=link)
    message.refresh_from_db()
    assert message.status == OutboxStatus.CANCELLED
    assert enqueue(cast, sms_family, key="after") is None


def test_a_disabled_account_gets_nothing_even_if_the_listener_missed(cast, sms_family):
    message = enqueue(cast, sms_family)
    cast.guardian.is_active = False
    cast.guardian.save(update_fields=["is_active"])
    assert outbox_send(message_id=message.pk) == OutboxStatus.CANCELLED
    assert transports.sms_outbox == []


def test_the_relay_sends_what_stayed_queued_and_nothing_twice(cast, sms_family):
    from django.utils import timezone

    from notifications.tasks import outbox_relay_task

    stuck = enqueue(cast, sms_family, key="stuck")
    cancelled = enqueue(cast, sms_family, key="cancelled")
    OutboxMessage.objects.filter(pk=cancelled.pk).update(status=OutboxStatus.CANCELLED)
    OutboxMessage.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=5))
    assert outbox_relay_task() == 1
    assert outbox_relay_task() == 0
    stuck.refresh_from_db()
    assert stuck.status == OutboxStatus.SENT
    assert [m["dedupe_key"] for m in transports.sms_outbox] == ["stuck"]
