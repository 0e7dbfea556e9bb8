"""E-mail through Django's SMTP backend to a loopback SMTP server: HTML and text in Russian,
the one-click unsubscribe headers; a server that is down or hangs."""

import socket
import threading

import pytest

from journal.services import mark_set
from notifications.models import Mode, OutboxMessage, OutboxStatus, Preference
from notifications.services import RetryLater, outbox_enqueue, outbox_send

from .conftest import EMAIL


@pytest.fixture
def instant_email(cast, family, policy):
    for channel, mode in (("email", Mode.INSTANT), ("sms", Mode.OFF)):
        Preference.objects.create(
            school=cast.school, guardian=family, student=cast.pupil, channel=channel, mode=mode
        )
    return family


def test_a_mark_arrives_as_html_and_text_with_one_click_unsubscribe(
    cast, instant_email, smtp_server, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        mark_set(
            user=cast.subject_teacher,
            lesson=cast.lesson,
            student_id=cast.pupil.pk,
            slot=1,
            value="5",
        )
    [received] = smtp_server.messages
    assert received.recipients == [EMAIL]
    mail = received.message
    assert mail["Subject"] == "Новые отметки: Пётр"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(mail["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe.startswith("https://ednevnik.example.org/notifications/unsubscribe/")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Математика: 5 (Ответ на уроке)" in text
    assert "<strong>5</strong>" in html and "Ответ на уроке" in html
    assert unsubscribe in text and unsubscribe in html.replace("&amp;", "&")
    # The mail provider's one-click POST (RFC 8058) unsubscribes without a sign-in.
    path = unsubscribe.removeprefix("https://ednevnik.example.org")
    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Preference.objects.get(guardian=instant_email, channel="email").mode == Mode.OFF


def enqueue_email(cast, guardian, key="mail-1"):
    return outbox_enqueue(
        school_id=cast.school.pk,
        guardian_id=guardian.pk,
        student_id=cast.pupil.pk,
        channel="email",
        subject="Пропуски: Пётр",
        body="Пётр пропустил(а) уроки: Математика 25.11.",
        dedupe_key=key,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_smtp_down_releases_the_message_for_a_retry(cast, family, policy, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    message = enqueue_email(cast, family)
    with pytest.raises(RetryLater):
        outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.QUEUED and message.error_code == "smtp"


def test_a_hanging_smtp_server_is_cut_by_the_timeout_and_retried_later(
    cast, family, policy, settings
):
    """The server accepts the connection and never greets: nothing was handed over, so the
    message waits for a retry instead of holding the worker."""
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []
    threading.Thread(target=lambda: held.append(listener.accept()), daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", listener.getsockname()[1]
    settings.EMAIL_TIMEOUT = 1
    message = enqueue_email(cast, family)
    started = time.monotonic()
    try:
        with pytest.raises(RetryLater):
            outbox_send(message_id=message.pk)
    finally:
        listener.close()
    assert time.monotonic() - started < 5
    message.refresh_from_db()
    assert message.status == OutboxStatus.QUEUED and "timed out" in message.error
    assert outbox_send(message_id=message.pk) is None  # not before the backoff
    assert OutboxMessage.objects.count() == 1
