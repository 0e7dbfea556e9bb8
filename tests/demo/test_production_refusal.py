"""The demo school never goes into a production database: the prod settings do not install
the demo app, and `seed_school` refuses production settings even where it is installed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from school.models import School

ROOT = Path(__file__).resolve().parent.parent.parent


def test_seed_school_refuses_the_production_settings_module(db, settings):
    settings.SETTINGS_MODULE = "ednevnik.settings.prod"
    with pytest.raises(CommandError, match="refuses to run under production settings"):
        call_command("seed_school", "--students", "30")
    assert not School.objects.exists()


def test_seed_school_refuses_when_debug_is_off_and_cookies_are_https_only(db, settings):
    settings.SETTINGS_MODULE = "site.settings"
    settings.DEBUG = False
    settings.SESSION_COOKIE_SECURE = True
    with pytest.raises(CommandError, match="DEBUG is off and SESSION_COOKIE_SECURE is on"):
        call_command("seed_school", "--students", "30")
    assert not School.objects.exists()


def production_run(tmp_path: Path, settings_module: str, *args: str):
    database = tmp_path / "prod.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_SECRET_KEY": "x7#kq-" + "s3cr3t-production-key-with-enough-entropy-" * 2,
        "DJANGO_ALLOWED_HOSTS": "ednevnik.example.org",
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, database


def test_the_production_settings_have_no_seed_school_command(tmp_path):
    result, database = production_run(tmp_path, "ednevnik.settings.prod", "seed_school")
    assert result.returncode != 0
    assert "Unknown command: 'seed_school'" in result.stderr
    assert not database.exists()


def test_settings_built_on_prod_that_install_the_demo_app_are_still_refused(tmp_path):
    (tmp_path / "site_prod.py").write_text(
        "from ednevnik.settings.prod import *  # noqa: F403\n"
        "INSTALLED_APPS = [*INSTALLED_APPS, 'demo']  # noqa: F405\n"
    )
    result, database = production_run(tmp_path, "site_prod", "seed_school", "--if-empty")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "seed_school refuses to run under production settings" in result.stderr
    assert "Nothing was written" in result.stderr
    assert not database.exists() or database.stat().st_size == 0
