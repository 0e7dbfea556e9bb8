"""Reads of journal data, always scoped to the viewer.

Every selector that takes a user answers "not yours" exactly like "not there" (Http404): the
permission is part of the query, never a check after loading the row.
"""

import datetime as dt
import html
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.safestring import mark_safe

from accounts.rules import is_deputy_head, is_school_leader
from journal.db import ArrayOf
from school.models import (
    AcademicYear,
    ClassGroup,
    Enrollment,
    Holiday,
    PeriodKind,
    ReportingPeriod,
    Student,
    StudyGroup,
    StudyGroupMembership,
    Subject,
    TeachingAssignment,
    TimetableEntry,
)

from .grading import Thresholds, suggest_final, weighted_average
from .marks import cell_text, display
from .models import (
    ATTENDANCE_SHORT,
    Attendance,
    AttendanceCode,
    Homework,
    Lesson,
    LessonStatus,
    Mark,
    MarkChange,
    WorkType,
)
from .rules import _teacher_id, lessons_taught_by


def current_year(school, on: dt.date | None = None) -> AcademicYear | None:
    on = on or school.today()
    return (
        AcademicYear.objects.filter(school=school, starts_on__lte=on, ends_on__gte=on).first()
        or AcademicYear.objects.filter(school=school).order_by("-starts_on").first()
    )


def teacher_lessons_on(user, day: dt.date) -> QuerySet[Lesson]:
    """The lessons the user gives on a day, substitutions included, in timetable order."""
    return (
        Lesson.objects.filter(lessons_taught_by(user), school_id=user.school_id, date=day)
        .select_related(
            "subject",
            "class_group",
            "study_group",
            "work_type",
            "teacher",
            "substitute_teacher",
            "moved_from",
        )
        .order_by("lesson_number")
    )


def teacher_assignments(user, year: AcademicYear) -> QuerySet[TeachingAssignment]:
    teacher = getattr(user, "teacher", None)
    if teacher is None:
        return TeachingAssignment.objects.none()
    return (
        TeachingAssignment.objects.filter(teacher=teacher, year=year)
        .select_related("subject", "class_group", "study_group")
        .order_by("class_group__level", "class_group__letter", "subject__name")
    )


def children_of(user) -> QuerySet[Student]:
    """The students the user may see as a family member: a guardian's linked children, or the
    student themself."""
    guardian = getattr(user, "guardian", None)
    if guardian is not None:
        return Student.objects.filter(guardian_links__guardian=guardian).order_by("first_name")
    student = getattr(user, "student", None)
    if student is not None:
        return Student.objects.filter(pk=student.pk)
    return Student.objects.none()


def active_enrollments(students, year: AcademicYear) -> dict[int, Enrollment]:
    rows = Enrollment.objects.filter(student__in=students, year=year, left_on__isnull=True)
    return {e.student_id: e for e in rows.select_related("class_group")}


# --- Which lessons a user may edit or view ---------------------------------------------------


def editable_lessons(user) -> QuerySet[Lesson]:
    """Lessons the user may write in: as the lesson's teacher, its substitute (that lesson only)
    or an assigned teacher of its class or group and subject; the deputy head, every lesson of
    the school (corrections). Whole-class assignments do not cover a group's lessons."""
    school_lessons = Lesson.objects.filter(school_id=user.school_id)
    if is_deputy_head(user):
        return school_lessons
    teacher_id = _teacher_id(user)
    if teacher_id is None:
        return Lesson.objects.none()
    class_assignment = Exists(
        TeachingAssignment.objects.filter(
            teacher_id=teacher_id,
            subject_id=OuterRef("subject_id"),
            class_group_id=OuterRef("class_group_id"),
            study_group__isnull=True,
        )
    )
    group_assignment = Exists(
        TeachingAssignment.objects.filter(
            teacher_id=teacher_id,
            subject_id=OuterRef("subject_id"),
            study_group_id=OuterRef("study_group_id"),
        )
    )
    return school_lessons.filter(
        Q(teacher_id=teacher_id)
        | Q(substitute_teacher_id=teacher_id)
        | (Q(study_group__isnull=True) & class_assignment)
        | (Q(study_group__isnull=False) & group_assignment)
    )


def viewable_lessons(user) -> QuerySet[Lesson]:
    """Lessons the user may see: the editable ones, every lesson of the class (and its groups)
    for its class teacher, and the whole school for the director and deputy head."""
    if is_school_leader(user):
        return Lesson.objects.filter(school_id=user.school_id)
    teacher_id = _teacher_id(user)
    if teacher_id is None:
        return Lesson.objects.none()
    homeroom = Q(class_group__class_teacher_id=teacher_id) | Q(
        study_group__class_group__class_teacher_id=teacher_id
    )
    return Lesson.objects.filter(
        Q(pk__in=editable_lessons(user).values("pk")) | homeroom, school_id=user.school_id
    )


_LESSON_RELATED = (
    "school",
    "subject",
    "class_group",
    "study_group",
    "work_type",
    "teacher",
    "substitute_teacher",
    "moved_from",
    "planned_topic",
)


def lesson_for_editor(user, lesson_id: int) -> Lesson:
    """The lesson if the user may write in it, else Http404."""
    lesson = editable_lessons(user).select_related(*_LESSON_RELATED).filter(pk=lesson_id).first()
    if lesson is None:
        raise Http404
    return lesson


def lesson_for_viewer(user, lesson_id: int) -> Lesson:
    """The lesson if the user may see it, else Http404. `lesson.can_edit` says whether they may
    also write in it."""
    teacher_id = _teacher_id(user)
    editable = editable_lessons(user).filter(pk=OuterRef("pk"))
    lesson = (
        viewable_lessons(user)
        .select_related(*_LESSON_RELATED)
        .annotate(can_edit=Exists(editable))
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise Http404
    lesson.is_substitute_view = (
        teacher_id is not None and lesson.substitute_teacher_id == teacher_id
    )
    return lesson


def lesson_roster(lesson: Lesson) -> list[dict]:
    """The students of the lesson on its date, in journal order, as dicts."""
    if lesson.study_group_id:
        rows = StudyGroupMembership.objects.filter(group_id=lesson.study_group_id)
    else:
        rows = Enrollment.objects.filter(
            Q(left_on__isnull=True) | Q(left_on__gte=lesson.date),
            class_group_id=lesson.class_group_id,
            joined_on__lte=lesson.date,
        )
    return _student_rows(rows)


def _student_rows(rows) -> list[dict]:
    values = rows.values(
        "student_id", "student__last_name", "student__first_name", "student__patronymic"
    ).order_by("student__last_name", "student__first_name", "student__patronymic")
    seen, out = set(), []
    for r in values:
        if r["student_id"] in seen:
            continue
        seen.add(r["student_id"])
        out.append(
            {
                "id": r["student_id"],
                "name": f"{r['student__last_name']} {r['student__first_name']}",
                "full_name": " ".join(
                    p
                    for p in (
                        r["student__last_name"],
                        r["student__first_name"],
                        r["student__patronymic"],
                    )
                    if p
                ),
            }
        )
    return out


# --- The journal grid ------------------------------------------------------------------------


@dataclass
class JournalScope:
    """One class journal page: a class (whole class) or a study group, and a subject."""

    subject: Subject
    class_group: ClassGroup | None = None
    study_group: StudyGroup | None = None
    can_edit: bool = False
    school: object = None
    work_types: list = field(default_factory=list)
    # The reporting periods of the scope's year and level, brought by the scope's own query
    # (None: not fetched, periods_for will query them).
    periods: list | None = None

    @property
    def label(self) -> str:
        return str(self.study_group or self.class_group)

    @property
    def level(self) -> int | None:
        klass = self.class_group or (self.study_group.class_group if self.study_group else None)
        return klass.level if klass else None

    @property
    def year_id(self) -> int:
        return (self.study_group or self.class_group).year_id

    def lessons(self) -> QuerySet[Lesson]:
        if self.study_group is not None:
            return Lesson.objects.filter(study_group=self.study_group, subject=self.subject)
        return Lesson.objects.filter(
            class_group=self.class_group, study_group__isnull=True, subject=self.subject
        )


def journal_scope(
    user, *, subject_id: int, class_id: int | None = None, group_id: int | None = None
) -> JournalScope:
    """The journal of a class (or group) and subject if the user may see it, else Http404.

    Assigned teachers edit; the class teacher sees every subject of the class read-only; the
    director sees the whole school, the deputy head too and may correct.
    """
    teacher_id = _teacher_id(user) or 0
    leader = is_school_leader(user)
    if group_id is not None:
        group = (
            StudyGroup.objects.filter(school_id=user.school_id, pk=group_id)
            .select_related("subject", "class_group", "school")
            .annotate(
                work_types=_work_types_array(),
                period_rows=_periods_array("class_group__level"),
                assigned=Exists(
                    TeachingAssignment.objects.filter(
                        teacher_id=teacher_id,
                        study_group_id=OuterRef("pk"),
                        subject_id=OuterRef("subject_id"),
                    )
                ),
            )
            .first()
        )
        if group is None:
            raise Http404
        homeroom = (
            group.class_group is not None and group.class_group.class_teacher_id == teacher_id
        )
        if not (leader or group.assigned or homeroom):
            raise Http404
        return JournalScope(
            subject=group.subject,
            study_group=group,
            can_edit=group.assigned or is_deputy_head(user),
            school=group.school,
            work_types=group.work_types,
            periods=_periods_from_rows(group.period_rows, group._state.db),
        )
    klass = (
        ClassGroup.objects.filter(school_id=user.school_id, pk=class_id)
        .select_related("school")
        .annotate(
            work_types=_work_types_array(),
            period_rows=_periods_array("level"),
            assigned=Exists(
                TeachingAssignment.objects.filter(
                    teacher_id=teacher_id,
                    class_group_id=OuterRef("pk"),
                    subject_id=subject_id,
                    study_group__isnull=True,
                )
            ),
            subject_name=Subject.objects.filter(school_id=user.school_id, pk=subject_id).values(
                "name"
            )[:1],
        )
        .first()
    )
    if klass is None or klass.subject_name is None:
        raise Http404
    if not (leader or klass.assigned or klass.class_teacher_id == teacher_id):
        raise Http404
    subject = Subject(pk=subject_id, school_id=user.school_id, name=klass.subject_name)
    return JournalScope(
        subject=subject,
        class_group=klass,
        can_edit=klass.assigned or is_deputy_head(user),
        school=klass.school,
        work_types=klass.work_types,
        periods=_periods_from_rows(klass.period_rows, klass._state.db),
    )


def _work_types_array():
    """The school's work types as a JSON array inside the scope's own query (one query less
    for the grid's page)."""
    return ArrayOf(
        WorkType.objects.filter(school_id=OuterRef("school_id"))
        .order_by("weight", "name")
        .values(data=JSONObject(id="id", name="name", weight="weight", is_control="is_control"))
    )


_PERIOD_FIELDS = (
    "id",
    "school_id",
    "year_id",
    "kind",
    "number",
    "name",
    "starts_on",
    "ends_on",
    "level_min",
    "level_max",
    "closed_at",
    "closed_by_id",
)


def _periods_array(level: str):
    """The reporting periods of the outer row's year and class level as a JSON array inside
    the scope's own query (one query less for the grid's page, which spends it on the access
    log). A group without a class (a stream) has no level: every period of its year."""
    level_ref = OuterRef(level)
    return ArrayOf(
        ReportingPeriod.objects.filter(
            year_id=OuterRef("year_id"),
            level_min__lte=Coalesce(level_ref, Value(11)),
            level_max__gte=Coalesce(level_ref, Value(1)),
        )
        .order_by("starts_on", "kind")
        .values(data=JSONObject(**{name: name for name in _PERIOD_FIELDS}))
    )


def _periods_from_rows(rows: list[dict], db: str) -> list[ReportingPeriod]:
    """ReportingPeriod instances from the JSON rows of _periods_array, as if loaded by a query."""
    fields = [ReportingPeriod._meta.get_field(name) for name in _PERIOD_FIELDS]
    periods = []
    for row in rows:
        values = [_from_json(f, row[f.attname]) for f in fields]
        periods.append(ReportingPeriod.from_db(db, [f.attname for f in fields], values))
    return periods


def _from_json(model_field, value):
    """A JSON value back to the field's Python type: dates and times come as ISO text (naive
    on SQLite, where they are stored in UTC)."""
    if value is None or not isinstance(value, str):
        return value
    if isinstance(model_field, DateTimeField):
        parsed = parse_datetime(value)
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)
    if isinstance(model_field, DateField):
        return parse_date(value)
    return value


def periods_for(
    scope: JournalScope, today: dt.date
) -> tuple[list[ReportingPeriod], ReportingPeriod | None]:
    """The reporting periods of the scope's year and level, and the current one (a quarter or
    half-year covering today; else the nearest)."""
    if scope.periods is not None:
        periods = scope.periods
    else:
        level = scope.level
        qs = ReportingPeriod.objects.filter(year_id=scope.year_id)
        if level is not None:
            qs = qs.filter(level_min__lte=level, level_max__gte=level)
        periods = list(qs.order_by("starts_on", "kind"))
    parts = [p for p in periods if p.kind != PeriodKind.YEAR] or periods
    current = next((p for p in parts if p.starts_on <= today <= p.ends_on), None)
    if current is None and parts:
        current = min(
            parts, key=lambda p: min(abs((p.starts_on - today).days), abs((p.ends_on - today).days))
        )
    return periods, current


@dataclass
class GridColumn:
    id: int
    date: dt.date
    lesson_number: int
    topic: str
    status: str
    work_type: str
    weight: int | None
    substitute: str
    moved_from_date: dt.date | None
    attendance_checked: bool
    editable: bool = False


@dataclass
class GridCell:
    lesson_id: int
    marks: list[dict] = field(
        default_factory=list
    )  # {"slot", "value", "text", "version", "comment"}
    attendance: str = ""
    attendance_short: str = ""
    attendance_version: int = 0

    @property
    def text(self) -> str:
        return cell_text([m["value"] for m in self.marks])

    @property
    def versions(self) -> str:
        return ",".join(f"{m['slot']}:{m['version']}" for m in self.marks)

    @property
    def comments(self) -> str:
        return "; ".join(m["comment"] for m in self.marks if m["comment"])

    def html(self) -> str:
        """The cell's `<td>` as the grid shows it read-only (escaped here: the grid renders
        hundreds of cells, and the template engine costs ~20 µs per tag per cell)."""
        if not self.marks and not self.attendance_short:
            return '<td class="cell"></td>'
        # html.escape is what django.utils.html.escape calls, without its lazy-string wrapper
        # (measurable over a thousand cells); both escape & < > " and '.
        comments = self.comments
        title = f' title="{html.escape(comments)}"' if comments else ""
        att = (
            f' <span class="att att--{html.escape(self.attendance)}">'
            f"{html.escape(self.attendance_short)}</span>"
            if self.attendance_short
            else ""
        )
        return f'<td class="cell"{title}>{html.escape(self.text)}{att}</td>'


@dataclass
class GridRow:
    student: dict
    cells: list[GridCell]
    average: object
    suggested: int | None
    # The read-only cells as escaped HTML, before and after the column being edited (all of
    # them in `cells_before` when none is): see split_cells.
    cells_before: str = ""
    cells_after: str = ""
    edit_html: str = ""  # the edited column's inputs (journal.grid_html.edit_cells_html)

    def split_cells(self, edit_index: int | None) -> None:
        """Render the read-only cells around the edited column (`edit_index`, or None)."""
        # Every piece of data in GridCell.html went through escape(): safe to mark.
        cells = [c.html() for c in self.cells]
        if edit_index is None:
            before, after = cells, []
        else:
            before, after = cells[:edit_index], cells[edit_index + 1 :]
        self.cells_before = mark_safe("".join(before))  # noqa: S308
        self.cells_after = mark_safe("".join(after))  # noqa: S308


@dataclass
class Grid:
    columns: list[GridColumn]
    rows: list[GridRow]
    work_types: list[dict]


def journal_grid(scope: JournalScope, period: ReportingPeriod, thresholds: Thresholds) -> Grid:
    """Students × lessons of the period with their marks and attendance, from five queries
    whatever the size of the class or the number of marks."""
    if scope.study_group is not None:
        roster = StudyGroupMembership.objects.filter(group=scope.study_group)
    else:
        roster = Enrollment.objects.filter(
            Q(left_on__isnull=True) | Q(left_on__gte=period.starts_on),
            class_group=scope.class_group,
            joined_on__lte=period.ends_on,
        )
    students = _student_rows(roster)
    lessons = scope.lessons().filter(date__gte=period.starts_on, date__lte=period.ends_on)
    columns = [
        GridColumn(
            id=r["id"],
            date=r["date"],
            lesson_number=r["lesson_number"],
            topic=r["topic"],
            status=r["status"],
            work_type=r["work_type__short_name"] or r["work_type__name"] or "",
            weight=r["work_type__weight"],
            substitute=r["substitute_teacher__last_name"] or "",
            moved_from_date=r["moved_from__date"],
            attendance_checked=r["attendance_checked_at"] is not None,
        )
        for r in lessons.order_by("date", "lesson_number").values(
            "id",
            "date",
            "lesson_number",
            "topic",
            "status",
            "work_type__name",
            "work_type__short_name",
            "work_type__weight",
            "substitute_teacher__last_name",
            "moved_from__date",
            "attendance_checked_at",
        )
    ]
    lesson_ids = lessons.values("pk")
    marks, attendance = defaultdict(list), {}
    for r in _records_of(lesson_ids):
        if r["slot"] == 0:  # an attendance row (see _records_of)
            attendance[(r["student_id"], r["lesson_id"])] = {
                "code": r["value"],
                "version": r["version"],
            }
        else:
            marks[(r["student_id"], r["lesson_id"])].append(r)
    rows = []
    for student in students:
        cells, pairs = [], []
        for column in columns:
            key = (student["id"], column.id)
            cell = GridCell(lesson_id=column.id, marks=marks.get(key, []))
            att = attendance.get(key)
            if att:
                cell.attendance = att["code"]
                cell.attendance_short = ATTENDANCE_SHORT[att["code"]]
                cell.attendance_version = att["version"]
            pairs += [(m["value"], m["weight"]) for m in cell.marks]
            cells.append(cell)
        average = weighted_average(pairs)

        rows.append(
            GridRow(
                student=student,
                cells=cells,
                average=average,
                suggested=suggest_final(average, thresholds),
            )
        )
    return Grid(columns=columns, rows=rows, work_types=scope.work_types)


def _records_of(lesson_ids) -> list[dict]:
    """Marks and attendance of the lessons in one query: attendance rows come as slot 0 with
    their code in `value` (UNION ALL of two value lists of the same shape)."""
    marks = Mark.objects.filter(lesson_id__in=lesson_ids).values(
        "lesson_id",
        "student_id",
        "slot",
        "value",
        "version",
        "comment",
        weight=F("work_type__weight"),
    )
    absences = Attendance.objects.filter(lesson_id__in=lesson_ids).values(
        "lesson_id",
        "student_id",
        slot=Value(0, output_field=IntegerField()),
        value=Cast("code", output_field=CharField()),
        version_=F("version"),
        comment_=Value("", output_field=CharField()),
        weight=Value(0, output_field=IntegerField()),
    )
    # Models' default ordering must go: SQLite refuses ORDER BY inside a compound statement.
    rows = list(marks.order_by().union(absences.order_by(), all=True))
    rows.sort(key=lambda r: r["slot"])
    return rows


# --- Lesson page, history, control, calendar --------------------------------------------------


def lesson_records(lesson: Lesson) -> dict:
    """Marks and attendance of one lesson by student, for the lesson page's column."""
    marks = defaultdict(list)
    for m in lesson.marks.order_by("slot").values(
        "id", "student_id", "slot", "value", "version", "comment"
    ):
        marks[m["student_id"]].append(m)
    attendance = {
        a["student_id"]: a for a in lesson.attendance.values("student_id", "code", "version")
    }
    return {"marks": marks, "attendance": attendance}


def lesson_history(lesson: Lesson, student_id: int | None = None) -> list[MarkChange]:
    """The change records of a lesson (or of one student in it), newest first, each with
    `before_text` and `after_text` as the journal writes them (5, зач, отсутствовал (н))."""
    changes = MarkChange.objects.filter(lesson=lesson).select_related("student", "changed_by")
    if student_id is not None:
        changes = changes.filter(student_id=student_id)
    rows = list(changes.order_by("-changed_at", "-id"))
    for change in rows:
        change.before_text = _change_text(change, change.before)
        change.after_text = _change_text(change, change.after)
    return rows


def _change_text(change: MarkChange, data: dict | None) -> str:
    if not data:
        return ""
    if change.entity == MarkChange.Entity.ATTENDANCE:
        code = data.get("code", "")
        return str(AttendanceCode(code).label) if code in AttendanceCode.values else code
    text = display(data.get("value", ""))
    return f"{text} ({data['comment']})" if data.get("comment") else text


LATE_ENTRY_DAYS = 3


@dataclass
class ControlRow:
    teacher: str
    group: str
    subject: str
    lessons: int = 0
    without_topic: int = 0
    without_attendance: int = 0
    without_homework: int = 0
    late_marks: int = 0
    # Where the row's journal is: a group's, else the class's for the subject.
    class_group_id: int | None = None
    study_group_id: int | None = None
    subject_id: int | None = None


def filling_control(user, *, starts_on: dt.date, ends_on: dt.date) -> list[ControlRow]:
    """For the director and deputy head: per teacher, class and subject, the held lessons of the
    range lacking a topic, attendance or homework, and marks entered more than LATE_ENTRY_DAYS
    days after their lesson. One aggregate query."""
    held = Lesson.objects.filter(
        school_id=user.school_id,
        date__gte=starts_on,
        date__lte=ends_on,
        status=LessonStatus.SCHEDULED,
    )
    late = Mark.objects.filter(
        lesson_id=OuterRef("pk"),
        created_at__date__gt=OuterRef("date") + dt.timedelta(days=LATE_ENTRY_DAYS),
    )
    homework = Homework.objects.filter(lesson_id=OuterRef("pk"))
    rows = (
        held.annotate(has_homework=Exists(homework), has_late=Exists(late))
        .values(
            "teacher__last_name",
            "teacher__first_name",
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
            late_marks=Count("pk", filter=Q(has_late=True)),
        )
        .order_by(
            "teacher__last_name", "class_group__level", "class_group__letter", "subject__name"
        )
    )
    out = []
    for r in rows:
        group = r["study_group__name"] or (
            f"{r['class_group__level']} «{r['class_group__letter']}»"
            if r["class_group__level"]
            else ""
        )
        out.append(
            ControlRow(
                teacher=f"{r['teacher__last_name']} {r['teacher__first_name']}",
                group=group,
                subject=r["subject__name"],
                lessons=r["lessons"],
                without_topic=r["without_topic"],
                without_attendance=r["without_attendance"],
                without_homework=r["without_homework"],
                late_marks=r["late_marks"],
                class_group_id=r["class_group_id"],
                study_group_id=r["study_group_id"],
                subject_id=r["subject_id"],
            )
        )
    return out


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
            if lo <= klass.level <= hi and _first_school_day_after(ends) == r["date"]:
                work.warnings.append(_("the first day after a holiday"))
                break
        result[klass.pk].append(work)
    return {"classes": classes, "works": result}


def _first_school_day_after(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    return day


def timetable_week(*, school, year, class_group) -> dict[str, list]:
    """The timetable lines of a class (and its groups) in force today, by weekday."""
    if class_group is None:
        return {}
    today = school.today()
    entries = (
        TimetableEntry.objects.filter(school=school, year=year)
        .filter(Q(class_group=class_group) | Q(study_group__class_group=class_group))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("subject", "teacher", "study_group", "class_group")
        .order_by("weekday", "lesson_number")
    )
    week: dict[str, list] = {}
    for entry in entries:
        week.setdefault(entry.get_weekday_display(), []).append(entry)
    return week
