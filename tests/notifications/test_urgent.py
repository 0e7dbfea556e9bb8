"""A teacher's message to the parents and a lesson of the next school day cancelled or moved
go to the families at once: written in the journal's transaction, once per event, as each
guardian chose, within the quiet hours, checked for consent when sent, in Russian and within
two SMS segments."""

import datetime as dt

import pytest
from django.db import transaction

from journal import events
from journal.services import lesson_cancel, lesson_move, lesson_move_undo, remark_add
from notifications import transports
from notifications.models import Kind, Mode, OutboxMessage, OutboxStatus, Preference
from notifications.services import outbox_relay, outbox_send
from notifications.texts import sms_segments
from tests import factories as f
from tests.conftest import MOSCOW

SETTINGS = "/notifications/settings/"


def choose(guardian, student, channel, mode=Mode.DIGEST, **switches):
    Preference.objects.update_or_create(
        guardian=guardian,
        student=student,
        channel=channel,
        defaults={"school": guardian.school, "mode": mode, **switches},
    )


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def write_remark(cast, kind="message", text="Пётр сегодня помог однокласснику, спасибо!"):
    return remark_add(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        student_id=cast.pupil.pk,
        kind=kind,
        text=text,
    )


def lesson_on(cast, day, number=3):
    return f.LessonFactory(
        school=cast.school,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=day,
        lesson_number=number,
        work_type=cast.answer,
    )


def cancel(cast, lesson):
    return lesson_cancel(
        user=cast.deputy_head, lesson=lesson, reason="Болезнь учителя", document="Приказ № 12"
    )


# --- A teacher's message to the parents ---------------------------------------------------------


def test_a_message_to_parents_is_queued_in_the_remarks_transaction(cast, family, policy):
    with transaction.atomic():
        remark = write_remark(cast)
        queued = set(OutboxMessage.objects.values_list("kind", "channel", "status"))
        assert queued == {(Kind.MESSAGE, "sms", "queued"), (Kind.MESSAGE, "email", "queued")}
        transaction.set_rollback(True)
    # The remark rolled back takes its messages with it.
    assert not OutboxMessage.objects.exists()
    assert remark.pk is not None


def test_a_message_to_parents_goes_at_once_in_russian_within_two_segments(
    cast, family, policy, run_on_commit
):
    run_on_commit(lambda: write_remark(cast))
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.status == OutboxStatus.SENT
    assert sms.body == (
        "Пётр: сообщение учителя (полностью в дневнике). "
        "Математика: Пётр сегодня помог однокласснику, спасибо!"
    )
    assert sms_segments(sms.body) <= 2
    assert cast.pupil.last_name not in sms.body
    email = OutboxMessage.objects.get(channel="email")
    assert email.subject == "Сообщение учителя: Пётр"
    assert "помог однокласснику" in email.body and "помог однокласснику" in email.html


def test_a_long_message_is_cut_to_two_segments_and_still_points_to_the_diary(
    cast, sms_only_family, policy, run_on_commit
):
    run_on_commit(lambda: write_remark(cast, text="Очень длинное сообщение. " * 40))
    body = OutboxMessage.objects.get().body
    assert sms_segments(body) == 2 and body.endswith("…")
    assert "полностью в дневнике" in body


def test_comments_and_recommendations_wait_for_the_digest(cast, family, policy, run_on_commit):
    run_on_commit(lambda: write_remark(cast, kind="comment", text="Отвлекался"))
    run_on_commit(lambda: write_remark(cast, kind="recommendation", text="Повторить дроби"))
    assert not OutboxMessage.objects.exists()


def test_the_same_message_announced_twice_is_sent_once(cast, family, policy):
    policy.coalesce_minutes = 10
    policy.save()
    remark = write_remark(cast)
    for _ in range(2):  # a retried listener
        events.remarks_added.send(
            sender=None, school_id=cast.school.pk, remark_ids=[remark.pk], changed_by_id=None
        )
    assert OutboxMessage.objects.filter(channel="sms").count() == 1
    assert OutboxMessage.objects.get(channel="sms").payload == {"ids": [remark.pk]}


def test_a_guardian_who_turned_teachers_messages_off_on_sms_gets_them_by_e_mail_only(
    cast, family, policy, run_on_commit
):
    choose(family, cast.pupil, "sms", teacher_messages=False)
    run_on_commit(lambda: write_remark(cast))
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["email"]


def test_a_channel_turned_off_gets_no_message(cast, family, policy, run_on_commit):
    choose(family, cast.pupil, "sms", mode=Mode.OFF)
    choose(family, cast.pupil, "email", mode=Mode.OFF)
    run_on_commit(lambda: write_remark(cast))
    assert not OutboxMessage.objects.exists()


def test_the_schools_default_decides_for_a_guardian_who_never_chose(
    cast, family, policy, run_on_commit
):
    policy.teacher_messages = False
    policy.save()
    run_on_commit(lambda: write_remark(cast))
    assert not OutboxMessage.objects.exists()
    choose(family, cast.pupil, "email", teacher_messages=True)
    run_on_commit(lambda: write_remark(cast, text="Завтра нужна форма для физкультуры"))
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["email"]


def test_a_message_in_the_quiet_hours_waits_for_the_morning(
    cast, sms_only_family, policy, clock, run_on_commit
):
    clock.move_to(dt.datetime(2026, 11, 25, 21, 30, tzinfo=MOSCOW))
    run_on_commit(lambda: write_remark(cast))
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.QUEUED
    assert message.not_before == dt.datetime(2026, 11, 26, 8, 0, tzinfo=MOSCOW)
    assert transports.sms_outbox == []


def test_consent_is_checked_again_when_the_message_is_sent(cast, sms_only_family, policy):
    from consent.models import Consent, Purpose

    policy.coalesce_minutes = 10
    policy.save()
    write_remark(cast)
    message = OutboxMessage.objects.get()
    # A consent gone without any listener hearing of it (a row removed by hand).
    Consent.objects.filter(guardian=sms_only_family, purpose=Purpose.SMS).delete()
    OutboxMessage.objects.filter(pk=message.pk).update(not_before=None)
    assert outbox_send(message_id=message.pk) == OutboxStatus.CANCELLED
    assert transports.sms_outbox == []


# --- Tomorrow's lessons cancelled or moved -----------------------------------------------------


def test_a_lesson_of_tomorrow_cancelled_is_told_once_in_its_transaction(
    cast, sms_only_family, policy, today, run_on_commit
):
    lesson = lesson_on(cast, today + dt.timedelta(days=1))
    with transaction.atomic():
        cancel(cast, lesson)
        assert OutboxMessage.objects.filter(kind=Kind.SCHEDULE).count() == 1
        transaction.set_rollback(True)
    assert not OutboxMessage.objects.exists()
    run_on_commit(lambda: cancel(cast, lesson))
    message = OutboxMessage.objects.get()
    assert (message.kind, message.status) == (Kind.SCHEDULE, OutboxStatus.SENT)
    assert message.body == "Пётр, изменения в расписании: Математика 26.11, урок 3 отменён."
    assert sms_segments(message.body) == 1
    # The same change announced again adds nothing.
    events.lessons_changed.send(
        sender=None, school_id=cast.school.pk, lesson_ids=[lesson.pk], changed_by_id=None
    )
    assert OutboxMessage.objects.count() == 1


def test_only_the_next_school_day_is_told(cast, sms_only_family, policy, today, run_on_commit):
    run_on_commit(lambda: cancel(cast, lesson_on(cast, today + dt.timedelta(days=2))))
    run_on_commit(lambda: cancel(cast, lesson_on(cast, today, number=5)))
    assert not OutboxMessage.objects.exists()


def test_on_friday_the_next_school_day_is_monday(
    cast, sms_only_family, policy, clock, today, run_on_commit
):
    friday = today + dt.timedelta(days=2)
    clock.move_to(dt.datetime.combine(friday, dt.time(10, 0), tzinfo=MOSCOW))
    run_on_commit(lambda: cancel(cast, lesson_on(cast, friday + dt.timedelta(days=3))))
    assert OutboxMessage.objects.get().body.endswith("30.11, урок 3 отменён.")


def test_two_lessons_of_tomorrow_cancelled_make_one_message(
    cast, sms_only_family, policy, today, clock, run_on_commit
):
    policy.coalesce_minutes = 10
    policy.save()
    tomorrow = today + dt.timedelta(days=1)
    run_on_commit(lambda: cancel(cast, lesson_on(cast, tomorrow, number=3)))
    run_on_commit(lambda: cancel(cast, lesson_on(cast, tomorrow, number=4)))
    assert OutboxMessage.objects.count() == 1
    clock.shift(dt.timedelta(minutes=11))
    run_on_commit(outbox_relay)
    assert transports.sms_outbox[0]["body"] == (
        "Пётр, изменения в расписании: Математика 26.11, урок 3 отменён, "
        "Математика 26.11, урок 4 отменён."
    )


def test_a_lesson_moved_off_or_onto_tomorrow_is_told_with_where_it_went(
    cast, sms_only_family, policy, today, run_on_commit
):
    tomorrow = today + dt.timedelta(days=1)
    lesson = lesson_on(cast, tomorrow)
    run_on_commit(
        lambda: lesson_move(
            user=cast.deputy_head,
            lesson=lesson,
            date=tomorrow + dt.timedelta(days=1),
            lesson_number=6,
        )
    )
    assert OutboxMessage.objects.get().body == (
        "Пётр, изменения в расписании: Математика 26.11, урок 3 перенесён на 27.11, урок 6."
    )
    later = lesson_on(cast, today + dt.timedelta(days=6), number=1)
    run_on_commit(
        lambda: lesson_move(user=cast.deputy_head, lesson=later, date=tomorrow, lesson_number=7)
    )
    assert OutboxMessage.objects.count() == 2
    assert OutboxMessage.objects.first().body.endswith("урок 1 перенесён на 26.11, урок 7.")


def test_a_move_undone_before_the_message_went_takes_it_back(cast, sms_only_family, policy, today):
    policy.coalesce_minutes = 10
    policy.save()
    tomorrow = today + dt.timedelta(days=1)
    lesson = lesson_on(cast, tomorrow)
    lesson_move(user=cast.deputy_head, lesson=lesson, date=tomorrow, lesson_number=6)
    assert OutboxMessage.objects.get().status == OutboxStatus.QUEUED
    lesson_move_undo(user=cast.deputy_head, lesson=lesson)
    assert OutboxMessage.objects.get().status == OutboxStatus.CANCELLED


def test_a_guardian_who_turned_lesson_changes_off_is_not_told(
    cast, sms_only_family, policy, today, run_on_commit
):
    choose(sms_only_family, cast.pupil, "sms", lesson_changes=False)
    run_on_commit(lambda: cancel(cast, lesson_on(cast, today + dt.timedelta(days=1))))
    assert not OutboxMessage.objects.exists()


def test_families_of_another_class_are_not_told(cast, policy, today, run_on_commit):
    from tests.consent.factories import ContactFactory
    from tests.notifications.conftest import consent_to

    guardian = cast.stranger.guardian  # a parent of 5 «Б»
    ContactFactory(guardian=guardian, kind="phone", value="+79007654321")
    consent_to(cast, guardian, cast.stranger_child, "sms")
    run_on_commit(lambda: cancel(cast, lesson_on(cast, today + dt.timedelta(days=1))))
    assert not OutboxMessage.objects.exists()


# --- The settings page --------------------------------------------------------------------------


def test_the_settings_page_shows_and_saves_the_switches(as_user, cast, family, policy):
    page = as_user(cast.guardian).get(SETTINGS).content.decode()
    assert "Сообщения учителей сразу" in page
    assert "Отмена или перенос уроков на завтра сразу" in page
    key = cast.pupil.pk
    response = as_user(cast.guardian).post(
        SETTINGS,
        {
            f"mode-{key}-sms": "digest",
            f"mode-{key}-email": "digest",
            f"teacher_messages-{key}-sms": "on",
            f"lesson_changes-{key}-email": "on",
        },
    )
    assert response.status_code == 302
    prefs = {
        p.channel: (p.teacher_messages, p.lesson_changes)
        for p in Preference.objects.filter(guardian=family)
    }
    assert prefs == {"sms": (True, False), "email": (False, True)}
