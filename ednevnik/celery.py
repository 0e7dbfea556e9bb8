"""The Celery application. Retries, time limits and schedules are declared here, in one place."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ednevnik.settings.dev")

app = Celery("ednevnik")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs (Celery beat), all in one place. Every task is idempotent.
app.conf.beat_schedule = {
    # Outbox rows that stayed queued (the broker was down at enqueue time) are sent by the
    # relay; each is claimed once, so the relay and the workers never send twice.
    "outbox-relay": {
        "task": "notifications.outbox_relay",
        "schedule": 60,
    },
    # 152-FZ: consent-based data (contacts, messages) destroyed 30 days after withdrawal.
    "destroy-withdrawn-data": {
        "task": "consent.destroy_withdrawn_data",
        "schedule": 24 * 60 * 60,
    },
    # Deferred finals (2.5): remind the teacher as the due date nears. Idempotent (one row per
    # final, due date and kind), so running it every six hours reminds once and retries failures.
    "deferral-reminders": {
        "task": "reports.deferral_reminders",
        "schedule": 6 * 60 * 60,
    },
}
