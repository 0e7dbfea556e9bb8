"""Settings of `make bench`: the base settings as production runs them (DEBUG off, templates
cached), with the demo app for seeding, Celery tasks in-process and mail kept in memory.

The database comes from DATABASE_URL, which `bench.run` points at its own database before
Django starts (a fresh SQLite file in a temporary directory, or a dedicated `…_bench`
PostgreSQL database): a benchmark never touches a developer's data.
"""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS

DEBUG = False
# The synthetic schools the scenarios run on are built by `seed_school`.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "console"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Static files come from the finders: no collectstatic for a benchmark.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
