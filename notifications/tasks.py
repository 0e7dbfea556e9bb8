"""Thin tasks: take an id, call the service of the same name, safe to run twice. They retry
only on RetryLater (the provider did not take the message and may later); every other error
is recorded on the row by the service. Queues and limits are in ednevnik/celery.py."""

from celery import shared_task

from .services import RetryLater, outbox_reconcile, outbox_relay, outbox_send

RETRY = {"bind": True, "max_retries": 5}


def _send(task, message_id: int) -> str | None:
    try:
        return outbox_send(message_id=message_id)
    except RetryLater as later:
        raise task.retry(countdown=later.countdown, exc=later) from later


@shared_task(name="notifications.sms_send", **RETRY)
def sms_send_task(self, message_id: int) -> str | None:
    return _send(self, message_id)


@shared_task(name="notifications.email_send", **RETRY)
def email_send_task(self, message_id: int) -> str | None:
    return _send(self, message_id)


@shared_task(name="notifications.outbox_send", **RETRY)
def outbox_send_task(self, message_id: int) -> str | None:
    """Either channel (kept for messages scheduled under this name)."""
    return _send(self, message_id)


@shared_task(name="notifications.outbox_relay")
def outbox_relay_task() -> int:
    return outbox_relay()


@shared_task(name="notifications.outbox_reconcile")
def outbox_reconcile_task() -> int:
    return outbox_reconcile()


@shared_task(name="notifications.digests_due")
def digests_due_task() -> int:
    from .digests import digests_due

    return digests_due()
