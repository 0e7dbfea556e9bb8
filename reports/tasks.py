"""Celery tasks of the reports app: thin, take ids, safe to run twice."""

from celery import shared_task

from journal.models import FinalMark, FinalStatus
from school.models import School

from .services import deferral_reminders_send


@shared_task(name="reports.deferral_reminders")
def deferral_reminders() -> int:
    """Beat entry point: one task per school that has open deferrals. Returns how many."""
    school_ids = list(
        FinalMark.objects.filter(status=FinalStatus.DEFERRED)
        .order_by()
        .values_list("school_id", flat=True)
        .distinct()
    )
    for school_id in school_ids:
        deferral_reminders_for_school.delay(school_id)
    return len(school_ids)


@shared_task(name="reports.deferral_reminders_for_school")
def deferral_reminders_for_school(school_id: int) -> int:
    """Remind the teachers of one school; quietly nothing when the school is gone."""
    school = School.objects.filter(pk=school_id).first()
    if school is None:
        return 0
    return deferral_reminders_send(school=school)
