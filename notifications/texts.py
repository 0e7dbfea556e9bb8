"""The words of a message, in the school's language (Russian), with no more personal data than
the message needs: the child's first name, the subject and the mark; no surname, no teacher.

An SMS stays within two segments. Cyrillic goes as UCS-2: 70 characters in one segment, 67 per
segment once split, so at most 134 characters; longer texts are cut and point to the diary."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from journal.models import (
    Attendance,
    FinalMark,
    Lesson,
    LessonStatus,
    Mark,
    Remark,
    RemarkKind,
)

from .links import unsubscribe_url
from .models import Kind

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
SMS_MAX_SEGMENTS = 2


def sms_segments(text: str) -> int:
    """How many SMS segments the text takes (GSM-7: 160/153; otherwise UCS-2: 70/67)."""
    single, part = (160, 153) if set(text) <= GSM7 else (70, 67)
    if len(text) <= single:
        return 1
    return -(-len(text) // part)


def sms_fit(text: str, segments: int = SMS_MAX_SEGMENTS) -> str:
    """The text cut to `segments` segments, ending with an ellipsis when cut."""
    if sms_segments(text) <= segments:
        return text
    limit = (153 if set(text) <= GSM7 else 67) * segments
    return text[: limit - 1].rstrip(" ,;") + "…"


def _day(value) -> str:
    return formats.date_format(value, "d.m")


def mark_lines(mark_ids: list[int], student_id: int):
    """The marks still there, in their current value (a mark changed twice is its last value;
    a deleted one is gone)."""
    return list(
        Mark.objects.filter(pk__in=mark_ids, student_id=student_id)
        .select_related("subject", "work_type")
        .order_by("date", "subject__name", "slot")
    )


def absence_lines(attendance_ids: list[int], student_id: int):
    return list(
        Attendance.objects.filter(pk__in=attendance_ids, student_id=student_id)
        .exclude(code="late")
        .select_related("lesson__subject")
        .order_by("date", "lesson__lesson_number")
    )


def final_lines(final_ids: list[int], student_id: int):
    return list(
        FinalMark.objects.filter(
            pk__in=final_ids, student_id=student_id, published_at__isnull=False
        )
        .exclude(value="")
        .select_related("subject", "period")
        .order_by("subject__name")
    )


def message_lines(remark_ids: list[int], student_id: int):
    return list(
        Remark.objects.filter(pk__in=remark_ids, student_id=student_id, kind=RemarkKind.MESSAGE)
        .select_related("subject")
        .order_by("created_at", "pk")
    )


def changed_lessons(lesson_ids: list[int]):
    """The lessons still cancelled or moved (a move undone meanwhile is not told)."""
    return list(
        Lesson.objects.filter(
            pk__in=lesson_ids, status__in=[LessonStatus.CANCELLED, LessonStatus.MOVED]
        )
        .select_related("subject", "moved_to")
        .order_by("date", "lesson_number")
    )


def _lesson_line(lesson) -> str:
    where = {"subject": lesson.subject.name, "day": _day(lesson.date), "n": lesson.lesson_number}
    moved_to = getattr(lesson, "moved_to", None) if lesson.status == LessonStatus.MOVED else None
    if moved_to is None:
        return _("%(subject)s %(day)s, lesson %(n)s is cancelled") % where
    where |= {"to_day": _day(moved_to.date), "to_n": moved_to.lesson_number}
    return _("%(subject)s %(day)s, lesson %(n)s moved to %(to_day)s, lesson %(to_n)s") % where


def _marks(ids, student):
    rows = mark_lines(ids, student.pk)
    items = [f"{m.subject.name} {m.get_value_display()}" for m in rows]
    return (
        rows,
        items,
        _("%(name)s, new marks: %(marks)s. Details in the diary."),
        _("New marks: %(name)s"),
    )


def _absences(ids, student):
    rows = absence_lines(ids, student.pk)
    items = [f"{a.lesson.subject.name} {_day(a.date)}" for a in rows]
    return rows, items, _("%(name)s missed lessons: %(marks)s."), _("Missed lessons: %(name)s")


def _finals(ids, student):
    rows = final_lines(ids, student.pk)
    items = [f"{f.subject.name} ({f.period.name}) {f.get_value_display()}" for f in rows]
    return rows, items, _("%(name)s, final marks: %(marks)s."), _("Final marks: %(name)s")


def _messages(ids, student):
    rows = message_lines(ids, student.pk)
    items = [f"{r.subject.name}: {r.text}" if r.subject else r.text for r in rows]
    # The pointer to the diary comes first: a long message is cut at the end.
    sms = _("%(name)s: a teacher's message (in full in the diary). %(marks)s")
    return rows, items, sms, _("A teacher's message: %(name)s")


def _schedule(ids, _student):
    rows = changed_lessons(ids)
    items = [_lesson_line(lesson) for lesson in rows]
    sms = _("%(name)s, timetable changes: %(marks)s.")
    return rows, items, sms, _("Timetable changes: %(name)s")


READERS = {
    Kind.MARK: _marks,
    Kind.ABSENCE: _absences,
    Kind.FINAL: _finals,
    Kind.MESSAGE: _messages,
    Kind.SCHEDULE: _schedule,
}
# Kinds whose e-mail lists the lines of the SMS rather than a table of the rows.
LINE_KINDS = (Kind.MESSAGE, Kind.SCHEDULE)


def render_instant(
    *, kind: str, ids: list[int], student, channel: str, guardian_id: int | None = None
) -> dict | None:
    """Subject, plain text and HTML of a coalesced message from what is in the journal now;
    None when nothing is left to tell (every mark of the window was deleted)."""
    reader = READERS.get(kind)
    if reader is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        rows, items, sms, subject = reader(ids, student)
        if not rows:
            return None
        subject = subject % {"name": student.first_name}
        text = sms % {"name": student.first_name, "marks": ", ".join(items)}
        if channel == "sms":
            return {"subject": "", "body": sms_fit(text), "html": ""}
        context = {"kind": kind, "rows": rows, "student": student, "subject": subject}
        if kind in LINE_KINDS:
            context["lines"] = items
        if guardian_id is not None:
            context["unsubscribe_url"] = unsubscribe_url(
                guardian_id=guardian_id, student_id=student.pk
            )
        return {
            "subject": subject,
            "body": render_to_string("notifications/email/instant.txt", context),
            "html": render_to_string("notifications/email/instant.html", context),
        }
