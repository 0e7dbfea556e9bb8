"""Every write a teacher or the deputy head makes in the journal.

Each service is keyword-only, owns one transaction, validates everything before it writes, keeps
the change history (journal.history) in the same transaction, and announces what happened
(journal.events) only after the commit. Access to the lesson is the caller's business (the
views fetch it through journal.selectors); a service additionally enforces the edit window.
"""

import datetime as dt
import mimetypes
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_deputy_head
from journal.db import ArrayOf
from school.models import (
    BellSchedule,
    Enrollment,
    Holiday,
    ReportingPeriod,
    StudyGroupMembership,
    Teacher,
    TimetableEntry,
)

from . import events
from .history import change_record, snapshot
from .models import (
    MAX_MARKS_PER_LESSON,
    Attendance,
    AttendanceCode,
    ChangeAction,
    Homework,
    HomeworkFile,
    Lesson,
    LessonPlan,
    LessonStatus,
    Mark,
    MarkValue,
    Remark,
    RemarkKind,
    WorkType,
)

# --- Shared checks ---------------------------------------------------------------------------


def _period_closed_subquery():
    """Whether a closed reporting period covers the lesson's date and class level."""
    level = Coalesce(OuterRef("class_group__level"), OuterRef("study_group__class_group__level"))
    return Exists(
        ReportingPeriod.objects.filter(
            school_id=OuterRef("school_id"),
            starts_on__lte=OuterRef("date"),
            ends_on__gte=OuterRef("date"),
            closed_at__isnull=False,
        ).filter(Q(level_min__lte=level, level_max__gte=level))
    )


def _refuse_in_closed_period(*, user, lesson: Lesson) -> None:
    """A closed reporting period is read-only for teachers: its topics and homework too. The
    deputy head may still correct them."""
    if is_deputy_head(user):
        return
    closed = (
        Lesson.objects.filter(pk=lesson.pk)
        .annotate(period_closed=_period_closed_subquery())
        .values_list("period_closed", flat=True)
        .first()
    )
    if closed:
        raise ValidationError(
            _("The reporting period is closed: only the deputy head may correct it, with a reason.")
        )


def _roster_subqueries() -> dict:
    """The students of the lesson on its date, as arrays, so that the lock query brings them:
    the class's enrolled students and the group's members (the lesson uses one of them)."""
    enrolled = Enrollment.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gte=OuterRef("date")),
        class_group_id=OuterRef("class_group_id"),
        joined_on__lte=OuterRef("date"),
    ).values("student_id")
    members = StudyGroupMembership.objects.filter(group_id=OuterRef("study_group_id")).values(
        "student_id"
    )
    return {"enrolled_ids": ArrayOf(enrolled), "member_ids": ArrayOf(members)}


def _lock_lesson(lesson_id: int) -> Lesson:
    """The lesson row, locked for the rest of the transaction: column saves of one lesson run one
    after another, so a double submit finds the marks of the first and changes nothing. It comes
    with whether its period is closed and with its roster (`lesson.roster_ids`)."""
    lesson = (
        Lesson.objects.select_for_update(of=("self",))
        .select_related("school", "class_group", "study_group")
        .annotate(period_closed=_period_closed_subquery(), **_roster_subqueries())
        .get(pk=lesson_id)
    )
    lesson.roster_ids = set(lesson.member_ids if lesson.study_group_id else lesson.enrolled_ids)
    return lesson


def edit_refusal(*, user, lesson: Lesson, period_closed: bool, reason: str) -> str | None:
    """Why marks and attendance of this lesson may not be written now, or None.

    A cancelled or moved lesson and a future date are refused to everyone. After the school's
    edit window, or in a closed period, only the deputy head may correct, with a reason.
    """
    today = lesson.school.today()
    if lesson.status == LessonStatus.CANCELLED:
        return _("The lesson was cancelled: it takes no marks or attendance.")
    if lesson.status == LessonStatus.MOVED:
        return _("The lesson was moved: enter marks in the lesson it was moved to.")
    if lesson.date > today:
        return _("The lesson of %(date)s has not taken place yet.") % {
            "date": lesson.date.strftime("%d.%m.%Y")
        }
    window_over = lesson.date < today - dt.timedelta(days=lesson.school.edit_window_days)
    if not (period_closed or window_over):
        return None
    if is_deputy_head(user):
        if not reason.strip():
            return _("A correction after the edit window needs a reason.")
        return None
    if period_closed:
        return _(
            "The reporting period is closed: only the deputy head may correct it, with a reason."
        )
    return _(
        "The edit window (%(days)s days) is over: only the deputy head may correct it, "
        "with a reason."
    ) % {"days": lesson.school.edit_window_days}


def _roster_ids(lesson: Lesson) -> QuerySet:
    """Student ids taught in this lesson on its date: the group's members, or the class's
    students enrolled on that date."""
    if lesson.study_group_id:
        return StudyGroupMembership.objects.filter(group_id=lesson.study_group_id).values_list(
            "student_id", flat=True
        )
    return Enrollment.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gte=lesson.date),
        class_group_id=lesson.class_group_id,
        joined_on__lte=lesson.date,
    ).values_list("student_id", flat=True)


def _send_on_commit(signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=Lesson, **kwargs))


# --- The column of a lesson: marks and attendance of the whole class -------------------------


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


class JournalConflict(ValidationError):
    """Someone else changed a cell since the form was loaded."""


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
    lesson = _lock_lesson(lesson_id)
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
        _update_rows(
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
        _update_rows(
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
        _insert_rows(history)

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

    No row locks of their own: it runs after `_lock_lesson`, and every writer of a lesson's
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
            attendance_by_student[r["student_id"]] = _loaded(
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
            marks_by_student.setdefault(r["student_id"], {})[r["slot"]] = _loaded(
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


def _loaded(obj):
    """Mark an instance built from a row as an existing one of the default database."""
    obj._state.adding, obj._state.db = False, "default"
    return obj


def _insert_rows(objs: list) -> None:
    """INSERT the (new, unsaved) objects in one statement, as `bulk_create` would without
    reading their ids back: the history rows of a save, which nothing reads afterwards.
    Each field is prepared as Django prepares it (`pre_save` sets auto_now_add, then
    `get_db_prep_save`); skipping bulk_create's per-field expression machinery halves the
    time of a 30-row history insert."""
    model = type(objs[0])
    meta, qn = model._meta, connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    params = []
    for obj in objs:
        params += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(qn(f.column) for f in fields)
    values = ", ".join([row] * len(objs))
    with connection.cursor() as cursor:
        sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
        cursor.execute(sql, params)


def _update_rows(model, objs: list, fields: list[str], common: dict) -> None:
    """Write `fields` of each object (they differ row by row) and the `common` values (the same
    for every row) in one statement.

    `QuerySet.bulk_update` builds a `CASE WHEN pk = … THEN …` expression per row and field in
    Python, most of a column save's time; PostgreSQL and SQLite ≥ 3.33 take the rows as one
    `UPDATE … FROM (VALUES …)` instead (the VALUES columns are named column1, column2, … on
    both). Any other database falls back to `bulk_update`."""
    if not objs:
        return
    if connection.vendor not in ("postgresql", "sqlite") or (
        connection.vendor == "sqlite" and connection.Database.sqlite_version_info < (3, 33)
    ):
        model.objects.bulk_update(objs, [*fields, *common])
        return
    meta, qn = model._meta, connection.ops.quote_name
    table = qn(meta.db_table)
    pk_field = meta.pk
    row_fields = [meta.get_field(f) for f in fields]
    common_fields = [meta.get_field(f) for f in common]
    assignments = [f"{qn(f.column)} = v.column{i}" for i, f in enumerate(row_fields, start=2)] + [
        f"{qn(f.column)} = %s" for f in common_fields
    ]
    params = []
    for f in common_fields:
        value = common[f.name]
        if f.is_relation:
            value = value.pk if value is not None else None
        params.append(f.get_db_prep_save(value, connection))
    placeholders = "(" + ", ".join(["%s"] * (len(row_fields) + 1)) + ")"
    for obj in objs:
        params.append(pk_field.get_db_prep_save(obj.pk, connection))
        params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in row_fields]
    values = ", ".join([placeholders] * len(objs))
    # Only quoted model identifiers and %s placeholders are formatted in: values go as params
    # (the same in _insert_rows).
    where = f"{table}.{qn(pk_field.column)} = v.column1"
    sql = f"UPDATE {table} SET {', '.join(assignments)} FROM (VALUES {values}) AS v WHERE {where}"  # noqa: S608, E501
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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
        _send_on_commit(events.marks_saved, mark_ids=result.created + result.updated, **common)
    if result.deleted:
        _send_on_commit(events.marks_deleted, mark_ids=list(result.deleted), **common)
    if result.attendance_saved:
        _send_on_commit(
            events.attendance_saved,
            school_id=lesson.school_id,
            attendance_ids=list(result.attendance_saved),
        )
    if result.attendance_deleted:
        _send_on_commit(
            events.attendance_deleted,
            school_id=lesson.school_id,
            attendance_ids=list(result.attendance_deleted),
        )


# --- One mark: its value and comment, or its deletion ---------------------------------------


@transaction.atomic
def mark_set(
    *,
    user,
    lesson: Lesson,
    student_id: int,
    slot: int,
    value: str,
    comment: str = "",
    version: int = 0,
    reason: str = "",
) -> Mark:
    """Create or change one mark (with its comment). `version` is the version seen (0: none)."""
    if value not in MarkValue.values:
        raise ValidationError({"value": [_("Not a mark: write 5, 4, 3, 2, 1, pass or fail.")]})
    if not 1 <= slot <= MAX_MARKS_PER_LESSON:
        raise ValidationError({"slot": [_("A lesson holds at most three marks per student.")]})
    if len(comment) > 500:
        raise ValidationError({"comment": [_("The comment is too long (at most 500 characters).")]})
    locked = _lock_lesson(lesson.pk)
    refusal = edit_refusal(
        user=user, lesson=locked, period_closed=locked.period_closed, reason=reason
    )
    if refusal:
        raise ValidationError(refusal)
    if student_id not in locked.roster_ids:
        raise Lesson.DoesNotExist("a student outside the lesson")
    mark = (
        Mark.objects.select_for_update()
        .filter(lesson=locked, student_id=student_id, slot=slot)
        .first()
    )
    if (mark.version if mark else 0) != version:
        if mark is not None and mark.value == value and mark.comment == comment:
            return mark
        raise JournalConflict(
            {"value": [_("The mark was changed by someone else meanwhile. Check and save again.")]}
        )
    if mark is None:
        if locked.work_type_id is None:
            raise ValidationError({"value": [_("Choose the work type of the lesson first.")]})
        mark = Mark.objects.create(
            school_id=locked.school_id,
            lesson=locked,
            student_id=student_id,
            slot=slot,
            value=value,
            comment=comment,
            work_type_id=locked.work_type_id,
            date=locked.date,
            subject_id=locked.subject_id,
            created_by=user,
        )
        record = change_record(
            obj=mark, action=ChangeAction.CREATE, user=user, before=None, reason=reason
        )
    else:
        if mark.value == value and mark.comment == comment:
            return mark
        before = snapshot(mark)
        mark.value, mark.comment = value, comment
        mark.version += 1
        mark.updated_by = user
        mark.save(update_fields=["value", "comment", "version", "updated_by", "updated_at"])
        record = change_record(
            obj=mark, action=ChangeAction.UPDATE, user=user, before=before, reason=reason
        )
    record.save()
    _send_on_commit(
        events.marks_saved, school_id=mark.school_id, mark_ids=[mark.pk], changed_by_id=user.pk
    )
    return mark


@transaction.atomic
def mark_delete(
    *, user, mark_id: int, lesson: Lesson, student_id: int, version: int, reason: str = ""
) -> None:
    """Delete one mark of the student in the lesson; the history keeps it with the reason. A
    mark of another lesson or another student is Mark.DoesNotExist (a tampered id)."""
    locked = _lock_lesson(lesson.pk)
    refusal = edit_refusal(
        user=user, lesson=locked, period_closed=locked.period_closed, reason=reason
    )
    if refusal:
        raise ValidationError(refusal)
    mark = (
        Mark.objects.select_for_update()
        .filter(pk=mark_id, lesson=locked, student_id=student_id)
        .first()
    )
    if mark is None:
        raise Mark.DoesNotExist
    if mark.version != version:
        raise JournalConflict(
            _("The mark was changed by someone else meanwhile. Check and delete again.")
        )
    record = change_record(
        obj=mark, action=ChangeAction.DELETE, user=user, before=snapshot(mark), reason=reason
    )
    record.save()
    mark.delete()
    _send_on_commit(
        events.marks_deleted, school_id=locked.school_id, mark_ids=[mark_id], changed_by_id=user.pk
    )


# --- The lesson: topic, work type, homework, remarks ---------------------------------------


@transaction.atomic
def lesson_update(
    *,
    user,
    lesson: Lesson,
    topic: str,
    planned_topic: LessonPlan | None = None,
    work_type: WorkType | None = None,
) -> Lesson:
    """Set the lesson's topic (free text or a planned topic) and its work type."""
    _refuse_in_closed_period(user=user, lesson=lesson)
    if planned_topic is not None:
        if (
            planned_topic.assignment.school_id != lesson.school_id
            or planned_topic.assignment.subject_id != lesson.subject_id
        ):
            raise ValidationError({"planned_topic": [_("Choose a topic of this course.")]})
        topic = topic or planned_topic.topic
    topic = topic.strip()
    if len(topic) > 500:
        raise ValidationError({"topic": [_("The topic is too long (at most 500 characters).")]})
    if work_type is not None and work_type.school_id != lesson.school_id:
        raise ValidationError({"work_type": [_("Choose a work type of this school.")]})
    lesson.topic = topic
    lesson.planned_topic = planned_topic
    lesson.work_type = work_type
    lesson.save(update_fields=["topic", "planned_topic", "work_type", "updated_at"])
    return lesson


ALLOWED_HOMEWORK_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": "text/plain",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _validate_upload(upload) -> tuple[str, str]:
    name = PurePath(upload.name or "").name[:255]
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_HOMEWORK_TYPES:
        raise ValidationError(
            {"files": [_("«%(name)s»: this file type is not accepted.") % {"name": name}]}
        )
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                "files": [
                    _("«%(name)s» is too large (at most %(mb)s MB).")
                    % {"name": name, "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
                ]
            }
        )
    return name, ALLOWED_HOMEWORK_TYPES[suffix] or mimetypes.guess_type(name)[0]


@transaction.atomic
def homework_set(
    *, user, lesson: Lesson, text: str, due_date: dt.date | None = None, files=()
) -> Homework | None:
    """Set the lesson's homework (one per lesson) and attach files. An empty text with no
    files and no earlier homework sets nothing."""
    text = text.strip()
    if len(text) > 5000:
        raise ValidationError({"text": [_("The homework is too long (at most 5000 characters).")]})
    if due_date is not None and due_date < lesson.date:
        raise ValidationError({"due_date": [_("The due date cannot be before the lesson.")]})
    checked = [(_validate_upload(f), f) for f in files]
    _refuse_in_closed_period(user=user, lesson=lesson)
    homework = Homework.objects.select_for_update().filter(lesson=lesson).first()
    if homework is None:
        if not text and not checked:
            return None
        if not text:
            raise ValidationError({"text": [_("Write the assignment for the attached files.")]})
        homework = Homework.objects.create(
            school_id=lesson.school_id, lesson=lesson, text=text, due_date=due_date, created_by=user
        )
    else:
        if not text:
            raise ValidationError({"text": [_("Write the assignment.")]})
        homework.text, homework.due_date = text, due_date
        homework.save(update_fields=["text", "due_date", "updated_at"])
    for (name, content_type), upload in checked:
        HomeworkFile.objects.create(
            school_id=lesson.school_id,
            homework=homework,
            file=upload,
            original_name=name,
            size=upload.size,
            content_type=content_type,
        )
    return homework


@transaction.atomic
def remark_add(*, user, lesson: Lesson, student_id: int, kind: str, text: str) -> Remark:
    """A comment, recommendation or message to the parents about a student of the lesson."""
    text = text.strip()
    if kind not in RemarkKind.values:
        raise ValidationError({"kind": [_("Choose the kind of remark.")]})
    if not text:
        raise ValidationError({"text": [_("Write the remark.")]})
    if len(text) > 2000:
        raise ValidationError({"text": [_("The remark is too long (at most 2000 characters).")]})
    if not _roster_ids(lesson).filter(student_id=student_id).exists():
        raise Lesson.DoesNotExist("a student outside the lesson")
    return Remark.objects.create(
        school_id=lesson.school_id,
        student_id=student_id,
        lesson=lesson,
        subject_id=lesson.subject_id,
        kind=kind,
        text=text,
        author=user,
    )


# --- The deputy head's lesson changes: substitution, move, cancellation ----------------------


def _has_records(lesson: Lesson) -> bool:
    return (
        Mark.objects.filter(lesson=lesson).exists()
        or Attendance.objects.filter(lesson=lesson).exists()
    )


@transaction.atomic
def lesson_substitute(*, user, lesson: Lesson, teacher: Teacher | None) -> Lesson:
    """Another teacher gives the lesson (None: the lesson's own teacher again)."""
    if teacher is not None and teacher.school_id != lesson.school_id:
        raise ValidationError({"teacher": [_("Choose a teacher of this school.")]})
    if teacher is not None and teacher.pk == lesson.teacher_id:
        teacher = None
    lesson.substitute_teacher = teacher
    lesson.save(update_fields=["substitute_teacher", "updated_at"])
    return lesson


@transaction.atomic
def lesson_move(*, user, lesson: Lesson, date: dt.date, lesson_number: int) -> Lesson:
    """Move the lesson to another date or slot: the original stays, marked moved, and points to
    the new lesson. A lesson that already has marks or attendance is not moved."""
    locked = _lock_lesson(lesson.pk)
    if locked.status != LessonStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled lesson can be moved."))
    if not 1 <= lesson_number <= 12:
        raise ValidationError({"lesson_number": [_("The lesson number must be from 1 to 12.")]})
    if date == locked.date and lesson_number == locked.lesson_number:
        raise ValidationError({"date": [_("Choose another date or lesson number.")]})
    if _has_records(locked):
        raise ValidationError(_("The lesson already has marks or attendance: it cannot be moved."))
    moved = Lesson.objects.create(
        school_id=locked.school_id,
        class_group_id=locked.class_group_id,
        study_group_id=locked.study_group_id,
        subject_id=locked.subject_id,
        teacher_id=locked.teacher_id,
        substitute_teacher_id=locked.substitute_teacher_id,
        date=date,
        lesson_number=lesson_number,
        topic=locked.topic,
        planned_topic_id=locked.planned_topic_id,
        work_type_id=locked.work_type_id,
        room=locked.room,
        moved_from=locked,
    )
    locked.status = LessonStatus.MOVED
    locked.save(update_fields=["status", "updated_at"])
    return moved


@transaction.atomic
def lesson_cancel(*, user, lesson: Lesson) -> Lesson:
    locked = _lock_lesson(lesson.pk)
    if locked.status != LessonStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled lesson can be cancelled."))
    if _has_records(locked):
        raise ValidationError(
            _("The lesson already has marks or attendance: it cannot be cancelled.")
        )
    locked.status = LessonStatus.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    return locked


# --- The timetable ---------------------------------------------------------------------------


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
