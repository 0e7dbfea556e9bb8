"""What a confirmation page shows before a step that removes data: the timetable line to end
and the lessons it takes with it, the mark to delete."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from accounts.rules import is_deputy_head
from school.models import TimetableEntry

from ..models import Attendance, Homework, Lesson, Mark


def timetable_entry_for_deputy(user, entry_id: int) -> TimetableEntry:
    """A timetable line of the deputy head's school; 404 otherwise."""
    if not is_deputy_head(user):
        raise Http404
    entry = (
        TimetableEntry.objects.filter(pk=entry_id, school_id=user.school_id)
        .select_related("subject", "teacher", "class_group", "study_group")
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def lessons_ending_removes(entry: TimetableEntry, last_day: dt.date) -> int:
    """How many of the line's lessons after `last_day` ending it would remove: those holding no
    marks, attendance or homework and not moved (timetable_entry_end removes exactly these)."""
    return (
        Lesson.objects.filter(timetable_entry=entry, date__gt=last_day)
        .exclude(
            Exists(Mark.objects.filter(lesson=OuterRef("pk")))
            | Exists(Attendance.objects.filter(lesson=OuterRef("pk")))
            | Exists(Homework.objects.filter(lesson=OuterRef("pk")))
            | Q(moved_to__isnull=False)
        )
        .count()
    )


def mark_of(lesson: Lesson, *, student_id: int, mark_id: int) -> Mark:
    """The mark of the student in a lesson already scoped to the viewer; 404 otherwise."""
    mark = (
        Mark.objects.filter(pk=mark_id, lesson=lesson, student_id=student_id)
        .select_related("work_type", "student")
        .first()
    )
    if mark is None:
        raise Http404
    return mark
