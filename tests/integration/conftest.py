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


@pytest.fixture
def celery_worker(transactional_db, smtp_fake):
    """Start a worker on a private queue; route this test's tasks to it through Redis. The
    worker runs the development settings (the real SMTP backend, pointed at `smtp_fake`)."""
    _require(connection.vendor == "postgresql", "the Celery integration test needs PostgreSQL")
    _require(_redis_up(), f"the Celery integration test needs Redis at {REDIS_URL}")
    from ednevnik.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ednevnik.settings.dev",
        "DJANGO_DEBUG": "false",
        "EMAIL_URL": smtp_fake.url,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ednevnik",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
            "--hostname",
            f"{queue}@localhost",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    saved = dict(app.conf)
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, task_default_queue=queue)
    _reset_broker_pools(app)
    try:
        _wait_for_worker(app, f"{queue}@localhost", worker)
        yield worker
    finally:
        app.conf.update(
            {k: saved[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
        )
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


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
