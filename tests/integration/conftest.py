"""A real Celery worker on Redis, consuming tasks against the test database.

The worker is a separate process started with the test settings and pointed at the test
database that pytest-django created, so it sees what a `transaction=True` test committed.
Needs PostgreSQL (an SQLite test database is not shareable) and Redis at REDIS_URL.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def _require(condition: bool, why: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


def _redis_up() -> bool:
    url = urlparse(REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def smtp_fake():
    from tests.fakes.smtp import start_smtp_fake

    fake = start_smtp_fake()
    yield fake
    fake.close()


class Worker:
    """A Celery worker process on its own queues (every queue name carries a prefix, so the
    SMS and e-mail queues of this test are its own), with the settings given in `env`."""

    def __init__(
        self,
        *,
        broker_url: str,
        env: dict,
        queues=("celery", "sms", "email"),
        pool: str = "solo",
    ):
        from ednevnik.celery import app

        self.app = app
        self.prefix = f"test-{uuid.uuid4().hex[:8]}-"
        self.hostname = f"{self.prefix}@localhost"
        self.broker_url = broker_url
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ednevnik.settings.dev",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_QUEUE_PREFIX": self.prefix,
            **env,
        }
        self.queues, self.pool = queues, pool
        self.process = None

    def start(self, wait: bool = True) -> "Worker":
        queues = ",".join(f"{self.prefix}{name}" for name in self.queues)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ednevnik",
                "worker",
                "--pool",
                self.pool,
                *(["--concurrency", "1"] if self.pool == "prefork" else []),
                "--queues",
                queues,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
                "--hostname",
                self.hostname,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if wait:
            _wait_for_worker(self.app, self.hostname, self.process)
        return self

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture
def publish_to(settings):
    """Point this process's Celery at a broker and at one worker's queues."""
    from ednevnik.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}

    def point(worker: Worker):
        settings.CELERY_QUEUE_PREFIX = worker.prefix
        app.conf.update(broker_url=worker.broker_url, task_always_eager=False)
        _reset_broker_pools(app)

    yield point
    app.conf.update(saved)
    _reset_broker_pools(app)


@pytest.fixture
def worker_factory(transactional_db, publish_to):
    _require(connection.vendor == "postgresql", "the Celery integration test needs PostgreSQL")
    started = []

    def make(
        *,
        broker_url: str = REDIS_URL,
        env: dict | None = None,
        start: bool = True,
        **options,  # queues, pool
    ):
        if broker_url == REDIS_URL:
            _require(_redis_up(), f"the Celery integration test needs Redis at {REDIS_URL}")
        worker = Worker(broker_url=broker_url, env=env or {}, **options)
        started.append(worker)
        publish_to(worker)
        return worker.start() if start else worker

    yield make
    for worker in started:
        worker.stop()


@pytest.fixture
def celery_worker(worker_factory, smtp_fake):
    """A worker on Redis with the development settings: the real SMTP backend, pointed at
    `smtp_fake`."""
    worker = worker_factory(env={"EMAIL_URL": smtp_fake.url})
    yield worker.process


def _reset_broker_pools(app) -> None:
    """Forget connections made with the previous broker URL (earlier tests may have opened
    the in-memory one), as Celery itself does after a fork."""
    from kombu import pools

    pools.reset()
    app._after_fork()


def _wait_for_worker(app, hostname: str, worker: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited:\n{worker.stdout.read()}")
        replies = app.control.ping(destination=[hostname], timeout=0.5) or []
        if replies:
            return
    raise RuntimeError(f"the Celery worker did not answer within {timeout} s")
