"""The Celery application. Retries, time limits and schedules are declared here, in one place."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ednevnik.settings.dev")

app = Celery("ednevnik")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs (Celery beat). Later issues add the digest, outbox relay and reminders here.
app.conf.beat_schedule = {
    # Deferred finals (2.5): remind the teacher as the due date nears. Idempotent (one row per
    # final, due date and kind), so running it every six hours reminds once and retries failures.
    "deferral-reminders": {
        "task": "reports.deferral_reminders",
        "schedule": 6 * 60 * 60,
    },
}
