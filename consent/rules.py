"""Consent predicates: the product obeys recorded consent (regulation 2.1, 152-FZ).

Checked at the moment of use (opening the diary, sending a message), never cached.
"""

from journal.models import GuardianStudent

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
