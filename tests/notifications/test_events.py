"""Journal events become outbox messages for the families who want them: at once, coalesced,
with the final value, never for a deleted mark; quiet hours and consent at send time."""

import datetime as dt

import pytest
from django.utils import timezone

from consent.models import Consent, Purpose
from consent.services import consent_withdraw
from journal.services import CellInput, mark_delete, mark_set, marks_save_column
from notifications import transports
from notifications.models import Kind, Mode, OutboxMessage, OutboxStatus, Preference
from notifications.services import outbox_relay, outbox_send
from tests.conftest import MOSCOW


def want(guardian, student, channel, mode, weekly=True):
    Preference.objects.update_or_create(
        guardian=guardian,
        student=student,
        channel=channel,
        defaults={"school": guardian.school, "mode": mode, "weekly": weekly},
    )


def save_mark(cast, value, slot=1, version=0, capture=None):
    return mark_set(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        student_id=cast.pupil.pk,
        slot=slot,
        value=value,
        version=version,
    )


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what the journal and the outbox defer to after commit (events, then the send)."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def test_a_saved_mark_opens_one_message_per_channel_the_family_wants_at_once(
    cast, family, policy, run_on_commit
):
    want(family, cast.pupil, "sms", Mode.INSTANT)
    want(family, cast.pupil, "email", Mode.OFF)
    policy.coalesce_minutes = 10
    policy.save()
    run_on_commit(lambda: save_mark(cast, "5"))
    message = OutboxMessage.objects.get()
    assert (message.channel, message.kind, message.status) == ("sms", Kind.MARK, "queued")
    assert (
        message.not_before == timezone.now().replace(microsecond=0) + dt.timedelta(minutes=10)
        or message.not_before > timezone.now()
    )
    assert transports.sms_outbox == []  # held for the coalescing window


def test_marks_of_one_window_become_one_sms_with_their_final_values(
    cast, family, policy, run_on_commit, clock
):
    want(family, cast.pupil, "sms", Mode.INSTANT)
    want(family, cast.pupil, "email", Mode.OFF)
    policy.coalesce_minutes = 10
    policy.save()
    first = run_on_commit(lambda: save_mark(cast, "3"))
    run_on_commit(lambda: save_mark(cast, "4", slot=2))
    # The first mark is corrected before anything was sent: its last value goes, once.
    run_on_commit(lambda: save_mark(cast, "5", version=first.version))
    assert OutboxMessage.objects.count() == 1
    clock.shift(dt.timedelta(minutes=11))
    run_on_commit(outbox_relay)
    assert len(transports.sms_outbox) == 1
    body = transports.sms_outbox[0]["body"]
    assert body == "Пётр, новые отметки: Математика 5, Математика 4. Подробнее в дневнике."
    assert "3" not in body
    assert cast.pupil.last_name not in body  # no more personal data than needed


def test_a_mark_deleted_before_sending_cancels_its_message(cast, family, policy, run_on_commit):
    want(family, cast.pupil, "sms", Mode.INSTANT)
    want(family, cast.pupil, "email", Mode.INSTANT)
    policy.coalesce_minutes = 10
    policy.save()
    mark = run_on_commit(lambda: save_mark(cast, "2"))
    assert OutboxMessage.objects.filter(status="queued").count() == 2
    run_on_commit(
        lambda: mark_delete(
            user=cast.subject_teacher,
            mark_id=mark.pk,
            lesson=cast.lesson,
            student_id=cast.pupil.pk,
            version=mark.version,
        )
    )
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"cancelled"}


def test_the_default_digest_mode_sends_no_mark_at_once_but_an_absence(
    cast, family, policy, run_on_commit
):
    run_on_commit(
        lambda: marks_save_column(
            user=cast.subject_teacher,
            lesson=cast.lesson,
            cells=[CellInput(student_id=cast.pupil.pk, marks=("5",), attendance="absent")],
        )
    )
    kinds = set(OutboxMessage.objects.values_list("kind", "channel"))
    assert kinds == {(Kind.ABSENCE, "sms"), (Kind.ABSENCE, "email")}
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.status == OutboxStatus.SENT
    assert sms.body == "Пётр пропустил(а) уроки: Математика 25.11."


def test_a_repeated_event_adds_nothing(cast, family, policy):
    from journal import events

    want(family, cast.pupil, "sms", Mode.INSTANT)
    policy.coalesce_minutes = 10
    policy.save()
    mark = save_mark(cast, "5")
    for _ in range(2):  # the same event announced twice (a retried listener)
        events.marks_saved.send(
            sender=None, school_id=cast.school.pk, mark_ids=[mark.pk], changed_by_id=None
        )
    assert OutboxMessage.objects.filter(channel="sms").count() == 1


def test_no_consent_no_message(cast, policy, run_on_commit):
    # guardian_without_consent has neither SMS nor e-mail consent
    run_on_commit(lambda: save_mark(cast, "5"))
    assert not OutboxMessage.objects.exists()


def test_consent_withdrawn_between_enqueue_and_send_stops_it(cast, family, policy, run_on_commit):
    want(family, cast.pupil, "sms", Mode.INSTANT)
    policy.coalesce_minutes = 10
    policy.save()
    run_on_commit(lambda: save_mark(cast, "5"))
    message = OutboxMessage.objects.get(channel="sms")
    consent = Consent.objects.granted(Purpose.SMS).get(guardian=family)
    consent_withdraw(recorded_by=cast.school_admin, consent=consent, withdrawn_on=cast.today)
    message.refresh_from_db()
    assert message.status == OutboxStatus.CANCELLED
    # Even a row a listener missed is stopped when it is sent.
    OutboxMessage.objects.filter(pk=message.pk).update(status="queued", not_before=None)
    assert outbox_send(message_id=message.pk) == OutboxStatus.CANCELLED
    assert transports.sms_outbox == []


@pytest.mark.parametrize(
    ("local", "held_until"),
    [
        # 23:30 Moscow: held until 08:00 the next morning, across midnight.
        (dt.datetime(2026, 11, 25, 23, 30), dt.datetime(2026, 11, 26, 8, 0)),
        # 00:10 (just after midnight): until 08:00 the same day.
        (dt.datetime(2026, 11, 26, 0, 10), dt.datetime(2026, 11, 26, 8, 0)),
        # 19:58: too close to the quiet hours to expire in time: held until the morning.
        (dt.datetime(2026, 11, 25, 19, 58), dt.datetime(2026, 11, 26, 8, 0)),
    ],
)
def test_an_sms_in_the_quiet_hours_waits_for_the_morning_in_the_schools_zone(
    cast, sms_only_family, policy, clock, local, held_until
):
    from notifications.services import outbox_enqueue

    clock.move_to(local.replace(tzinfo=MOSCOW))
    message = outbox_enqueue(
        school_id=cast.school.pk,
        guardian_id=sms_only_family.pk,
        student_id=cast.pupil.pk,
        channel="sms",
        body="Пётр: пропуск",
        dedupe_key="night",
    )
    assert outbox_send(message_id=message.pk) == OutboxStatus.QUEUED
    message.refresh_from_db()
    assert message.not_before == held_until.replace(tzinfo=MOSCOW)
    assert transports.sms_outbox == []
    assert outbox_send(message_id=message.pk) is None  # not due yet
    clock.move_to(held_until.replace(tzinfo=MOSCOW) + dt.timedelta(minutes=1))
    assert outbox_send(message_id=message.pk) == OutboxStatus.SENT
    message.refresh_from_db()
    # Twilio's longest validity (10 h): from 08:01 it runs out before the quiet hours.
    assert message.validity_seconds == 36_000


def test_an_sms_sent_in_the_evening_expires_when_the_quiet_hours_begin(
    cast, sms_only_family, policy, clock
):
    from notifications.services import outbox_enqueue

    clock.move_to(dt.datetime(2026, 11, 25, 18, 0, tzinfo=MOSCOW))
    message = outbox_enqueue(
        school_id=cast.school.pk,
        guardian_id=sms_only_family.pk,
        student_id=cast.pupil.pk,
        channel="sms",
        body="Пётр: пропуск",
        dedupe_key="evening",
    )
    assert outbox_send(message_id=message.pk) == OutboxStatus.SENT
    message.refresh_from_db()
    # Two hours until 20:00: a message stuck at the operator expires then, not at 03:00.
    assert 7_190 <= message.validity_seconds <= 7_200


def test_quiet_hours_follow_the_schools_own_zone(cast, sms_only_family, policy, clock):
    from notifications.services import outbox_enqueue

    cast.school.time_zone = "Asia/Vladivostok"  # UTC+10: 10:00 Moscow is 17:00 there
    cast.school.save(update_fields=["time_zone"])
    clock.move_to(dt.datetime(2026, 11, 25, 14, 0, tzinfo=MOSCOW))  # 21:00 in Vladivostok
    message = outbox_enqueue(
        school_id=cast.school.pk,
        guardian_id=sms_only_family.pk,
        student_id=cast.pupil.pk,
        channel="sms",
        body="Пётр: пропуск",
        dedupe_key="east",
    )
    assert outbox_send(message_id=message.pk) == OutboxStatus.QUEUED
    message.refresh_from_db()
    vladivostok = dt.datetime(2026, 11, 26, 8, 0).replace(
        tzinfo=__import__("zoneinfo").ZoneInfo("Asia/Vladivostok")
    )
    assert message.not_before == vladivostok


def test_a_final_mark_goes_at_once_even_in_digest_mode_and_is_linked_for_the_24_hour_report(
    cast, family, policy, run_on_commit
):
    from journal.services import final_mark_set

    final = run_on_commit(
        lambda: final_mark_set(
            user=cast.subject_teacher,
            student=cast.pupil,
            subject=cast.math,
            period=cast.period,
            choice="5",
        )
    )
    sms = OutboxMessage.objects.get(channel="sms", kind=Kind.FINAL)
    assert sms.status == OutboxStatus.SENT
    assert "итоговые" in sms.body and "Математика" in sms.body and "5" in sms.body
    assert final.family_notices.count() == 2  # the SMS and the e-mail
