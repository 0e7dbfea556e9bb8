"""The journal grid: a class (or group) and subject, its periods, students x lessons."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import router
from django.db.models import (
    DateField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, JSONObject
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.rules import is_deputy_head, is_school_leader
from journal.db import ArrayOf, Prepared
from school.models import (
    ClassGroup,
    Enrollment,
    PeriodKind,
    ReportingPeriod,
    StudyGroup,
    StudyGroupMembership,
    Subject,
    Teacher,
    TeachingAssignment,
)

from ..grading import Thresholds, suggest_final, weighted_average
from ..marks import cell_text
from ..models import (
    ATTENDANCE_SHORT,
    Lesson,
    WorkType,
)
from .lesson import records_of, student_rows


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
    # The teacher is matched by the user inside the query: no query of its own for the profile.
    user_id = user.pk if user.is_authenticated and user.is_active else 0
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
                        teacher__user_id=user_id,
                        study_group_id=OuterRef("pk"),
                        subject_id=OuterRef("subject_id"),
                    )
                ),
                homeroom=_is_teacher(user_id, "class_group__class_teacher_id"),
            )
            .first()
        )
        if group is None:
            raise Http404
        if not (leader or group.assigned or group.homeroom):
            raise Http404
        return JournalScope(
            subject=group.subject,
            study_group=group,
            can_edit=group.assigned or is_deputy_head(user),
            school=group.school,
            work_types=group.work_types,
            periods=_periods_from_rows(group.period_rows, group._state.db),
        )
    found = _CLASS_SCOPE.rows(
        (),
        using=router.db_for_read(ClassGroup),
        school_id=user.school_id or 0,
        class_id=class_id or 0,
        subject_id=subject_id,
        user_id=user_id,
    )
    klass = found[0] if found else None
    if klass is None or klass.subject_name is None:
        raise Http404
    if not (leader or klass.assigned or klass.homeroom):
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


def _class_scope_query(*, school_id: int, class_id: int, subject_id: int, user_id: int):
    """A class journal's row with what the page needs besides: the school, its work types,
    the periods of the class's level, whether the user teaches the subject there or is the
    class teacher, and the subject's name (None: not of this school)."""
    return (
        ClassGroup.objects.filter(school_id=school_id, pk=class_id)
        .select_related("school")
        .annotate(
            work_types=_work_types_array(),
            period_rows=_periods_array("level"),
            assigned=Exists(
                TeachingAssignment.objects.filter(
                    teacher__user_id=user_id,
                    class_group_id=OuterRef("pk"),
                    subject_id=subject_id,
                    study_group__isnull=True,
                )
            ),
            subject_name=Subject.objects.filter(school_id=school_id, pk=subject_id).values("name")[
                :1
            ],
            homeroom=_is_teacher(user_id, "class_teacher_id"),
        )
        .order_by("pk")[:1]
    )


# Compiled once (journal.db.Prepared): building this query was a fifth of the grid page's time.
_CLASS_SCOPE = Prepared(_class_scope_query)


def _is_teacher(user_id: int, teacher_field: str) -> Exists:
    """Whether the outer row's teacher (`teacher_field`, e.g. the class teacher) is the user."""
    return Exists(Teacher.objects.filter(pk=OuterRef(teacher_field), user_id=user_id))


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


def column_lessons(
    user,
    *,
    class_id: int = 0,
    subject_id: int = 0,
    group_id: int | None = None,
    work_type_id: int | None = None,
) -> "PreparedLessons":
    """The lessons of one journal (a class and subject, or a study group) whose column the
    user may save: the deputy head every one of the school, a teacher those of a journal they
    are assigned to (as journal_scope's `can_edit`); with a chosen work type, only while it is
    one of the school's. Unevaluated and given as the query's shape and values: the column
    save locks the lesson through it, so the check costs no statement of its own, and the lock
    query is compiled once per shape (journal.db.Prepared). The teacher is matched by the user,
    not the profile (no query for it)."""
    return PreparedLessons(
        build=_column_lessons_query,
        shape=(group_id is not None, is_deputy_head(user), work_type_id is not None),
        values={
            "school_id": user.school_id or 0,
            "user_id": user.pk or 0,
            "class_id": class_id or 0,
            "subject_id": subject_id or 0,
            "group_id": group_id or 0,
            "work_type_id": work_type_id or 0,
        },
    )


@dataclass(frozen=True)
class PreparedLessons:
    """A set of lessons as a query builder, its shape (what decides the SQL) and its values
    (ints), for journal.db.Prepared."""

    build: object
    shape: tuple
    values: dict


def _column_lessons_query(
    of_group: bool,
    deputy: bool,
    with_work_type: bool,
    *,
    school_id: int,
    user_id: int,
    class_id: int,
    subject_id: int,
    group_id: int,
    work_type_id: int,
) -> QuerySet[Lesson]:
    if of_group:
        lessons = Lesson.objects.filter(
            study_group_id=group_id, subject_id=F("study_group__subject_id")
        )
        assignment = TeachingAssignment.objects.filter(
            study_group_id=group_id, subject_id=OuterRef("subject_id")
        )
    else:
        lessons = Lesson.objects.filter(
            class_group_id=class_id, study_group__isnull=True, subject_id=subject_id
        )
        assignment = TeachingAssignment.objects.filter(
            class_group_id=class_id, subject_id=subject_id, study_group__isnull=True
        )
    lessons = lessons.filter(school_id=school_id)
    if not deputy:
        lessons = lessons.filter(Exists(assignment.filter(teacher__user_id=user_id)))
    if with_work_type:
        lessons = lessons.filter(
            Exists(WorkType.objects.filter(pk=work_type_id, school_id=OuterRef("school_id")))
        )
    return lessons


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
    url: str = ""  # the lesson page, set by the grid view
    closed: str = ""  # why the column cannot be saved now, set by the grid view


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


EMPTY, FILLED, EDITED = 0, 1, 2
EMPTY_CELL, EDITED_CELL = (EMPTY, "", "", "", ""), (EDITED, "", "", "", "")


@dataclass
class GridRow:
    student: dict
    cells: list[GridCell]
    average: object
    suggested: int | None
    edit: dict | None = None  # the edited column's inputs, set by the grid view

    def shown(self, edit_id: int | None) -> list[tuple]:
        """What the template shows of each cell, as plain tuples (the grid is a thousand cells:
        the template unpacks a tuple faster than it looks up five attributes):
        (EMPTY,) / (FILLED, text, comments, attendance code, its short label) / (EDITED,)."""
        out = []
        for cell in self.cells:
            if cell.lesson_id == edit_id:
                out.append(EDITED_CELL)
            elif cell.marks or cell.attendance_short:
                out.append(
                    (FILLED, cell.text, cell.comments, cell.attendance, cell.attendance_short)
                )
            else:
                out.append(EMPTY_CELL)
        return out


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
    students = student_rows(roster)
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
    for r in records_of(lesson_ids):
        if r["slot"] == 0:  # an attendance row (see records_of)
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
