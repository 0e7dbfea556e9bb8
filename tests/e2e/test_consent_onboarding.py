"""The office issues a parent's account; the parent activates it on a phone and enters their
own phone number, which is recorded as entered in their account."""

import pytest

from consent.models import ContactPoint, ContactSource
from school.models import Guardian, GuardianStudent

from .conftest import loaded

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_issue_activate_and_enter_a_contact(page, phone, sign_in, live_server, cast):
    guardian = Guardian.objects.create(
        school=cast.school, last_name="Кузнецова", first_name="Ольга", patronymic="Петровна"
    )
    link = GuardianStudent.objects.create(
        school=cast.school, guardian=guardian, student=cast.pupil, relation="mother"
    )
    sign_in(page, "school_admin")
    page.goto(f"{live_server.url}/consent/family/{link.pk}/")
    page.get_by_role("button", name="Выдать код активации").click()
    code = page.get_by_test_id("code").inner_text()
    username = page.get_by_test_id("username").inner_text()

    # The sheet gives the address; the parent types the code.
    phone.goto(f"{live_server.url}/consent/activate/")
    phone.fill("#id_code", code)
    phone.fill("#id_password1", "Рябина-осень-2026")
    phone.fill("#id_password2", "Рябина-осень-2026")
    phone.get_by_role("button", name="Установить пароль").click()
    assert "Пароль установлен" in loaded(phone)
    sign_in(phone, username, password="Рябина-осень-2026")

    phone.goto(f"{live_server.url}/consent/my/contacts/")
    phone.select_option("#id_kind", "phone")
    phone.fill("#id_value", "8 900 765-43-21")
    phone.get_by_role("button", name="Сохранить контакт").click()
    assert "+7 900 765-43-21" in loaded(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    contact = ContactPoint.objects.get(guardian=guardian)
    assert (contact.source, contact.recorded_by.username) == (ContactSource.ACCOUNT, username)
