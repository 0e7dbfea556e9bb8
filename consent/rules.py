"""Consent predicates: the product obeys recorded consent (regulation 2.1, 152-FZ).

Checked at the moment of use (opening the diary, sending a message), never cached.
"""

from school.models import GuardianStudent

from .models import Consent, Purpose


def has_consent_for(*, guardian_id: int, student_id: int, purpose: str) -> bool:
    """The guardian has a consent in force (not withdrawn) for this child and purpose.

    A refusal in force, a withdrawn consent and no decision at all all mean no."""
    return (
        Consent.objects.granted(purpose)
        .filter(guardian_id=guardian_id, student_id=student_id)
        .exists()
    )


def student_has_diary_consent(student_id: int) -> bool:
    """A student's own account opens the diary when a linked guardian consented to it."""
    guardian_ids = GuardianStudent.objects.filter(student_id=student_id).values("guardian_id")
    return (
        Consent.objects.granted(Purpose.DIARY)
        .filter(student_id=student_id, guardian_id__in=guardian_ids)
        .exists()
    )


def may_open_diary_of(user, student_id: int) -> bool:
    """The user may see this student's electronic diary now: a guardian linked to the child
    with diary consent, or the student themself with a guardian's diary consent."""
    guardian = getattr(user, "guardian", None)
    if guardian is not None:
        return GuardianStudent.objects.filter(
            guardian=guardian, student_id=student_id
        ).exists() and has_consent_for(
            guardian_id=guardian.pk, student_id=student_id, purpose=Purpose.DIARY
        )
    student = getattr(user, "student", None)
    if student is not None and student.pk == student_id:
        return student_has_diary_consent(student_id)
    return False


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
