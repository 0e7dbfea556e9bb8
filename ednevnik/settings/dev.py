"""Local development: `make run`."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The synthetic school (`manage.py seed_school`, run by `make run`); never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

# Static files come straight from the finders; no collectstatic outside production.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
