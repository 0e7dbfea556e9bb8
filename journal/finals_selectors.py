"""Reads of final marks for a family: the rule the diary's finals page relies on.

A family member sees a child's finals when they may open that child's diary now (a linked
guardian with diary consent, or the student themself), and only finals already published.
"""

from django.http import Http404

from consent.rules import may_open_diary_of

from .models import FinalMark
from .selectors import children_of


def family_finals(user, student_id: int):
    """The published finals of one of the user's children, newest year first; Http404 when the
    child is not theirs (or the diary is closed to them), the same as a missing id."""
    if not children_of(user).filter(pk=student_id).exists():
        raise Http404
    if not may_open_diary_of(user, student_id):
        raise Http404
    return (
        FinalMark.objects.filter(student_id=student_id, published_at__isnull=False)
        .select_related("subject", "period__year")
        .order_by("-period__year__starts_on", "period__starts_on", "subject__name", "kind")
    )
