"""Two saves of the same column at the very same moment (double click, two tabs, a retry):
exactly one mark, one history row; a different value is reported, not silently lost."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from journal import models as jm
from journal import services
from journal.services import CellInput

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


def _race(cast, values: list[str], versions: dict | None = None) -> list:
    barrier = threading.Barrier(len(values))
    outcomes = [None] * len(values)

    def save(i, value):
        try:
            barrier.wait()
            services.marks_save_column(
                user=cast.subject_teacher,
                lesson=cast.lesson,
                cells=[
                    CellInput(
                        student_id=cast.pupil.pk,
                        marks=(value,),
                        mark_versions=versions or {},
                        label="Пётр",
                    )
                ],
            )
            outcomes[i] = "saved"
        except ValidationError as error:
            outcomes[i] = " ".join(error.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(i, v)) for i, v in enumerate(values)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_simultaneous_identical_saves_make_one_mark(cast):
    outcomes = _race(cast, ["5", "5", "5"])
    assert outcomes == ["saved", "saved", "saved"]
    assert list(jm.Mark.objects.values_list("value", flat=True)) == ["5"]
    assert jm.MarkChange.objects.count() == 1


def test_simultaneous_different_saves_keep_one_and_report_the_other(cast):
    outcomes = _race(cast, ["5", "3"])
    assert outcomes.count("saved") == 1
    refused = next(o for o in outcomes if o != "saved")
    assert "изменил другой пользователь" in refused
    (mark,) = jm.Mark.objects.all()
    assert mark.value in {"5", "3"}
    assert jm.MarkChange.objects.count() == 1


def test_simultaneous_changes_of_a_stored_mark_keep_one_and_report_the_other(cast):
    """Both saves saw the mark at version 1: the one that gets the lesson lock second reads the
    marks after the first committed (no row lock of their own: the lesson lock orders them),
    finds version 2 and reports the conflict."""
    services.marks_save_column(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        cells=[CellInput(student_id=cast.pupil.pk, marks=("4",))],
    )
    outcomes = _race(cast, ["5", "3"], versions={1: 1})
    assert outcomes.count("saved") == 1
    refused = next(o for o in outcomes if o != "saved")
    assert "изменил другой пользователь" in refused
    (mark,) = jm.Mark.objects.all()
    assert (mark.value, mark.version) == (
        "5" if outcomes[0] == "saved" else "3",
        2,
    )
    assert jm.MarkChange.objects.filter(action="update").count() == 1
