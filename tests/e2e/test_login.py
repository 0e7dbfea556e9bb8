"""A person signs in in a real browser and lands on their home page."""

import pytest

from .conftest import loaded

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_guardian_signs_in_on_a_phone_and_sees_their_child(phone, sign_in, cast):
    sign_in(phone, "guardian")
    assert phone.locator("h1").inner_text().startswith("Здравствуйте")
    assert cast.pupil.full_name in loaded(phone)
    # Readable at 360 px without horizontal scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_wrong_password_shows_a_russian_error(page, sign_in, cast):
    sign_in(page, "guardian", password="wrong")
    assert "Пожалуйста, введите правильные" in page.locator(".form-errors").inner_text()
