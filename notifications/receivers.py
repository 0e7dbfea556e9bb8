"""Listeners: consent announces, the outbox cancels what is queued."""

from django.dispatch import receiver

from consent import events
from consent.rules import CHANNEL_PURPOSE

from .services import outbox_cancel_queued

PURPOSE_CHANNEL = {purpose: channel for channel, purpose in CHANNEL_PURPOSE.items()}


@receiver(events.consent_withdrawn, dispatch_uid="notifications.consent_withdrawn")
def cancel_on_consent_withdrawn(*, guardian_id, student_id, purpose, **kwargs):
    channel = PURPOSE_CHANNEL.get(purpose)
    if channel is not None:
        outbox_cancel_queued(
            guardian_id=guardian_id,
            student_id=student_id,
            channel=channel,
            reason="consent withdrawn",
        )


@receiver(events.guardian_access_ended, dispatch_uid="notifications.guardian_access_ended")
def cancel_on_access_ended(*, guardian_id, student_id=None, **kwargs):
    outbox_cancel_queued(guardian_id=guardian_id, student_id=student_id, reason="access ended")
