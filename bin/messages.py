#!/usr/bin/env python
"""Refresh the Russian message catalogues and compile them.

Each app keeps its own catalogue (`<app>/locale/ru/LC_MESSAGES/django.po`) so that work on one
app never conflicts with another; the project's `locale/` holds the strings of `templates/`
and `ednevnik/`. Entries carry no source locations (`--no-location`): moving code never
rewrites a catalogue, and two changes to one app merge cleanly. Needs GNU gettext (Debian
package `gettext`).
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "school",
    "accounts",
    "journal",
    "diary",
    "consent",
    "notifications",
    "reports",
    "api",
    "extracts",
    "imports",
    "demo",
]
# -P: an app folder holds modules (selectors.py) that would shadow the standard library.
DJANGO_ADMIN = [sys.executable, "-P", "-m", "django"]
MAKEMESSAGES = ["makemessages", "-l", "ru", "--no-obsolete", "--no-location"]


def run(args, cwd):
    subprocess.run([*DJANGO_ADMIN, *args], cwd=cwd, check=True)


def main():
    for app in APPS:
        (ROOT / app / "locale").mkdir(exist_ok=True)
        run(
            [*MAKEMESSAGES, "-i", "migrations/*", "-i", "tests/*"],
            ROOT / app,
        )
        run(["compilemessages", "-l", "ru"], ROOT / app)
    ignores = []
    for name in [*APPS, ".venv", "tests", "bin", "bench", "node_modules", "staticfiles"]:
        ignores += ["-i", f"{name}/*"]
    run([*MAKEMESSAGES, *ignores], ROOT)
    run(["compilemessages", "-l", "ru", "-i", ".venv", *[x for a in APPS for x in ("-i", a)]], ROOT)


if __name__ == "__main__":
    main()
