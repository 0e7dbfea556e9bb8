"""The timetable: bells, its lines and the lessons generated from them."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from school.models import (
    BellSchedule,
    Holiday,
    TimetableEntry,
)

from ..models import (
    Attendance,
    Homework,
    Lesson,
    Mark,
)


@transaction.atomic
def bell_set(*, school, lesson_number: int, starts_at: dt.time, ends_at: dt.time) -> BellSchedule:
    """Set the start and end of a lesson number (creating or changing its bell)."""
    if starts_at >= ends_at:
        raise ValidationError({"ends_at": [_("A lesson must end after it starts.")]})
    bell, _created = BellSchedule.objects.update_or_create(
        school=school,
        lesson_number=lesson_number,
        defaults={"starts_at": starts_at, "ends_at": ends_at},
    )
    return bell


@transaction.atomic
def timetable_entry_create(*, user, entry: TimetableEntry) -> TimetableEntry:
    """Add a line to the weekly timetable (validated with the model's constraints)."""
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def timetable_entry_end(*, user, entry: TimetableEntry, last_day: dt.date) -> int:
    """End a timetable line after `last_day`; its generated lessons after that day that hold no
    marks, attendance or homework are removed. Returns how many were removed."""
    if last_day < entry.valid_from:
        last_day = entry.valid_from - dt.timedelta(days=1)
    entry.valid_to = last_day
    entry.save(update_fields=["valid_to"])
    untouched = Lesson.objects.filter(timetable_entry=entry, date__gt=last_day).exclude(
        Exists(Mark.objects.filter(lesson=OuterRef("pk")))
        | Exists(Attendance.objects.filter(lesson=OuterRef("pk")))
        | Exists(Homework.objects.filter(lesson=OuterRef("pk")))
        | Q(moved_to__isnull=False)
    )
    removed, _detail = untouched.delete()
    return removed


def _holidays_by_level(school, year) -> list[tuple[dt.date, dt.date, int, int]]:
    return list(
        Holiday.objects.filter(school=school, year=year).values_list(
            "starts_on", "ends_on", "level_min", "level_max"
        )
    )


@transaction.atomic
def lessons_generate(
    *, user, school, year, starts_on: dt.date, ends_on: dt.date, class_group=None
) -> int:
    """Create the lessons of the weekly timetable between two dates (inclusive), skipping
    weekends and the holidays of the class's level. Idempotent: a lesson that already exists for
    a timetable line and date (unique) is left exactly as it is. Returns how many were created."""
    if ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The end date must not be before the start date.")]})
    starts_on, ends_on = max(starts_on, year.starts_on), min(ends_on, year.ends_on)
    entries = TimetableEntry.objects.filter(school=school, year=year).select_related(
        "class_group", "study_group__class_group"
    )
    if class_group is not None:
        entries = entries.filter(
            Q(class_group=class_group) | Q(study_group__class_group=class_group)
        )
    holidays = _holidays_by_level(school, year)
    new = []
    for entry in entries:
        klass = entry.class_group or (entry.study_group.class_group if entry.study_group else None)
        level = klass.level if klass else None
        first = max(starts_on, entry.valid_from)
        last = min(ends_on, entry.valid_to) if entry.valid_to else ends_on
        # The first date on or after `first` that falls on the entry's weekday.
        day = first + dt.timedelta(days=(entry.weekday - first.isoweekday()) % 7)
        while day <= last:
            off = any(
                s <= day <= e and (level is None or lo <= level <= hi) for s, e, lo, hi in holidays
            )
            if not off:
                new.append(
                    Lesson(
                        school_id=school.pk,
                        class_group_id=entry.class_group_id,
                        study_group_id=entry.study_group_id,
                        subject_id=entry.subject_id,
                        teacher_id=entry.teacher_id,
                        timetable_entry=entry,
                        date=day,
                        lesson_number=entry.lesson_number,
                        room=entry.room,
                    )
                )
            day += dt.timedelta(days=7)
    if not new:
        return 0
    generated = Lesson.objects.filter(
        timetable_entry__in=entries, date__gte=starts_on, date__lte=ends_on
    )
    before = generated.count()
    # ignore_conflicts: a (timetable line, date) that already has its lesson keeps it untouched.
    Lesson.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return generated.count() - before
