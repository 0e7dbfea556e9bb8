"""Two people create the same final at once: the second save is told, nothing is half-saved."""

import threading
import time

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from journal.models import FinalMark, MarkChange
from journal.services import FinalEntry, finals_set

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


def wait_for(event: threading.Event, seconds: float = 5) -> bool:
    """Poll rather than block on the event with a timeout: a timed lock wait is what
    libfaketime (make test-dates) cannot fake, a sleep it can."""
    deadline = time.monotonic() + seconds
    while not event.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    return event.is_set()


def test_a_concurrent_first_save_is_refused_not_duplicated(cast):
    settings = connection.settings_dict
    inserted, done = threading.Event(), threading.Event()

    def other_tab():
        # Another session inserts the same final and holds its transaction open for a moment.
        with psycopg.connect(
            dbname=settings["NAME"],
            user=settings["USER"],
            password=settings["PASSWORD"] or None,
            host=settings["HOST"],
            port=settings["PORT"] or None,
        ) as conn:
            conn.execute(
                "INSERT INTO journal_finalmark (school_id, student_id, subject_id, period_id, kind,"
                " status, value, exam_name, deferral_reason, deferral_document, set_by_id, set_at,"
                " published_at, version) VALUES (%s, %s, %s, %s, 'period', 'graded', '5', '', '',"
                " '', %s, %s, %s, 1)",
                [
                    cast.school.pk,
                    cast.pupil.pk,
                    cast.math.pk,
                    cast.period.pk,
                    cast.subject_teacher.pk,
                    timezone.now(),
                    timezone.now(),
                ],
            )
            inserted.set()
            time.sleep(0.5)
            conn.commit()
        done.set()

    thread = threading.Thread(target=other_tab)
    thread.start()
    assert wait_for(inserted)
    with pytest.raises(ValidationError) as error:
        finals_set(
            user=cast.subject_teacher,
            period=cast.period,
            subject=cast.math,
            class_group=cast.class_7a,
            entries=[FinalEntry(cast.pupil.pk, "na")],
        )
    thread.join()
    assert done.is_set()
    assert "одновременно" in str(error.value)
    assert list(FinalMark.objects.values_list("status", "value")) == [("graded", "5")]
    assert not MarkChange.objects.exists()
