"""Celery tasks of the reports app: thin, take ids, safe to run twice."""

from celery import shared_task

from accounts.models import School
from journal.models import FinalStatus

from .services import deferral_reminders_send


@shared_task(name="reports.deferral_reminders")
def deferral_reminders() -> int:
    """Daily: remind teachers of deferred finals due soon, in every school that has any."""
    sent = 0
    school_ids = (
        School.objects.filter(finalmark__status=FinalStatus.DEFERRED)
        .values_list("pk", flat=True)
        .distinct()
    )
    for school in School.objects.filter(pk__in=list(school_ids)):
        sent += deferral_reminders_send(school=school)
    return sent
