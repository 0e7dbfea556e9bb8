"""The notification channel with real parts: a Celery worker on Redis sends SMS through the
real Twilio SDK to a loopback HTTP server and e-mail through Django's SMTP backend to a
loopback SMTP server. Faults: the broker down while a mark is saved, a worker killed after
Twilio accepted."""

import datetime as dt
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from django.utils import timezone

from bench.clock import real_clock_env
from consent.models import ConsentForm, Purpose
from consent.services import consent_record
from journal.services import mark_set
from notifications.models import Mode, NotificationPolicy, OutboxMessage, OutboxStatus, Preference
from tests.consent.factories import ContactFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]

ACCOUNT = "AC" + "1" * 32
TOKEN = "integration-token"
PUBLIC = "https://ednevnik.example.org"


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def twilio():
    from tests.fakes.twilio import start_twilio_fake

    fake = start_twilio_fake()
    yield fake
    fake.close()


@pytest.fixture
def family(cast):
    """A parent who wants every mark at once by SMS and by e-mail; no quiet hours (the worker
    runs on the machine's clock, not the tests' frozen one)."""
    NotificationPolicy.objects.create(
        school=cast.school, coalesce_minutes=0, quiet_from=dt.time(0), quiet_until=dt.time(0)
    )
    guardian = cast.guardian.guardian
    ContactFactory(guardian=guardian, kind="phone", value="+79001234567")
    ContactFactory(guardian=guardian, kind="email", value="mama@example.ru")
    for purpose, channel in ((Purpose.SMS, "sms"), (Purpose.EMAIL, "email")):
        consent_record(
            recorded_by=cast.school_admin,
            guardian=guardian,
            student=cast.pupil,
            purpose=purpose,
            decision="consent",
            form=ConsentForm.PAPER,
            decided_on=cast.today,
        )
        Preference.objects.create(
            school=cast.school,
            guardian=guardian,
            student=cast.pupil,
            channel=channel,
            mode=Mode.INSTANT,
        )
    return guardian


def worker_env(twilio, smtp_fake, **extra):
    return {
        "EMAIL_URL": smtp_fake.url,
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM_NUMBER": "+79000000000",
        "TWILIO_API_BASE_URL": twilio.url,
        "TWILIO_TIMEOUT": "2",
        "PUBLIC_BASE_URL": PUBLIC,
        **extra,
    }


def save_mark(cast, value="5"):
    return mark_set(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        student_id=cast.pupil.pk,
        slot=1,
        value=value,
    )


def test_a_saved_mark_goes_out_by_sms_and_email_through_a_real_worker(
    cast, family, worker_factory, twilio, smtp_fake
):
    worker_factory(env=worker_env(twilio, smtp_fake))
    save_mark(cast)
    assert wait_for(lambda: len(twilio.creates) == 1 and len(smtp_fake.messages) == 1)
    fields = twilio.creates[0]["fields"]
    assert fields["To"] == "+79001234567"
    assert fields["Body"] == "Пётр, новые отметки: Математика 5. Подробнее в дневнике."
    assert fields["StatusCallback"] == f"{PUBLIC}/notifications/twilio/status/"
    assert fields["ValidityPeriod"] == "36000"
    assert twilio.creates[0]["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    mail = smtp_fake.messages[0].message
    assert smtp_fake.messages[0].recipients == ["mama@example.ru"]
    assert mail["Subject"] == "Новые отметки: Пётр"
    assert str(mail["List-Unsubscribe"]).strip().startswith(f"<{PUBLIC}/notifications/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Математика: 5 (Ответ на уроке)" in mail.get_body(("plain",)).get_content()
    assert "<strong>5</strong>" in mail.get_body(("html",)).get_content()
    sms = OutboxMessage.objects.get(channel="sms")
    assert wait_for(lambda: OutboxMessage.objects.filter(status="sent").count() == 2)
    sms.refresh_from_db()
    assert sms.provider_id.startswith("SM") and sms.provider_status == "queued"
    time.sleep(1)
    assert len(twilio.creates) == 1 and len(smtp_fake.messages) == 1  # once each


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis():
    """A redis-server of this test's own, started on demand on a port where nothing listened
    before (the machine's shared Redis is never stopped or touched)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    directory = tempfile.mkdtemp(prefix="ednevnik-redis-")
    started = []

    def start():
        process = subprocess.Popen(
            [binary, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", directory],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=real_clock_env(),
        )
        started.append(process)
        assert wait_for(lambda: _listening(port), timeout=10)
        return process

    yield port, start
    for process in started:
        process.terminate()
        process.wait(timeout=10)
    shutil.rmtree(directory, ignore_errors=True)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def test_with_the_broker_down_the_save_is_fast_and_the_message_goes_after_recovery(
    cast, family, worker_factory, twilio, smtp_fake, own_redis
):
    from notifications.services import outbox_relay

    port, start_redis = own_redis
    broker = f"redis://127.0.0.1:{port}/0"
    worker = worker_factory(broker_url=broker, env=worker_env(twilio, smtp_fake), start=False)
    started = time.monotonic()
    mark = save_mark(cast, "4")
    elapsed = time.monotonic() - started
    assert mark.pk and elapsed < 2.0, elapsed  # nothing waited for the dead broker
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.QUEUED}
    time.sleep(4)  # Redis stays down while the publisher's attempt after commit gives up
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.QUEUED}
    start_redis()
    worker.start()
    assert outbox_relay(older_than_seconds=0) == 2  # what the beat does every minute
    assert wait_for(lambda: len(twilio.creates) == 1 and len(smtp_fake.messages) == 1)
    assert wait_for(lambda: OutboxMessage.objects.filter(status="sent").count() == 2)


def test_a_worker_killed_after_twilio_accepted_never_sends_twice(
    cast, family, worker_factory, twilio, smtp_fake, settings
):
    from notifications.services import outbox_reconcile

    Preference.objects.filter(channel="email").update(mode=Mode.OFF)
    twilio.script = ["accept-then-hang"]
    twilio.hang_seconds = 30
    worker = worker_factory(env=worker_env(twilio, smtp_fake, TWILIO_TIMEOUT="60"))
    save_mark(cast)
    assert twilio.accepted.wait(timeout=30)
    worker.stop(kill=True)  # SIGKILL while the worker waits for Twilio's answer
    message = OutboxMessage.objects.get(channel="sms")
    assert message.status == OutboxStatus.SENDING and message.provider_id == ""
    # The relay's reconciliation, a while later, asks Twilio instead of sending again.
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - dt.timedelta(minutes=10)
    )
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = ACCOUNT, TOKEN
    settings.TWILIO_API_BASE_URL = twilio.url
    assert outbox_reconcile() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.provider_id == next(iter(twilio.messages))
    # A fresh worker given the message again (a redelivery) cannot claim it.
    worker_factory(env=worker_env(twilio, smtp_fake))
    from notifications.tasks import sms_send_task

    sms_send_task.delay(message.pk)
    time.sleep(2)
    assert len(twilio.creates) == 1
