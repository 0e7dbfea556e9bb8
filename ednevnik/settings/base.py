"""Settings shared by every environment.

Every value is read once from the environment through django-environ; dev, test and prod change
values, never code. With nothing set, the project runs on SQLite with Celery tasks executed
in-process and SMS and e-mail printed to the console.
"""

import logging
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

logger = logging.getLogger("ednevnik.settings")

SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="dev-insecure-key-change-me-0123456789abcdefghijklmnop"
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "school",
    "accounts",
    "journal",
    "diary",
    "consent",
    "notifications",
    "reports",
    "rest_framework",
    "drf_spectacular",
    "oauth2_provider",
    "api",
    "extracts",
    "imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.NoStoreForSignedInMiddleware",
    # Anonymous requests with a large body are refused before anything reads it.
    "accounts.middleware.AnonymousBodyLimitMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "ednevnik.middleware.DateRangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.ContentSecurityPolicyMiddleware",
    # Last: turns a login refused by the throttle into the login page with the reason.
    "axes.middleware.AxesMiddleware",
    # After every other process_view: it runs the family's safe views itself, on the replica.
    "ednevnik.db_router.ReplicaMiddleware",
]

ROOT_URLCONF = "ednevnik.urls"
WSGI_APPLICATION = "ednevnik.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.navigation",
            ],
        },
    },
    {
        # The journal grid's table and the digest e-mails, rendered by the thousand
        # (journal/jinja2env.py says why); nothing else.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "journal" / "jinja2", BASE_DIR / "notifications" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "journal.jinja2env.environment"},
    },
]

# SQLite by default; DATABASE_URL=postgres://... switches to PostgreSQL (psycopg 3).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"].get("ENGINE", "").endswith("sqlite3"):
    # The embedded database: a writer waits for another (up to 20 s) instead of failing with
    # "database is locked", and takes the write lock when its transaction begins. The
    # write-ahead log: readers do not wait for a writer, and a commit costs one fsync of the log
    # instead of the rollback journal's several (synchronous FULL keeps every commit durable).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
        }
    )


def replica_databases() -> dict:
    """The `replica` alias (a streaming replica of the primary) when REPLICA_DATABASE_URL is
    set; without it every read stays on the primary (ednevnik/db_router.py)."""
    url = env("REPLICA_DATABASE_URL", default="")
    if not url:
        return {}
    replica = env.db_url_config(url)
    replica["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    replica["CONN_HEALTH_CHECKS"] = True
    # A replica that does not answer must not hold a page: the primary answers instead.
    replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    replica["TEST"] = {"MIRROR": "default"}
    return {"replica": replica}


DATABASES.update(replica_databases())
DATABASE_ROUTERS = ["ednevnik.db_router.ReplicaRouter"]
# Which pages read from the replica (URL namespaces; safe requests only), how stale it may be,
# how long a browser that has just written reads from the primary, how often the lag is asked.
REPLICA_VIEW_NAMESPACES = env.list("REPLICA_VIEW_NAMESPACES", default=["diary"])
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=15)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=3.0)
# The rendered days of a family's week page are cached per viewer under the journal's version
# (diary/weekcache.py); 0 turns the cache off.
DIARY_WEEK_CACHE_SECONDS = env.int("DIARY_WEEK_CACHE_SECONDS", default=600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes refuses a login paused by repeated failures, before the password is checked.
    "accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Reverse proxies in front of Django that append to X-Forwarded-For (accounts.clientip): 0 when
# Django faces the network, 1 behind the README's nginx. Optionally the proxies' networks
# (comma-separated CIDRs): a peer outside them is not believed.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_NETWORKS = env.list("TRUSTED_PROXY_NETWORKS", default=[])

# Login throttling (django-axes): failures are counted per login AND address together, so
# nobody locks another person out by guessing from elsewhere, and one's own success resets
# only one's own counter. After LOGIN_FAILURE_LIMIT failures that pair pauses for
# LOGIN_FAILURE_WINDOW_SECONDS, doubling with each further pause within a day (at most
# LOGIN_COOLOFF_MAX_SECONDS); the account's owner is told (accounts/receivers.py).
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
LOGIN_COOLOFF_MAX_SECONDS = env.int("LOGIN_COOLOFF_MAX_SECONDS", default=24 * 3600)
AXES_FAILURE_LIMIT = "accounts.lockout.failure_limit"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "accounts.lockout.cool_off"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_of"
# Sign-ins and failures are recorded as security events; axes keeps only its counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "password", "code", "otp_token"]

# Activation codes and password-reset e-mails: attempts per address (and per code), counted
# in the cache by django-ratelimit with the same client address as the login throttle.
ACTIVATION_RATE_PER_ADDRESS = env("ACTIVATION_RATE_PER_ADDRESS", default="10/h")
ACTIVATION_RATE_PER_CODE = env("ACTIVATION_RATE_PER_CODE", default="5/h")
PASSWORD_RESET_RATE = env("PASSWORD_RESET_RATE", default="5/h")
# A calendar feed's fetches per address, and generated files (PDF, spreadsheets) per user.
FEED_RATE = env("FEED_RATE", default="120/h")
EXTRACT_REQUEST_RATE = env("EXTRACT_REQUEST_RATE", default="60/h")
# Processes a class batch is rendered in (its students split between them); 0: one per CPU,
# 1: in the worker's own process.
PRINT_PROCESSES = env.int("PRINT_PROCESSES", default=0)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=2 * 3600)

# Two-factor sign-in (django-otp, TOTP): required for the school admin and the director,
# optional for other staff; recovery codes are stored hashed (accounts.models.RecoveryCode).
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="ednevnik")

# Sessions end after a period without requests: a working day for staff, longer for families.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=10 * 3600)
FAMILY_SESSION_IDLE_SECONDS = env.int("FAMILY_SESSION_IDLE_SECONDS", default=30 * 24 * 3600)

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Storage is UTC; a school's own zone (School.time_zone) decides its "today".
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Europe/Moscow")

# Dates the product accepts anywhere (paths, queries, forms): a school's records fall within
# these years; a date outside is refused (404 in a path, 400 in a query) before any arithmetic
# on it could overflow.
SUPPORTED_YEARS = (1900, 2199)

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads (homework files, consent scans) are limited in size and type.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
# A request from someone not signed in (the login, activation and password-reset forms) never
# needs more than this: a larger Content-Length is refused with 413 before the body is read.
ANONYMOUS_MAX_BODY_BYTES = env.int("ANONYMOUS_MAX_BODY_BYTES", default=64 * 1024)
# Anyone's request: the proxy's cap (README: about UPLOAD_MAX_BYTES), again in Django.
REQUEST_MAX_BODY_BYTES = env.int(
    "REQUEST_MAX_BODY_BYTES", default=UPLOAD_MAX_BYTES + 2 * 1024 * 1024
)

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# The exchange API (api/, docs/api.md): OAuth 2.0 client credentials (django-oauth-toolkit),
# Django REST framework views, the OpenAPI schema by drf-spectacular. A client's token lives an
# hour; a client is rate-limited by its own id (API_RATE).
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("API_TOKEN_SECONDS", default=3600),
    "SCOPES_BACKEND_CLASS": "api.oauth.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "api.oauth.ClientValidator",
    "ALLOWED_GRANT_TYPES": ["client_credentials"],
    # The OAuth 2.0 security BCP (RFC 9700) throughout: tokens stored hashed, never taken from
    # the query string; the browser grants it warns about are not used here at all.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "PKCE_REQUIRED": True,
}
# The toolkit's models (named, as its swappable foreign keys need, though not swapped).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
API_RATE = env("API_RATE", default="600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.ClientTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.HasClientScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": API_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ednevnik exchange API",
    "DESCRIPTION": "The write API of the journal (/api/v1/) and the OneRoster 1.2 provider "
    "(/ims/oneroster/): docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
}
# sourcedIds (OneRoster) are the row ids enciphered with this key (16 bytes, hex): opaque, no
# row counts, the same on every read. Keep it with the database: a new key means new ids.
EXCHANGE_ID_KEY = env("EXCHANGE_ID_KEY", default="")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The longest a session may live at all; the idle timeouts above end most sessions sooner.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 24 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline script, nothing from another origin (docs/quality.md).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)

# Celery: Redis when REDIS_URL is set, otherwise tasks run in-process (eager).
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# Publishing a task never waits for a dead broker: one quick try, then the outbox row stays
# queued and the relay sends it (ednevnik/celery.py declares the rest).
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queue names get this prefix (a test worker listens to its own queues only).
CELERY_QUEUE_PREFIX = env("CELERY_QUEUE_PREFIX", default="")
# Queues (celery, sms, email, pdf) are routed in ednevnik/celery.py; `make worker` consumes all
# four, or each gets workers of its own (`-Q pdf`).

# E-mail: console unless SMTP is configured (EMAIL_URL=smtp://user:pass@host:port).
_email = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ednevnik@localhost")

# SMS: Twilio when credentials are set, otherwise printed to the console.
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="")  # tests point it at a loopback fake
# A Messaging Service SID may replace the from-number.
TWILIO_MESSAGING_SERVICE_SID = env("TWILIO_MESSAGING_SERVICE_SID", default="")
# Seconds a call to Twilio may take; past it the outcome is "unknown" and is checked, not resent.
TWILIO_TIMEOUT = env.float("TWILIO_TIMEOUT", default=10)
SMS_BACKEND = "twilio" if TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN else "console"
if SMS_BACKEND == "console":
    logger.info("Twilio credentials are not set: SMS go to the console backend.")
# Numbers an SMS may go to (prefixes); others are refused before the provider is called.
SMS_ALLOWED_PREFIXES = env.list("SMS_ALLOWED_PREFIXES", default=["+7"])

# The site's public address: links in e-mails (one-click unsubscribe) and the URL Twilio calls
# back and signs (the signature covers this exact URL).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
