"""`make bench`: the benchmark scenarios of docs/benchmarks.md, written to bench/results.json.

    .venv/bin/python -m bench.run [--students 1000] [--students-10x 1000] [--repeat 30]

The runner works in a database of its own and never in a developer's:

- by default a fresh SQLite file in a new directory under /tmp (removed afterwards unless
  `--keep`);
- with `BENCH_DATABASE_URL` (or `--database`), that database; for PostgreSQL its name must end
  in `_bench`, and it is dropped and created afresh;
- with only `DATABASE_URL` set to PostgreSQL, the database `<its name>_bench` on the same
  server (dropped and created afresh). A SQLite DATABASE_URL is ignored (a fresh /tmp file).

It migrates, seeds the 1× school (`seed_school`, density 1) and the 10× school (density 10),
runs the scenarios (bench.scenarios) and writes one JSON object: the environment, the data
sizes and one object per scenario with its figures, target and whether it meets it.
`--reuse` keeps an existing bench database and its two schools (for working on the runner).
"""

import argparse
import datetime as dt
import io
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = BASE_DIR / "bench" / "results.json"
REUSE_SQLITE = Path(tempfile.gettempdir()) / "ednevnik-bench" / "bench.sqlite3"
SCHOOL_NAME = "Бенчмарк {label}: {students} учеников, плотность {density:g}, зерно {seed}"


# Scenarios that can run on their own (`--only`): each needs the two schools and nothing else.
ONLY = ("finals_school", "digest_school", "pdf_class")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=None, help="Database URL (else BENCH_DATABASE_URL).")
    parser.add_argument("--students", type=int, default=1000, help="Students of the 1× school.")
    parser.add_argument(
        "--students-10x",
        type=int,
        default=1000,
        help="Students of the 10× school (seeding 1000 at density 10 takes 2–3 minutes).",
    )
    parser.add_argument("--density-10x", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=30, help="Timed requests per page.")
    parser.add_argument("--floor-repeat", type=int, default=50)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--reuse", action="store_true", help="Keep the bench database and schools.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary SQLite file.")
    parser.add_argument(
        "--only",
        action="append",
        choices=ONLY,
        help="Run only this scenario (repeatable); the report then holds only these.",
    )
    return parser.parse_args(argv)


# --- The database -------------------------------------------------------------------------------


def bench_database(args) -> tuple[str, Path | None]:
    """The URL of the bench database and, for a temporary SQLite file, its directory."""
    import environ

    explicit = args.database or os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit, None
    developer = os.environ.get("DATABASE_URL", "")
    if developer.startswith(("postgres://", "postgresql://", "pgsql://")):
        config = environ.Env.db_url_config(developer)
        name = config["NAME"]
        return developer.rsplit("/", 1)[0].split("?")[0] + f"/{name}_bench", None
    if args.reuse:
        REUSE_SQLITE.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{REUSE_SQLITE}", None
    directory = Path(tempfile.mkdtemp(prefix="ednevnik-bench-"))
    return f"sqlite:///{directory / 'bench.sqlite3'}", directory


def recreate_postgres(url: str) -> None:
    """Drop and create the bench database: only ever one whose name ends in `_bench`."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    if not name.endswith("_bench"):
        raise SystemExit(
            f"Refusing to recreate the database {name!r}: a bench database's name ends in _bench."
        )
    with psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def refresh_statistics() -> bool:
    """ANALYZE after seeding on PostgreSQL, as autovacuum would do before long on a real
    server: planning on the statistics of an empty database would measure plans no school
    would get. (SQLite is left as Django leaves it: no ANALYZE.)"""
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True


def database_info() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return {
        "engine": connection.vendor,
        "version": version,
        "name": str(connection.settings_dict["NAME"]),
        "host": connection.settings_dict.get("HOST") or None,
    }


# --- The schools --------------------------------------------------------------------------------


def seeded_school(*, label: str, students: int, density: float, seed: int, reuse: bool) -> dict:
    """Seed one school with `seed_school --json` (or find it again with --reuse)."""
    from django.core.management import call_command

    from accounts.models import User
    from demo.synthetic import DEMO_PASSWORD
    from journal import models as jm
    from school import models as sm
    from school.models import School

    name = SCHOOL_NAME.format(label=label, students=students, density=density, seed=seed)
    existing = School.objects.filter(name=name).first() if reuse else None
    if existing is not None:
        users = User.objects.filter(school=existing)
        logins = {
            "guardian": _login(users, "roditel", existing),
            "subject_teacher": _login(users, "uchitel", existing),
        }
        return {
            "school_id": existing.pk,
            "logins": logins,
            "password": DEMO_PASSWORD,
            "counts": {
                "students": sm.Student.objects.filter(school=existing).count(),
                "lessons": jm.Lesson.objects.filter(school=existing).count(),
                "marks": jm.Mark.objects.filter(school=existing).count(),
            },
            "seconds": None,
            "reused": True,
        }
    out = io.StringIO()
    started = time.monotonic()
    call_command(
        "seed_school",
        "--json",
        "--students",
        str(students),
        "--density",
        str(density),
        "--seed",
        str(seed),
        "--school-name",
        name,
        stdout=out,
    )
    result = json.loads(out.getvalue())
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def _login(users, base: str, school) -> str:
    """A demo login of a school: `roditel`, or `roditel-<school id>` when the name was taken."""
    for username in (base, f"{base}-{school.pk}"):
        if users.filter(username=username).exists():
            return username
    raise LookupError(f"no {base} login in school {school.pk}")


def school_sizes(seeded: dict, *, students: int, density: float, seed: int) -> dict:
    counts = seeded["counts"]
    return {
        "school_id": seeded["school_id"],
        "students_asked": students,
        "density": density,
        "seed": seed,
        "students": counts["students"],
        "lessons": counts["lessons"],
        "marks": counts["marks"],
        "counts": counts,
        "seed_seconds": seeded["seconds"],
        "today": seeded.get("today"),
    }


# --- The run ------------------------------------------------------------------------------------


def run_only(one, ten, names) -> dict:
    """The named scenarios alone (`--only`), for measuring one change."""
    from bench import scenarios as sc

    runs = {
        "finals_school": lambda: sc.finals_school(one, ten),
        "digest_school": lambda: sc.digest_school(one, ten),
        "pdf_class": lambda: sc.pdf_class(one),
    }
    results = {}
    for name in names:
        print(f"{name}…", flush=True)
        results[name] = runs[name]()
    return results


def run_scenarios(one, ten, *, repeat: int, floor_repeat: int, only=None) -> dict:
    """Every scenario, in order, on the 1× school `one` and the 10× school `ten` (or only
    those named)."""
    from bench import scenarios as sc

    if only:
        return run_only(one, ten, only)

    results = {"floor": sc.floor(one, repeat=floor_repeat)}
    floor_ms = results["floor"]["p50_ms"]
    for name, scenario in (
        ("diary_week", sc.diary_week),
        ("journal_page", sc.journal_page),
    ):
        print(f"{name}…", flush=True)
        results[name] = scenario(one, ten, floor_ms=floor_ms, repeat=repeat)
    print("marks_save…", flush=True)
    results["marks_save"] = sc.marks_save(one, floor_ms=floor_ms, repeat=repeat)
    print("finals_school…", flush=True)
    results["finals_school"] = sc.finals_school(one, ten)
    # The floor again at the end: how much the machine's load drifted during the run.
    results["floor"]["p50_ms_at_end"] = sc.floor(one, repeat=floor_repeat)["p50_ms"]
    print("digest_school…", flush=True)
    results["digest_school"] = sc.digest_school(one, ten)
    print("pdf_class…", flush=True)
    results["pdf_class"] = sc.pdf_class(one)
    return results


def run(args) -> dict:
    import django
    from django.core.management import call_command

    from bench import scenarios as sc

    started_at = dt.datetime.now(dt.UTC)
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrated in {time.monotonic() - started:.1f} s", flush=True)
    seeds = {}
    for label, students, density in (
        ("1×", args.students, 1.0),
        ("10×", args.students_10x, args.density_10x),
    ):
        seeded = seeded_school(
            label=label, students=students, density=density, seed=args.seed, reuse=args.reuse
        )
        seeds[label] = (seeded, students, density)
        print(
            f"school {label}: {seeded['counts']['students']} students, "
            f"{seeded['counts']['marks']} marks, "
            + ("reused" if seeded.get("reused") else f"seeded in {seeded['seconds']} s"),
            flush=True,
        )
    analyzed = refresh_statistics()
    one, ten = (sc.Subject.of(seeds[k][0]) for k in ("1×", "10×"))

    results = run_scenarios(
        one, ten, repeat=args.repeat, floor_repeat=args.floor_repeat, only=args.only
    )
    return {
        "started_at": started_at.isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        },
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database_info() | {"analyzed_after_seeding": analyzed},
        "settings": os.environ["DJANGO_SETTINGS_MODULE"],
        "repeat": args.repeat,
        "schools": {
            "1x": school_sizes(seeds["1×"][0], students=args.students, density=1.0, seed=args.seed),
            "10x": school_sizes(
                seeds["10×"][0],
                students=args.students_10x,
                density=args.density_10x,
                seed=args.seed,
            ),
        },
        "scenarios": results,
        "meets_all_built_targets": all(
            r.get("meets_target") is not False for r in results.values() if "target" in r
        ),
    }


def summary(report: dict) -> str:
    """The short table printed at the end (and pasted into docs/benchmarks.md)."""
    s = report["scenarios"]
    db = report["database"]
    one, ten = report["schools"]["1x"], report["schools"]["10x"]
    lines = [
        f"{report['started_at']}  {db['engine']} {db['version']}, Python {report['python']}, "
        f"Django {report['django']}, {report['machine']['cpus']} CPUs",
        f"1×: {one['students']} students, {one['lessons']} lessons, {one['marks']} marks; "
        f"10×: {ten['students']} students, {ten['lessons']} lessons, {ten['marks']} marks",
        "",
        f"{'scenario':<14} {'figures':<72} {'target':<6}",
    ]

    def row(name: str, figures: str):
        if name not in s:
            return
        meets = s[name].get("meets_target")
        mark = {True: "met", False: "MISSED", None: "—"}[meets]
        lines.append(f"{name:<14} {figures:<72} {mark}")

    if "floor" in s:
        row_floor = s["floor"]
        lines.append(
            f"{'floor':<14} p50 {row_floor['p50_ms']} ms (at the end: {row_floor['p50_ms_at_end']} ms)"
        )
    for name in (n for n in ("diary_week", "journal_page") if n in s):
        r = s[name]
        row(
            name,
            f"queries {r['queries_1x']}/{r['queries_10x']} (1×/10×), p50 {r['p50_ms']} ms "
            f"(10×: {r['p50_ms_10x']}), ×{r['ratio_to_floor']}",
        )
    if "marks_save" in s:
        r = s["marks_save"]
        row(
            "marks_save",
            f"{r['marks']} marks: queries {r['queries']} ({r['transaction_statements']} BEGIN/COMMIT), "
            f"p50 {r['p50_ms']} ms, ×{r['ratio_to_floor']}"
            f" (POST: {r['request_queries']} q, ×{r['request_ratio_to_floor']})",
        )
    if "finals_school" in s:
        r = s["finals_school"]
        row(
            "finals_school",
            f"queries {r['queries_1x']}/{r['queries_10x']}, {r['seconds_1x']} s / {r['seconds_10x']} s",
        )
    if "digest_school" in s:
        r = s["digest_school"]
        row(
            "digest_school",
            f"{r['guardians']} guardians, {r['messages']} messages: queries "
            f"{r['queries']}/{r['queries_10x']}, {r['seconds']} s / {r['seconds_10x']} s"
            f" (first: {r.get('seconds_cold')} s)",
        )
    if "pdf_class" in s:
        r = s["pdf_class"]
        row(
            "pdf_class",
            f"{r['students']} students, {r['pages']} pages in {r['seconds']} s: "
            f"{r['pages_per_s']} pages/s, {r.get('pages_per_cpu_s', '—')} per CPU s "
            f"(one PDF per student: {r['naive_pages_per_s']})",
        )
    lines.append("")
    lines.append(f"total {report['seconds']} s")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    url, temporary = bench_database(args)
    if url.startswith(("postgres://", "postgresql://", "pgsql://")) and not args.reuse:
        recreate_postgres(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "ednevnik.settings.bench"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    print(f"bench database: {re.sub(r':[^:/@]*@', ':***@', url)}", flush=True)
    try:
        report = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if temporary is not None and not args.keep:
            shutil.rmtree(temporary, ignore_errors=True)
    report["output"] = str(args.output)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print()
    print(summary(report))
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
