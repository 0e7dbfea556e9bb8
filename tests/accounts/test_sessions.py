"""Sessions end after a period without requests (a working day for staff, longer for
families), and every other session of an account ends when its password changes."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.conftest import FROZEN_NOW
from tests.signin import sign_in


def test_a_staff_session_ends_after_a_working_day_without_requests(as_user, cast, clock, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 10 * 3600
    client = as_user(cast.subject_teacher)
    assert client.get(reverse("journal:home")).status_code == 200
    clock.move_to(FROZEN_NOW + dt.timedelta(hours=10, minutes=5))
    response = client.get(reverse("journal:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_a_staff_session_in_use_stays_open(as_user, cast, clock, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 10 * 3600
    client = as_user(cast.subject_teacher)
    for hours in (4, 8, 12, 16):
        clock.move_to(FROZEN_NOW + dt.timedelta(hours=hours))
        assert client.get(reverse("journal:home")).status_code == 200


def test_a_family_session_lasts_longer_than_a_staff_one(as_user, cast, clock, settings):
    settings.FAMILY_SESSION_IDLE_SECONDS = 30 * 24 * 3600
    client = as_user(cast.guardian)
    clock.move_to(FROZEN_NOW + dt.timedelta(days=3))
    assert client.get(reverse("home")).status_code == 200
    clock.move_to(FROZEN_NOW + dt.timedelta(days=3 + 31))
    assert client.get(reverse("home")).status_code == 302


def test_the_stored_session_expires_with_the_idle_time(as_user, cast, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 10 * 3600
    client = as_user(cast.subject_teacher)
    client.get(reverse("journal:home"))
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - FROZEN_NOW
    assert dt.timedelta(hours=9) < remaining <= dt.timedelta(hours=10, minutes=1)


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(cast):
    elsewhere = sign_in(Client(), cast.guardian)
    here = sign_in(Client(), cast.guardian)
    response = here.post(
        reverse("accounts:password_change"),
        {
            "old_password": "secret-pass-123",
            "new_password1": "Nov-parol-2026!",
            "new_password2": "Nov-parol-2026!",
        },
    )
    assert response.status_code == 302
    assert here.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home")).status_code == 302
    user_sessions = [
        s
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(cast.guardian.pk)
    ]
    assert len(user_sessions) == 1
