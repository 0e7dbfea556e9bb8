"""Reads for the family's diary. Every read starts from `diary_frame`, which finds the child
among the viewer's own (the permission lives in the query) and answers, in the same single
query, what every diary page needs around it: consent, class, groups, bells, holidays.

The diary only reads journal data (regulation 1.5).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import router
from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, ExtractIsoWeekDay, JSONObject
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from consent.rules import diary_consent
from journal.db import ArrayOf, Prepared
from journal.models import (
    Attendance,
    FinalMark,
    Homework,
    HomeworkFile,
    Lesson,
    Mark,
    Remark,
    WorkType,
)
from school.models import (
    BellSchedule,
    ClassGroup,
    Enrollment,
    GuardianStudent,
    Holiday,
    PeriodKind,
    ReportingPeriod,
    Student,
    StudyGroupMembership,
    TeachingAssignment,
    TimetableEntry,
)
from school.rules import children_of, office_pupils

from .models import CalendarFeed, JournalVersion, WeekAcknowledgement, feed_token_hash
from .rules import remarks_visible_to


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class Bell:
    number: int
    starts_at: dt.time
    ends_at: dt.time


@dataclass
class HolidaySpan:
    name: str
    starts_on: dt.date
    ends_on: dt.date

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass
class DiaryFrame:
    """The child as the viewer may see them on a date, with what every diary page needs."""

    student: Student
    may_open: bool  # the family's diary consent is in force (regulation 2.1)
    on: dt.date
    class_group_id: int | None = None
    class_level: int | None = None
    class_label: str = ""
    year_id: int | None = None
    group_ids: list[int] = field(default_factory=list)
    bells: dict[int, Bell] = field(default_factory=dict)
    holidays: list[HolidaySpan] = field(default_factory=list)
    children: list[dict] = field(default_factory=list)
    guardian_id: int | None = None
    acknowledged_at: dt.datetime | None = None
    # The counters of the journal parts the child's week shows (diary.models.JournalVersion),
    # when asked for: their sum changes with every write the week could show.
    journal_version: int | None = None
    viewer_role: str | None = None  # which remarks the viewer sees (diary.rules)

    @property
    def school(self):
        return self.student.school

    def lessons_q(self, prefix: str = "") -> Q:
        """The child's lessons: the class's lessons without a group, and the lessons of the
        child's groups (subgroups, streams and individual plans)."""
        q = Q(**{f"{prefix}study_group_id__in": self.group_ids})
        if self.class_group_id:
            q |= Q(**{f"{prefix}class_group_id": self.class_group_id}) & Q(
                **{f"{prefix}study_group__isnull": True}
            )
        return q


def _parse_time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def diary_children(user) -> list[Student]:
    """The children whose diary the viewer reaches (school.rules.children_of), for the
    switcher; whether each diary is open is asked per child (consent.rules.diary_consent)."""
    return list(children_of(user).order_by("first_name", "last_name", "pk"))


def diary_frame(
    user, student_id: int, *, on: dt.date | None = None, journal_version: bool = False
) -> DiaryFrame:
    """The child among the viewer's own, or Http404 (identical for "not yours" and "missing").

    One query: the student with the school, consent, the class and groups on `on`, the
    bells, the holidays of the week of `on`, the viewer's other children and this week's
    acknowledgement; with `journal_version`, also the journal counters of the child's class,
    groups and own remarks (the key of the cached week, diary.weekcache). The query is built by
    `_frame_query` and compiled once per shape (journal.db.Prepared): the access and consent
    conditions are the same as in the queryset, only their values change."""
    if not user.is_active or not user.school_id:
        raise Http404
    # Without a date: the school's "today" (its time zone), from the viewer's school, which the
    # page header needs anyway; the student row then need not bring the school along.
    school = user.school if on is None else None
    day = on or school.today()
    week = week_start_of(day)
    found = _FRAME.rows(
        (user.role, school is None, journal_version),
        using=router.db_for_read(Student),
        user_id=user.pk,
        school_id=user.school_id,
        student_id=student_id,
        day=day,
        week=week,
        week_end=week + dt.timedelta(days=6),
    )
    student = found[0] if found else None
    if student is None:
        raise Http404
    if school is not None:
        student.school = school  # the same row: the student was filtered by the user's school
    frame = _frame_from(student, day)
    frame.viewer_role = user.role
    return frame


def _frame_query(role, with_school, journal_version, **values) -> QuerySet[Student]:
    """The frame's queryset for a viewer of `role` (id `user_id` in school `school_id`)."""
    user = User(pk=values["user_id"], role=role, is_active=True, school_id=values["school_id"])
    day, week, week_end = values["day"], values["week"], values["week_end"]
    # The viewer's guardian row for this child, for the week's acknowledgement.
    guardian = (
        Subquery(
            GuardianStudent.objects.filter(guardian__user=user, student_id=OuterRef("pk")).values(
                "guardian_id"
            )[:1]
        )
        if user.role == Role.GUARDIAN
        else None
    )
    annotations = {
        **_frame_annotations(day, week, week_end),
        "diary_consent": diary_consent(user),
        "siblings": ArrayOf(
            children_of(user)
            .order_by("first_name", "last_name", "pk")
            .values(json=JSONObject(id="pk", first_name="first_name", last_name="last_name"))
        ),
    }
    if journal_version:
        classes = Enrollment.objects.filter(student_id=OuterRef(OuterRef("pk"))).on_day(day)
        groups = StudyGroupMembership.objects.filter(
            student_id=OuterRef(OuterRef("pk")),
            group__year__starts_on__lte=day,
            group__year__ends_on__gte=day,
        )
        annotations["journal_versions"] = ArrayOf(
            JournalVersion.objects.filter(
                Q(kind=JournalVersion.Kind.STUDENT, ref_id=OuterRef("pk"))
                | Q(kind=JournalVersion.Kind.CLASS, ref_id__in=classes.values("class_group_id"))
                | Q(kind=JournalVersion.Kind.GROUP, ref_id__in=groups.values("group_id"))
            )
            .order_by()
            .values("version")
        )
    if guardian is not None:
        annotations["viewer_guardian_id"] = guardian
        annotations["acknowledged_at"] = Subquery(
            WeekAcknowledgement.objects.filter(
                guardian__user=user, student_id=OuterRef("pk"), week_start=week
            ).values("acknowledged_at")[:1]
        )
    found = children_of(user).filter(pk=values["student_id"])
    if with_school:
        found = found.select_related("school")
    return found.annotate(**annotations).order_by("pk")[:1]


_FRAME = Prepared(_frame_query)


def _frame_annotations(day: dt.date, week: dt.date, week_end: dt.date) -> dict:
    """What every diary page needs around the child on `day`, as annotations over Student:
    the class and groups, the bells and the holidays of the week (`week` to `week_end`)."""
    enrollment = Enrollment.objects.filter(student_id=OuterRef("pk")).on_day(day)
    annotations = {
        "enrollment": Subquery(
            enrollment.order_by("-joined_on", "-pk").values(
                json=JSONObject(
                    class_group_id="class_group_id",
                    level="class_group__level",
                    letter="class_group__letter",
                    year_id="year_id",
                )
            )[:1]
        ),
        "group_ids": ArrayOf(
            StudyGroupMembership.objects.filter(
                student_id=OuterRef("pk"),
                group__year__starts_on__lte=day,
                group__year__ends_on__gte=day,
            ).values("group_id")
        ),
        "bells": ArrayOf(
            BellSchedule.objects.filter(school_id=OuterRef("school_id")).values(
                json=JSONObject(n="lesson_number", s="starts_at", e="ends_at")
            )
        ),
        "holidays": ArrayOf(
            Holiday.objects.filter(
                school_id=OuterRef("school_id"),
                starts_on__lte=week_end,
                ends_on__gte=week,
            ).values(
                json=JSONObject(
                    name="name",
                    s="starts_on",
                    e="ends_on",
                    lo="level_min",
                    hi="level_max",
                )
            )
        ),
    }
    return annotations


def staff_diary_frame(user, student_id: int, *, pupils, on: dt.date | None = None) -> DiaryFrame:
    """A pupil's diary as a staff member reads it, read-only: the pupil among `pupils(user,
    day)` (a school.rules predicate: homeroom_pupils, pupils_whose_marks_staff_read), or
    Http404 (identical for "not yours" and "missing"). One query, like diary_frame; the
    family's consent is not asked (it governs electronic delivery to the family)."""
    if not user.is_active or not user.school_id:
        raise Http404
    school = user.school
    day = on or school.today()
    week = week_start_of(day)
    annotations = _frame_annotations(day, week, week + dt.timedelta(days=6))
    student = pupils(user, day).filter(pk=student_id).annotate(**annotations).first()
    if student is None:
        raise Http404
    student.school = school  # the same row: the pupils are filtered by the user's school
    student.diary_consent = True
    student.siblings = []
    frame = _frame_from(student, day)
    frame.viewer_role = user.role
    return frame


def _frame_from(student: Student, day: dt.date) -> DiaryFrame:
    enrollment = student.enrollment or {}
    level = enrollment.get("level")
    frame = DiaryFrame(
        student=student,
        may_open=bool(student.diary_consent),
        on=day,
        class_group_id=enrollment.get("class_group_id"),
        class_level=level,
        class_label=f"{level} «{enrollment['letter']}»" if enrollment else "",
        year_id=enrollment.get("year_id"),
        group_ids=[g for g in student.group_ids if g is not None],
        children=list(student.siblings),
        guardian_id=getattr(student, "viewer_guardian_id", None),
        acknowledged_at=getattr(student, "acknowledged_at", None),
    )
    versions = getattr(student, "journal_versions", None)
    if versions is not None:
        frame.journal_version = sum(v for v in versions if v is not None)
    for bell in student.bells:
        frame.bells[bell["n"]] = Bell(bell["n"], _parse_time(bell["s"]), _parse_time(bell["e"]))
    for h in student.holidays:
        if level is None or h["lo"] <= level <= h["hi"]:
            frame.holidays.append(
                HolidaySpan(h["name"], dt.date.fromisoformat(h["s"]), dt.date.fromisoformat(h["e"]))
            )
    return frame


# --- The week ---------------------------------------------------------------------------------


def week_lessons(frame: DiaryFrame, week: dt.date) -> list[Lesson]:
    """The child's lessons of the week in timetable order, with teachers, the substitute, the
    moved-from and moved-to lessons and the child's attendance code, in one query."""
    attendance = Attendance.objects.filter(lesson_id=OuterRef("pk"), student=frame.student)
    return list(
        Lesson.objects.filter(
            frame.lessons_q(),
            school_id=frame.student.school_id,
            date__range=(week, week + dt.timedelta(days=6)),
        )
        .select_related(
            "subject", "teacher", "substitute_teacher", "work_type", "moved_from", "moved_to"
        )
        .annotate(
            attendance_code=Subquery(attendance.values("code")[:1]),
            attendance_minutes=Subquery(attendance.values("minutes_late")[:1]),
        )
        .order_by("date", "lesson_number", "pk")
    )


def week_marks(frame: DiaryFrame, week: dt.date) -> list[Mark]:
    return list(
        Mark.objects.filter(student=frame.student, date__range=(week, week + dt.timedelta(days=6)))
        .select_related("work_type", "subject", "created_by")
        .order_by("date", "lesson_id", "slot")
    )


def week_homework(frame: DiaryFrame, week: dt.date, lesson_ids: list[int]) -> list[Homework]:
    """Homework set in the week's lessons, and homework of the child's earlier lessons that is
    due this week; each with its lesson's subject and its files as a list.

    Two indexed queries rather than one with an OR across homework and lessons, which
    PostgreSQL can only answer by scanning every lesson of the region."""
    end = week + dt.timedelta(days=6)
    files = ArrayOf(
        HomeworkFile.objects.filter(homework_id=OuterRef("pk"))
        .order_by("pk")
        .values(json=JSONObject(id="pk", name="original_name", size="size"))
    )
    base = Homework.objects.select_related("lesson__subject").annotate(file_list=files)
    set_this_week = base.filter(lesson_id__in=lesson_ids)
    # homework_school_due narrows to the school's homework due this week, then the lessons.
    due_this_week = base.filter(
        frame.lessons_q("lesson__"),
        school_id=frame.student.school_id,
        due_date__range=(week, end),
    ).exclude(lesson_id__in=lesson_ids)
    rows = [*set_this_week, *due_this_week]
    rows.sort(key=lambda homework: homework.pk)
    return rows


def week_remarks(frame: DiaryFrame, week: dt.date) -> list[Remark]:
    end = week + dt.timedelta(days=6)
    tz = frame.school.tz
    since = dt.datetime.combine(week, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return list(
        Remark.objects.filter(remarks_visible_to(frame.viewer_role), student=frame.student)
        .filter(
            Q(lesson__date__range=(week, end))
            | Q(lesson__isnull=True, created_at__gte=since, created_at__lt=until)
        )
        .select_related("author", "subject", "lesson")
        .order_by("-created_at")
    )


# --- Marks, forecast, finals -------------------------------------------------------------------


def periods_for(frame: DiaryFrame) -> list[ReportingPeriod]:
    """The reporting periods of the child's class level this year (quarters, half-years…),
    the year itself last."""
    if frame.year_id is None:
        return []
    rows = ReportingPeriod.objects.filter(year_id=frame.year_id).for_level(frame.class_level)
    return sorted(rows, key=lambda p: (p.kind == PeriodKind.YEAR, p.starts_on, p.number))


def period_marks(frame: DiaryFrame, period: ReportingPeriod) -> list[Mark]:
    return list(
        Mark.objects.filter(student=frame.student, date__range=(period.starts_on, period.ends_on))
        .select_related("work_type", "subject", "created_by")
        .order_by("subject__name", "date", "slot")
    )


@dataclass
class SubjectAbsences:
    """The lessons of one subject the child missed in a period (н, б, у) and came late to."""

    subject_id: int
    subject_name: str
    absent: int = 0  # н: without a reason
    ill: int = 0  # б
    excused: int = 0  # у
    late: int = 0  # оп

    @property
    def missed(self) -> int:
        return self.absent + self.ill + self.excused


def period_absences(frame: DiaryFrame, period: ReportingPeriod) -> dict[int, SubjectAbsences]:
    """The child's absences and late arrivals in the period, counted per subject (by subject
    id, in subject-name order): one aggregate query."""
    rows = (
        Attendance.objects.filter(
            student=frame.student, date__range=(period.starts_on, period.ends_on)
        )
        .values("lesson__subject_id", "lesson__subject__name", "code")
        .annotate(n=Count("pk"))
        .order_by("lesson__subject__name", "lesson__subject_id", "code")
    )
    found: dict[int, SubjectAbsences] = {}
    for row in rows:
        subject_id = row["lesson__subject_id"]
        counts = found.setdefault(
            subject_id, SubjectAbsences(subject_id, row["lesson__subject__name"])
        )
        if hasattr(counts, row["code"]):
            setattr(counts, row["code"], getattr(counts, row["code"]) + row["n"])
    return found


def lowest_weight(school_id: int) -> int:
    weights = WorkType.objects.filter(school_id=school_id).order_by("weight")
    first = weights.values_list("weight", flat=True).first()
    return first or 1


def published_finals(frame: DiaryFrame) -> list[FinalMark]:
    """Final marks the family may see: published (regulation 2.6)."""
    return list(
        FinalMark.objects.filter(
            student=frame.student, published_at__isnull=False, published_at__lte=timezone.now()
        )
        .select_related("subject", "period")
        .order_by("period__year__starts_on", "period__starts_on", "subject__name", "kind")
    )


# --- Timetable, control works, holidays, teachers, remarks ---------------------------------------


# The columns the timetable tab reads from both the regular timetable and the week's lessons.
_HELD_COLUMNS = (
    "source",
    "day",
    "weekday_number",
    "lesson_number",
    "subject__name",
    "group_name",
    "room",
    "status",
    "teacher__last_name",
    "teacher__first_name",
    "teacher__patronymic",
    "sub_last",
    "sub_first",
    "sub_patronymic",
    "to_date",
    "to_number",
    "from_date",
    "from_number",
)


def week_timetable_as_held(frame: DiaryFrame, week: dt.date) -> list[dict]:
    """The week's timetable as it is held: each slot (day × lesson number) that has lessons
    shows those lessons (substitutions, cancellations, moves away and in); a slot without
    any shows the regular timetable. One query (a UNION of the timetable and the week's lessons), so the tab costs
    what it cost before it knew about substitutions."""
    end = week + dt.timedelta(days=6)
    text = CharField()
    none_text = Value(None, output_field=text)
    none_date = Value(None, output_field=DateField())
    none_number = Value(None, output_field=IntegerField())
    entries = (
        TimetableEntry.objects.filter(
            frame.lessons_q(), school_id=frame.student.school_id, valid_from__lte=end
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=week))
        .annotate(
            source=Value("entry", output_field=text),
            day=none_date,
            weekday_number=F("weekday"),
            group_name=F("study_group__name"),
            status=Value("scheduled", output_field=text),
            sub_last=none_text,
            sub_first=none_text,
            sub_patronymic=none_text,
            to_date=none_date,
            to_number=none_number,
            from_date=none_date,
            from_number=none_number,
        )
        .values(*_HELD_COLUMNS)
    )
    lessons = (
        Lesson.objects.filter(
            frame.lessons_q(), school_id=frame.student.school_id, date__range=(week, end)
        )
        .annotate(
            source=Value("lesson", output_field=text),
            day=F("date"),
            weekday_number=Cast(ExtractIsoWeekDay("date"), IntegerField()),
            group_name=F("study_group__name"),
            sub_last=F("substitute_teacher__last_name"),
            sub_first=F("substitute_teacher__first_name"),
            sub_patronymic=F("substitute_teacher__patronymic"),
            to_date=F("moved_to__date"),
            to_number=F("moved_to__lesson_number"),
            from_date=F("moved_from__date"),
            from_number=F("moved_from__lesson_number"),
        )
        .values(*_HELD_COLUMNS)
    )
    # No ORDER BY inside a compound statement (SQLite refuses it): sorted below.
    rows = list(entries.order_by().union(lessons.order_by(), all=True))
    for row in rows:
        row["weekday_number"] = int(row["weekday_number"])
    held = {(r["weekday_number"], r["lesson_number"]) for r in rows if r["source"] == "lesson"}
    kept = [
        row
        for row in rows
        if row["source"] == "lesson" or (row["weekday_number"], row["lesson_number"]) not in held
    ]
    kept.sort(key=lambda row: (row["weekday_number"], row["lesson_number"], row["status"]))
    return kept


def control_works(frame: DiaryFrame, period: ReportingPeriod) -> list[Lesson]:
    return list(
        Lesson.objects.filter(
            frame.lessons_q(),
            school_id=frame.student.school_id,
            date__range=(period.starts_on, period.ends_on),
            work_type__is_control=True,
        )
        .select_related("subject", "work_type", "teacher", "substitute_teacher")
        .order_by("date", "lesson_number")
    )


def year_holidays(frame: DiaryFrame) -> list[Holiday]:
    if frame.year_id is None:
        return []
    return list(
        Holiday.objects.filter(
            year_id=frame.year_id,
            level_min__lte=frame.class_level,
            level_max__gte=frame.class_level,
        ).order_by("starts_on")
    )


def child_teachers(frame: DiaryFrame) -> list[TeachingAssignment]:
    """Who teaches the child: the class's assignments and those of the child's groups
    (individual plans included)."""
    q = Q(study_group_id__in=frame.group_ids)
    if frame.class_group_id:
        q |= Q(class_group_id=frame.class_group_id, study_group__isnull=True)
    return list(
        TeachingAssignment.objects.filter(q, school_id=frame.student.school_id)
        .select_related("teacher", "subject", "study_group")
        .order_by("subject__name", "teacher__last_name")
    )


def class_teacher_of(frame: DiaryFrame):
    if not frame.class_group_id:
        return None
    klass = ClassGroup.objects.select_related("class_teacher").filter(pk=frame.class_group_id)
    found = klass.first()
    return found.class_teacher if found else None


def child_remarks(frame: DiaryFrame) -> QuerySet[Remark]:
    return (
        Remark.objects.filter(remarks_visible_to(frame.viewer_role), student=frame.student)
        .select_related("author", "subject", "lesson")
        .order_by("-created_at", "-pk")
    )


def homework_file_for(frame: DiaryFrame, file_id: int) -> HomeworkFile:
    """A homework file of one of the child's lessons (any date), or Http404."""
    found = (
        HomeworkFile.objects.filter(
            frame.lessons_q("homework__lesson__"),
            pk=file_id,
            school_id=frame.student.school_id,
        )
        .only("file", "original_name", "content_type")
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- The calendar feed ----------------------------------------------------------------------


def active_feed(user, student_id: int) -> CalendarFeed | None:
    return CalendarFeed.objects.active().filter(user=user, student_id=student_id).first()


def feed_by_token(student_id: int, token: str) -> CalendarFeed:
    """An active feed of this child by its secret, or Http404."""
    feed = (
        CalendarFeed.objects.active()
        .filter(token_hash=feed_token_hash(token), student_id=student_id)
        .select_related("user")
        .first()
    )
    if feed is None:
        raise Http404
    return feed


# --- The class teacher's view of acknowledgements ----------------------------------------------


def class_of_class_teacher(user, class_id: int) -> ClassGroup:
    """The class whose homeroom teacher the user is, or Http404."""
    found = (
        ClassGroup.objects.filter(pk=class_id, school_id=user.school_id, class_teacher__user=user)
        .select_related("school")
        .first()
        if user.is_active
        else None
    )
    if found is None:
        raise Http404
    return found


def class_acknowledgements(klass: ClassGroup, week: dt.date) -> list[dict]:
    """The class's active students with their guardians and whether each confirmed the week."""
    day = week + dt.timedelta(days=6)
    enrollments = (
        Enrollment.objects.filter(class_group=klass)
        .during(week, day)
        .select_related("student")
        .order_by("student__last_name", "student__first_name")
    )
    students = [e.student for e in enrollments]
    # Each link brings its guardian's confirmation of the week in the same query (the query
    # saved pays for the access-log INSERT of the page).
    acknowledged_at = WeekAcknowledgement.objects.filter(
        guardian_id=OuterRef("guardian_id"), student_id=OuterRef("student_id"), week_start=week
    ).values("acknowledged_at")[:1]
    links = (
        GuardianStudent.objects.filter(student__in=students)
        .select_related("guardian")
        .annotate(acknowledged_at=Subquery(acknowledged_at))
    )
    by_student: dict[int, list] = {s.pk: [] for s in students}
    for link in links.order_by("guardian__last_name"):
        by_student[link.student_id].append({"guardian": link.guardian, "at": link.acknowledged_at})
    return [
        {
            "student": s,
            "guardians": by_student[s.pk],
            "confirmed": any(g["at"] for g in by_student[s.pk]),
        }
        for s in students
    ]


def lessons_between(frame: DiaryFrame, start: dt.date, end: dt.date) -> list[Lesson]:
    """The child's lessons in a date range (the calendar feed)."""
    return list(
        Lesson.objects.filter(
            frame.lessons_q(), school_id=frame.student.school_id, date__range=(start, end)
        )
        .select_related("subject", "work_type", "teacher", "substitute_teacher")
        .order_by("date", "lesson_number")
    )


# --- The parent's home: what is new per child -------------------------------------------------


@dataclass
class ChildNews:
    """What the home page lists for one child since the guardian's previous visit."""

    student: Student
    since: dt.datetime | None = None
    marks: list[Mark] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)
    homework: list[Homework] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.marks or self.remarks or self.homework)


NEWS_LIMIT = 20  # per child and kind; the diary has the rest


def home_children(user) -> list[Student]:
    """The viewer's children for the home page (school.rules.children_of), each with
    `diary_open` (consent.rules.diary_consent) and, for a parent, `viewer_guardian_id` (the
    parent's side of the link), in one query."""
    rows = children_of(user).annotate(diary_open=diary_consent(user))
    if user.role == Role.GUARDIAN:
        rows = rows.annotate(
            viewer_guardian_id=Subquery(
                GuardianStudent.objects.filter(
                    guardian__user=user, student_id=OuterRef("pk")
                ).values("guardian_id")[:1]
            )
        )
    return list(rows.order_by("first_name", "pk"))


def next_school_day(day: dt.date) -> dt.date:
    """The day after `day`, Saturday and Sunday skipped (Friday's "tomorrow" is Monday)."""
    day += dt.timedelta(days=1)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


def family_news(
    user,
    children: list[Student],
    *,
    classes: dict[int, int],
    since: dict[int, dt.datetime],
    due_on: dt.date,
    year_id: int,
) -> list[ChildNews]:
    """Marks and remarks recorded since `since[child]`, and homework due on `due_on`, for each
    of the viewer's children (already scoped by children_of and their diary consent).
    `classes` maps a child to their class this year. Four queries whatever the number of
    children or records."""
    news = {child.pk: ChildNews(child, since.get(child.pk)) for child in children}
    ids = [pk for pk in news if news[pk].since is not None]
    if not ids:
        return list(news.values())
    earliest = min(news[pk].since for pk in ids)
    marks = (
        Mark.objects.filter(student_id__in=ids, created_at__gte=earliest)
        .select_related("subject", "work_type")
        .order_by("-created_at", "-pk")
    )
    for mark in marks[: NEWS_LIMIT * len(ids)]:
        item = news[mark.student_id]
        if mark.created_at >= item.since and len(item.marks) < NEWS_LIMIT:
            item.marks.append(mark)
    remarks = (
        Remark.objects.filter(
            remarks_visible_to(user.role), student_id__in=ids, created_at__gte=earliest
        )
        .select_related("subject", "author")
        .order_by("-created_at", "-pk")
    )
    for remark in remarks[: NEWS_LIMIT * len(ids)]:
        item = news[remark.student_id]
        if remark.created_at >= item.since and len(item.remarks) < NEWS_LIMIT:
            item.remarks.append(remark)
    groups: dict[int, set[int]] = {pk: set() for pk in ids}
    for student_id, group_id in StudyGroupMembership.objects.filter(
        student_id__in=ids, group__year_id=year_id
    ).values_list("student_id", "group_id"):
        groups[student_id].add(group_id)
    class_ids = {classes[pk] for pk in ids if pk in classes}
    all_groups = set().union(*groups.values())
    homework = (
        Homework.objects.filter(
            Q(lesson__class_group_id__in=class_ids, lesson__study_group__isnull=True)
            | Q(lesson__study_group_id__in=all_groups),
            school_id=user.school_id,
            due_date=due_on,
        )
        .select_related("lesson__subject")
        .order_by("lesson__subject__name", "pk")
    )
    for item in homework:
        lesson = item.lesson
        for pk in ids:
            mine = (
                lesson.study_group_id in groups[pk]
                if lesson.study_group_id
                else lesson.class_group_id == classes.get(pk)
            )
            if mine:
                news[pk].homework.append(item)
    return list(news.values())


# --- The office finds a pupil -------------------------------------------------------------------


def office_pupil_search(user, *, name: str = "", class_id: int | None = None) -> QuerySet[Student]:
    """The pupils of the office's school (school.rules.office_pupils) whose last or first name
    contains `name` and who are in the class today, by name, with today's class annotated."""
    today = user.school.today()
    found = office_pupils(user)
    for word in name.split()[:3]:
        found = found.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
    current = Enrollment.objects.filter(student_id=OuterRef("pk")).on_day(today)
    if class_id is not None:
        found = found.filter(pk__in=current.filter(class_group_id=class_id).values("student_id"))
    latest = current.order_by("-joined_on", "-pk")
    return found.annotate(
        class_level=Subquery(latest.values("class_group__level")[:1]),
        class_letter=Subquery(latest.values("class_group__letter")[:1]),
    ).order_by("last_name", "first_name", "pk")


def office_classes(user) -> list[ClassGroup]:
    """The classes of the user's school this academic year, for the search's filter (the
    pupil search is the office's: the view admits the school admin alone)."""
    today = user.school.today()
    return list(
        ClassGroup.objects.filter(
            school_id=user.school_id, year__starts_on__lte=today, year__ends_on__gte=today
        ).order_by("level", "letter")
    )
