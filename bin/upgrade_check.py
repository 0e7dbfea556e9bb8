#!/usr/bin/env python
"""Upgrade check: a database made and seeded by an earlier commit, migrated by this one, keeps
every row and shows the same pages.

    python bin/upgrade_check.py --base <git ref> [--students 200]

Needs PostgreSQL (DATABASE_URL names the server; the check uses a database of its own,
`<name>_upgrade_check`, dropped and made anew). Steps: check out <ref> in a temporary work
tree; there `migrate`, `seed_school`, render a sample of diary weeks, marks pages and journal
grids, and count the rows of every table; then here `migrate` the same database, count again
and render the same pages. Counts must match table for table (tables renamed by a migration
are matched through MOVED_TABLES of the migration that renamed them) and pages byte for byte,
once per-request tokens are blanked. Prints a summary; exits 1 on any difference.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SEED_TODAY = "2026-11-25"

# Runs inside `manage.py shell` of either tree: only public Django and URL names, so it works
# on code before and after a model moves between apps.
SNAPSHOT = r"""
import datetime as dt, json, re, sys
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
import time_machine

def model(name):
    for app in ("school", "journal", "accounts"):
        try:
            return apps.get_model(app, name)
        except LookupError:
            pass
    raise LookupError(name)

def counts():
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        out = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            out[table] = cursor.fetchone()[0]
    return out

def normalised(body):
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', body)
    return re.sub(r'nonce="[^"]+"', 'nonce=""', body)

def pages(sample):
    Guardian, Assignment = model("Guardian"), model("TeachingAssignment")
    monday = dt.date.fromisoformat(TODAY) - dt.timedelta(days=dt.date.fromisoformat(TODAY).weekday())
    out = {}
    client = Client()
    guardians = (
        Guardian.objects.filter(user__isnull=False, links__isnull=False).order_by("pk").distinct()
    )[:sample]
    for guardian in guardians:
        client.force_login(guardian.user)
        for link in guardian.links.order_by("student_id")[:2]:
            for url in (
                reverse("diary:week", args=[link.student_id, monday]),
                reverse("diary:marks", args=[link.student_id]),
                reverse("diary:finals", args=[link.student_id]),
            ):
                response = client.get(url)
                out[url + " as " + guardian.user.username] = [
                    response.status_code, normalised(response.content.decode())
                ]
    assignments = Assignment.objects.filter(class_group__isnull=False, study_group__isnull=True)
    for assignment in assignments.order_by("pk")[:sample]:
        client.force_login(assignment.teacher.user)
        url = reverse("journal:grid_class", args=[assignment.class_group_id, assignment.subject_id])
        response = client.get(url)
        out[url + " as " + assignment.teacher.user.username] = [
            response.status_code, normalised(response.content.decode())
        ]
    return out

# Before the upgrade the pages are rendered first (they write sessions and the access log),
# after it the rows are counted first: both counts then see the same rows.
with time_machine.travel(dt.datetime.fromisoformat(TODAY + "T10:00:00+03:00"), tick=False):
    if PAGES_FIRST:
        shown = pages(SAMPLE)
        counted = counts()
    else:
        counted = counts()
        shown = pages(SAMPLE)
json.dump({"counts": counted, "pages": shown}, open(OUT, "w"), ensure_ascii=False)
"""


def run(args, cwd, env):
    subprocess.run(args, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)


def snapshot(tree: Path, env, out: Path, sample: int, pages_first: bool):
    code = (
        f"TODAY = {SEED_TODAY!r}; SAMPLE = {sample}; OUT = {str(out)!r}; "
        f"PAGES_FIRST = {pages_first}\n" + SNAPSHOT
    )
    run([sys.executable, "manage.py", "shell", "-c", code], tree, env)
    return json.loads(out.read_text())


def renamed_tables() -> dict[str, str]:
    """Old table name → new, from every migration of this tree that declares MOVED_TABLES."""
    mapping = {}
    for path in ROOT.glob("*/migrations/0*.py"):
        text = path.read_text()
        if "MOVED_TABLES" in text:
            mapping.update(dict(re.findall(r'\("(\w+)", "(\w+)"\)', text)))
    return mapping


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="the earlier commit (a git ref)")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--sample", type=int, default=6)
    options = parser.parse_args()

    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ednevnik")
    if not server.startswith("postgres"):
        print("upgrade check needs DATABASE_URL to name a PostgreSQL server", file=sys.stderr)
        return 2
    parts = urlsplit(server)
    name = parts.path.lstrip("/") + "_upgrade_check"
    url = urlunsplit(parts._replace(path="/" + name))
    admin = urlunsplit(parts._replace(path="/postgres"))
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "ednevnik.settings.dev"}
    env.pop("REDIS_URL", None)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = tmp / "base"
        run(["git", "worktree", "add", "--detach", str(base), options.base], ROOT, env)
        try:
            run([sys.executable, "manage.py", "migrate", "--noinput"], base, env)
            run(
                [
                    sys.executable,
                    "manage.py",
                    "seed_school",
                    "--students",
                    str(options.students),
                    "--seed",
                    "7",
                    "--today",
                    SEED_TODAY,
                ],
                base,
                env,
            )
            before = snapshot(base, env, tmp / "before.json", options.sample, pages_first=True)
        finally:
            run(["git", "worktree", "remove", "--force", str(base)], ROOT, env)
        run([sys.executable, "manage.py", "migrate", "--noinput"], ROOT, env)
        after = snapshot(ROOT, env, tmp / "after.json", options.sample, pages_first=False)

    renames = renamed_tables()
    expected = {renames.get(t, t): n for t, n in before["counts"].items()}
    problems = []
    for table, count in sorted(expected.items()):
        if table == "django_migrations":
            continue
        if after["counts"].get(table) != count:
            problems.append(f"rows of {table}: {count} before, {after['counts'].get(table)} after")
    for table in sorted(set(after["counts"]) - set(expected)):
        if after["counts"][table]:
            problems.append(f"new table {table} has {after['counts'][table]} rows")
    for url, (status, body) in before["pages"].items():
        if after["pages"].get(url) != [status, body]:
            problems.append(f"page differs: {url}")
    shown = sum(1 for status, _ in before["pages"].values() if status == 200)
    if shown < len(before["pages"]) or not shown:
        problems.append(f"only {shown} of {len(before['pages'])} sample pages answered 200")
    rows = sum(n for t, n in expected.items() if t != "django_migrations")
    print(
        f"upgrade check from {options.base}: {len(expected)} tables, {rows} rows, "
        f"{len(before['pages'])} pages (all 200) compared; "
        + ("no differences" if not problems else f"{len(problems)} differences")
    )
    for problem in problems:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
