"""SMS through the real Twilio SDK to a loopback HTTP server standing in for Twilio's API:
the request it gets, and what each kind of answer does to the message."""

import pytest
from twilio.request_validator import RequestValidator

from notifications.models import FlaggedContact, Kind, OutboxMessage, OutboxStatus, PaperNotice
from notifications.services import RetryLater, outbox_enqueue, outbox_reconcile, outbox_send

from .conftest import ACCOUNT, PHONE, TOKEN


def enqueue(cast, guardian, key="absence-1", recipient=None):
    message = outbox_enqueue(
        school_id=cast.school.pk,
        guardian_id=guardian.pk,
        student_id=cast.pupil.pk,
        channel="sms",
        body="Пётр пропустил(а) уроки: Математика 25.11.",
        dedupe_key=key,
    )
    if recipient:
        OutboxMessage.objects.filter(pk=message.pk).update(recipient=recipient)
    return message


def test_the_sdk_posts_once_with_the_status_callback_and_validity_period(
    cast, sms_only_family, policy, twilio_fake
):
    message = enqueue(cast, sms_only_family)
    assert outbox_send(message_id=message.pk) == OutboxStatus.SENT
    [request] = twilio_fake.creates
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    fields = request["fields"]
    assert fields["To"] == PHONE
    assert fields["From"] == "+79000000000"
    assert fields["Body"] == "Пётр пропустил(а) уроки: Математика 25.11."
    assert fields["StatusCallback"] == "https://ednevnik.example.org/notifications/twilio/status/"
    # 10:00: ten hours before the quiet hours (the clock ticks on from 10:00:00)
    assert 35_990 <= int(fields["ValidityPeriod"]) <= 36_000
    message.refresh_from_db()
    assert message.provider_id == "SM" + "1".zfill(32)
    assert message.provider_status == "queued"
    # The task delivered again: nothing more reaches Twilio.
    assert outbox_send(message_id=message.pk) is None
    assert len(twilio_fake.creates) == 1


def test_a_5xx_is_unknown_and_is_reconciled_by_looking_not_by_resending(
    cast, sms_only_family, policy, twilio_fake
):
    message = enqueue(cast, sms_only_family)
    twilio_fake.script = ["500"]
    assert outbox_send(message_id=message.pk) == OutboxStatus.UNKNOWN
    # Twilio had in fact taken it (a 5xx after the write): the check finds it by number and text.
    twilio_fake.messages["SMfound"] = {
        "sid": "SMfound",
        "to": PHONE,
        "body": "Пётр пропустил(а) уроки: Математика 25.11.",
        "status": "delivered",
    }
    assert outbox_reconcile() == 1
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (OutboxStatus.DELIVERED, "SMfound")
    assert len(twilio_fake.creates) == 1  # never a second POST


def test_an_unknown_message_twilio_never_got_fails_and_falls_back_without_a_resend(
    cast, family, policy, twilio_fake
):
    message = enqueue(cast, family)
    twilio_fake.script = ["500"]
    assert outbox_send(message_id=message.pk) == OutboxStatus.UNKNOWN
    assert outbox_reconcile() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    fallback = OutboxMessage.objects.get(fallback_of=message)
    assert (fallback.channel, fallback.kind) == ("email", Kind.FALLBACK)
    assert len(twilio_fake.creates) == 1


def test_a_timeout_is_unknown_too(cast, sms_only_family, policy, twilio_fake):
    message = enqueue(cast, sms_only_family)
    twilio_fake.script = ["hang"]
    twilio_fake.hang_seconds = 3  # past TWILIO_TIMEOUT (1 s)
    assert outbox_send(message_id=message.pk) == OutboxStatus.UNKNOWN
    message.refresh_from_db()
    assert message.error_code == "timeout"


def test_429_releases_the_message_for_a_retry_with_backoff(
    cast, sms_only_family, policy, twilio_fake, clock
):
    import datetime as dt

    message = enqueue(cast, sms_only_family)
    twilio_fake.script = ["429"]
    with pytest.raises(RetryLater) as retry:
        outbox_send(message_id=message.pk)
    assert retry.value.countdown == 15
    message.refresh_from_db()
    assert message.status == OutboxStatus.QUEUED and message.attempts == 1
    assert outbox_send(message_id=message.pk) is None  # not before the backoff
    clock.shift(dt.timedelta(seconds=16))
    assert outbox_send(message_id=message.pk) == OutboxStatus.SENT
    assert len(twilio_fake.creates) == 2


@pytest.mark.parametrize("code", ["21211", "21614"])
def test_a_bad_number_fails_flags_the_contact_and_goes_to_paper_without_email_consent(
    cast, sms_only_family, policy, twilio_fake, code
):
    message = enqueue(cast, sms_only_family)
    twilio_fake.script = [code]
    assert outbox_send(message_id=message.pk) == OutboxStatus.FAILED
    flagged = FlaggedContact.objects.get()
    assert (flagged.value, flagged.error_code) == (PHONE, code)
    notice = PaperNotice.objects.get()
    assert notice.message == message and "Twilio" in notice.reason
    assert outbox_send(message_id=message.pk) is None


def test_only_russian_numbers_by_default(cast, sms_only_family, policy, twilio_fake):
    message = enqueue(cast, sms_only_family, recipient="+15005550006")
    assert outbox_send(message_id=message.pk) == OutboxStatus.FAILED
    assert twilio_fake.creates == []
    assert FlaggedContact.objects.get().error_code == "prefix"


# --- Status callbacks -----------------------------------------------------------------------

CALLBACK = "https://ednevnik.example.org/notifications/twilio/status/"


def callback(client, params, token=TOKEN):
    signature = RequestValidator(token).compute_signature(CALLBACK, params)
    return client.post("/notifications/twilio/status/", params, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.fixture
def sent(cast, family, policy, twilio_fake):
    message = enqueue(cast, family)
    assert outbox_send(message_id=message.pk) == OutboxStatus.SENT
    message.refresh_from_db()
    return message


def test_a_signed_callback_moves_the_status_forward(client, sent):
    response = callback(client, {"MessageSid": sent.provider_id, "MessageStatus": "delivered"})
    assert response.status_code == 204
    sent.refresh_from_db()
    assert sent.status == OutboxStatus.DELIVERED and sent.delivered_at is not None


def test_a_forged_callback_is_refused_and_changes_nothing(client, sent):
    response = callback(
        client, {"MessageSid": sent.provider_id, "MessageStatus": "failed"}, token="wrong"
    )
    assert response.status_code == 403
    unsigned = client.post(
        "/notifications/twilio/status/",
        {"MessageSid": sent.provider_id, "MessageStatus": "failed"},
    )
    assert unsigned.status_code == 403
    sent.refresh_from_db()
    assert sent.status == OutboxStatus.SENT


def test_a_replayed_or_late_callback_is_a_no_op_and_a_failure_stays(client, sent):
    undelivered = {
        "MessageSid": sent.provider_id,
        "MessageStatus": "undelivered",
        "ErrorCode": "30007",
    }
    assert callback(client, undelivered).status_code == 204
    assert callback(client, undelivered).status_code == 204  # replayed
    # A late "delivered" (callbacks come out of order) does not erase the failure.
    callback(client, {"MessageSid": sent.provider_id, "MessageStatus": "delivered"})
    callback(client, {"MessageSid": sent.provider_id, "MessageStatus": "sent"})
    sent.refresh_from_db()
    assert (sent.status, sent.provider_status) == (OutboxStatus.UNDELIVERED, "undelivered")
    assert "bulk" in sent.error
    # Undelivered: the family consented to e-mail, so it goes by e-mail, once.
    assert OutboxMessage.objects.filter(fallback_of=sent, channel="email").count() == 1


def test_the_callback_takes_post_only(client):
    assert client.get("/notifications/twilio/status/").status_code == 405


def test_an_expired_sms_is_undelivered_with_the_reason(
    client, cast, sms_only_family, policy, twilio_fake
):
    message = enqueue(cast, sms_only_family)
    outbox_send(message_id=message.pk)
    message.refresh_from_db()
    callback(
        client,
        {"MessageSid": message.provider_id, "MessageStatus": "undelivered", "ErrorCode": "30036"},
    )
    message.refresh_from_db()
    assert message.status == OutboxStatus.UNDELIVERED
    assert "expired" in message.error
    assert PaperNotice.objects.get(message=message).reason == message.error
