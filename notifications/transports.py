"""How a message leaves: one small interface, one implementation per channel and backend.

E-mail goes through Django's mail (console in development, locmem in tests, SMTP when
EMAIL_URL is set). SMS goes to the console backend unless Twilio is configured; the Twilio
transport is not built yet, and is refused here rather than faked.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)


class Transport(Protocol):
    def send(self, *, recipient: str, subject: str, body: str, dedupe_key: str) -> None:
        """Hand the message to the provider; raise on failure."""


class EmailTransport:
    def send(self, *, recipient: str, subject: str, body: str, dedupe_key: str) -> None:
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient],
            headers={"X-Ednevnik-Dedupe-Key": dedupe_key},
        )
        message.send(fail_silently=False)


class ConsoleSmsTransport:
    """Prints the SMS to the log: development without Twilio credentials."""

    def send(self, *, recipient: str, subject: str, body: str, dedupe_key: str) -> None:  # noqa: ARG002 (an SMS has no subject)
        logger.info("SMS to %s [%s]: %s", recipient, dedupe_key, body)


# The locmem SMS backend keeps what was "sent" here, like django.core.mail.outbox.
sms_outbox: list[dict] = []


class LocmemSmsTransport:
    def send(self, *, recipient: str, subject: str, body: str, dedupe_key: str) -> None:  # noqa: ARG002 (an SMS has no subject)
        sms_outbox.append({"to": recipient, "body": body, "dedupe_key": dedupe_key})


def transport_for(channel: str) -> Transport:
    if channel == "email":
        return EmailTransport()
    if channel == "sms":
        backend = getattr(settings, "SMS_BACKEND", "console")
        if backend == "console":
            return ConsoleSmsTransport()
        if backend == "locmem":
            return LocmemSmsTransport()
        raise ImproperlyConfigured(f"SMS backend {backend!r} is not available yet")
    raise ImproperlyConfigured(f"Unknown channel {channel!r}")
