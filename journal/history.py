"""The history of marks, attendance and finals (regulation 1.4): one function writes it."""

from .models import Attendance, FinalMark, Mark, MarkChange

_FIELDS = {
    MarkChange.Entity.MARK: ("value", "slot", "work_type_id", "comment"),
    MarkChange.Entity.ATTENDANCE: ("code", "minutes_late", "comment"),
    MarkChange.Entity.FINAL_MARK: (
        "status",
        "value",
        "exam_name",
        "deferral_reason",
        "deferred_until",
    ),
}
_ENTITY = {
    Mark: MarkChange.Entity.MARK,
    Attendance: MarkChange.Entity.ATTENDANCE,
    FinalMark: MarkChange.Entity.FINAL_MARK,
}


def snapshot(obj) -> dict:
    """The recorded fields of a mark, attendance or final mark, JSON-ready."""
    entity = _ENTITY[type(obj)]
    data = {}
    for name in _FIELDS[entity]:
        value = getattr(obj, name)
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def change_record(*, obj, action: str, user, before: dict | None, reason: str = "") -> MarkChange:
    """Build (not save) the history row for a change of `obj`; callers bulk_create them inside
    the same transaction as the change itself."""
    entity = _ENTITY[type(obj)]
    after = None if action == "delete" else snapshot(obj)
    return MarkChange(
        school_id=obj.school_id,
        entity=entity,
        object_id=obj.pk,
        action=action,
        student_id=obj.student_id,
        lesson_id=getattr(obj, "lesson_id", None),
        subject_id=obj.subject_id if entity != MarkChange.Entity.ATTENDANCE else None,
        before=before,
        after=after,
        reason=reason,
        changed_by=user,
    )


def lesson_record_change(
    *,
    lesson,
    entity: str,
    object_id: int,
    action: str,
    user,
    before: dict | None,
    after: dict | None,
    student_id: int | None = None,
) -> MarkChange | None:
    """Record a change of what the lesson holds besides marks (its topic, homework and files,
    a remark): who, when, before and after, like a mark's history. Nothing when nothing
    changed. Saved at once, inside the caller's transaction."""
    if before == after:
        return None
    return MarkChange.objects.create(
        school_id=lesson.school_id,
        entity=entity,
        object_id=object_id,
        action=action,
        student_id=student_id,
        lesson_id=lesson.pk,
        subject_id=lesson.subject_id,
        before=before,
        after=after,
        changed_by=user,
    )
