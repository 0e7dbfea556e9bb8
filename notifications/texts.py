"""The words of a message, in the school's language (Russian), with no more personal data than
the message needs: the child's first name, the subject and the mark; no surname, no teacher.

An SMS stays within two segments. Cyrillic goes as UCS-2: 70 characters in one segment, 67 per
segment once split, so at most 134 characters; longer texts are cut and point to the diary."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from journal.models import Attendance, FinalMark, Mark

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


def render_instant(
    *, kind: str, ids: list[int], student, channel: str, guardian_id: int | None = None
) -> dict | None:
    """Subject, plain text and HTML of a coalesced message from what is in the journal now;
    None when nothing is left to tell (every mark of the window was deleted)."""
    with translation.override(settings.LANGUAGE_CODE):
        if kind == Kind.MARK:
            rows = mark_lines(ids, student.pk)
            items = [f"{m.subject.name} {m.get_value_display()}" for m in rows]
            sms = _("%(name)s, new marks: %(marks)s. Details in the diary.")
            subject = _("New marks: %(name)s") % {"name": student.first_name}
        elif kind == Kind.ABSENCE:
            rows = absence_lines(ids, student.pk)
            items = [f"{a.lesson.subject.name} {_day(a.date)}" for a in rows]
            sms = _("%(name)s missed lessons: %(marks)s.")
            subject = _("Missed lessons: %(name)s") % {"name": student.first_name}
        elif kind == Kind.FINAL:
            rows = final_lines(ids, student.pk)
            items = [f"{f.subject.name} ({f.period.name}) {f.get_value_display()}" for f in rows]
            sms = _("%(name)s, final marks: %(marks)s.")
            subject = _("Final marks: %(name)s") % {"name": student.first_name}
        else:
            return None
        if not rows:
            return None
        text = sms % {"name": student.first_name, "marks": ", ".join(items)}
        if channel == "sms":
            return {"subject": "", "body": sms_fit(text), "html": ""}
        context = {"kind": kind, "rows": rows, "student": student, "subject": subject}
        if guardian_id is not None:
            context["unsubscribe_url"] = unsubscribe_url(
                guardian_id=guardian_id, student_id=student.pk
            )
        return {
            "subject": subject,
            "body": render_to_string("notifications/email/instant.txt", context),
            "html": render_to_string("notifications/email/instant.html", context),
        }
