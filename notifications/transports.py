"""How a message leaves: one small interface per channel, one implementation per provider.

E-mail goes through Django's mail (console in development, locmem in tests, SMTP with
EMAIL_TIMEOUT when EMAIL_URL is set), with HTML and plain text and the one-click unsubscribe
headers. SMS goes to the console unless Twilio is configured; Twilio is called through its own
SDK. A provider answers with a result or raises one of the three errors below, which decide
what the outbox does next:

- `Transient`: the provider surely did not take the message (429, refused connection): the
  message is released and retried with backoff;
- `Unknown`: the provider may have taken it (5xx, a timeout after the request went out): the
  message is checked with the provider later, never sent again blind;
- `Permanent`: the provider refused it for good (an invalid or landline number, a STOP reply):
  the message fails and the contact is flagged.
"""

import logging
import smtplib
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection

logger = logging.getLogger(__name__)


class SendError(Exception):
    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.code = code


class Transient(SendError):
    pass


class Unknown(SendError):
    pass


class Permanent(SendError):
    pass


@dataclass
class Accepted:
    provider_id: str = ""
    provider_status: str = ""


class Transport(Protocol):
    def send(self, *, message) -> Accepted:
        """Hand the message to the provider; raise Transient, Unknown or Permanent."""

    def lookup(self, *, message) -> Accepted | None:  # noqa: ARG002 (the transports' interface)
        """What the provider knows of a message whose outcome is unknown; None: never got it."""


# --- E-mail ------------------------------------------------------------------------------------


class EmailTransport:
    def send(self, *, message) -> Accepted:
        from .links import unsubscribe_url

        unsubscribe = unsubscribe_url(
            guardian_id=message.guardian_id, student_id=message.student_id
        )
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={
                "X-Ednevnik-Dedupe-Key": message.dedupe_key,
                # RFC 8058: the mail provider POSTs "List-Unsubscribe=One-Click" to this URL.
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise Permanent(f"the mail server refused the address: {error}", "smtp-rcpt") from error
        except TimeoutError as error:
            # The server may have taken the message; e-mail has no way to ask. Recorded as
            # unknown rather than sent twice.
            raise Unknown(
                f"the mail server did not answer in time: {error}", "smtp-timeout"
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            raise Transient(f"the mail server is unavailable: {error}", "smtp") from error
        return Accepted()

    def lookup(self, *, message) -> Accepted | None:  # noqa: ARG002 (the transports' interface)
        return None  # SMTP cannot say what it received


# --- SMS ---------------------------------------------------------------------------------------


class ConsoleSmsTransport:
    """Prints the SMS to the log: development without Twilio credentials."""

    def send(self, *, message) -> Accepted:
        logger.info("SMS to %s [%s]: %s", message.recipient, message.dedupe_key, message.body)
        return Accepted(provider_status="sent")

    def lookup(self, *, message) -> Accepted | None:  # noqa: ARG002 (the transports' interface)
        return None


# The locmem SMS backend keeps what was "sent" here, like django.core.mail.outbox.
sms_outbox: list[dict] = []


class LocmemSmsTransport:
    def send(self, *, message) -> Accepted:
        sms_outbox.append(
            {"to": message.recipient, "body": message.body, "dedupe_key": message.dedupe_key}
        )
        return Accepted(provider_id=f"LM{len(sms_outbox)}", provider_status="sent")

    def lookup(self, *, message) -> Accepted | None:  # noqa: ARG002 (the transports' interface)
        return None


# Twilio error codes that no retry fixes: the contact is flagged for the school admin.
PERMANENT_TWILIO_CODES = {21211, 21214, 21217, 21265, 21408, 21610, 21612, 21614}


class TwilioSmsTransport:
    """Twilio's Messages API through the `twilio` SDK. POST /Messages is not idempotent, so the
    outbox claims its row before calling and a doubtful outcome is looked up, not resent."""

    def __init__(self):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT),
        )
        if settings.TWILIO_API_BASE_URL:
            self.client.api.base_url = settings.TWILIO_API_BASE_URL

    def _sender(self) -> dict:
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            return {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
        return {"from_": settings.TWILIO_FROM_NUMBER}

    def send(self, *, message) -> Accepted:
        import requests
        from twilio.base.exceptions import TwilioException, TwilioRestException

        from .links import status_callback_url

        try:
            sent = self.client.messages.create(
                to=message.recipient,
                body=message.body,
                status_callback=status_callback_url(),
                validity_period=message.validity_seconds or None,
                **self._sender(),
            )
        except TwilioRestException as error:
            code = str(error.code or error.status)
            if error.status == 429 or error.code == 20429:
                raise Transient(f"Twilio: too many requests ({error.status})", code) from error
            if error.status >= 500:
                raise Unknown(f"Twilio answered {error.status}", code) from error
            if error.code in PERMANENT_TWILIO_CODES:
                raise Permanent(f"Twilio refused the number: {error.msg}", code) from error
            raise Permanent(f"Twilio refused the message: {error.msg}", code) from error
        except requests.exceptions.ConnectionError as error:
            if isinstance(error, requests.exceptions.ConnectTimeout) or _never_connected(error):
                raise Transient(f"Twilio unreachable: {error}", "connect") from error
            raise Unknown(f"Twilio connection lost: {error}", "connection") from error
        except requests.exceptions.Timeout as error:
            raise Unknown(f"Twilio did not answer in time: {error}", "timeout") from error
        except TwilioException as error:
            raise Unknown(f"Twilio: {error}", "twilio") from error
        return Accepted(provider_id=sent.sid or "", provider_status=sent.status or "")

    def lookup(self, *, message) -> Accepted | None:  # noqa: ARG002 (the transports' interface)
        """Find the message Twilio may have taken: by its SID when we have it, else among the
        messages sent to that number since the claim, with the same text."""
        if message.provider_id:
            found = self.client.messages(message.provider_id).fetch()
            return Accepted(provider_id=found.sid, provider_status=found.status)
        since = message.claimed_at
        for found in self.client.messages.list(
            to=message.recipient, date_sent_after=since, limit=50
        ):
            if (found.body or "") == message.body:
                return Accepted(provider_id=found.sid, provider_status=found.status)
        return None


def _never_connected(error) -> bool:
    text = str(error)
    return any(
        sign in text
        for sign in ("Connection refused", "Failed to establish a new connection", "NameResolution")
    )


def transport_for(channel: str) -> Transport:
    if channel == "email":
        return EmailTransport()
    if channel == "sms":
        backend = getattr(settings, "SMS_BACKEND", "console")
        if backend == "console":
            return ConsoleSmsTransport()
        if backend == "locmem":
            return LocmemSmsTransport()
        if backend == "twilio":
            return TwilioSmsTransport()
        raise ImproperlyConfigured(f"SMS backend {backend!r} is not available")
    raise ImproperlyConfigured(f"Unknown channel {channel!r}")
