"""Destroy consent-based data 30 days after the last electronic consent was withdrawn.

Run daily (cron or Celery beat). Idempotent: a second run finds nothing left to destroy.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from consent.services import consent_based_data_destroy
from school.models import School


class Command(BaseCommand):
    help = "Destroy contacts of guardians whose electronic consents were withdrawn 30+ days ago."

    def handle(self, *args, **options):
        total = 0
        for school in School.objects.all():
            # Each school's own "today": withdrawal dates are the school's dates.
            records = consent_based_data_destroy(school_id=school.pk, today=school.today())
            for record in records:
                self.stdout.write(
                    f"{school}: {record.guardian_name}: {record.model_label} × {record.rows}"
                )
            total += len(records)
        self.stdout.write(f"destruction records: {total} ({timezone.now():%Y-%m-%d %H:%M})")
