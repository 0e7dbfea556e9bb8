"""Writes of the outbox. The row is written before anything is sent; consent is checked when
the message is sent, not only when it is queued."""

import datetime as dt
import logging

from celery import signature
from django.db import transaction
from django.utils import timezone

from consent.models import ContactKind, ContactPoint
from consent.rules import may_send_to

from .models import Channel, OutboxMessage, OutboxStatus
from .transports import transport_for

logger = logging.getLogger(__name__)

CHANNEL_CONTACT = {Channel.SMS: ContactKind.PHONE, Channel.EMAIL: ContactKind.EMAIL}


def _schedule(message_id: int) -> None:
    """Hand the id to a worker after commit. A dead broker never fails the caller: the row
    stays queued and a later relay sends it. The task is named, not imported: tasks call
    services, never the reverse (a signature by name still honours eager mode)."""
    try:
        signature("notifications.outbox_send", args=[message_id]).apply_async()
    except Exception:  # noqa: BLE001 -- the broker's errors are many; the row is safe
        logger.warning("Could not schedule outbox message %s; it stays queued", message_id)


def outbox_enqueue(
    *,
    school_id: int,
    guardian_id: int,
    student_id: int,
    channel: str,
    body: str,
    dedupe_key: str,
    subject: str = "",
) -> OutboxMessage | None:
    """Queue one message for a guardian about a child, to their current contact on that channel.

    Nothing is queued without consent to the channel or without a contact. The same dedupe key
    twice gives the first row back."""
    if not may_send_to(guardian_id=guardian_id, student_id=student_id, channel=channel):
        return None
    contact = (
        ContactPoint.objects.current()
        .filter(guardian_id=guardian_id, kind=CHANNEL_CONTACT[channel])
        .values_list("value", flat=True)
        .first()
    )
    if contact is None:
        return None
    with transaction.atomic():
        message, created = OutboxMessage.objects.get_or_create(
            dedupe_key=dedupe_key,
            defaults={
                "school_id": school_id,
                "guardian_id": guardian_id,
                "student_id": student_id,
                "channel": channel,
                "recipient": contact,
                "subject": subject,
                "body": body,
            },
        )
        if created:
            transaction.on_commit(lambda: _schedule(message.pk))
    return message


def outbox_send(*, message_id: int) -> str | None:
    """Send one queued message, once. Returns the final status, or None when another worker
    has it or it is no longer queued.

    The row is claimed with a conditional UPDATE (queued → sending); consent is checked after
    the claim, so a withdrawal that any listener missed still stops the message."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.QUEUED).update(
        status=OutboxStatus.SENDING, claimed_at=now
    )
    if not claimed:
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    if not may_send_to(
        guardian_id=message.guardian_id, student_id=message.student_id, channel=message.channel
    ):
        _finish(message_id, OutboxStatus.CANCELLED, error="no consent at send time")
        return OutboxStatus.CANCELLED
    try:
        transport_for(message.channel).send(
            recipient=message.recipient,
            subject=message.subject,
            body=message.body,
            dedupe_key=message.dedupe_key,
        )
    except Exception as error:  # noqa: BLE001 -- any transport failure is recorded, not raised
        logger.warning("Outbox message %s failed: %s", message_id, error)
        _finish(message_id, OutboxStatus.FAILED, error=str(error)[:500])
        return OutboxStatus.FAILED
    _finish(message_id, OutboxStatus.SENT, sent_at=timezone.now())
    return OutboxStatus.SENT


def _finish(message_id: int, status: str, **fields) -> None:
    # Only from "sending": status moves forward, never back.
    OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.SENDING).update(
        status=status, **fields
    )


def outbox_cancel_queued(
    *, guardian_id: int, student_id: int | None = None, channel: str | None = None, reason: str
) -> int:
    """Cancel what is still queued for a guardian (about one child, on one channel)."""
    queued = OutboxMessage.objects.filter(guardian_id=guardian_id, status=OutboxStatus.QUEUED)
    if student_id is not None:
        queued = queued.filter(student_id=student_id)
    if channel is not None:
        queued = queued.filter(channel=channel)
    return queued.update(status=OutboxStatus.CANCELLED, error=reason)


def outbox_relay(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Send what stayed queued (the broker was down when it was enqueued). Each message is
    claimed by outbox_send, so a relay running beside the workers never sends twice."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    ids = list(
        OutboxMessage.objects.filter(status=OutboxStatus.QUEUED, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for message_id in ids if outbox_send(message_id=message_id) == OutboxStatus.SENT)
