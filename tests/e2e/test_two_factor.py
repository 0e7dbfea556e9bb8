"""A school administrator enrols a second factor in a real browser (the test plays the
authenticator app with the secret the page shows), signs out, and signs in again with a code;
a wrong code and a reused code are refused."""

import time

import pytest

from tests.e2e.conftest import totp_code

from .conftest import loaded

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def password(page, live_server, username="school_admin", password="secret-pass-123"):
    page.goto(f"{live_server.url}/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def submit_code(page, code, button="Подтвердить"):
    page.fill("#id_otp_token", code)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state("networkidle")


def test_an_admin_enrols_signs_out_and_signs_in_with_a_code(page, live_server, cast):
    password(page, live_server)
    assert "/two-factor/enrol/" in page.url  # required: nothing else before enrolment
    page.goto(f"{live_server.url}/admin/")
    assert "/two-factor/enrol/" in page.url
    secret = page.get_by_test_id("otp-secret").inner_text()
    assert page.locator('img[src^="data:image/svg+xml"]').count() == 1

    used = totp_code(secret)
    submit_code(page, used, button="Включить")
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Продолжить").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/admin/")

    page.get_by_role("button", name="Выйти").first.click()
    page.wait_for_load_state("networkidle")

    password(page, live_server)
    assert "/two-factor/verify/" in page.url
    window = {totp_code(secret, offset) for offset in range(-2, 4)}
    wrong = next(c for c in (f"{n:06d}" for n in range(100000, 999999, 7919)) if c not in window)
    submit_code(page, wrong)
    assert "Код неверен или уже использован" in loaded(page)
    assert "/two-factor/verify/" in page.url
    time.sleep(1.2)  # the pause django-otp keeps after a wrong code
    submit_code(page, used)  # the code the enrolment already used
    assert "Код неверен или уже использован" in loaded(page)
    time.sleep(2.2)
    submit_code(page, totp_code(secret, 1))
    assert page.url.endswith("/admin/")
    assert "Электронный дневник" in loaded(page)
