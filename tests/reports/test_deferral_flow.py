"""Deferral for illness end to end (2.5): deferred, reminded, resolved; shown in the diary's
data, the summary sheet and the statistics. And families see only their own child's finals."""

import datetime as dt

import pytest
from django.core import mail
from django.http import Http404
from django.urls import reverse

from diary.selectors import diary_frame, published_finals
from journal.models import FinalStatus
from journal.services import final_mark_defer, final_mark_set
from reports.models import DeferralReminder
from reports.services import deferral_reminders_send
from reports.tasks import deferral_reminders, deferral_reminders_for_school


def family_finals(user, student_id: int):
    """The finals the diary's finals page lists for this viewer and child (as the view reads
    them): Http404 for someone else's child, and nothing for a family without consent."""
    frame = diary_frame(user, student_id)
    if not frame.may_open:
        raise Http404
    return published_finals(frame)


def test_deferred_reminded_resolved(cast, as_user):
    cast.subject_teacher.email = "teacher@school.example"
    cast.subject_teacher.save(update_fields=["email"])
    due = cast.today + dt.timedelta(days=10)

    # 1. Deferred, with a reason, a document and a due date.
    final = final_mark_defer(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        reason="Болезнь (ОРВИ)",
        document="Справка № 17 от 20.11",
        due_date=due,
    )

    # The diary shows published FinalMark rows: the family sees «deferred» at once.
    shown = list(family_finals(cast.guardian, cast.pupil.pk))
    assert [(fm.pk, fm.status, fm.deferred_until) for fm in shown] == [
        (final.pk, FinalStatus.DEFERRED, due)
    ]

    # The teacher's finals list keeps it in view.
    home = as_user(cast.subject_teacher).get(reverse("journal:finals_home")).content.decode()
    assert f"отсрочена до {due:%d.%m.%Y}" in home

    # The summary sheet marks it.
    sheet = as_user(cast.class_teacher).get(
        reverse("reports:summary_sheet", args=[cast.class_7a.pk])
    )
    assert f"отсрочена до {due:%d.%m.%Y}" in sheet.content.decode()
    assert "Справка № 17 от 20.11" in sheet.content.decode()

    # The statistics count it as deferred (and leave it out of quality and success).
    stats = as_user(cast.deputy_head).get(
        reverse("reports:statistics") + f"?period={cast.period.pk}&class_id={cast.class_7a.pk}"
    )
    body = stats.content.decode()
    row = body[body.index(f'data-class="{cast.class_7a.pk}" data-subject="{cast.math.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'metric=deferred">1</a>' in row
    assert 'data-metric="quality"><a' in row and "—</a>" in row  # no counted final yet
    rows = as_user(cast.deputy_head).get(
        reverse("reports:statistics_rows")
        + f"?period={cast.period.pk}&class_id={cast.class_7a.pk}&subject={cast.math.pk}"
        + "&metric=deferred"
    )
    assert cast.pupil.short_name in rows.content.decode()

    # 2. Reminded: nothing while the date is far; once it is three days off, one e-mail, and
    # running the job again sends nothing more.
    assert deferral_reminders_send(school=cast.school, today=cast.today) == 0
    near = due - dt.timedelta(days=3)
    assert deferral_reminders_send(school=cast.school, today=near) == 1
    assert deferral_reminders_send(school=cast.school, today=near) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["teacher@school.example"]
    assert "Скоро срок" in mail.outbox[0].subject
    assert cast.pupil.short_name in mail.outbox[0].body
    # On the due date an «overdue» reminder follows, once.
    assert deferral_reminders_send(school=cast.school, today=due) == 1
    assert deferral_reminders_send(school=cast.school, today=due) == 0
    assert set(DeferralReminder.objects.values_list("kind", flat=True)) == {"soon", "overdue"}

    # 3. Resolved by setting the mark: no more reminders, the diary shows the mark.
    resolved = final_mark_set(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        choice="4",
    )
    assert resolved.pk == final.pk and resolved.status == FinalStatus.GRADED
    assert deferral_reminders_send(school=cast.school, today=due + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 2
    assert [(fm.status, fm.value) for fm in family_finals(cast.guardian, cast.pupil.pk)] == [
        ("graded", "4")
    ]
    sheet = as_user(cast.class_teacher).get(
        reverse("reports:summary_sheet", args=[cast.class_7a.pk])
    )
    assert "после отсрочки" in sheet.content.decode()


def test_the_reminder_task_runs_for_every_school_and_twice_safely(cast):
    cast.subject_teacher.email = "teacher@school.example"
    cast.subject_teacher.save(update_fields=["email"])
    final_mark_defer(
        user=cast.subject_teacher,
        student=cast.pupil,
        subject=cast.math,
        period=cast.period,
        reason="Болезнь",
        document="Справка",
        due_date=cast.today + dt.timedelta(days=1),
    )
    assert deferral_reminders.delay().get() == 1  # one school with deferrals
    assert len(mail.outbox) == 1
    assert deferral_reminders.delay().get() == 1
    assert len(mail.outbox) == 1  # the second run sends nothing more
    assert deferral_reminders_for_school.delay(10**9).get() == 0  # a school that is gone


def test_families_see_only_their_own_childs_finals(cast):
    for student in (cast.pupil, cast.sibling_7a, cast.pupil_no_consent):
        final_mark_set(
            user=cast.subject_teacher,
            student=student,
            subject=cast.math,
            period=cast.period,
            choice="5",
        )
    assert [fm.student_id for fm in family_finals(cast.guardian, cast.pupil.pk)] == [cast.pupil.pk]
    assert len(family_finals(cast.student, cast.pupil.pk)) == 1  # the student themself
    assert len(family_finals(cast.guardian_of_two, cast.sibling_7a.pk)) == 1
    for user, student in [
        (cast.guardian, cast.sibling_7a),  # another family's child in the same class
        (cast.stranger, cast.pupil),
        (cast.guardian_of_two, cast.pupil),
        (cast.student, cast.sibling_7a),
        (cast.guardian_without_consent, cast.pupil_no_consent),  # no diary consent: paper
        (cast.subject_teacher, cast.pupil),  # staff use the journal, not the diary
    ]:
        with pytest.raises(Http404):
            family_finals(user, student.pk)
