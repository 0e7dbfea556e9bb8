"""Helpers for the journal's tests: the grid's URL and a column POST as the page would send it."""

import pytest
from django.urls import reverse
from django.utils import translation

from journal import models as jm


@pytest.fixture(autouse=True)
def russian():
    with translation.override("ru"):
        yield


@pytest.fixture
def grid_url(cast):
    return reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk])


def column_data(lesson, entries: dict, *, extra: dict | None = None) -> dict:
    """POST data for a lesson column: entries maps student → mark text or (mark text, code).
    Versions are read from the database as the page would have rendered them."""
    data = {"lesson": str(lesson.pk)}
    for student, entry in entries.items():
        text, code = entry if isinstance(entry, tuple) else (entry, "")
        marks = jm.Mark.objects.filter(lesson=lesson, student=student).order_by("slot")
        att = jm.Attendance.objects.filter(lesson=lesson, student=student).first()
        data[f"mark-{student.pk}"] = text
        data[f"att-{student.pk}"] = code
        data[f"mv-{student.pk}"] = ",".join(f"{m.slot}:{m.version}" for m in marks)
        data[f"av-{student.pk}"] = str(att.version if att else 0)
    data.update(extra or {})
    return data


@pytest.fixture
def column():
    return column_data
