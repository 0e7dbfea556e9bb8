"""Every user changes their own password; a forgotten one is reset by e-mail with a link that
expires, where the account has an e-mail; otherwise the page says how to get a new activation
code. Sessions end on a change and on a reset."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityEvent, SecurityEventKind
from tests.conftest import FROZEN_NOW
from tests.signin import sign_in

NEW = "Nov-parol-2026!"


def test_the_login_page_links_to_the_password_reset(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert "Забыли пароль?" in body
    assert reverse("accounts:password_reset") in body


@pytest.mark.parametrize("persona", ["guardian", "student", "subject_teacher", "director"])
def test_every_user_can_change_their_password(as_user, cast, persona):
    user = getattr(cast, persona)
    client = as_user(user)
    assert client.get(reverse("accounts:password_change")).status_code == 200
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "secret-pass-123", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, user=user).exists()


def test_a_wrong_old_password_is_a_russian_form_error(as_user, cast):
    response = as_user(cast.guardian).post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    assert "Ваш старый пароль введен неправильно" in response.content.decode()


def test_the_password_change_page_needs_a_sign_in(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def _reset_link(body: str) -> str:
    return re.search(r"https?://[^/]+(/password/reset/[^\s]+/)", body).group(1)


def test_a_reset_by_email_sets_a_new_password_and_ends_every_session(cast):
    cast.guardian.email = "mama@example.org"
    cast.guardian.save(update_fields=["email"])
    old_session = sign_in(Client(), cast.guardian)
    client = Client()
    response = client.post(reverse("accounts:password_reset"), {"email": "mama@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "новый пароль" in mail.outbox[0].subject.lower()
    link = _reset_link(mail.outbox[0].body)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    cast.guardian.refresh_from_db()
    assert cast.guardian.check_password(NEW)
    assert old_session.get(reverse("home")).status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET).exists()


def test_the_reset_link_expires(cast, clock, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    cast.guardian.email = "mama@example.org"
    cast.guardian.save(update_fields=["email"])
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "mama@example.org"})
    link = _reset_link(mail.outbox[0].body)
    clock.move_to(FROZEN_NOW + dt.timedelta(hours=2))
    body = client.get(link, follow=True).content.decode()
    assert "Ссылка больше не действует" in body


def test_without_an_email_the_page_explains_the_activation_code_route(client, cast):
    response = client.post(
        reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True
    )
    assert not mail.outbox
    body = response.content.decode()
    assert "код активации" in body
    assert reverse("consent:activate") in body


def test_password_reset_requests_are_rate_limited_by_address(cast, settings):
    settings.PASSWORD_RESET_RATE = "2/h"
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(2):
        client.post(reverse("accounts:password_reset"), {"email": "x@example.org"})
    assert (
        client.post(reverse("accounts:password_reset"), {"email": "x@example.org"}).status_code
        == 429
    )
