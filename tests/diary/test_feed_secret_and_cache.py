"""The calendar feed's secret is stored hashed (an administrator reading the database or the
admin cannot rebuild a family's address); downloads of a child's files are never cached."""

import re

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from diary.models import CalendarFeed, feed_token_hash


def test_a_feeds_secret_is_stored_as_a_hash_only(cast):
    feed = CalendarFeed.objects.create(school=cast.school, user=cast.guardian, student=cast.pupil)
    stored = CalendarFeed.objects.get(pk=feed.pk)
    assert feed.token and len(feed.token) >= 43
    assert stored.token_hash == feed_token_hash(feed.token)
    assert feed.token not in {str(v) for v in CalendarFeed.objects.values_list(flat=False).get()}


def test_the_admin_cannot_find_a_feed_by_filtering_on_its_secret(as_user, cast):
    feed = CalendarFeed.objects.create(school=cast.school, user=cast.guardian, student=cast.pupil)
    client = as_user(cast.school_admin)
    changelist = reverse("admin:diary_calendarfeed_changelist")
    # A lookup on the secret is not allowed (no such field); the hash field is not filterable.
    response = client.get(changelist, {"token__startswith": feed.token[:3]})
    assert response.status_code in (200, 302)
    assert feed.token not in response.content.decode()
    assert "token" not in {f.name for f in CalendarFeed._meta.get_fields()}
    assert "token_hash" not in (site._registry[CalendarFeed].list_filter or [])


def test_the_feed_is_found_by_the_hash_of_the_presented_token(client, cast):
    feed = CalendarFeed.objects.create(school=cast.school, user=cast.guardian, student=cast.pupil)
    assert client.get(reverse("diary:feed", args=[cast.pupil.pk, feed.token])).status_code == 200
    wrong = feed.token[:-1] + ("A" if feed.token[-1] != "A" else "B")
    assert client.get(reverse("diary:feed", args=[cast.pupil.pk, wrong])).status_code == 404


def test_the_feed_address_is_shown_once_after_it_is_made(as_user, cast):
    client = as_user(cast.guardian)
    url = reverse("diary:feed_settings", args=[cast.pupil.pk])
    page = client.post(url, {"action": "create"}, follow=True).content.decode()
    shown = re.search(r'value="[^"]*/feed/([^"/]+)\.ics"', page)
    assert shown, "the new address is on the page"
    token = shown.group(1)
    assert CalendarFeed.objects.get(token_hash=feed_token_hash(token)).user == cast.guardian
    assert token not in client.get(url).content.decode()


def test_a_homework_download_is_not_stored_by_any_cache(as_user, cast, week):
    url = reverse("diary:homework_file", args=[cast.pupil.pk, week.file.pk])
    response = as_user(cast.guardian).get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_feed_itself_is_not_stored(client, cast):
    feed = CalendarFeed.objects.create(school=cast.school, user=cast.guardian, student=cast.pupil)
    response = client.get(reverse("diary:feed", args=[cast.pupil.pk, feed.token]))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_existing_feed_addresses_keep_working_after_the_migration():
    import datetime as dt
    import hashlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    # The roster as it was then too (before the exchange's columns), so the old models fit.
    before = [("diary", "0002_roster_moved_to_school_app"), ("school", "0001_initial")]
    from diary import triggers

    with triggers.suspended():  # the executor alone sends no pre/post_migrate
        executor.migrate(before)
    old = executor.loader.project_state(before).apps
    School = old.get_model("school", "School")
    school = School.objects.create(name="Школа", short_name="Школа")
    user = old.get_model("accounts", "User").objects.create(
        username="parent-old", school_id=school.pk, role="guardian"
    )
    student = old.get_model("school", "Student").objects.create(
        school_id=school.pk, last_name="Петрова", first_name="Анна", birth_date=dt.date(2014, 1, 1)
    )
    token = "an-old-secret-token-of-forty-three-characters-xx"
    old.get_model("diary", "CalendarFeed").objects.create(
        school_id=school.pk, user_id=user.pk, student_id=student.pk, token=token
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    with triggers.suspended():
        executor.migrate(executor.loader.graph.leaf_nodes())
    feed = CalendarFeed.objects.get(student_id=student.pk)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    from diary import selectors

    assert selectors.feed_by_token(student.pk, token).pk == feed.pk
