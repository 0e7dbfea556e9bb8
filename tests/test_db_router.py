"""The database router's rules (ednevnik/db_router.py); the replica itself is exercised on a
real streaming replica in tests/replica."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from ednevnik import db_router
from journal.models import Mark

router = db_router.ReplicaRouter()


@pytest.fixture
def replica_request():
    token = db_router._reading_replica.set(True)
    yield
    db_router._reading_replica.reset(token)


def test_outside_a_family_read_everything_is_on_the_primary():
    assert router.db_for_read(Mark) == "default"
    assert router.db_for_write(Mark) == "default"
    assert router.allow_migrate("replica", "journal") is False
    assert router.allow_migrate("default", "journal") is True


def test_a_family_read_goes_to_the_replica_but_never_accounts_or_sessions(replica_request):
    assert router.db_for_read(Mark) == "replica"
    assert router.db_for_read(User) == "default"
    assert router.db_for_write(Mark) == "default"


@pytest.mark.django_db
def test_inside_a_transaction_reads_stay_on_the_primary(replica_request):
    with transaction.atomic():
        assert router.db_for_read(Mark) == "default"


def test_without_a_replica_nothing_is_pinned(as_user, cast):
    client = as_user(cast.guardian)
    monday = cast.today - dt.timedelta(days=cast.today.weekday())
    response = client.post(reverse("diary:acknowledge_week", args=[cast.pupil.pk, monday]))
    assert response.status_code == 302
    assert db_router.PIN_COOKIE not in response.cookies
    assert client.get(reverse("diary:week", args=[cast.pupil.pk, monday])).status_code == 200
