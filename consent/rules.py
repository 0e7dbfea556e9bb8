"""Consent predicates: the product obeys recorded consent (regulation 2.1, 152-FZ).

Checked at the moment of use (opening the diary, sending a message), never cached.
"""

from django.db.models import Exists, OuterRef, Q

from accounts.models import Role
from school.models import GuardianStudent
from school.rules import children_of

from .models import Consent, Purpose


def has_consent_for(*, guardian_id: int, student_id: int, purpose: str) -> bool:
    """The guardian has a consent in force (not withdrawn) for this child and purpose.

    A refusal in force, a withdrawn consent and no decision at all all mean no."""
    return (
        Consent.objects.granted(purpose)
        .filter(guardian_id=guardian_id, student_id=student_id)
        .exists()
    )


def diary_consent(user, student=None) -> Exists | Q:
    """As an expression over Student (the outer row, or `student` given as an OuterRef or an
    id): the consent in force that opens this student's electronic diary to the user. For a
    guardian: their own diary consent for that child (the other parent's decision does not
    open it for them). For a student's own account: a diary consent of any guardian linked to
    them. Anyone else: never. Combine with school.rules.children_of, which says whose family
    the user is."""
    student = OuterRef("pk") if student is None else student
    granted = Consent.objects.granted(Purpose.DIARY)
    role = getattr(user, "role", None)
    if role == Role.GUARDIAN:
        return Exists(granted.filter(guardian__user=user, student_id=student))
    if role == Role.STUDENT:
        # The consenting guardian is linked to the same student (a join, not a subquery, so
        # that `student` may be an OuterRef).
        return Exists(granted.filter(student_id=student, guardian__links__student_id=student))
    return Q(pk__in=[])


def may_open_diary_of(user, student_id: int) -> bool:
    """The user may see this student's electronic diary now: one of their children
    (school.rules.children_of) with the diary consent in force (diary_consent)."""
    return children_of(user).filter(diary_consent(user), pk=student_id).exists()


CHANNEL_PURPOSE = {"sms": Purpose.SMS, "email": Purpose.EMAIL}


def may_send_to(*, guardian_id: int, student_id: int, channel: str) -> bool:
    """A message about this child may go to this guardian on this channel now: the guardian is
    still linked to the child, their account (if any) is not disabled, and a consent to that
    channel is in force. Asked by the outbox at send time, not only when queuing."""
    purpose = CHANNEL_PURPOSE.get(channel)
    if purpose is None:
        return False
    linked = (
        GuardianStudent.objects.filter(guardian_id=guardian_id, student_id=student_id)
        .exclude(guardian__user__is_active=False)
        .exists()
    )
    return linked and has_consent_for(
        guardian_id=guardian_id, student_id=student_id, purpose=purpose
    )


def is_on_paper_list(*, guardian_id: int, student_id: int) -> bool:
    """The family gets paper extracts (regulation 2.2): no consent to the web diary in force for
    this guardian and child (no decision, a refusal or a withdrawal)."""
    return not has_consent_for(
        guardian_id=guardian_id, student_id=student_id, purpose=Purpose.DIARY
    )
