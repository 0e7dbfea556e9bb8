"""Listeners: the journal and consent announce, the outbox writes its rows.

The journal's events carry ids; a listener writes the outbox rows with `transaction.atomic`,
which joins the sender's transaction when there is one, and hands anything to Celery only after
commit. Nothing here calls out."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from consent import events
from consent.rules import CHANNEL_PURPOSE
from journal import events as journal_events
from journal.models import Attendance, FinalMark, Lesson, LessonStatus, Mark, Remark, RemarkKind
from journal.selectors import lesson_student_ids
from journal.selectors.timetable import first_school_day_after
from school.models import School

from .models import Kind, NotificationPolicy
from .preferences import NOBODY, instant_wanted, policy_forget, policy_of
from .services import instant_forget, instant_record, outbox_cancel_queued

PURPOSE_CHANNEL = {purpose: channel for channel, purpose in CHANNEL_PURPOSE.items()}


@receiver(events.consent_withdrawn, dispatch_uid="notifications.consent_withdrawn")
def cancel_on_consent_withdrawn(*, guardian_id, student_id, purpose, **kwargs):
    channel = PURPOSE_CHANNEL.get(purpose)
    if channel is not None:
        outbox_cancel_queued(
            guardian_id=guardian_id,
            student_id=student_id,
            channel=channel,
            reason="consent withdrawn",
        )


@receiver(events.guardian_access_ended, dispatch_uid="notifications.guardian_access_ended")
def cancel_on_access_ended(*, guardian_id, student_id=None, **kwargs):
    outbox_cancel_queued(guardian_id=guardian_id, student_id=student_id, reason="access ended")


def _by_student(rows) -> dict[int, list[tuple[int, int]]]:
    items: dict[int, list[tuple[int, int]]] = {}
    for pk, student_id, version in rows:
        items.setdefault(student_id, []).append((pk, version))
    return items


def _record(school_id, kind, queryset) -> None:
    items = _by_student(queryset.values_list("pk", "student_id", "version"))
    if items:
        instant_record(school=School.objects.get(pk=school_id), kind=kind, items=items)


@receiver(journal_events.marks_saved, dispatch_uid="notifications.marks_saved")
def marks_saved(*, school_id, mark_ids, **kwargs):
    """Marks go at once only to those who asked for it (the default is the evening digest):
    one query finds whether anyone did, so a teacher's save stays cheap."""
    wanted = instant_wanted(policy_of(school_id))
    if wanted is NOBODY:
        return  # nobody in the school wants marks at once: no query at all
    marks = Mark.objects.filter(pk__in=mark_ids)
    if wanted is not None:
        marks = marks.filter(wanted)
    _record(school_id, Kind.MARK, marks)


@receiver(post_save, sender=NotificationPolicy, dispatch_uid="notifications.policy_saved")
def forget_policy(*, instance, **kwargs):
    policy_forget(instance.school_id)


@receiver(journal_events.marks_deleted, dispatch_uid="notifications.marks_deleted")
def marks_deleted(*, mark_ids, **kwargs):
    instant_forget(kind=Kind.MARK, ids=mark_ids)


@receiver(journal_events.attendance_saved, dispatch_uid="notifications.attendance_saved")
def attendance_saved(*, school_id, attendance_ids, **kwargs):
    absences = Attendance.objects.filter(pk__in=attendance_ids).exclude(code="late")
    _record(school_id, Kind.ABSENCE, absences)


@receiver(journal_events.attendance_deleted, dispatch_uid="notifications.attendance_deleted")
def attendance_deleted(*, attendance_ids, **kwargs):
    instant_forget(kind=Kind.ABSENCE, ids=attendance_ids)


@receiver(journal_events.finals_set, dispatch_uid="notifications.finals_set")
def finals_set(*, school_id, final_mark_ids, **kwargs):
    published = FinalMark.objects.filter(pk__in=final_mark_ids, published_at__isnull=False).exclude(
        value=""
    )
    _record(school_id, Kind.FINAL, published)


@receiver(journal_events.remarks_added, dispatch_uid="notifications.remarks_added")
def remarks_added(*, school_id, remark_ids, **kwargs):
    """A teacher's message to the parents goes at once (comments and recommendations wait for
    the evening digest). A remark is written once, so its id alone is the event."""
    messages = Remark.objects.filter(
        pk__in=remark_ids, school_id=school_id, kind=RemarkKind.MESSAGE
    ).values_list("pk", "student_id")
    items: dict[int, list[tuple[int, int]]] = {}
    for pk, student_id in messages:
        items.setdefault(student_id, []).append((pk, 1))
    if items:
        instant_record(school=School.objects.get(pk=school_id), kind=Kind.MESSAGE, items=items)


def _lesson_event(lesson, tomorrow):
    """The event's version of a cancelled or moved lesson that concerns the next school day
    (its timetabled day, or the day it moved to), or None."""
    if lesson.status == LessonStatus.CANCELLED and lesson.date == tomorrow:
        return "cancelled"
    moved_to = getattr(lesson, "moved_to", None) if lesson.status == LessonStatus.MOVED else None
    if moved_to is not None and tomorrow in (lesson.date, moved_to.date):
        return f"moved.{moved_to.date.isoformat()}.{moved_to.lesson_number}"
    return None


@receiver(journal_events.lessons_changed, dispatch_uid="notifications.lessons_changed")
def lessons_changed(*, school_id, lesson_ids, **kwargs):
    """A lesson of the next school day cancelled or moved (or moved onto it) tells the families
    of its students at once; a move undone before the message went takes it back. The version
    names where the lesson went, so the same change announced twice adds nothing and a second
    move is a new event."""
    school = School.objects.get(pk=school_id)
    lessons = list(
        Lesson.objects.filter(pk__in=lesson_ids, school_id=school_id).select_related("moved_to")
    )
    back = [lesson.pk for lesson in lessons if lesson.status == LessonStatus.SCHEDULED]
    if back:
        instant_forget(kind=Kind.SCHEDULE, ids=back)
    tomorrow = first_school_day_after(school.today())
    items: dict[int, list[tuple[int, str]]] = {}
    for lesson in lessons:
        version = _lesson_event(lesson, tomorrow)
        if version is None:
            continue
        for student_id in lesson_student_ids(lesson):
            items.setdefault(student_id, []).append((lesson.pk, version))
    if items:
        instant_record(school=school, kind=Kind.SCHEDULE, items=items)
