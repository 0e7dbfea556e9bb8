"""Filling control for the director and deputy head (regulation 1.2, 1.3): how each teacher's
journals are filled in over a range of days, worst first, with the finals still missing.

What the page counts, per teacher, class (or group) and subject, over the held lessons of the
range (scheduled, not cancelled nor moved away):

- no topic: the lesson has no topic;
- no attendance: attendance was never checked in the lesson;
- no homework: the lesson has no homework;
- no marks: not one pupil got a mark in the lesson (grade 1 is taught without marks: not
  counted there);
- late marks: a mark of the lesson was entered more than LATE_ENTRY_DAYS days after it.

Each count is highlighted from FILLING_WARN_SHARE of the lessons and strongly from
FILLING_BAD_SHARE. A teacher's badness is the share of all five checks their lessons fail.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from school.models import PeriodKind, ReportingPeriod, current_period, short_name

from ..models import Homework, Lesson, LessonStatus, Mark
from .missing_finals import MissingFinals, missing_finals

LATE_ENTRY_DAYS = 3
FILLING_WARN_SHARE = 0.2
FILLING_BAD_SHARE = 0.5

CHECKS = ("without_topic", "without_attendance", "without_homework", "without_marks", "late_marks")


@dataclass
class ControlRow:
    teacher: str
    group: str
    subject: str
    lessons: int = 0
    without_topic: int = 0
    without_attendance: int = 0
    without_homework: int = 0
    without_marks: int = 0
    late_marks: int = 0
    # Where the row's journal is: a group's, else the class's for the subject.
    class_group_id: int | None = None
    study_group_id: int | None = None
    subject_id: int | None = None
    teacher_id: int | None = None

    @property
    def flags(self) -> dict[str, str]:
        """Each check's highlight: "bad", "warn" or ""."""
        return {name: _flag(getattr(self, name), self.lessons) for name in CHECKS}

    @property
    def failed(self) -> int:
        return sum(getattr(self, name) for name in CHECKS)

    def add(self, other: "ControlRow") -> None:
        self.lessons += other.lessons
        for name in CHECKS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _flag(count: int, lessons: int) -> str:
    if not lessons or not count:
        return ""
    share = count / lessons
    if share >= FILLING_BAD_SHARE:
        return "bad"
    return "warn" if share >= FILLING_WARN_SHARE else ""


@dataclass
class TeacherFilling:
    """One teacher's rows and their total; `missing_finals` from the period report."""

    teacher_id: int
    teacher: str
    total: ControlRow
    rows: list[ControlRow] = field(default_factory=list)
    missing_finals: int = 0

    @property
    def badness(self) -> float:
        return self.total.failed / (self.total.lessons * len(CHECKS)) if self.total.lessons else 0


def _held_lessons(user, *, starts_on, ends_on, class_id, teacher_id, subject_id):
    held = Lesson.objects.filter(
        school_id=user.school_id,
        date__gte=starts_on,
        date__lte=ends_on,
        status=LessonStatus.SCHEDULED,
    )
    if class_id:
        held = held.filter(Q(class_group_id=class_id) | Q(study_group__class_group_id=class_id))
    if teacher_id:
        held = held.filter(teacher_id=teacher_id)
    if subject_id:
        held = held.filter(subject_id=subject_id)
    return held


def _group_label(r: dict) -> str:
    if r["study_group__name"]:
        return r["study_group__name"]
    if r["class_group__level"]:
        return f"{r['class_group__level']} «{r['class_group__letter']}»"
    return ""


def filling_control(
    user,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    class_id: int | None = None,
    teacher_id: int | None = None,
    subject_id: int | None = None,
) -> list[ControlRow]:
    """Per teacher, class (or group) and subject, the held lessons of the range and how many of
    them fail each check (the module's docstring), optionally for one class, teacher or
    subject. One aggregate query."""
    held = _held_lessons(
        user,
        starts_on=starts_on,
        ends_on=ends_on,
        class_id=class_id,
        teacher_id=teacher_id,
        subject_id=subject_id,
    )
    late = Mark.objects.filter(
        lesson_id=OuterRef("pk"),
        created_at__date__gt=OuterRef("date") + dt.timedelta(days=LATE_ENTRY_DAYS),
    )
    homework = Homework.objects.filter(lesson_id=OuterRef("pk"))
    marks = Mark.objects.filter(lesson_id=OuterRef("pk"))
    first_grade = Q(class_group__level=1) | Q(study_group__class_group__level=1)
    rows = (
        held.annotate(has_homework=Exists(homework), has_late=Exists(late), has_marks=Exists(marks))
        .values(
            "teacher_id",
            "teacher__last_name",
            "teacher__first_name",
            "teacher__patronymic",
            "class_group__level",
            "class_group__letter",
            "study_group__name",
            "subject__name",
            "class_group_id",
            "study_group_id",
            "subject_id",
        )
        .annotate(
            lessons=Count("pk"),
            without_topic=Count("pk", filter=Q(topic="")),
            without_attendance=Count("pk", filter=Q(attendance_checked_at__isnull=True)),
            without_homework=Count("pk", filter=Q(has_homework=False)),
            without_marks=Count("pk", filter=Q(has_marks=False) & ~first_grade),
            late_marks=Count("pk", filter=Q(has_late=True)),
        )
        .order_by(
            "teacher__last_name",
            "teacher__first_name",
            "teacher_id",
            "class_group__level",
            "class_group__letter",
            "study_group__name",
            "subject__name",
        )
    )
    return [
        ControlRow(
            teacher=short_name(
                r["teacher__last_name"], r["teacher__first_name"], r["teacher__patronymic"]
            ),
            group=_group_label(r),
            subject=r["subject__name"],
            class_group_id=r["class_group_id"],
            study_group_id=r["study_group_id"],
            subject_id=r["subject_id"],
            teacher_id=r["teacher_id"],
            **{name: r[name] for name in ("lessons", *CHECKS)},
        )
        for r in rows
    ]


def by_teacher(rows: list[ControlRow], missing: list[MissingFinals] = ()) -> list[TeacherFilling]:
    """The rows grouped by teacher with each teacher's total and missing finals, the worst
    filled journals first (by the share of failed checks, then by name)."""
    teachers: dict[int, TeacherFilling] = {}
    for row in rows:
        entry = teachers.get(row.teacher_id)
        if entry is None:
            total = ControlRow(teacher=row.teacher, group="", subject="")
            entry = teachers[row.teacher_id] = TeacherFilling(
                teacher_id=row.teacher_id, teacher=row.teacher, total=total
            )
        entry.rows.append(row)
        entry.total.add(row)
    for item in missing:
        if item.teacher_id in teachers:
            teachers[item.teacher_id].missing_finals += item.missing
    return sorted(teachers.values(), key=lambda t: (-t.badness, t.teacher))


@dataclass(frozen=True)
class PeriodFinals:
    """The finals still missing in one period, for the summary above filling control."""

    period: ReportingPeriod
    missing: list[MissingFinals]

    @property
    def total(self) -> int:
        return sum(row.missing for row in self.missing)


def _matches(row: MissingFinals, *, class_id, teacher_id, subject_id) -> bool:
    return (
        (not class_id or row.class_id == class_id)
        and (not teacher_id or row.teacher_id == teacher_id)
        and (not subject_id or row.subject_id == subject_id)
    )


def finals_summary(
    user,
    year,
    day: dt.date,
    *,
    class_id: int | None = None,
    teacher_id: int | None = None,
    subject_id: int | None = None,
) -> list[PeriodFinals]:
    """For each range of class levels the school sets its periods for (quarters for 2–9,
    half-years for 10–11), the period current on the day (or the one that ended last) and its
    missing finals, of one class, teacher or subject when asked. One query for the periods and
    five per range of levels."""
    if year is None:
        return []
    filters = {"class_id": class_id, "teacher_id": teacher_id, "subject_id": subject_id}
    periods = list(
        ReportingPeriod.objects.filter(school_id=user.school_id, year=year).select_related(
            "year", "school", "closed_by"
        )
    )
    ranges: dict[tuple[int, int], list[ReportingPeriod]] = {}
    for period in periods:
        ranges.setdefault((period.level_min, period.level_max), []).append(period)
    chosen = {}
    for group in ranges.values():
        period = current_period(group, day)
        if period is not None and period.kind != PeriodKind.YEAR and period.level_max >= 2:
            chosen[period.pk] = period
    ordered = sorted(chosen.values(), key=lambda p: (p.level_min, p.starts_on))
    return [
        PeriodFinals(
            period=p,
            missing=[row for row in missing_finals(user, p) if _matches(row, **filters)],
        )
        for p in ordered
    ]
