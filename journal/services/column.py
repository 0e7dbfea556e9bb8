"""The column of a lesson: the marks and attendance of the whole class saved at once."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import events
from ..history import change_record, snapshot
from ..models import (
    MAX_MARKS_PER_LESSON,
    Attendance,
    AttendanceCode,
    ChangeAction,
    Lesson,
    Mark,
    MarkValue,
    WorkType,
)
from .checks import JournalConflict, announce, edit_refusal, lock_lesson
from .rows import insert_rows, loaded, update_rows


@dataclass(frozen=True)
class CellInput:
    """What the grid form sent for one student in one lesson.

    `mark_versions` maps slot → version of the marks the teacher saw ({} for none);
    `attendance_version` is the version of the attendance row seen (0 for none).
    """

    student_id: int
    marks: tuple[str, ...] = ()
    mark_versions: dict[int, int] = field(default_factory=dict)
    attendance: str = ""
    attendance_version: int = 0
    label: str = ""  # the student's name, for messages


@dataclass
class ColumnResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    attendance_saved: list[int] = field(default_factory=list)
    attendance_deleted: list[int] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(
            map(
                len,
                (
                    self.created,
                    self.updated,
                    self.deleted,
                    self.attendance_saved,
                    self.attendance_deleted,
                ),
            )
        )


def _cell_key(student_id: int) -> str:
    return f"mark-{student_id}"


def _validate_cells(cells: list[CellInput]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    valid_marks = set(MarkValue.values)
    valid_codes = set(AttendanceCode.values) | {""}
    for cell in cells:
        if len(cell.marks) > MAX_MARKS_PER_LESSON or any(v not in valid_marks for v in cell.marks):
            errors.setdefault(_cell_key(cell.student_id), []).append(
                _("%(student)s: not a mark") % {"student": cell.label}
            )
        if cell.attendance not in valid_codes:
            errors.setdefault(f"att-{cell.student_id}", []).append(
                _("%(student)s: unknown attendance code") % {"student": cell.label}
            )
    return errors


def marks_save_column(
    *,
    user,
    lesson: Lesson,
    cells: list[CellInput],
    work_type: WorkType | None = None,
    reason: str = "",
    within=None,
) -> ColumnResult:
    """Save the marks and attendance of a whole lesson column in one transaction.

    `within`, when given, is the lessons the caller may write in (their shape and values,
    journal.selectors.PreparedLessons): the lesson is locked through it, so a lesson outside it is Lesson.DoesNotExist (the view's 404) with nothing written,
    and the caller needs no query of its own to check access first.

    All or nothing: a bad value, a student outside the lesson, a refused edit or a cell changed
    by someone else since the form was loaded (its version moved on) rolls the whole column
    back. A cell whose values already equal what is stored is left alone, so a double submit
    or a retry changes nothing the second time.
    """
    errors = _validate_cells(cells)
    if errors:
        raise ValidationError(errors)
    if len(reason) > 500:
        raise ValidationError({"reason": [_("The reason is too long (at most 500 characters).")]})
    if len({c.student_id for c in cells}) != len(cells):
        raise ValidationError(_("A student appears twice in the column."))
    try:
        return _save_column(
            user=user,
            lesson_id=lesson.pk,
            cells=cells,
            work_type=work_type,
            reason=reason,
            within=within,
        )
    except IntegrityError:
        # Two first saves raced before either held the lesson lock: the second now sees the
        # first's rows and either changes nothing (same values) or reports the conflict.
        return _save_column(
            user=user,
            lesson_id=lesson.pk,
            cells=cells,
            work_type=work_type,
            reason=reason,
            within=within,
        )


@transaction.atomic
def _save_column(
    *,
    user,
    lesson_id: int,
    cells: list[CellInput],
    work_type: WorkType | None,
    reason: str,
    within=None,
) -> ColumnResult:
    """Plan what changes, refuse on any conflict, then write: see the three steps below."""
    lesson = lock_lesson(lesson_id, within=within)
    work_type_id = _check_column(
        user=user, lesson=lesson, cells=cells, work_type=work_type, reason=reason
    )
    marks, attendance = _records_of_column(lesson, [c.student_id for c in cells])
    plan = _plan_column(
        user=user,
        lesson=lesson,
        cells=cells,
        marks=marks,
        attendance=attendance,
        work_type_id=work_type_id,
    )
    if plan.conflicts:
        raise JournalConflict(plan.conflicts)
    now = timezone.now()
    history = _apply(MARKS, plan.marks, user=user, reason=reason, now=now)
    history += _apply(ATTENDANCE, plan.attendance, user=user, reason=reason, now=now)
    if history:
        insert_rows(history)
    _touch_lesson(lesson, work_type=work_type, now=now)
    result = ColumnResult(
        created=[m.pk for m in plan.marks.create],
        updated=[m.pk for m, _b in plan.marks.update],
        deleted=[m.pk for m, _b in plan.marks.delete],
        attendance_saved=[a.pk for a in plan.attendance.create]
        + [a.pk for a, _b in plan.attendance.update],
        attendance_deleted=[a.pk for a, _b in plan.attendance.delete],
    )
    _announce(lesson=lesson, user=user, result=result)
    return result


def _check_column(
    *, user, lesson: Lesson, cells: list[CellInput], work_type: WorkType | None, reason: str
) -> int | None:
    """Refuse the whole column before reading its records: the edit window, a work type of
    another school, a student outside the lesson (404). Returns the marks' work type id."""
    refusal = edit_refusal(
        user=user, lesson=lesson, period_closed=lesson.period_closed, reason=reason
    )
    if refusal:
        raise ValidationError(refusal)
    if work_type is not None and work_type.school_id != lesson.school_id:
        raise ValidationError({"work_type": [_("Choose a work type of this school.")]})
    if {c.student_id for c in cells} - lesson.roster_ids:
        raise Lesson.DoesNotExist("a student outside the lesson")  # the view answers 404
    work_type_id = work_type.pk if work_type else lesson.work_type_id
    if work_type_id is None and any(c.marks for c in cells):
        raise ValidationError({"work_type": [_("Choose the work type of the lesson's marks.")]})
    return work_type_id


# --- Step 1: the plan --------------------------------------------------------------------------


@dataclass
class Changes:
    """The rows of one table a save creates, updates and deletes (with their snapshots)."""

    create: list = field(default_factory=list)
    update: list[tuple] = field(default_factory=list)  # (row, snapshot before)
    delete: list[tuple] = field(default_factory=list)  # (row, snapshot before)


@dataclass
class ColumnPlan:
    marks: Changes = field(default_factory=Changes)
    attendance: Changes = field(default_factory=Changes)
    conflicts: dict[str, list[str]] = field(default_factory=dict)


def _plan_column(
    *, user, lesson: Lesson, cells, marks: dict, attendance: dict, work_type_id
) -> ColumnPlan:
    """What each cell changes. A cell whose stored rows moved on since the form was loaded (its
    versions differ) is a conflict instead; a cell equal to what is stored changes nothing."""
    plan = ColumnPlan()
    for cell in cells:
        current = marks.get(cell.student_id, {})
        if cell.marks != tuple(current[s].value for s in sorted(current)):
            if {s: m.version for s, m in current.items()} != cell.mark_versions:
                plan.conflicts[_cell_key(cell.student_id)] = [_marks_conflict(cell, current)]
            else:
                _plan_marks(
                    plan.marks,
                    user=user,
                    lesson=lesson,
                    cell=cell,
                    current=current,
                    work_type_id=work_type_id,
                )
        att = attendance.get(cell.student_id)
        if cell.attendance != (att.code if att else ""):
            if (att.version if att else 0) != cell.attendance_version:
                plan.conflicts[f"att-{cell.student_id}"] = [_attendance_conflict(cell, att)]
            else:
                _plan_attendance(plan.attendance, user=user, lesson=lesson, cell=cell, att=att)
    return plan


def _plan_marks(
    changes: Changes, *, user, lesson: Lesson, cell: CellInput, current: dict, work_type_id
) -> None:
    """Match the typed marks to the stored ones by identity: a stored mark the teacher left
    as it was keeps its row (its comment, author and version), wherever it stands in the cell;
    removing «4» from «5/4/3» deletes that mark, not the last one. Changed values take the
    place of stored marks in order; new marks take a free slot."""
    existing = [current[slot] for slot in sorted(current)]
    pairs = match_marks([m.value for m in existing], list(cell.marks))
    kept = {existing[i].slot for i, j in pairs if i is not None and j is not None}
    slots = _new_slots(pairs, existing, kept)
    for i, j in pairs:
        old = existing[i] if i is not None else None
        new = cell.marks[j] if j is not None else None
        if old is None:
            changes.create.append(
                Mark(
                    school_id=lesson.school_id,
                    lesson=lesson,
                    student_id=cell.student_id,
                    slot=slots[j],
                    value=new,
                    work_type_id=work_type_id,
                    date=lesson.date,
                    subject_id=lesson.subject_id,
                    created_by=user,
                )
            )
        elif new is None:
            changes.delete.append((old, snapshot(old)))
        elif old.value != new:
            before = snapshot(old)
            old.value, old.updated_by = new, user
            old.version += 1
            changes.update.append((old, before))


def match_marks(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """Pair stored values (`old`) with typed ones (`new`) by the fewest changes (an edit
    distance): (i, j) keeps or changes old[i] into new[j], (i, None) deletes old[i], (None, j)
    creates new[j]. On a tie the earlier marks pair up in order, changed in place."""
    n, m = len(old), len(new)
    # cost[i][j]: the fewest changes turning old[i:] into new[j:].
    cost = [
        [(n - i) + (m - j) if i == n or j == m else 0 for j in range(m + 1)] for i in range(n + 1)
    ]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            same = 0 if old[i] == new[j] else 1
            cost[i][j] = min(cost[i + 1][j + 1] + same, cost[i + 1][j] + 1, cost[i][j + 1] + 1)
    pairs, i, j = [], 0, 0
    while i < n or j < m:
        if i < n and j < m and cost[i][j] == cost[i + 1][j + 1] + (old[i] != new[j]):
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif i < n and cost[i][j] == cost[i + 1][j] + 1:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    return pairs


def _new_slots(pairs, existing: list, kept: set[int]) -> dict[int, int]:
    """The slot of each new mark (by its typed position): the first free slot after the mark
    before it, so that the cell reads back as typed; any free slot when none is left there."""
    free = [s for s in range(1, MAX_MARKS_PER_LESSON + 1) if s not in kept]
    slots, previous = {}, 0
    for i, j in pairs:
        if i is not None:
            if j is not None:
                previous = existing[i].slot
            continue
        slot = next((s for s in free if s > previous), free[0])
        free.remove(slot)
        slots[j] = previous = slot
    return slots


def _plan_attendance(changes: Changes, *, user, lesson: Lesson, cell: CellInput, att) -> None:
    if att is None:
        changes.create.append(
            Attendance(
                school_id=lesson.school_id,
                lesson=lesson,
                student_id=cell.student_id,
                code=cell.attendance,
                date=lesson.date,
                created_by=user,
            )
        )
    elif cell.attendance == "":
        changes.delete.append((att, snapshot(att)))
    else:
        before = snapshot(att)
        att.code = cell.attendance
        att.version += 1
        changes.update.append((att, before))


# --- Step 2: the conflicts (what the teacher is told) -------------------------------------------


def _marks_conflict(cell: CellInput, current: dict) -> str:
    shown = "/".join(current[s].get_value_display() for s in sorted(current)) or "—"
    return _(
        "%(student)s: the marks were changed by someone else meanwhile "
        "(now: %(now)s). Check and save again."
    ) % {"student": cell.label, "now": shown}


def _attendance_conflict(cell: CellInput, att) -> str:
    return _(
        "%(student)s: attendance was changed by someone else meanwhile "
        "(now: %(now)s). Check and save again."
    ) % {"student": cell.label, "now": att.get_code_display() if att else _("present")}


# --- Step 3: the writes, one generic apply for marks and attendance ----------------------------


@dataclass(frozen=True)
class Table:
    """How a column save writes one table: the fields that differ row by row on an update and
    those every updated row gets (`common(user, now)`)."""

    model: type
    row_fields: tuple[str, ...]
    common: Callable[..., dict]


MARKS = Table(Mark, ("value", "version"), lambda user, now: {"updated_by": user, "updated_at": now})
ATTENDANCE = Table(Attendance, ("code", "version"), lambda _user, now: {"updated_at": now})


def _apply(table: Table, changes: Changes, *, user, reason: str, now) -> list:
    """Delete, update and create the planned rows of one table (deletions first: a new mark
    may take the slot of a deleted one); returns their history rows (not yet saved)."""
    history = []

    def record(obj, action, before):
        history.append(
            change_record(obj=obj, action=action, user=user, before=before, reason=reason)
        )

    if changes.delete:
        for obj, before in changes.delete:
            record(obj, ChangeAction.DELETE, before)
        table.model.objects.filter(pk__in=[obj.pk for obj, _b in changes.delete]).delete()
    if changes.update:
        for obj, _b in changes.update:
            obj.updated_at = now  # the one UPDATE statement does not touch auto_now
        update_rows(
            table.model,
            [obj for obj, _b in changes.update],
            list(table.row_fields),
            table.common(user, now),
        )
        for obj, before in changes.update:
            record(obj, ChangeAction.UPDATE, before)
    if changes.create:
        table.model.objects.bulk_create(changes.create)
        for obj in changes.create:
            record(obj, ChangeAction.CREATE, None)
    return history


def _touch_lesson(lesson: Lesson, *, work_type: WorkType | None, now) -> None:
    """The lesson's own fields a column save sets: a new work type, attendance checked."""
    fields = {}
    if work_type is not None and work_type.pk != lesson.work_type_id:
        fields["work_type_id"] = work_type.pk
    if lesson.attendance_checked_at is None:
        fields["attendance_checked_at"] = now
    if fields:
        Lesson.objects.filter(pk=lesson.pk).update(updated_at=now, **fields)


def _records_of_column(
    lesson: Lesson, student_ids: list[int]
) -> tuple[dict[int, dict[int, Mark]], dict[int, Attendance]]:
    """The stored marks (by student and slot) and attendance (by student) of the lesson's
    students, in one statement (UNION ALL of two value lists of the same shape).

    No row locks of their own: it runs after `lock_lesson`, and every writer of a lesson's
    marks and attendance takes that lock first (the column save, the mark page, the lesson's
    moves), so nobody changes these rows until we commit; under READ COMMITTED this statement,
    started after the lock was granted, sees everything the previous holder committed. The
    instances carry what the save reads and writes (the history's fields, the version)."""
    marks = Mark.objects.filter(lesson=lesson, student_id__in=student_ids).values(
        "id",
        "student_id",
        "slot",
        "value",
        "version",
        "comment",
        "work_type_id",
        "subject_id",
        minutes=Value(None, output_field=IntegerField()),
    )
    attendance = Attendance.objects.filter(lesson=lesson, student_id__in=student_ids).values(
        "id",
        "student_id",
        slot_=Value(0, output_field=IntegerField()),
        value_=Cast("code", output_field=CharField()),
        version_=F("version"),
        comment_=F("comment"),
        work_type=Value(None, output_field=IntegerField()),
        subject=Value(None, output_field=IntegerField()),
        minutes=F("minutes_late"),
    )
    marks_by_student: dict[int, dict[int, Mark]] = {}
    attendance_by_student: dict[int, Attendance] = {}
    common = {"school_id": lesson.school_id, "lesson_id": lesson.pk, "date": lesson.date}
    # Models' default ordering must go: SQLite refuses ORDER BY inside a compound statement.
    for r in marks.order_by().union(attendance.order_by(), all=True):
        if r["slot"] == 0:  # an attendance row: slots of marks start at 1
            attendance_by_student[r["student_id"]] = loaded(
                Attendance(
                    id=r["id"],
                    student_id=r["student_id"],
                    code=r["value"],
                    version=r["version"],
                    comment=r["comment"],
                    minutes_late=r["minutes"],
                    **common,
                )
            )
        else:
            marks_by_student.setdefault(r["student_id"], {})[r["slot"]] = loaded(
                Mark(
                    id=r["id"],
                    student_id=r["student_id"],
                    slot=r["slot"],
                    value=r["value"],
                    version=r["version"],
                    comment=r["comment"],
                    work_type_id=r["work_type_id"],
                    subject_id=r["subject_id"],
                    **common,
                )
            )
    return marks_by_student, attendance_by_student


def _announce(*, lesson: Lesson, user, result: ColumnResult) -> None:
    common = {"school_id": lesson.school_id, "changed_by_id": user.pk}
    if result.created or result.updated:
        announce(events.marks_saved, mark_ids=result.created + result.updated, **common)
    if result.deleted:
        announce(events.marks_deleted, mark_ids=list(result.deleted), **common)
    if result.attendance_saved:
        announce(
            events.attendance_saved,
            school_id=lesson.school_id,
            attendance_ids=list(result.attendance_saved),
        )
    if result.attendance_deleted:
        announce(
            events.attendance_deleted,
            school_id=lesson.school_id,
            attendance_ids=list(result.attendance_deleted),
        )
