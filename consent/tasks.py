"""Thin tasks of the consent app: they call the service of the same name and can run twice."""

from celery import shared_task

from school.models import School

from .services import consent_based_data_destroy


@shared_task(name="consent.destroy_withdrawn_data")
def destroy_withdrawn_data_task() -> int:
    """Daily: destroy consent-based data 30 days after withdrawal (idempotent)."""
    total = 0
    for school in School.objects.all():
        total += len(consent_based_data_destroy(school_id=school.pk, today=school.today()))
    return total
