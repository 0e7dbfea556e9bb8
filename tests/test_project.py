"""Project-level checks: migrations, system checks, production settings."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_system_check_is_clean():
    call_command("check", fail_level="WARNING")


def test_production_settings_pass_check_deploy():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "ednevnik.settings.prod",
        "DJANGO_SECRET_KEY": "x7#kq-" + "s3cr3t-production-key-with-enough-entropy-" * 2,
        "DJANGO_ALLOWED_HOSTS": "ednevnik.example.org",
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "sqlite:////tmp/ednevnik-deploy-check.sqlite3"
        ),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "ednevnik.settings.prod"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_every_scheduled_job_names_a_registered_task():
    from ednevnik.celery import app

    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name


def test_every_task_has_a_soft_time_limit_below_its_hard_one():
    from ednevnik.celery import app

    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert ours
    for task in ours:
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert 0 < soft < hard, task.name


def _production_settings(**extra) -> dict:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "ednevnik.settings.prod",
        "DJANGO_SECRET_KEY": "x7#kq-" + "s3cr3t-production-key-with-enough-entropy-" * 2,
        "DJANGO_ALLOWED_HOSTS": "ednevnik.example.org",
        "DATABASE_URL": "sqlite:////tmp/ednevnik-settings-check.sqlite3",
        **extra,
    }
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'session': s.SESSION_COOKIE_NAME, 'csrf': s.CSRF_COOKIE_NAME, "
        "'proxies': s.TRUSTED_PROXY_COUNT, 'secure': s.SESSION_COOKIE_SECURE}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_carry_the_host_prefix():
    values = _production_settings()
    assert values["session"].startswith("__Host-") and values["csrf"].startswith("__Host-")
    assert values["secure"] is True


def test_the_trusted_proxy_count_is_read_from_the_environment_and_defaults_to_0():
    assert _production_settings()["proxies"] == 0
    assert _production_settings(TRUSTED_PROXY_COUNT="1")["proxies"] == 1


def test_the_embedded_sqlite_database_waits_for_a_writer_instead_of_failing():
    """Two column saves at once on SQLite gave "database is locked": the default database
    waits (timeout) and takes its write lock when a transaction begins."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "ednevnik.settings.dev",
        "DATABASE_URL": "sqlite:////tmp/ednevnik-sqlite-options.sqlite3",
    }
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    import json

    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options.get("timeout", 0) >= 20
    assert options.get("transaction_mode") == "IMMEDIATE"
