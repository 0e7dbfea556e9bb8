"""The deputy head's control of the journal: a teacher's lessons lacking records, the control
works (filling control itself: `filling`)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce

from accounts.rules import is_school_leader
from school.models import (
    AcademicYear,
    ClassGroup,
    Holiday,
)

from ..models import (
    Homework,
    Lesson,
    LessonStatus,
)
from ..rules import _teacher_id, lessons_taught_by
from .timetable import first_school_day_after


def lessons_lacking(user, *, starts_on: dt.date, ends_on: dt.date) -> list[Lesson]:
    """The user's held lessons of the range still lacking a topic, attendance or homework."""
    return list(
        Lesson.objects.filter(
            lessons_taught_by(user),
            school_id=user.school_id,
            date__gte=starts_on,
            date__lte=ends_on,
            status=LessonStatus.SCHEDULED,
        )
        .annotate(has_homework=Exists(Homework.objects.filter(lesson_id=OuterRef("pk"))))
        .filter(Q(topic="") | Q(attendance_checked_at__isnull=True) | Q(has_homework=False))
        .select_related("subject", "class_group", "study_group")
        .order_by("-date", "lesson_number")[:50]
    )


def classes_for_viewer(user, year: AcademicYear) -> QuerySet[ClassGroup]:
    """The classes whose control works the user may see: all for school leaders; for a teacher
    the classes they teach or lead."""
    qs = ClassGroup.objects.filter(school_id=user.school_id, year=year)
    if is_school_leader(user):
        return qs
    teacher_id = _teacher_id(user) or 0
    return qs.filter(
        Q(class_teacher_id=teacher_id)
        | Q(assignments__teacher_id=teacher_id)
        | Q(study_groups__assignments__teacher_id=teacher_id)
    ).distinct()


@dataclass
class ControlWork:
    lesson_id: int
    date: dt.date
    lesson_number: int
    subject: str
    work_type: str
    group: str
    warnings: list[str] = field(default_factory=list)


def control_works(classes, *, starts_on: dt.date, ends_on: dt.date) -> dict:
    """Lessons of a control work type per class in a range, with load warnings: more than one
    control work for a class on a day, or one on the first school day after a holiday.
    Also what the family diary shows (classes = the child's class)."""
    from django.utils.translation import gettext as _

    classes = list(classes)
    by_class = {c.pk: c for c in classes}
    rows = (
        Lesson.objects.filter(
            Q(class_group__in=classes) | Q(study_group__class_group__in=classes),
            date__gte=starts_on,
            date__lte=ends_on,
            work_type__is_control=True,
        )
        .exclude(status__in=[LessonStatus.CANCELLED, LessonStatus.MOVED])
        .annotate(klass=Coalesce(F("class_group_id"), F("study_group__class_group_id")))
        .values(
            "id",
            "date",
            "lesson_number",
            "subject__name",
            "work_type__name",
            "klass",
            "study_group__name",
        )
        .order_by("date", "lesson_number")
    )
    holidays = list(
        Holiday.objects.filter(
            school_id__in={c.school_id for c in classes},
            ends_on__gte=starts_on - dt.timedelta(days=7),
        ).values_list("ends_on", "level_min", "level_max")
    )
    result: dict[int, list[ControlWork]] = {c.pk: [] for c in classes}
    # A student writes the control works of the whole class and of their own group only: the
    # parallel groups of one subject (English, group 1 and group 2) count once, as the busiest
    # of them, not once per group.
    per_day = defaultdict(int)
    per_group = defaultdict(int)
    works = []
    for r in rows:
        if r["study_group__name"]:
            per_group[(r["klass"], r["date"], r["subject__name"], r["study_group__name"])] += 1
        else:
            per_day[(r["klass"], r["date"])] += 1
        works.append(r)
    busiest = defaultdict(int)
    for (klass_id, day, subject, _group), count in per_group.items():
        busiest[(klass_id, day, subject)] = max(busiest[(klass_id, day, subject)], count)
    for (klass_id, day, _subject), count in busiest.items():
        per_day[(klass_id, day)] += count
    for r in works:
        klass = by_class.get(r["klass"])
        if klass is None:
            continue
        work = ControlWork(
            lesson_id=r["id"],
            date=r["date"],
            lesson_number=r["lesson_number"],
            subject=r["subject__name"],
            work_type=r["work_type__name"],
            group=r["study_group__name"] or str(klass),
        )
        if per_day[(r["klass"], r["date"])] > 1:
            work.warnings.append(_("more than one control work on this day"))
        for ends, lo, hi in holidays:
            if lo <= klass.level <= hi and first_school_day_after(ends) == r["date"]:
                work.warnings.append(_("the first day after a holiday"))
                break
        result[klass.pk].append(work)
    return {"classes": classes, "works": result}
