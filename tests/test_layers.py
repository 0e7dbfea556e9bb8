"""The house's layers hold: the import-linter contracts (pyproject.toml) and no import cycle
between any two modules of the project."""

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["school", "accounts", "journal", "consent", "diary", "notifications", "reports"]


def test_the_layer_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" not in result.stdout.split("Contracts:")[-1].split(",")[0]


def test_no_two_modules_import_each_other():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != module and graph.chain_exists(importer=imported, imported=module):
                cycles.add(tuple(sorted((module, imported))))
    assert not cycles, sorted(cycles)


# Pupil data: a view reads it only through a selector that takes the viewer, so that the
# permission is part of the query (docs/architecture.md, house rule 5).
PUPIL_MODELS = {
    "Student",
    "Guardian",
    "GuardianStudent",
    "Enrollment",
    "StudyGroupMembership",
    "Mark",
    "MarkChange",
    "Attendance",
    "Homework",
    "HomeworkFile",
    "Remark",
    "FinalMark",
    "Consent",
    "Contact",
    "AccessLogEntry",
    "WeekAcknowledgement",
    "OutboxMessage",
}


def _view_modules() -> list[Path]:
    found = []
    for package in [*PACKAGES, "ednevnik", "api"]:
        found += (ROOT / package).glob("views.py")
        found += (ROOT / package).glob("*views.py")
        found += (ROOT / package / "views").glob("*.py")
    return sorted(set(found))


def _pupil_reads(source: str) -> list[str]:
    """`<PupilModel>.objects…` and `<PupilModel>._default_manager…` in a module's code."""
    import ast

    reads = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("objects", "_default_manager", "_base_manager")
            and isinstance(node.value, ast.Name | ast.Attribute)
        ):
            name = node.value.id if isinstance(node.value, ast.Name) else node.value.attr
            if name in PUPIL_MODELS:
                reads.append(f"line {node.lineno}: {name}.{node.attr}")
    return reads


def test_no_view_reads_pupil_data_straight_from_a_manager():
    modules = _view_modules()
    assert any(p.match("journal/views/*.py") for p in modules)  # the glob finds the views
    offenders = {
        str(path.relative_to(ROOT)): len(reads)
        for path in modules
        if (reads := _pupil_reads(path.read_text()))
    }
    assert offenders == KNOWN_OFFENDERS


# No view module is an exception: a new read anywhere fails the test.
KNOWN_OFFENDERS = {}


def test_the_banned_pattern_check_catches_a_pupil_read():
    source = "from journal.models import Mark\n\ndef page(request):\n    Mark.objects.filter()\n"
    assert _pupil_reads(source) == ["line 4: Mark.objects"]
    assert _pupil_reads("def page(request):\n    Lesson.objects.filter()\n") == []
