"""Thin tasks: take an id, call the service of the same name, safe to run twice."""

from celery import shared_task

from .services import outbox_relay, outbox_send


@shared_task(name="notifications.outbox_send")
def outbox_send_task(message_id: int) -> str | None:
    return outbox_send(message_id=message_id)


@shared_task(name="notifications.outbox_relay")
def outbox_relay_task() -> int:
    return outbox_relay()
