"""Activation attempts are rate-limited by address and by code; the printed sheet gives the
address without the code (the family types it)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityEvent, SecurityEventKind
from consent.services import account_issue
from school.models import Guardian, GuardianStudent


@pytest.fixture(autouse=True)
def limits(settings):
    settings.ACTIVATION_RATE_PER_ADDRESS = "5/h"
    settings.ACTIVATION_RATE_PER_CODE = "3/h"


@pytest.fixture
def issued(cast):
    guardian = Guardian.objects.create(
        school=cast.school, last_name="Кузнецова", first_name="Ольга"
    )
    GuardianStudent.objects.create(
        school=cast.school, guardian=guardian, student=cast.pupil, relation="mother"
    )
    return account_issue(issued_by=cast.school_admin, guardian=guardian)


def post(client, code, password="Рябина-осень-2026"):
    return client.post(
        reverse("consent:activate"), {"code": code, "password1": password, "password2": password}
    )


def test_guessing_codes_from_one_address_is_stopped(cast, issued):
    _activation, code = issued
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(5):
        assert post(guesser, f"AAAA-BBBB-{number:04d}").status_code == 400
    response = post(guesser, code)  # even the right code, once the address is over its limit
    assert response.status_code == 429
    assert "Слишком много попыток" in response.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ACTIVATION_FAILED).exists()


def test_one_code_tried_from_many_addresses_is_stopped(cast, issued):
    _activation, code = issued
    for number in range(3):
        post(Client(REMOTE_ADDR=f"203.0.113.{number + 1}"), code, password="short")
    response = post(Client(REMOTE_ADDR="198.51.100.7"), code)
    assert response.status_code == 429


def test_a_family_within_the_limits_activates(cast, issued):
    _activation, code = issued
    response = post(Client(REMOTE_ADDR="198.51.100.7"), code)
    assert response.status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ACTIVATION).exists()


def test_the_printed_sheet_has_no_code_in_any_address(as_user, cast, issued):
    guardian = Guardian.objects.get(last_name="Кузнецова")
    link = GuardianStudent.objects.get(guardian=guardian)
    response = as_user(cast.school_admin).post(reverse("consent:account_issue", args=[link.pk]))
    body = response.content.decode()
    code = response.context["code"]
    assert code in body  # printed for the family to type
    assert "?code=" not in body
    assert f"/consent/activate/?code={code}" not in body
    assert reverse("consent:activate") in body


def test_a_code_in_the_address_is_not_taken(client, cast, issued):
    _activation, code = issued
    response = client.get(reverse("consent:activate"), {"code": code})
    assert not response.context["form"]["code"].value()
    assert f'value="{code}"' not in response.content.decode()
