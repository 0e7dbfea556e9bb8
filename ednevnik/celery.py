"""The Celery application, declared in one place: serialisation, acknowledgement, time limits,
queues and the beat schedule. Settings (ednevnik/settings/base.py, CELERY_*) hold the broker
and the values that differ between environments; everything else is here.

Retries are named: only the outbox's send tasks retry, and only on RetryLater (the provider
surely did not take the message: 429, a refused connection); every other failure is recorded
on the outbox row. A message that could not be handed to a worker stays queued in the outbox
and the relay below sends it."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ednevnik.settings.dev")

app = Celery("ednevnik")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# JSON only: a task carries ids, never pickled objects.
app.conf.task_serializer = "json"
app.conf.accept_content = ["json"]
app.conf.result_serializer = "json"
# A task is acknowledged when it finished, and given back to the broker when its worker died:
# every task is safe to run twice (the outbox claims its row before calling out).
app.conf.task_acks_late = True
app.conf.task_reject_on_worker_lost = True
app.conf.worker_prefetch_multiplier = 1

# Time limits of every task. Past the soft limit a task gets SoftTimeLimitExceeded where it
# stands; past the hard limit the worker process is ended, so a call that hangs never holds a
# worker for good. The longest healthy run is a school's digest build; a send is bounded by its
# transport's own timeout (EMAIL_TIMEOUT, TWILIO_TIMEOUT) and gets a limit of its own.
# Eager tasks (no REDIS_URL) run in-process and have no limits.
app.conf.task_soft_time_limit = 10 * 60
app.conf.task_time_limit = 11 * 60
SEND_LIMITS = {"soft_time_limit": 60, "time_limit": 90}
app.conf.task_annotations = {
    "notifications.sms_send": SEND_LIMITS,
    "notifications.email_send": SEND_LIMITS,
    "notifications.outbox_send": SEND_LIMITS,
}


def _queue(name: str) -> str:
    from django.conf import settings

    return f"{getattr(settings, 'CELERY_QUEUE_PREFIX', '')}{name}"


def routes(name, _args, _kwargs, _options, **_task):  # Celery's router signature
    """SMS, e-mail and PDFs have queues of their own (a slow provider never holds up the
    other, a class batch never holds up an SMS); everything else goes to the default queue."""
    if name == "extracts.build_file":
        return {"queue": _queue("pdf")}
    if name == "notifications.sms_send":
        return {"queue": _queue("sms")}
    if name == "notifications.email_send":
        return {"queue": _queue("email")}
    return {"queue": _queue("celery")}


app.conf.task_routes = (routes,)
app.conf.task_default_queue = "celery"


# Periodic jobs (Celery beat), all in one place. Every task is idempotent.
app.conf.beat_schedule = {
    # Outbox rows that are due and stayed queued (the broker was down at enqueue time, a
    # quiet-hours hold or a retry ended) are handed to the workers; each is claimed once.
    "outbox-relay": {
        "task": "notifications.outbox_relay",
        "schedule": 60,
    },
    # Messages whose outcome is unknown (a 5xx or timeout, a worker that died mid-send) are
    # checked with the provider, never sent again blind.
    "outbox-reconcile": {
        "task": "notifications.outbox_reconcile",
        "schedule": 5 * 60,
    },
    # Evening and weekly digests, each school at its own hour; a built digest is skipped.
    "digests": {
        "task": "notifications.digests_due",
        "schedule": 15 * 60,
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
    # Checks and imports of an uploaded roster whose worker died or never got them.
    "requeue-imports": {
        "task": "imports.batches_requeue",
        "schedule": 5 * 60,
    },
    # Uploaded rosters and their previews (names, phones as written) are kept 30 days.
    "expire-imports": {
        "task": "imports.batches_expire",
        "schedule": 24 * 60 * 60,
    },
    "expire-generated-files": {
        "task": "extracts.expire_files",
        "schedule": 60 * 60,
    },
}
