"""Two workers given the same message at once: exactly one sends it (the conditional UPDATE)."""

import threading

import pytest
from django.db import connection

from consent.models import Purpose
from notifications import transports
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import outbox_send
from tests import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


def test_two_workers_send_one_message_once(settings):
    settings.SMS_BACKEND = "locmem"
    transports.sms_outbox.clear()
    link = f.GuardianStudentFactory()
    f.ConsentFactory(
        school=link.school, guardian=link.guardian, student=link.student, purpose=Purpose.SMS
    )
    message = OutboxMessage.objects.create(
        school=link.school,
        guardian=link.guardian,
        student=link.student,
        channel="sms",
        recipient="+79001234567",
        body="Математика: 5",
        dedupe_key="race-1",
    )
    barrier = threading.Barrier(4)
    results = []

    def worker():
        barrier.wait()
        try:
            results.append(outbox_send(message_id=message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [None, None, None, OutboxStatus.SENT]
    assert len(transports.sms_outbox) == 1
    transports.sms_outbox.clear()
