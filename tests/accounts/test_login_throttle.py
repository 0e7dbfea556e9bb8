"""Login throttling (django-axes): one throttle for the site and the admin, counted per login
and client address together, with a growing pause and an alert to the account's owner; the
client address comes from the trusted proxies only."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityEvent, SecurityEventKind

LOGIN = "/login/"
RIGHT = "secret-pass-123"


@pytest.fixture(autouse=True)
def limit(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 60


def attempt(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    for _ in range(times):
        attempt(client, username, "wrong", **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- One login path ----------------------------------------------------------------------------


def test_the_admin_login_page_is_the_sites_login(client, cast):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "next=%2Fadmin%2F" in response.url


def test_a_password_posted_to_the_admin_login_signs_nobody_in(client, cast):
    response = client.post("/admin/login/", {"username": "school_admin", "password": RIGHT})
    assert response.status_code == 302
    assert not signed_in(client)


def test_failures_on_the_way_to_the_admin_pause_the_admin_login_too(client, cast):
    fail(client, "school_admin", 3)
    response = client.post(f"{LOGIN}?next=/admin/", {"username": "school_admin", "password": RIGHT})
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_admin_index_sends_a_visitor_to_the_one_login(client, cast):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))


# --- Per login AND address ------------------------------------------------------------------


def test_a_guesser_elsewhere_does_not_lock_the_owner_out(cast):
    attacker, owner = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="198.51.100.7")
    fail(attacker, "guardian", 5)
    assert attempt(attacker, "guardian", RIGHT).status_code == 429
    response = attempt(owner, "guardian", RIGHT)
    assert response.status_code == 302
    assert signed_in(owner)


def test_many_failures_from_one_address_never_hard_lock_a_correct_password_of_another_login(
    cast,
):
    shared = Client(REMOTE_ADDR="192.0.2.10")  # a school's NAT: many people, one address
    fail(shared, "student", 5)
    colleague = Client(REMOTE_ADDR="192.0.2.10")
    assert attempt(colleague, "guardian", RIGHT).status_code == 302


def test_the_attackers_own_success_does_not_reset_the_count_on_the_victim(cast):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    fail(attacker, "guardian", 2)
    attempt(attacker, "stranger", RIGHT)  # the attacker's own account
    attacker.post(reverse("accounts:logout"))
    fail(attacker, "guardian", 1)
    assert attempt(attacker, "guardian", RIGHT).status_code == 429


def test_the_owners_success_resets_only_their_own_count(cast):
    owner = Client(REMOTE_ADDR="198.51.100.7")
    fail(owner, "guardian", 2)
    assert attempt(owner, "guardian", RIGHT).status_code == 302
    owner.post(reverse("accounts:logout"))
    fail(owner, "guardian", 2)
    assert attempt(owner, "guardian", RIGHT).status_code == 302


# --- Back-off and the alert -----------------------------------------------------------------


def test_a_pause_ends_by_itself_and_the_next_one_lasts_longer(cast, clock):
    import datetime as dt

    from tests.conftest import FROZEN_NOW

    guesser = Client(REMOTE_ADDR="203.0.113.9")
    fail(guesser, "guardian", 3)
    assert attempt(guesser, "guardian", RIGHT).status_code == 429
    clock.move_to(FROZEN_NOW + dt.timedelta(seconds=70))
    assert attempt(guesser, "guardian", RIGHT).status_code == 302  # not a hard lock
    guesser.post(reverse("accounts:logout"))
    fail(guesser, "guardian", 3)  # the second pause: twice as long
    clock.move_to(FROZEN_NOW + dt.timedelta(seconds=70 + 70))
    assert attempt(guesser, "guardian", RIGHT).status_code == 429
    clock.move_to(FROZEN_NOW + dt.timedelta(seconds=70 + 70 + 130))
    assert attempt(guesser, "guardian", RIGHT).status_code == 302


def test_the_page_says_how_long_to_wait_in_russian(cast):
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    fail(guesser, "guardian", 3)
    body = attempt(guesser, "guardian", RIGHT).content.decode()
    assert "Слишком много неудачных попыток" in body and "1 мин" in body


def test_the_owner_is_told_by_email_and_a_security_event_is_written(
    cast, django_capture_on_commit_callbacks
):
    cast.guardian.email = "mama@example.org"
    cast.guardian.save(update_fields=["email"])
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    with django_capture_on_commit_callbacks(execute=True):
        fail(guesser, "guardian", 5)  # three to pause, two more during the pause: one alert
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mama@example.org"]
    assert "203.0.113.9" in mail.outbox[0].body
    events = SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKOUT, username="guardian")
    assert events.count() == 1
    assert events.get().ip_address == "203.0.113.9"
    assert events.get().school_id == cast.school.pk


def test_an_account_without_email_gets_the_security_event_only(cast):
    fail(Client(REMOTE_ADDR="203.0.113.9"), "student", 3)
    assert not mail.outbox
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKOUT).count() == 1


# --- The client address behind the proxy ------------------------------------------------------


def test_without_trusted_proxies_a_forwarded_header_is_ignored(cast, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    spoofing = Client(REMOTE_ADDR="203.0.113.9")
    for forged in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        attempt(spoofing, "guardian", "wrong", HTTP_X_FORWARDED_FOR=forged)
    # Three different forged addresses still count as the one real peer.
    assert attempt(spoofing, "guardian", RIGHT, HTTP_X_FORWARDED_FOR="10.0.0.4").status_code == 429


def test_behind_one_trusted_proxy_the_rightmost_forwarded_address_is_the_client(cast, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    spoofer = Client(**proxy)
    # The client wrote "1.1.1.1" itself; the proxy appended the real address.
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        attempt(spoofer, "guardian", "wrong", HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.9")
    assert (
        attempt(spoofer, "guardian", RIGHT, HTTP_X_FORWARDED_FOR="4.4.4.4, 203.0.113.9").status_code
        == 429
    )


def test_a_peer_outside_the_proxies_networks_is_not_believed(cast, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    direct = Client(REMOTE_ADDR="203.0.113.9")
    for forged in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        attempt(direct, "guardian", "wrong", HTTP_X_FORWARDED_FOR=forged)
    assert (
        attempt(direct, "guardian", RIGHT, HTTP_X_FORWARDED_FOR="198.51.100.4").status_code == 429
    )


def test_under_production_settings_one_clients_failures_do_not_lock_out_another(cast, settings):
    """Production behind the README's proxy: TLS ends at the proxy (X-Forwarded-Proto), which
    appends the client to X-Forwarded-For; every request reaches Django from the proxy."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    via_proxy = {"REMOTE_ADDR": "172.18.0.5", "HTTP_X_FORWARDED_PROTO": "https"}
    guesser = Client(**via_proxy)
    owner = Client(**via_proxy)
    fail(guesser, "guardian", 6, HTTP_X_FORWARDED_FOR="203.0.113.9", secure=True)
    assert (
        attempt(
            guesser, "guardian", RIGHT, HTTP_X_FORWARDED_FOR="203.0.113.9", secure=True
        ).status_code
        == 429
    )
    response = attempt(owner, "guardian", RIGHT, HTTP_X_FORWARDED_FOR="198.51.100.7", secure=True)
    assert response.status_code == 302
    assert "__Host-sessionid" in response.cookies
