"""One mark: its value and comment, or its deletion (the mark page)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import events
from ..history import change_record, snapshot
from ..models import (
    MAX_MARKS_PER_LESSON,
    ChangeAction,
    Lesson,
    Mark,
    MarkValue,
)
from .checks import JournalConflict, edit_refusal, lock_lesson, send_on_commit


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
    locked = lock_lesson(lesson.pk)
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
    send_on_commit(
        events.marks_saved, school_id=mark.school_id, mark_ids=[mark.pk], changed_by_id=user.pk
    )
    return mark


@transaction.atomic
def mark_delete(
    *, user, mark_id: int, lesson: Lesson, student_id: int, version: int, reason: str = ""
) -> None:
    """Delete one mark of the student in the lesson; the history keeps it with the reason. A
    mark of another lesson or another student is Mark.DoesNotExist (a tampered id)."""
    locked = lock_lesson(lesson.pk)
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
    send_on_commit(
        events.marks_deleted, school_id=locked.school_id, mark_ids=[mark_id], changed_by_id=user.pk
    )
