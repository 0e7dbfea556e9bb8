"""The cached week (diary/weekcache.py): a write to the journal is on the family's next view,
the access and consent check runs before the cache, nothing is shared between viewers."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consent.models import Consent, Purpose
from consent.services import consent_withdraw
from diary.models import JournalVersion
from journal import models as jm
from journal.services import CellInput, marks_save_column
from tests import factories as f
from tests.signin import sign_in

from .test_week import CACHED_WEEK_QUERIES, WEEK_QUERY_BUDGET

pytestmark = pytest.mark.django_db


def week_url(cast, week):
    return reverse("diary:week", args=[cast.pupil.pk, week.monday])


def signed_in(client, url):
    """The client after a first view of the week, the cache emptied again: the session's
    first-request bookkeeping and the connection's feature checks are done."""
    client.get(url)
    cache.clear()
    return client


def _views(client, url):
    """The page and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_mark_saved_through_the_journal_is_on_the_next_view(as_user, cast, week):
    url = week_url(cast, week)
    client = signed_in(as_user(cast.guardian), url)
    body, first = _views(client, url)
    _, cached = _views(client, url)
    assert first <= WEEK_QUERY_BUDGET and cached == CACHED_WEEK_QUERIES  # from the cache
    lesson = cast.lesson  # 7 «А», today: the subject teacher's lesson
    marks_save_column(
        user=cast.subject_teacher,
        lesson=lesson,
        cells=[CellInput(student_id=cast.pupil.pk, marks=("2",), label="Пётр")],
        work_type=cast.answer,
    )
    mark = jm.Mark.objects.get(lesson=lesson, student=cast.pupil)
    assert f'data-testid="mark-{mark.pk}"' not in body
    body, queries = _views(client, url)
    assert f'data-testid="mark-{mark.pk}"' in body  # the next view shows it
    assert queries == first  # rendered afresh: the class's journal version moved on


@pytest.mark.parametrize("what", ["homework", "topic", "remark", "attendance", "group"])
def test_every_kind_of_journal_write_renews_the_week(as_user, cast, week, what):
    client = as_user(cast.guardian)
    url = week_url(cast, week)
    _views(client, url)
    text = f"Новое: {what}"
    if what == "homework":
        jm.Homework.objects.create(
            school=cast.school, lesson=week.lessons[0], text=text, created_by=cast.subject_teacher
        )
    elif what == "topic":
        jm.Lesson.objects.filter(pk=week.lessons[0].pk).update(topic=text)
    elif what == "remark":
        jm.Remark.objects.create(
            school=cast.school,
            student=cast.pupil,
            author=cast.subject_teacher,
            kind=jm.RemarkKind.MESSAGE,
            text=text,
        )
    elif what == "attendance":
        text = "(оп)"
        jm.Attendance.objects.filter(student=cast.pupil).update(code="late")
    else:
        jm.Lesson.objects.filter(pk=week.group_lesson.pk).update(topic=text)
    body, _ = _views(client, url)
    assert text in body


def test_the_consent_check_runs_before_the_cache(as_user, cast, week, today):
    client = as_user(cast.guardian)
    url = week_url(cast, week)
    body, _ = _views(client, url)
    assert "Линейные уравнения" in body
    consent = Consent.objects.get(
        guardian__user=cast.guardian, student=cast.pupil, purpose=Purpose.DIARY
    )
    consent_withdraw(recorded_by=cast.school_admin, consent=consent, withdrawn_on=today)
    response = client.get(url)
    assert "Линейные уравнения" not in response.content.decode()  # the week is closed


def test_two_parents_of_one_child_never_share_a_cached_week(as_user, cast, week, client):
    second = f.GuardianFactory(school=cast.school)
    f.GuardianStudentFactory(school=cast.school, guardian=second, student=cast.pupil)
    f.ConsentFactory(school=cast.school, guardian=second, student=cast.pupil, purpose=Purpose.DIARY)
    url = week_url(cast, week)
    first = signed_in(as_user(cast.guardian), url)
    _views(first, url)
    _, cached = _views(first, url)
    assert cached == CACHED_WEEK_QUERIES
    other = signed_in(sign_in(client.__class__(), second.user), url)
    _, queries = _views(other, url)
    assert queries > CACHED_WEEK_QUERIES  # the other parent's week is rendered for them


def test_the_triggers_count_writes_per_class_group_and_pupil(cast, week):
    klass = JournalVersion.objects.get(kind="c", ref_id=cast.class_7a.pk).version
    group = JournalVersion.objects.get(kind="g", ref_id=week.group.pk).version
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="3")
    assert JournalVersion.objects.get(kind="c", ref_id=cast.class_7a.pk).version == klass + 1
    assert JournalVersion.objects.get(kind="g", ref_id=week.group.pk).version == group
    jm.Mark.objects.filter(lesson=week.group_lesson).delete()
    jm.Remark.objects.create(
        school=cast.school,
        student=cast.pupil,
        author=cast.subject_teacher,
        kind=jm.RemarkKind.MESSAGE,
        text="Молодец",
    )
    assert JournalVersion.objects.get(kind="s", ref_id=cast.pupil.pk).version >= 1
