"""Reads of the extracts app.

Who may ask for what is answered inside the query (a class or student outside the viewer's
reach is simply not found: 404). The student extract reuses the diary's own reads (marks of a
span, the forecast with "what it takes", published finals, the week's homework, remarks), so
the paper carries exactly what the family sees online.
"""

import datetime as dt
import hashlib
import json
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.rules import is_school_admin, is_staff_member
from consent import selectors as consent_selectors
from diary import selectors as diary
from diary.forecast import Forecast, forecast
from journal.grading import Thresholds
from journal.models import ATTENDANCE_SHORT, Attendance, FinalStatus, Mark
from school.models import (
    ClassGroup,
    Enrollment,
    ReportingPeriod,
    Student,
    StudyGroupMembership,
)
from school.rules import homeroom_classes

from .models import ExtractCopy, FileStatus, GeneratedFile

# --- Who may --------------------------------------------------------------------------------


def visible_classes(user) -> QuerySet[ClassGroup]:
    """Classes whose extracts the user may make: every class of the school for the office
    (the school admin), the class teacher's own classes for a teacher."""
    if not (user.is_authenticated and user.is_active and user.school_id):
        return ClassGroup.objects.none()
    found = ClassGroup.objects.filter(school_id=user.school_id)
    if not is_school_admin(user):
        found = found.filter(homeroom_classes(user))
    return found


def class_for_extracts(user, class_id: int) -> ClassGroup:
    found = (
        visible_classes(user)
        .filter(pk=class_id)
        .select_related("school", "year", "class_teacher")
        .first()
    )
    if found is None:
        raise Http404
    return found


def student_for_extracts(user, student_id: int) -> Student:
    """A student of a visible class (enrolled now), or Http404."""
    enrolled = Enrollment.objects.active().filter(class_group__in=visible_classes(user))
    found = (
        Student.objects.filter(
            pk=student_id, school_id=user.school_id, pk__in=enrolled.values("student_id")
        )
        .select_related("school")
        .first()
    )
    if found is None:
        raise Http404
    return found


def class_roster(class_group: ClassGroup) -> list[Student]:
    """The class's students now (not left), in the order of the class list."""
    ids = Enrollment.objects.filter(class_group=class_group).active().values("student_id")
    return list(
        Student.objects.filter(pk__in=ids).order_by("last_name", "first_name", "patronymic", "pk")
    )


def paper_student_ids(viewer, class_group: ClassGroup) -> set[int]:
    """The class's students whose family is on the paper list (consent.selectors.paper_list:
    no electronic consent, a refusal, a request for paper, failing SMS and e-mail)."""
    roster = {s.pk for s in class_roster(class_group)}
    return {link.student_id for link in consent_selectors.paper_list(viewer)} & roster


def periods_of_class(class_group: ClassGroup) -> list[ReportingPeriod]:
    rows = ReportingPeriod.objects.filter(year_id=class_group.year_id).for_level(class_group.level)
    return sorted(rows, key=lambda p: (p.kind == "year", p.starts_on, p.number))


def files_for(user, *, limit: int = 50) -> list[GeneratedFile]:
    """Recent files the user may download: their own; the office sees the school's."""
    found = GeneratedFile.objects.filter(school_id=user.school_id)
    if not is_school_admin(user):
        found = found.filter(requested_by=user)
    return list(found.select_related("requested_by")[:limit])


def file_for(user, file_id: int) -> GeneratedFile:
    """A generated file the user may see and download: the one who asked, or the office of
    its school. Anyone else: Http404, the same as a missing file."""
    if not (user.is_authenticated and user.is_active and user.school_id):
        raise Http404
    mine = Q(requested_by=user)
    if is_school_admin(user):
        mine |= Q(school_id=user.school_id)
    found = (
        GeneratedFile.objects.filter(mine, pk=file_id, school_id=user.school_id)
        .select_related("requested_by", "class_group")
        .first()
    )
    if found is None:
        raise Http404
    return found


def copy_for_office(user, copy_id: int) -> ExtractCopy:
    if not is_school_admin(user):
        raise Http404
    found = (
        ExtractCopy.objects.filter(pk=copy_id, school_id=user.school_id)
        .select_related("student", "generated_file")
        .first()
    )
    if found is None:
        raise Http404
    return found


def copy_by_code(user, code: str) -> ExtractCopy:
    """The printed extract with this code, for the staff of its school; Http404 for anyone
    else (a family, another school's staff, a wrong code: all the same)."""
    if not (is_staff_member(user) and user.is_active and user.school_id):
        raise Http404
    found = (
        ExtractCopy.objects.filter(code=code.strip().upper(), school_id=user.school_id)
        .select_related("student", "period", "class_group", "generated_file__requested_by")
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- Delivery ---------------------------------------------------------------------------------


@dataclass
class DeliveryRow:
    student: Student
    paper: bool
    copies: list = field(default_factory=list)

    @property
    def handed(self):
        return next((c for c in self.copies if c.handed_over), None)

    @property
    def latest(self):
        return self.copies[0] if self.copies else None


def class_delivery(viewer, class_group: ClassGroup, period: ReportingPeriod | None) -> list:
    """The class's students, whether their family is on the paper list, and this period's
    printed extracts with their delivery. Three queries."""
    students = class_roster(class_group)
    paper = {link.student_id for link in consent_selectors.paper_list(viewer)}
    copies = ExtractCopy.objects.filter(
        school_id=class_group.school_id, student__in=students, generated_file__status="ready"
    )
    if period is not None:
        copies = copies.filter(period=period)
    by_student: dict[int, list] = {s.pk: [] for s in students}
    for copy in copies.order_by("-made_at", "-pk"):
        by_student[copy.student_id].append(copy)
    return [DeliveryRow(s, s.pk in paper, by_student[s.pk]) for s in students]


# --- The student extract's data ------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """The range an extract covers: a reporting period or any dates."""

    starts_on: dt.date
    ends_on: dt.date
    period: ReportingPeriod | None = None


@dataclass
class SubjectLine:
    subject: object
    marks: list
    forecast: Forecast
    missed: int = 0


@dataclass
class StudentData:
    student: Student
    frame: diary.DiaryFrame
    span: Span
    as_of: dt.date
    subjects: list
    attendance: list
    attendance_counts: dict
    finals: list
    deferrals: list
    homework: list
    remarks: list
    class_teacher: object = None
    thresholds: Thresholds | None = None
    assumed_weight: int = 1

    def digest(self) -> str:
        return data_digest(self)

    @property
    def marks_by_date(self) -> list:
        """[(date, [(subject, [marks])])]: one printed row per day (a row per mark is what
        makes a dense extract slow to lay out)."""
        days: dict = {}
        for line in self.subjects:
            for mark in line.marks:
                days.setdefault(mark.date, OrderedDict()).setdefault(line.subject, []).append(mark)
        return [(day, list(days[day].items())) for day in sorted(days)]

    @property
    def attendance_by_date(self) -> list:
        days: OrderedDict = OrderedDict()
        for record in self.attendance:
            days.setdefault(record.date, []).append(record)
        return list(days.items())


def frame_for(student: Student, day: dt.date) -> diary.DiaryFrame:
    """The diary's frame of a student on a day, for the staff building an extract (the
    permission was checked when the extract was requested)."""
    enrollment = (
        Enrollment.objects.filter(student=student)
        .on_day(day)
        .select_related("class_group")
        .order_by("-joined_on", "-pk")
        .first()
    ) or (
        Enrollment.objects.filter(student=student)
        .select_related("class_group")
        .order_by("-joined_on", "-pk")
        .first()
    )
    groups = StudyGroupMembership.objects.filter(
        student=student, group__year__starts_on__lte=day, group__year__ends_on__gte=day
    ).values_list("group_id", flat=True)
    klass = enrollment.class_group if enrollment else None
    return diary.DiaryFrame(
        student=student,
        may_open=True,
        on=day,
        class_group_id=klass.pk if klass else None,
        class_level=klass.level if klass else None,
        class_label=f"{klass.level} «{klass.letter}»" if klass else "",
        year_id=enrollment.year_id if enrollment else None,
        group_ids=list(groups),
    )


def student_data(student: Student, span: Span, as_of: dt.date) -> StudentData:
    """Everything a student's extract prints, read through the diary's selectors."""
    school = student.school
    frame = frame_for(student, min(as_of, span.ends_on))
    thresholds = Thresholds.of(school)
    weight = diary.lowest_weight(school.pk)
    subjects: OrderedDict = OrderedDict()
    for mark in diary.period_marks(frame, span):
        subjects.setdefault(mark.subject, []).append(mark)
    attendance = list(
        Attendance.objects.filter(student=student, date__range=(span.starts_on, span.ends_on))
        .select_related("lesson__subject")
        .order_by("date", "lesson__lesson_number", "pk")
    )
    missed = Counter(a.lesson.subject_id for a in attendance if a.code != "late")
    lines = [
        SubjectLine(
            subject=subject,
            marks=marks,
            forecast=forecast(
                [(m.value, m.work_type.weight) for m in marks],
                thresholds,
                min_marks=school.min_marks_for_forecast,
                assumed_weight=weight,
            ),
            missed=missed.get(subject.pk, 0),
        )
        for subject, marks in subjects.items()
    ]
    finals = [
        f
        for f in diary.published_finals(frame)
        if frame.year_id and f.period.year_id == frame.year_id
    ]
    week_lessons = diary.week_lessons(frame, as_of)
    homework = diary.week_homework(frame, as_of, [lesson.pk for lesson in week_lessons])
    homework.sort(key=lambda h: (h.due_date or h.lesson.date, h.lesson.subject.name, h.pk))
    tz = school.tz
    since = dt.datetime.combine(span.starts_on, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(span.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    remarks = list(
        diary.child_remarks(frame).filter(
            Q(lesson__date__range=(span.starts_on, span.ends_on))
            | Q(lesson__isnull=True, created_at__gte=since, created_at__lt=until)
        )
    )
    return StudentData(
        student=student,
        frame=frame,
        span=span,
        as_of=as_of,
        subjects=lines,
        attendance=attendance,
        attendance_counts=dict(Counter(ATTENDANCE_SHORT.get(a.code, a.code) for a in attendance)),
        finals=[f for f in finals if f.status != FinalStatus.DEFERRED],
        deferrals=[f for f in finals if f.status == FinalStatus.DEFERRED],
        homework=homework,
        remarks=remarks,
        class_teacher=diary.class_teacher_of(frame),
        thresholds=thresholds,
        assumed_weight=weight,
    )


def _mark_key(m: Mark) -> list:
    return [m.pk, m.date.isoformat(), m.subject_id, m.value, m.work_type_id, m.work_type.weight]


def data_digest(data: StudentData) -> str:
    """SHA-256 over the journal data an extract printed, in a canonical order: any mark,
    absence, final, homework or remark changed, added or removed since changes it."""
    payload = {
        "student": [data.student.pk, data.student.full_name],
        "marks": sorted(_mark_key(m) for line in data.subjects for m in line.marks),
        "attendance": sorted(
            [a.pk, a.date.isoformat(), a.lesson_id, a.code, a.minutes_late or 0]
            for a in data.attendance
        ),
        "finals": sorted(
            [
                f.pk,
                f.subject_id,
                f.period_id,
                f.kind,
                f.status,
                f.value,
                f.deferred_until and f.deferred_until.isoformat(),
            ]
            for f in [*data.finals, *data.deferrals]
        ),
        "homework": sorted(
            [h.pk, h.text, h.due_date and h.due_date.isoformat()] for h in data.homework
        ),
        "remarks": sorted([r.pk, r.kind, r.text] for r in data.remarks),
    }
    encoded = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def copy_current_digest(copy: ExtractCopy) -> str:
    """The digest of the same extract built from the journal as it is now."""
    span = Span(copy.starts_on, copy.ends_on, copy.period)
    student = Student.objects.select_related("school").get(pk=copy.student_id)
    return data_digest(student_data(student, span, copy.as_of))


def pending_files() -> QuerySet[GeneratedFile]:
    return GeneratedFile.objects.filter(status__in=[FileStatus.REQUESTED, FileStatus.BUILDING])
