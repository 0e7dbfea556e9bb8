"""The daily SMS caps: past them a message goes by e-mail (with consent) or waits for the
digest, and the delivery log says why."""

from notifications import transports
from notifications.models import Kind, OutboxMessage, OutboxStatus
from notifications.services import outbox_enqueue, outbox_send


def sms(cast, guardian, key, kind=Kind.OTHER):
    return outbox_enqueue(
        school_id=cast.school.pk,
        guardian_id=guardian.pk,
        student_id=cast.pupil.pk,
        channel="sms",
        body=f"Сообщение {key}",
        dedupe_key=key,
        kind=kind,
    )


def test_past_the_parents_daily_cap_an_sms_goes_by_email(cast, family, policy):
    policy.sms_per_guardian_per_day = 2
    policy.save()
    results = [outbox_send(message_id=sms(cast, family, f"k{n}").pk) for n in range(3)]
    assert results == [OutboxStatus.SENT, OutboxStatus.SENT, OutboxStatus.CANCELLED]
    assert len(transports.sms_outbox) == 2
    capped = OutboxMessage.objects.get(dedupe_key="k2")
    assert capped.error_code == "cap" and "limit" in capped.error
    fallback = OutboxMessage.objects.get(fallback_of=capped)
    assert fallback.channel == "email" and fallback.body == "Сообщение k2"


def test_past_the_schools_budget_marks_wait_for_the_digest_and_notices_go_on_paper(
    cast, sms_only_family, policy
):
    from journal.services import mark_set
    from notifications.models import PaperNotice

    policy.sms_daily_budget = 1
    policy.save()
    assert outbox_send(message_id=sms(cast, sms_only_family, "a").pk) == OutboxStatus.SENT
    mark = mark_set(
        user=cast.subject_teacher, lesson=cast.lesson, student_id=cast.pupil.pk, slot=1, value="4"
    )
    marks = OutboxMessage.objects.create(
        school=cast.school,
        guardian=sms_only_family,
        student=cast.pupil,
        channel="sms",
        kind=Kind.MARK,
        recipient="+79001234567",
        payload={"ids": [mark.pk]},
        dedupe_key="marks",
    )
    notice = sms(cast, sms_only_family, "notice")
    assert outbox_send(message_id=marks.pk) == OutboxStatus.CANCELLED
    assert outbox_send(message_id=notice.pk) == OutboxStatus.CANCELLED
    marks.refresh_from_db()
    assert "budget" in marks.error
    # No e-mail consent: the marks are left to the evening digest, the notice goes on paper.
    assert not OutboxMessage.objects.filter(fallback_of__isnull=False).exists()
    assert list(PaperNotice.objects.values_list("message__dedupe_key", flat=True)) == ["notice"]


def test_the_cap_counts_the_schools_day_not_the_servers(cast, family, policy, clock):
    import datetime as dt

    from tests.conftest import MOSCOW

    policy.sms_per_guardian_per_day = 1
    policy.save()
    assert outbox_send(message_id=sms(cast, family, "today").pk) == OutboxStatus.SENT
    clock.move_to(dt.datetime(2026, 11, 26, 9, 0, tzinfo=MOSCOW))  # the next day
    assert outbox_send(message_id=sms(cast, family, "tomorrow").pk) == OutboxStatus.SENT
