"""The column of a lesson: the marks and attendance of the whole class saved at once."""

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
from .checks import JournalConflict, edit_refusal, lock_lesson, send_on_commit
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
) -> ColumnResult:
    """Save the marks and attendance of a whole lesson column in one transaction.

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
            user=user, lesson_id=lesson.pk, cells=cells, work_type=work_type, reason=reason
        )
    except IntegrityError:
        # Two first saves raced before either held the lesson lock: the second now sees the
        # first's rows and either changes nothing (same values) or reports the conflict.
        return _save_column(
            user=user, lesson_id=lesson.pk, cells=cells, work_type=work_type, reason=reason
        )


@transaction.atomic
def _save_column(
    *, user, lesson_id: int, cells: list[CellInput], work_type: WorkType | None, reason: str
) -> ColumnResult:
    lesson = lock_lesson(lesson_id)
    refusal = edit_refusal(
        user=user, lesson=lesson, period_closed=lesson.period_closed, reason=reason
    )
    if refusal:
        raise ValidationError(refusal)
    if work_type is not None and work_type.school_id != lesson.school_id:
        raise ValidationError({"work_type": [_("Choose a work type of this school.")]})
    work_type_id = work_type.pk if work_type else lesson.work_type_id
    wanted = {c.student_id: c for c in cells}
    roster = lesson.roster_ids
    strangers = set(wanted) - roster
    if strangers:
        raise Lesson.DoesNotExist("a student outside the lesson")  # the view answers 404
    marks_by_student, attendance_by_student = _records_of_column(lesson, list(wanted))
    if any(c.marks for c in cells) and work_type_id is None:
        raise ValidationError({"work_type": [_("Choose the work type of the lesson's marks.")]})

    result = ColumnResult()
    conflicts: dict[str, list[str]] = {}
    to_create: list[Mark] = []
    to_update: list[tuple[Mark, dict]] = []
    to_delete: list[tuple[Mark, dict]] = []
    att_create: list[Attendance] = []
    att_update: list[tuple[Attendance, dict]] = []
    att_delete: list[tuple[Attendance, dict]] = []
    for cell in cells:
        current = marks_by_student.get(cell.student_id, {})
        current_values = tuple(current[s].value for s in sorted(current))
        if cell.marks != current_values:
            seen = {s: m.version for s, m in current.items()}
            if seen != cell.mark_versions:
                shown = "/".join(current[s].get_value_display() for s in sorted(current)) or "—"
                conflicts.setdefault(_cell_key(cell.student_id), []).append(
                    _(
                        "%(student)s: the marks were changed by someone else meanwhile "
                        "(now: %(now)s). Check and save again."
                    )
                    % {"student": cell.label, "now": shown}
                )
            else:
                creates, updates, deletes = _plan_marks(
                    user=user, lesson=lesson, cell=cell, current=current, work_type_id=work_type_id
                )
                to_create += creates
                to_update += updates
                to_delete += deletes
        att = attendance_by_student.get(cell.student_id)
        if cell.attendance != (att.code if att else ""):
            if (att.version if att else 0) != cell.attendance_version:
                conflicts.setdefault(f"att-{cell.student_id}", []).append(
                    _(
                        "%(student)s: attendance was changed by someone else meanwhile "
                        "(now: %(now)s). Check and save again."
                    )
                    % {
                        "student": cell.label,
                        "now": att.get_code_display() if att else _("present"),
                    }
                )
            elif att is None:
                att_create.append(
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
                att_delete.append((att, snapshot(att)))
            else:
                before = snapshot(att)
                att.code = cell.attendance
                att.version += 1
                att.updated_at = timezone.now()
                att_update.append((att, before))
    if conflicts:
        raise JournalConflict(conflicts)

    history = []
    if to_create:
        Mark.objects.bulk_create(to_create)
        history += [
            change_record(obj=m, action=ChangeAction.CREATE, user=user, before=None, reason=reason)
            for m in to_create
        ]
    if to_update:
        now = timezone.now()
        for m, _b in to_update:
            m.updated_at = now
        update_rows(
            Mark,
            [m for m, _b in to_update],
            ["value", "version"],
            {"updated_by": user, "updated_at": now},
        )
        history += [
            change_record(obj=m, action=ChangeAction.UPDATE, user=user, before=b, reason=reason)
            for m, b in to_update
        ]
    if to_delete:
        history += [
            change_record(obj=m, action=ChangeAction.DELETE, user=user, before=b, reason=reason)
            for m, b in to_delete
        ]
        Mark.objects.filter(pk__in=[m.pk for m, _b in to_delete]).delete()
    if att_create:
        Attendance.objects.bulk_create(att_create)
        history += [
            change_record(obj=a, action=ChangeAction.CREATE, user=user, before=None, reason=reason)
            for a in att_create
        ]
    if att_update:
        now = timezone.now()
        for a, _b in att_update:
            a.updated_at = now
        update_rows(
            Attendance, [a for a, _b in att_update], ["code", "version"], {"updated_at": now}
        )
        history += [
            change_record(obj=a, action=ChangeAction.UPDATE, user=user, before=b, reason=reason)
            for a, b in att_update
        ]
    if att_delete:
        history += [
            change_record(obj=a, action=ChangeAction.DELETE, user=user, before=b, reason=reason)
            for a, b in att_delete
        ]
        Attendance.objects.filter(pk__in=[a.pk for a, _b in att_delete]).delete()
    if history:
        insert_rows(history)

    lesson_fields = {}
    if work_type is not None and work_type.pk != lesson.work_type_id:
        lesson_fields["work_type_id"] = work_type.pk
    if lesson.attendance_checked_at is None:
        lesson_fields["attendance_checked_at"] = timezone.now()
    if lesson_fields:
        lesson_fields["updated_at"] = timezone.now()
        Lesson.objects.filter(pk=lesson.pk).update(**lesson_fields)

    result.created = [m.pk for m in to_create]
    result.updated = [m.pk for m, _b in to_update]
    result.deleted = [m.pk for m, _b in to_delete]
    result.attendance_saved = [a.pk for a in att_create] + [a.pk for a, _b in att_update]
    result.attendance_deleted = [a.pk for a, _b in att_delete]
    _announce(lesson=lesson, user=user, result=result)
    return result


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


def _plan_marks(*, user, lesson: Lesson, cell: CellInput, current: dict[int, Mark], work_type_id):
    """Match the typed marks to the stored ones position by position («5/4»: the first and the
    second stored mark, whatever their slot numbers); new ones take the free slots."""
    existing = [current[slot] for slot in sorted(current)]
    # New marks go after the stored ones, so that the cell reads back as typed.
    top = max(current, default=0)
    free_slots = iter(
        list(range(top + 1, MAX_MARKS_PER_LESSON + 1))
        + [n for n in range(1, top) if n not in current]
    )
    creates, updates, deletes = [], [], []
    for i in range(max(len(cell.marks), len(existing))):
        new = cell.marks[i] if i < len(cell.marks) else None
        old = existing[i] if i < len(existing) else None
        if old is None:
            creates.append(
                Mark(
                    school_id=lesson.school_id,
                    lesson=lesson,
                    student_id=cell.student_id,
                    slot=next(free_slots),
                    value=new,
                    work_type_id=work_type_id,
                    date=lesson.date,
                    subject_id=lesson.subject_id,
                    created_by=user,
                )
            )
        elif new is None:
            deletes.append((old, snapshot(old)))
        elif old.value != new:
            before = snapshot(old)
            old.value = new
            old.version += 1
            old.updated_by = user
            old.updated_at = timezone.now()  # bulk_update does not touch auto_now
            updates.append((old, before))
    return creates, updates, deletes


def _announce(*, lesson: Lesson, user, result: ColumnResult) -> None:
    common = {"school_id": lesson.school_id, "changed_by_id": user.pk}
    if result.created or result.updated:
        send_on_commit(events.marks_saved, mark_ids=result.created + result.updated, **common)
    if result.deleted:
        send_on_commit(events.marks_deleted, mark_ids=list(result.deleted), **common)
    if result.attendance_saved:
        send_on_commit(
            events.attendance_saved,
            school_id=lesson.school_id,
            attendance_ids=list(result.attendance_saved),
        )
    if result.attendance_deleted:
        send_on_commit(
            events.attendance_deleted,
            school_id=lesson.school_id,
            attendance_ids=list(result.attendance_deleted),
        )
