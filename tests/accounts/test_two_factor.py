"""Two-factor sign-in: required for the school admin and the director (enrol at the next
sign-in, nothing else before), optional for teachers and deputy heads, one-time recovery
codes, a reset by another administrator that is itself recorded; the admin too."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, SecurityEvent, SecurityEventKind
from tests.signin import sign_in

RIGHT = "secret-pass-123"


def code_for(device, offset=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def password_sign_in(username, next_url="/"):
    client = Client()
    response = client.post(f"/login/?next={next_url}", {"username": username, "password": RIGHT})
    return client, response


@pytest.mark.parametrize("persona", ["school_admin", "director"])
def test_an_admin_or_director_is_sent_to_enrol_and_can_use_nothing_else(cast, persona):
    client, response = password_sign_in(persona)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_enrol"))
    for url in ("/", "/admin/", "/reports/statistics/", "/consent/", "/security/events/"):
        blocked = client.get(url)
        assert blocked.status_code == 302, url
        assert blocked.url.startswith(reverse("accounts:otp_enrol")), url
    assert client.get(reverse("accounts:otp_enrol")).status_code == 200


@pytest.mark.parametrize("persona", ["subject_teacher", "deputy_head"])
def test_teachers_and_deputy_heads_may_go_on_without(cast, persona):
    client, response = password_sign_in(persona)
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_families_are_not_offered_a_second_factor(as_user, cast):
    assert as_user(cast.guardian).get(reverse("accounts:otp_enrol")).status_code == 403


def enrol(client):
    page = client.get(reverse("accounts:otp_enrol")).content.decode()
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7=]+)<', page).group(1)
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("accounts:otp_enrol"), {"otp_token": code_for(device)})
    return secret, device, response


def test_enrolment_confirms_with_a_code_and_shows_recovery_codes_once(cast):
    client, _ = password_sign_in("school_admin")
    secret, device, response = enrol(client)
    assert response.status_code == 200
    codes = re.findall(r"<code>([A-Z0-9-]{29})</code>", response.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    # Only hashes are stored.
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not stored & set(codes)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.OTP_ENROLLED).exists()


def test_a_wrong_enrolment_code_is_refused(cast):
    client, _ = password_sign_in("director")
    client.get(reverse("accounts:otp_enrol"))
    response = client.post(reverse("accounts:otp_enrol"), {"otp_token": "000000x"})
    assert response.status_code == 400
    assert "Код неверен" in response.content.decode()
    assert client.get("/").status_code == 302


@pytest.fixture
def enrolled_admin(cast):
    device = TOTPDevice.objects.create(user=cast.school_admin, name="phone", confirmed=True)
    return device


def test_with_a_device_the_code_page_follows_the_password(cast, enrolled_admin):
    client, response = password_sign_in("school_admin", next_url="/admin/")
    assert response.url.startswith(reverse("accounts:otp_verify"))
    assert client.get("/admin/").status_code == 302
    response = client.post(response.url, {"otp_token": code_for(enrolled_admin), "next": "/admin/"})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_and_a_reused_code_are_refused(cast, enrolled_admin):
    client, response = password_sign_in("school_admin")
    verify = reverse("accounts:otp_verify")
    wrong = client.post(
        verify, {"otp_token": "123456" if code_for(enrolled_admin) != "123456" else "654321"}
    )
    assert wrong.status_code == 400
    time.sleep(1.1)  # django-otp's pause after a wrong code
    assert client.post(verify, {"otp_token": code_for(enrolled_admin)}).status_code == 302
    # The same code again, in a new sign-in: refused.
    again, _ = password_sign_in("school_admin")
    reused = again.post(verify, {"otp_token": code_for(enrolled_admin)})
    assert reused.status_code == 400
    assert "уже использован" in reused.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.OTP_FAILED).count() == 2


def test_a_recovery_code_works_once(cast, enrolled_admin):
    from accounts import twofactor

    codes = twofactor.recovery_codes_new(cast.school_admin)
    client, _ = password_sign_in("school_admin")
    verify = reverse("accounts:otp_verify")
    assert client.post(verify, {"otp_token": codes[0].lower()}).status_code == 302
    again, _ = password_sign_in("school_admin")
    assert again.post(verify, {"otp_token": codes[0]}).status_code == 400
    assert RecoveryCode.objects.count() == 9
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.OTP_RECOVERY_USED).exists()


def test_a_teacher_may_turn_an_optional_second_factor_on_and_off(cast):
    client, _ = password_sign_in("subject_teacher")
    enrol(client)
    assert TOTPDevice.objects.filter(user=cast.subject_teacher, confirmed=True).exists()
    response = client.post(reverse("accounts:two_factor"), {"action": "disable"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.subject_teacher).exists()


def test_the_director_cannot_turn_a_required_second_factor_off(as_user, cast):
    client = as_user(cast.director)
    response = client.post(reverse("accounts:two_factor"), {"action": "disable"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=cast.director, confirmed=True).exists()


def _reset(client, target):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [target.pk]},
    )


def test_another_admin_resets_a_lost_phone_and_it_is_recorded(as_user, cast):
    director_session = sign_in(Client(), cast.director)
    response = _reset(as_user(cast.school_admin), cast.director)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.director).exists()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.OTP_RESET)
    assert event.user == cast.director and event.actor == cast.school_admin
    # The director's sessions ended; at the next sign-in they enrol again.
    assert director_session.get("/").status_code == 302
    _client, response = password_sign_in("director")
    assert response.url.startswith(reverse("accounts:otp_enrol"))


def test_an_admin_cannot_reset_their_own_second_factor(as_user, cast):
    response = _reset(as_user(cast.school_admin), cast.school_admin)
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=cast.school_admin).exists()


def test_no_menu_is_shown_while_the_second_factor_is_owed(cast):
    client, _ = password_sign_in("director")
    body = client.get(reverse("accounts:otp_enrol")).content.decode()
    assert 'class="site-nav"' not in body
