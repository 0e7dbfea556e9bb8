"""`make bench`: the scenarios on a small 1× and 10× school, and the runner's safety rules."""

import argparse
import io
import json
import tempfile

import pytest
from django.core.management import call_command

from bench import run as bench_run
from bench import scenarios as sc
from journal.models import Mark, MarkChange

PAGE_KEYS = {"queries_1x", "queries_10x", "p50_ms", "ratio_to_floor", "target", "meets_target"}


def seed(*args) -> dict:
    out = io.StringIO()
    call_command("seed_school", "--json", "--students", "60", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def schools(db):
    one = seed("--seed", "5")
    ten = seed("--seed", "5", "--density", "10")
    return one, ten


def test_every_scenario_reports_its_figures_and_pages_do_not_grow_with_data(schools):
    seeded_one, seeded_ten = schools
    one, ten = sc.Subject.of(seeded_one), sc.Subject.of(seeded_ten)
    assert (
        Mark.objects.filter(school=ten.school).count()
        > 5 * Mark.objects.filter(school=one.school).count()
    )

    results = bench_run.run_scenarios(one, ten, repeat=3, floor_repeat=3)

    assert list(results) == [
        "floor",
        "diary_week",
        "journal_page",
        "marks_save",
        "finals_school",
        "digest_school",
        "pdf_class",
    ]
    assert results["floor"]["p50_ms"] > 0 and results["floor"]["p50_ms_at_end"] > 0
    for name in ("diary_week", "journal_page"):
        page = results[name]
        assert set(page) >= PAGE_KEYS, name
        assert page["queries_1x"] == page["queries_10x"], (name, page["sql_1x"])
        assert 0 < page["queries_1x"] == len(page["sql_1x"])
        assert isinstance(page["meets_target"], bool)
    assert "/diary/" in results["diary_week"]["url_1x"]
    assert "/journal/grid/class/" in results["journal_page"]["url_1x"]

    save = results["marks_save"]
    assert {"queries", "p50_ms", "ratio_to_floor", "meets_target"} <= set(save)
    # A 60-student school has classes of about five: three marks each at most.
    assert save["marks"] == min(30, 3 * save["students"])
    assert save["marks_written"] == save["marks"]
    assert save["request_queries"] > save["queries"] > save["transaction_statements"]
    # Every save really wrote, with its history: the service's and the POSTed saves alike.
    lesson = one.save_lesson
    assert Mark.objects.filter(lesson=lesson).count() == save["marks"]
    # 2 + 1 + 3 service saves and 1 + 1 + 3 POSTs, all but the first changing every mark.
    assert MarkChange.objects.filter(lesson=lesson).count() >= save["marks"] * 10

    finals = results["finals_school"]
    assert finals["queries_1x"] == finals["queries_10x"] > 0
    assert finals["marks_10x"] > finals["marks_1x"] > 0
    assert isinstance(finals["meets_target"], bool)

    digest = results["digest_school"]
    assert digest["queries_without_inserts"] == digest["queries_without_inserts_10x"] > 0
    assert digest["messages_10x"] > 0 and digest["guardians"] > 0
    assert isinstance(digest["meets_target"], bool)
    # The bench keeps no messages: the build was rolled back.
    from notifications.models import OutboxMessage

    assert not OutboxMessage.objects.filter(kind="evening").exists()

    pdf = results["pdf_class"]
    assert pdf["pages"] >= pdf["students"] > 0 and pdf["naive_pages"] == pdf["pages"]
    assert pdf["pages_per_s"] > 0 and isinstance(pdf["meets_target"], bool)


def test_the_runner_never_uses_the_developers_database(monkeypatch, tmp_path):
    args = argparse.Namespace(database=None, reuse=False)
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ednevnik")
    assert bench_run.bench_database(args) == (
        "postgres://postgres@127.0.0.1:5432/ednevnik_bench",
        None,
    )
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    url, directory = bench_run.bench_database(args)
    assert url.startswith(f"sqlite:///{tempfile.gettempdir()}/") and url.endswith("/bench.sqlite3")
    assert directory is not None and directory.is_dir()
    directory.rmdir()
    with pytest.raises(SystemExit, match="_bench"):
        bench_run.recreate_postgres("postgres://postgres@127.0.0.1:5432/ednevnik")


def test_the_summary_names_missed_targets_and_unbuilt_scenarios():
    page = {
        "queries_1x": 7,
        "queries_10x": 7,
        "p50_ms": 30.0,
        "p50_ms_10x": 31.0,
        "ratio_to_floor": 6.0,
    }
    report = {
        "started_at": "2026-11-29T15:00:00+00:00",
        "seconds": 1.0,
        "python": "3.11",
        "django": "5.2",
        "machine": {"cpus": 2},
        "database": {"engine": "sqlite", "version": "3.40"},
        "schools": {k: {"students": 60, "lessons": 10, "marks": 100} for k in ("1x", "10x")},
        "scenarios": {
            "floor": {"p50_ms": 5.0, "p50_ms_at_end": 5.5},
            "diary_week": sc.judged("diary_week", page),
            "journal_page": sc.judged("journal_page", page),
            "marks_save": sc.judged(
                "marks_save",
                {
                    "queries": 6,
                    "p50_ms": 10.0,
                    "ratio_to_floor": 2.0,
                    "marks": 30,
                    "transaction_statements": 1,
                    "request_queries": 12,
                    "request_ratio_to_floor": 4.0,
                },
            ),
            "finals_school": sc.judged(
                "finals_school",
                {"queries_1x": 3, "queries_10x": 3, "seconds_1x": 1.0, "seconds_10x": 5.0},
            ),
            "digest_school": sc.judged(
                "digest_school",
                {
                    "queries": 18,
                    "queries_10x": 18,
                    "seconds": 1.5,
                    "seconds_10x": 1.8,
                    "messages": 3000,
                    "guardians": 1900,
                },
            ),
            "pdf_class": sc.judged(
                "pdf_class",
                {
                    "students": 25,
                    "pages": 50,
                    "seconds": 10.0,
                    "pages_per_s": 5.0,
                    "naive_pages_per_s": 4.0,
                },
            ),
        },
    }
    text = bench_run.summary(report)
    lines = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert lines["diary_week"].endswith("MISSED")  # ratio 6 > 3
    assert lines["journal_page"].endswith("MISSED")  # ratio 6 > 5
    assert lines["marks_save"].endswith("met")
    assert lines["finals_school"].endswith("MISSED")  # 5 s > 4 × 1 s
    assert lines["digest_school"].endswith("met")
    assert lines["pdf_class"].endswith("MISSED")  # 5 pages a second < 10
