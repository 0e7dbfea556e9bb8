"""The Celery application. Time limits and schedules are declared here, in one place; no task
retries on its own (a message that could not be handed to a worker stays queued in the outbox
and the relay below sends it)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ednevnik.settings.dev")

app = Celery("ednevnik")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Time limits of every task. Past the soft limit a task gets SoftTimeLimitExceeded where it
# stands (outbox_send records a send cut short as failed); past the hard limit the worker
# process is ended, so a call that hangs never holds a worker for good. The longest healthy
# run is the outbox relay: up to 500 messages, each bounded by its transport's own timeout
# (EMAIL_TIMEOUT). Eager tasks (no REDIS_URL) run in-process and have no limits.
app.conf.task_soft_time_limit = 10 * 60
app.conf.task_time_limit = 11 * 60

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
    # Deferred finals (regulation 2.5): remind the teacher as the due date nears. Idempotent (one row per
    # final, due date and kind), so running it every six hours reminds once and retries failures.
    "deferral-reminders": {
        "task": "reports.deferral_reminders",
        "schedule": 6 * 60 * 60,
    },
    # Generated files (PDF extracts and reports) are removed once expired (a week after they
    # were requested); requested files the broker never got are enqueued again.
    "expire-generated-files": {
        "task": "extracts.expire_files",
        "schedule": 60 * 60,
    },
}
