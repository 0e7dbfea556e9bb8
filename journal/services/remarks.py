"""Remarks about a student of a lesson."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    Lesson,
    Remark,
    RemarkKind,
)
from .checks import refuse_in_closed_period, roster_ids


@transaction.atomic
def remark_add(*, user, lesson: Lesson, student_id: int, kind: str, text: str) -> Remark:
    """A comment, recommendation or message to the parents about a student of the lesson. A
    closed reporting period takes no new remarks from teachers (the deputy head may still)."""
    text = text.strip()
    if kind not in RemarkKind.values:
        raise ValidationError({"kind": [_("Choose the kind of remark.")]})
    if not text:
        raise ValidationError({"text": [_("Write the remark.")]})
    if len(text) > 2000:
        raise ValidationError({"text": [_("The remark is too long (at most 2000 characters).")]})
    if not roster_ids(lesson).filter(student_id=student_id).exists():
        raise Lesson.DoesNotExist("a student outside the lesson")
    refuse_in_closed_period(user=user, lesson=lesson)
    return Remark.objects.create(
        school_id=lesson.school_id,
        student_id=student_id,
        lesson=lesson,
        subject_id=lesson.subject_id,
        kind=kind,
        text=text,
        author=user,
    )
