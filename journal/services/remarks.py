"""Remarks about a student of a lesson."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import events
from ..history import lesson_record_change
from ..models import (
    ChangeAction,
    Lesson,
    MarkChange,
    Remark,
    RemarkKind,
)
from .checks import announce, refuse_in_closed_period, roster_ids


@transaction.atomic
def remark_add(*, user, lesson: Lesson, student_id: int, kind: str, text: str) -> Remark:
    """A comment, recommendation or message to the parents about a student of the lesson. A
    closed reporting period takes no new remarks from teachers (the deputy head may still)."""
    text = _validate(kind, text)
    if not roster_ids(lesson).filter(student_id=student_id).exists():
        raise Lesson.DoesNotExist("a student outside the lesson")
    refuse_in_closed_period(user=user, lesson=lesson)
    remark = Remark.objects.create(
        school_id=lesson.school_id,
        student_id=student_id,
        lesson=lesson,
        subject_id=lesson.subject_id,
        kind=kind,
        text=text,
        author=user,
    )
    _record(remark, lesson=lesson, user=user, action=ChangeAction.CREATE, before=None)
    announce(
        events.remarks_added,
        school_id=remark.school_id,
        remark_ids=[remark.pk],
        changed_by_id=user.pk,
    )
    return remark


def _snapshot(remark: Remark) -> dict:
    return {"kind": remark.kind, "text": remark.text}


def _record(remark: Remark, *, lesson: Lesson, user, action: str, before: dict | None) -> None:
    lesson_record_change(
        lesson=lesson,
        entity=MarkChange.Entity.REMARK,
        object_id=remark.pk,
        action=action,
        user=user,
        before=before,
        after=None if action == ChangeAction.DELETE else _snapshot(remark),
        student_id=remark.student_id,
    )


def _validate(kind: str, text: str) -> str:
    text = text.strip()
    if kind not in RemarkKind.values:
        raise ValidationError({"kind": [_("Choose the kind of remark.")]})
    if not text:
        raise ValidationError({"text": [_("Write the remark.")]})
    if len(text) > 2000:
        raise ValidationError({"text": [_("The remark is too long (at most 2000 characters).")]})
    return text


@transaction.atomic
def remark_edit(*, user, remark: Remark, kind: str, text: str) -> Remark:
    """Correct a remark (its author, or the deputy head): the history keeps the text before
    and after, who and when. A closed period is read-only for teachers."""
    text = _validate(kind, text)
    locked = (
        Remark.objects.select_for_update(of=("self",)).select_related("lesson").get(pk=remark.pk)
    )
    if locked.lesson is None:
        raise ValidationError(_("This remark is not of a lesson and cannot be changed here."))
    refuse_in_closed_period(user=user, lesson=locked.lesson)
    before = _snapshot(locked)
    locked.kind, locked.text = kind, text
    locked.save(update_fields=["kind", "text"])
    _record(locked, lesson=locked.lesson, user=user, action=ChangeAction.UPDATE, before=before)
    return locked
