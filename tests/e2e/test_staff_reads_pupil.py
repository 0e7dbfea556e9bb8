"""The office searches the consent register by a child's name and opens the child's marks;
the class teacher opens a homeroom pupil's week from the class's confirmations. Both pages are
read-only and pass axe (WCAG 2.1 AA) on a desktop and on a phone."""

import pytest

from tests import factories as f

from .a11y import check_page
from .conftest import loaded

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_office_finds_a_child_in_the_register_and_reads_the_marks(
    page, sign_in, live_server, cast
):
    f.MarkFactory(lesson=cast.lesson, student=cast.stranger_child, value="5")
    sign_in(page, "school_admin")
    page.goto(f"{live_server.url}/consent/")
    page.fill("#register-name", cast.stranger_child.last_name)
    page.get_by_role("button", name="Найти").click()
    rows = page.locator("table.consent-register tbody tr")
    assert rows.count() == 1
    rows.first.get_by_role("link", name=cast.stranger_child.full_name).click()
    assert page.get_by_test_id("read-only").is_visible()
    assert "Математика" in loaded(page)
    check_page(page, "office-pupil-marks", width=1280)


def test_the_class_teacher_opens_a_pupils_week_on_a_phone(phone, sign_in, live_server, cast):
    sign_in(phone, "class_teacher")
    phone.goto(f"{live_server.url}/diary/class/{cast.class_7a.pk}/acknowledgements/")
    phone.get_by_role("link", name=cast.pupil.full_name).click()
    assert phone.get_by_test_id("read-only").is_visible()
    assert phone.get_by_role("link", name="Отметки", exact=True).is_visible()
    check_page(phone, "class-teacher-pupil-week", width=360)
