"""The family's reads on a real streaming replica, writes on the primary, read-your-writes,
and the fall-back to the primary when the replica lags or stops (ednevnik/db_router.py)."""

import datetime as dt
import time
from contextlib import ExitStack, contextmanager

import pytest
from django.db import connections
from django.test import override_settings
from django.urls import reverse

from consent.models import Purpose
from diary.models import WeekAcknowledgement
from ednevnik import db_router
from tests import factories as f
from tests.conftest import academic_year_bounds
from tests.signin import sign_in

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.timeout(120),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


@pytest.fixture(autouse=True)
def whole_pages(settings):
    """Every view reads the whole week (lessons, marks…), not the cached days."""
    settings.DIARY_WEEK_CACHE_SECONDS = 0


@contextmanager
def served_by():
    """Every statement run while the block runs, as (alias, server port, SQL)."""
    seen = []

    def recorder(alias):
        def wrapper(execute, sql, params, many, context):
            port = context["connection"].connection.info.port
            seen.append((alias, port, sql))
            return execute(sql, params, many, context)

        return wrapper

    with ExitStack() as stack:
        for alias in ("default", "replica"):
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield seen


def _family(today):
    school = f.SchoolFactory(name="Школа с репликой")
    starts_on, ends_on = academic_year_bounds(today)
    year = f.YearFactory(school=school, starts_on=starts_on, ends_on=ends_on)
    klass = f.ClassGroupFactory(school=school, year=year, level=7, letter="А")
    pupil = f.EnrollmentFactory(
        school=school, class_group=klass, year=year, student=f.StudentFactory(school=school)
    ).student
    guardian = f.GuardianFactory(school=school)
    f.GuardianStudentFactory(school=school, guardian=guardian, student=pupil)
    f.ConsentFactory(school=school, guardian=guardian, student=pupil, purpose=Purpose.DIARY)
    teacher = f.TeacherFactory(school=school, user=f.UserFactory(school=school))
    subject = f.SubjectFactory(school=school, name="Геометрия")
    lesson = f.LessonFactory(
        school=school, class_group=klass, subject=subject, teacher=teacher, date=today
    )
    f.MarkFactory(lesson=lesson, student=pupil, value="4")
    return guardian.user, pupil


def _week_url(pupil, today):
    monday = today - dt.timedelta(days=today.weekday())
    return reverse("diary:week", args=[pupil.pk, monday]), monday


def _tables(seen, alias):
    return [sql for a, _, sql in seen if a == alias]


def test_the_family_week_is_read_from_the_replica(replica_stack, client, today):
    user, pupil = _family(today)
    replica_stack.caught_up()
    sign_in(client, user)
    url, _ = _week_url(pupil, today)
    with served_by() as seen:
        response = client.get(url)
    assert response.status_code == 200
    assert "Геометрия" in response.text  # the lesson and its mark, as the replica has them
    replica_sql = _tables(seen, "replica")
    # The page's own reads (the child with the frame, lessons, marks, homework, remarks) come
    # from the replica's server; the primary only gives the session and the signed-in user.
    assert any("school_student" in sql for sql in replica_sql)
    assert any("journal_mark" in sql for sql in replica_sql)
    assert {port for a, port, _ in seen if a == "replica"} == {replica_stack.replica.port}
    primary_sql = _tables(seen, "default")
    assert primary_sql and all("journal_" not in sql for sql in primary_sql)
    assert all("django_session" in s or "accounts_user" in s for s in primary_sql), primary_sql
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), pg_is_in_recovery()")
        assert cursor.fetchone() == (replica_stack.replica.port, True)


def test_a_write_goes_to_the_primary_and_its_writer_reads_it_back(replica_stack, client, today):
    user, pupil = _family(today)
    replica_stack.caught_up()
    sign_in(client, user)
    url, monday = _week_url(pupil, today)
    # The replica stops replaying: anything written now exists on the primary only.
    replica_stack.psql(replica_stack.replica, "SELECT pg_wal_replay_pause()")
    try:
        ack = reverse("diary:acknowledge_week", args=[pupil.pk, monday])
        with served_by() as seen:
            response = client.post(ack)
        assert response.status_code == 302
        assert db_router.PIN_COOKIE in response.cookies
        inserts = [(a, p) for a, p, sql in seen if "INSERT" in sql and "diary_week" in sql]
        assert inserts == [("default", replica_stack.primary.port)]
        count = f"SELECT count(*) FROM diary_weekacknowledgement WHERE student_id = {int(pupil.pk)}"  # noqa: S608
        assert replica_stack.psql(replica_stack.primary, count) == "1"
        assert replica_stack.psql(replica_stack.replica, count) == "0"  # not replayed yet

        with served_by() as seen:
            page = client.get(url)
        assert page.status_code == 200
        assert 'data-testid="acknowledged"' in page.text  # the write, read back at once
        assert _tables(seen, "replica") == []
        assert any("diary_weekacknowledgement" in sql for sql in _tables(seen, "default"))

        # A browser that has not written reads from the replica, which has not got it yet.
        other = client.__class__()
        sign_in(other, user)
        with served_by() as seen:
            stale = other.get(url)
        assert _tables(seen, "replica")
        assert 'data-testid="acknowledged"' not in stale.text
    finally:
        replica_stack.psql(replica_stack.replica, "SELECT pg_wal_replay_resume()")
    replica_stack.caught_up()
    assert WeekAcknowledgement.objects.filter(student=pupil).count() == 1


def test_a_lagging_replica_is_passed_over(replica_stack, client, today):
    user, pupil = _family(today)
    replica_stack.caught_up()
    sign_in(client, user)
    url, _ = _week_url(pupil, today)
    replica_stack.psql(replica_stack.replica, "SELECT pg_wal_replay_pause()")
    try:
        # The primary moves on; the replica receives but does not replay.
        replica_stack.psql(replica_stack.primary, "CREATE TABLE lag_probe (); DROP TABLE lag_probe")
        time.sleep(0.6)
        with override_settings(REPLICA_MAX_LAG_SECONDS=0.3), served_by() as seen:
            db_router.health.reset()
            response = client.get(url)
        assert response.status_code == 200
        assert "Геометрия" in response.text
        assert db_router.health.last_lag > 0.3
        # Only the lag check ran on the replica; the page read the primary.
        replica_sql = _tables(seen, "replica")
        assert len(replica_sql) == 1 and "pg_last_xact_replay_timestamp" in replica_sql[0]
        assert any("journal_mark" in sql for sql in _tables(seen, "default"))
    finally:
        replica_stack.psql(replica_stack.replica, "SELECT pg_wal_replay_resume()")


def test_a_stopped_replica_falls_back_to_the_primary(replica_stack, client, today):
    user, pupil = _family(today)
    replica_stack.caught_up()
    sign_in(client, user)
    url, _ = _week_url(pupil, today)
    with served_by() as seen:
        assert client.get(url).status_code == 200
    assert _tables(seen, "replica")  # healthy, and its health is remembered for a while

    replica_stack.stop(replica_stack.replica)
    # Still believed healthy: the page fails on the replica midway and runs on the primary.
    with served_by() as seen:
        response = client.get(url)
    assert response.status_code == 200
    assert "Геометрия" in response.text
    assert any("journal_mark" in sql for sql in _tables(seen, "default"))
    # Now known to be down: the next page goes straight to the primary.
    with served_by() as seen:
        again = client.get(url)
    assert again.status_code == 200
    assert _tables(seen, "replica") == []
    assert any("journal_mark" in sql for sql in _tables(seen, "default"))
