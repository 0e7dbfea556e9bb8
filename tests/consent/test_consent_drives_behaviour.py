"""Each consent state drives what the product does: the diary, each channel, the paper list;
a withdrawal while messages are queued sends nothing more."""

import datetime as dt

import pytest
from django.core import mail

from consent import services
from consent.models import Consent, ConsentForm, Decision, Purpose
from consent.rules import is_on_paper_list, may_open_diary_of, may_send_to
from consent.selectors import paper_list
from notifications import transports
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import outbox_enqueue, outbox_send
from tests.consent.factories import ContactFactory


@pytest.fixture(autouse=True)
def sms_locmem(settings):
    settings.SMS_BACKEND = "locmem"
    transports.sms_outbox.clear()
    yield
    transports.sms_outbox.clear()


def record(cast, guardian_user, student, purpose, decision=Decision.CONSENT):
    return services.consent_record(
        recorded_by=cast.school_admin,
        guardian=guardian_user.guardian,
        student=student,
        purpose=purpose,
        decision=decision,
        form=ConsentForm.PAPER,
        decided_on=cast.today - dt.timedelta(days=3),
        document_ref="№ 12",
    )


def withdraw(cast, consent):
    return services.consent_withdraw(
        recorded_by=cast.school_admin, consent=consent, withdrawn_on=cast.today
    )


def enqueue(cast, guardian_user, student, channel, key="k1"):
    return outbox_enqueue(
        school_id=cast.school.pk,
        guardian_id=guardian_user.guardian.pk,
        student_id=student.pk,
        channel=channel,
        subject="Новая отметка",
        body="Математика: 5",
        dedupe_key=key,
    )


# --- The web diary ------------------------------------------------------------------------


def test_a_guardian_with_diary_consent_may_open_the_diary(cast):
    assert may_open_diary_of(cast.guardian, cast.pupil.pk)


def test_a_guardian_without_a_decision_may_not(cast):
    assert not may_open_diary_of(cast.guardian_without_consent, cast.pupil_no_consent.pk)


def test_a_refusal_closes_the_diary(cast):
    record(
        cast, cast.guardian_without_consent, cast.pupil_no_consent, Purpose.DIARY, Decision.REFUSAL
    )
    assert not may_open_diary_of(cast.guardian_without_consent, cast.pupil_no_consent.pk)


def test_a_withdrawal_closes_the_diary_at_once(cast):
    consent = Consent.objects.get(guardian=cast.guardian.guardian, purpose=Purpose.DIARY)
    withdraw(cast, consent)
    assert not may_open_diary_of(cast.guardian, cast.pupil.pk)
    assert not may_open_diary_of(cast.student, cast.pupil.pk)


def test_a_new_consent_after_withdrawal_opens_it_again_and_keeps_the_history(cast):
    consent = Consent.objects.get(guardian=cast.guardian.guardian, purpose=Purpose.DIARY)
    withdraw(cast, consent)
    record(cast, cast.guardian, cast.pupil, Purpose.DIARY)
    assert may_open_diary_of(cast.guardian, cast.pupil.pk)
    assert (
        Consent.objects.filter(guardian=cast.guardian.guardian, purpose=Purpose.DIARY).count() == 2
    )


def test_diary_consent_for_one_child_does_not_open_another_familys(cast):
    assert not may_open_diary_of(cast.guardian, cast.stranger_child.pk)


# --- The paper list -------------------------------------------------------------------------


def test_the_paper_list_holds_families_without_diary_consent(cast):
    listed = {(link.guardian_id, link.student_id) for link in paper_list(cast.school_admin)}
    assert (cast.guardian_without_consent.guardian.pk, cast.pupil_no_consent.pk) in listed
    assert (cast.guardian.guardian.pk, cast.pupil.pk) not in listed
    assert is_on_paper_list(
        guardian_id=cast.guardian_without_consent.guardian.pk, student_id=cast.pupil_no_consent.pk
    )


def test_a_refusal_and_a_withdrawal_put_the_family_on_the_paper_list(cast):
    consent = Consent.objects.get(guardian=cast.guardian.guardian, purpose=Purpose.DIARY)
    withdraw(cast, consent)
    stranger_consent = Consent.objects.get(guardian=cast.stranger.guardian, purpose=Purpose.DIARY)
    withdraw(cast, stranger_consent)
    record(cast, cast.stranger, cast.stranger_child, Purpose.DIARY, Decision.REFUSAL)
    listed = {link.student_id for link in paper_list(cast.school_admin)}
    assert {cast.pupil.pk, cast.pupil_no_consent.pk, cast.stranger_child.pk} <= listed
    assert cast.sibling_7a.pk not in listed


def test_the_paper_list_is_the_schools_own(cast):
    assert paper_list(cast.outsider) == []


# --- Each channel ---------------------------------------------------------------------------


@pytest.mark.parametrize(("channel", "purpose"), [("sms", Purpose.SMS), ("email", Purpose.EMAIL)])
def test_without_channel_consent_nothing_is_queued(cast, channel, purpose):
    ContactFactory(guardian=cast.guardian.guardian, kind="phone", value="+79001234567")
    ContactFactory(guardian=cast.guardian.guardian, kind="email", value="mama@example.ru")
    assert not may_send_to(
        guardian_id=cast.guardian.guardian.pk, student_id=cast.pupil.pk, channel=channel
    )
    assert enqueue(cast, cast.guardian, cast.pupil, channel) is None
    assert OutboxMessage.objects.count() == 0


def test_sms_consent_sends_sms_only(cast, django_capture_on_commit_callbacks):
    ContactFactory(guardian=cast.guardian.guardian, kind="phone", value="+79001234567")
    ContactFactory(guardian=cast.guardian.guardian, kind="email", value="mama@example.ru")
    record(cast, cast.guardian, cast.pupil, Purpose.SMS)
    with django_capture_on_commit_callbacks(execute=True):
        sms = enqueue(cast, cast.guardian, cast.pupil, "sms", key="sms-1")
        email = enqueue(cast, cast.guardian, cast.pupil, "email", key="email-1")
    assert email is None
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.SENT
    assert transports.sms_outbox == [
        {"to": "+79001234567", "body": "Математика: 5", "dedupe_key": "sms-1"}
    ]
    assert mail.outbox == []


def test_email_consent_sends_email(cast, django_capture_on_commit_callbacks):
    ContactFactory(guardian=cast.guardian.guardian, kind="email", value="mama@example.ru")
    record(cast, cast.guardian, cast.pupil, Purpose.EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue(cast, cast.guardian, cast.pupil, "email")
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert [m.to for m in mail.outbox] == [["mama@example.ru"]]
    assert transports.sms_outbox == []


# --- Withdrawal while messages are queued ---------------------------------------------------


def test_withdrawal_cancels_queued_messages_and_nothing_more_is_sent(cast):
    ContactFactory(guardian=cast.guardian.guardian, kind="phone", value="+79001234567")
    consent = record(cast, cast.guardian, cast.pupil, Purpose.SMS)
    queued = [enqueue(cast, cast.guardian, cast.pupil, "sms", key=f"m{n}") for n in range(3)]
    withdraw(cast, consent)
    for message in queued:
        assert outbox_send(message_id=message.pk) is None
        message.refresh_from_db()
        assert message.status == OutboxStatus.CANCELLED
    assert transports.sms_outbox == []


def test_the_send_time_check_holds_even_if_the_listener_missed(cast):
    ContactFactory(guardian=cast.guardian.guardian, kind="phone", value="+79001234567")
    consent = record(cast, cast.guardian, cast.pupil, Purpose.SMS)
    message = enqueue(cast, cast.guardian, cast.pupil, "sms")
    # The withdrawal lands without the signal (another process, a missed listener).
    Consent.objects.filter(pk=consent.pk).update(withdrawn_on=cast.today)
    assert outbox_send(message_id=message.pk) == OutboxStatus.CANCELLED
    message.refresh_from_db()
    assert message.status == OutboxStatus.CANCELLED
    assert message.error == "no consent at send time"
    assert transports.sms_outbox == []


def test_withdrawing_sms_leaves_queued_email_alone(cast):
    ContactFactory(guardian=cast.guardian.guardian, kind="phone", value="+79001234567")
    ContactFactory(guardian=cast.guardian.guardian, kind="email", value="mama@example.ru")
    sms_consent = record(cast, cast.guardian, cast.pupil, Purpose.SMS)
    record(cast, cast.guardian, cast.pupil, Purpose.EMAIL)
    sms = enqueue(cast, cast.guardian, cast.pupil, "sms", key="s")
    email = enqueue(cast, cast.guardian, cast.pupil, "email", key="e")
    withdraw(cast, sms_consent)
    sms.refresh_from_db()
    email.refresh_from_db()
    assert (sms.status, email.status) == (OutboxStatus.CANCELLED, OutboxStatus.QUEUED)
    assert outbox_send(message_id=email.pk) == OutboxStatus.SENT
