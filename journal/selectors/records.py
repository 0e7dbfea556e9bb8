"""A lesson's homework file and a remark, scoped to who may change them."""

from django.http import Http404

from accounts.rules import is_deputy_head

from ..models import HomeworkFile, Remark
from .lessons import editable_lessons


def homework_file_for_editor(user, file_id: int) -> HomeworkFile:
    """A homework file of a lesson the user may write in; 404 otherwise."""
    attachment = (
        HomeworkFile.objects.filter(pk=file_id, homework__lesson__in=editable_lessons(user))
        .select_related("homework__lesson__subject", "homework__lesson__school")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def remark_for_editor(user, remark_id: int) -> Remark:
    """A remark the user may correct: their own, in a lesson they may still write in; the
    deputy head, any remark of a lesson of the school. 404 otherwise."""
    remarks = Remark.objects.filter(pk=remark_id, lesson__in=editable_lessons(user))
    if not is_deputy_head(user):
        remarks = remarks.filter(author=user)
    remark = remarks.select_related("lesson__subject", "student").first()
    if remark is None:
        raise Http404
    return remark
