"""Settings of `make load`: production's, served over plain HTTP on loopback.

The same code and values as production (DEBUG off, Argon2, the cache and Celery on Redis,
gunicorn's sync workers), with what plain HTTP on 127.0.0.1 needs: no HTTPS redirect or HSTS,
cookies without the Secure flag and the __Host- prefix. The database is reached through
PgBouncer in transaction mode, which keeps no session state between transactions: no
server-side cursors.
"""

from .prod import *  # noqa: F403
from .prod import DATABASES

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
for _alias in DATABASES.values():
    _alias["DISABLE_SERVER_SIDE_CURSORS"] = True
# No collectstatic for a load run: the pages are measured, not their assets.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
