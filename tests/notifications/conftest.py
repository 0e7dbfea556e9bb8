"""Families with SMS and e-mail consent and contacts; Twilio and SMTP at loopback fakes."""

import pytest

from consent.models import ConsentForm, Purpose
from consent.services import consent_record
from notifications import transports
from notifications.models import NotificationPolicy
from tests.consent.factories import ContactFactory

PHONE = "+79001234567"
EMAIL = "mama@example.ru"
ACCOUNT = "AC" + "0" * 32
TOKEN = "test-auth-token"


@pytest.fixture(autouse=True)
def sms_locmem(settings):
    settings.SMS_BACKEND = "locmem"
    settings.PUBLIC_BASE_URL = "https://ednevnik.example.org"
    transports.sms_outbox.clear()
    yield
    transports.sms_outbox.clear()


def consent_to(cast, guardian, student, purpose):
    return consent_record(
        recorded_by=cast.school_admin,
        guardian=guardian,
        student=student,
        purpose=purpose,
        decision="consent",
        form=ConsentForm.PAPER,
        decided_on=cast.today,
    )


@pytest.fixture
def family(cast):
    """`guardian` of `pupil` with consent to SMS and e-mail and a phone and an address."""
    guardian = cast.guardian.guardian
    ContactFactory(guardian=guardian, kind="phone", value=PHONE)
    ContactFactory(guardian=guardian, kind="email", value=EMAIL)
    consent_to(cast, guardian, cast.pupil, Purpose.SMS)
    consent_to(cast, guardian, cast.pupil, Purpose.EMAIL)
    return guardian


@pytest.fixture
def sms_only_family(cast):
    guardian = cast.guardian.guardian
    ContactFactory(guardian=guardian, kind="phone", value=PHONE)
    consent_to(cast, guardian, cast.pupil, Purpose.SMS)
    return guardian


@pytest.fixture
def policy(cast):
    """The school's policy, saved (the defaults: evening digest, quiet 20:00–08:00)."""
    return NotificationPolicy.objects.create(school=cast.school, coalesce_minutes=0)


@pytest.fixture
def twilio_fake(settings):
    from tests.fakes.twilio import start_twilio_fake

    fake = start_twilio_fake()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_FROM_NUMBER = "+79000000000"
    settings.TWILIO_API_BASE_URL = fake.url
    settings.TWILIO_TIMEOUT = 1.0
    yield fake
    fake.close()


@pytest.fixture
def smtp_server(settings):
    from tests.fakes.smtp import start_smtp_fake

    fake = start_smtp_fake()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = fake.host
    settings.EMAIL_PORT = fake.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 1
    yield fake
    fake.close()
