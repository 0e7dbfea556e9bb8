"""`make load-smoke`: the real stack (gunicorn, PgBouncer, Redis, a Celery worker) under a
short rising load, and the check that every column saved is in the database exactly once
with its history (bench/load.py). Needs PostgreSQL, pgbouncer and redis-server."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench.clock import real_clock_env

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


def _require(condition: bool, why: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


def test_the_stack_holds_a_short_load_and_loses_nothing(tmp_path):
    _require(connection.vendor == "postgresql", "the load run needs PostgreSQL")
    _require(shutil.which("pgbouncer") is not None, "the load run needs pgbouncer")
    _require(shutil.which("redis-server") is not None, "the load run needs redis-server")
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    database = (
        f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/ednevnik_smoke_load"
    )
    output = tmp_path / "load.json"
    # The whole stack on the real clock, even under `make test-dates`: its servers compare
    # the clocks of processes started at different moments (gunicorn's arbiter, Celery's
    # heartbeats), and the seeded school, the load's plan and the pages must agree on today.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load",
            "--smoke",
            "--database",
            database,
            "--output",
            str(output),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=540,
        env=real_clock_env(),
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    result = json.loads(output.read_text())
    assert result["stages"], "no stage of load ran"
    whole = result["whole_run"]  # warm-up included
    assert {"diary week", "diary marks", "journal grid", "journal save"} <= set(whole)
    assert all(page["failures"] == 0 for page in whole.values()), whole
    check = result["check"]
    assert check["passed"], check["problems"]
    assert check["saves_confirmed"] > 0 and check["marks_checked"] > 0
    assert check["history_found"] == check["history_expected"] > 0
