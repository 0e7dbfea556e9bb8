"""The family's reads from a streaming replica; everything else on the primary.

With a `replica` database configured (REPLICA_DATABASE_URL), a safe request (GET, HEAD) to a
view of the namespaces in settings.REPLICA_VIEW_NAMESPACES (the family's diary pages and its
calendar feed) reads from the replica. Everything else — writes, every other page, sessions,
users, anything inside a transaction — stays on the primary ("default").

Three guards keep a family from seeing the past:

- **Read your writes.** Any non-safe request (a POST of the week's acknowledgement, a
  teacher's save) pins its browser to the primary for settings.REPLICA_PIN_SECONDS, through a
  signed cookie: the next page shows what was just written, whatever the replica's lag.
- **Lag.** Before a request is sent to the replica, the replica's replay lag is checked
  (`pg_last_xact_replay_timestamp()`; zero when everything received is replayed and the WAL
  receiver streams); past settings.REPLICA_MAX_LAG_SECONDS the request reads the primary. The
  answer is kept for settings.REPLICA_CHECK_SECONDS in each process, so a page costs no extra
  query but once every few seconds.
- **Down.** A replica that does not answer counts as lagging (and is asked again only after
  the same few seconds); a request that fails on the replica midway is run again on the
  primary (a safe request writes nothing the family's pages do not write idempotently).
"""

import contextlib
import contextvars
import logging
import threading
import time

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, connections

logger = logging.getLogger("ednevnik.replica")

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "ednevnik_primary"
PIN_SALT = "ednevnik.db_router.pin"
SAFE_METHODS = ("GET", "HEAD")

# Apps whose rows a request always reads from the primary: who is signed in, the session, the
# second factor and the login throttle must never be a few seconds old.
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "accounts", "axes", "otp_totp", "django_otp", "contenttypes", "admin"}
)

_reading_replica: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "ednevnik_reading_replica", default=False
)


def replica_configured() -> bool:
    return REPLICA in connections.settings


# --- The replica's health, cached per process -----------------------------------------------

# Lag in seconds: 0 when the replica has replayed everything it received and still streams
# from the primary; otherwise the age of the last transaction it replayed (an idle primary
# makes no new transactions, hence the first case). NULL outside recovery: not a replica.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE
         WHEN NOT pg_is_in_recovery() THEN NULL
         WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
              AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')
           THEN 0
         ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
       END
"""


class ReplicaHealth:
    """Whether the replica may serve reads now: asked at most once per `check_seconds`."""

    def __init__(self):
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._usable = False
        self.last_lag: float | None = None

    def reset(self) -> None:
        with self._lock:
            self._checked_at = None

    def mark_down(self) -> None:
        with self._lock:
            self._usable, self._checked_at, self.last_lag = False, time.monotonic(), None

    def usable(self) -> bool:
        now = time.monotonic()
        with self._lock:
            fresh = (
                self._checked_at is not None
                and now - self._checked_at < settings.REPLICA_CHECK_SECONDS
            )
            if fresh:
                return self._usable
        usable, lag = self._ask()
        with self._lock:
            self._usable, self._checked_at, self.last_lag = usable, time.monotonic(), lag
        return usable

    def _ask(self) -> tuple[bool, float | None]:
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute(LAG_SQL)
                in_recovery, lag = cursor.fetchone()
        except DatabaseError as error:
            logger.warning("The replica does not answer, reading from the primary: %s", error)
            _close_replica()
            return False, None
        if not in_recovery or lag is None:
            logger.warning("The replica is not in recovery: reading from the primary")
            return False, None
        lag = float(lag)
        if lag > settings.REPLICA_MAX_LAG_SECONDS:
            logger.warning("The replica lags %.1f s: reading from the primary", lag)
            return False, lag
        return True, lag


health = ReplicaHealth()


def _close_replica() -> None:
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


# --- The router ------------------------------------------------------------------------------


class ReplicaRouter:
    """Reads go to the replica only while a replica-eligible request runs (see the middleware)
    and outside any transaction on the primary; writes and migrations go to the primary."""

    def db_for_read(self, model, **hints):
        if not _reading_replica.get():
            return PRIMARY
        if model._meta.app_label in PRIMARY_ONLY_APPS or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, _model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an instance read from either relates to the other.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, _app_label, **hints):
        return db != REPLICA


# --- The middleware --------------------------------------------------------------------------


def _pinned(request) -> bool:
    try:
        until = float(request.get_signed_cookie(PIN_COOKIE, salt=PIN_SALT))
    except (KeyError, ValueError, signing.BadSignature):
        return False
    return time.time() < until


def _eligible(request) -> bool:
    match = request.resolver_match
    return (
        request.method in SAFE_METHODS
        and match is not None
        and match.namespace in settings.REPLICA_VIEW_NAMESPACES
    )


class ReplicaMiddleware:
    """Sends the family's safe requests to the replica; pins a browser that has just written
    to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and replica_configured():
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_signed_cookie(
                PIN_COOKIE,
                str(time.time() + seconds),
                salt=PIN_SALT,
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not (replica_configured() and _eligible(request)) or _pinned(request):
            return None
        if not health.usable():
            return None
        token = _reading_replica.set(True)
        try:
            response = view_func(request, *view_args, **view_kwargs)
            if callable(getattr(response, "render", None)) and not response.is_rendered:
                response = response.render()  # a template response reads while it renders
            return response
        except DatabaseError as error:
            if not _replica_failed():
                raise
            logger.warning("The replica failed midway, reading from the primary: %s", error)
            health.mark_down()
            _close_replica()
        finally:
            _reading_replica.reset(token)
        return view_func(request, *view_args, **view_kwargs)


def _replica_failed() -> bool:
    """Whether the replica's connection is the one that broke (rather than a query error that
    the primary would raise too)."""
    connection = connections[REPLICA]
    if connection.connection is None:
        return True
    try:
        return not connection.is_usable()
    except DatabaseError:
        return True
