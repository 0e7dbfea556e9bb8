"""A teacher fills a lesson column in a real browser: marks, an absence, save, reload."""

import re

import pytest
from django.urls import reverse

from .conftest import loaded

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_teacher_enters_marks_and_an_absence_and_sees_them_after_reload(
    page, sign_in, cast, live_server
):
    sign_in(page, "subject_teacher")
    page.goto(f"{live_server.url}{reverse('journal:home')}")
    page.get_by_role("link", name=re.compile("7 «А» — Математика")).click()
    page.wait_for_load_state("networkidle")
    grid = page.get_by_test_id("journal-grid")
    assert grid.is_visible()

    # Type a mark, press Enter to move to the next student (journal.js), type the next.
    first = page.get_by_test_id(f"mark-{cast.sibling_7a.pk}")
    first.fill("5")
    first.press("Enter")
    focused = page.evaluate("document.activeElement.name")
    assert focused.startswith("mark-")
    page.get_by_test_id(f"mark-{cast.pupil_no_consent.pk}").fill("4/3")
    page.get_by_test_id(f"mark-{cast.pupil.pk}").fill("")
    page.get_by_test_id(f"att-{cast.pupil.pk}").select_option("absent")
    page.get_by_test_id("save-column").click()
    page.wait_for_load_state("networkidle")
    assert "Сохранено изменений: 4" in loaded(page)

    page.reload()
    assert page.get_by_test_id(f"mark-{cast.sibling_7a.pk}").input_value() == "5"
    assert page.get_by_test_id(f"mark-{cast.pupil_no_consent.pk}").input_value() == "4/3"
    assert page.get_by_test_id(f"att-{cast.pupil.pk}").input_value() == "absent"


def test_a_bad_mark_is_shown_in_russian_and_nothing_is_saved_on_a_phone(
    phone, sign_in, cast, live_server
):
    page = phone
    sign_in(page, "subject_teacher")
    page.goto(
        f"{live_server.url}{reverse('journal:grid_class', args=[cast.class_7a.pk, cast.math.pk])}"
    )
    page.get_by_test_id(f"mark-{cast.pupil.pk}").fill("6")
    page.get_by_test_id("save-column").click()
    page.wait_for_load_state("networkidle")
    errors = page.get_by_test_id("grid-errors").inner_text()
    assert "Ничего не сохранено" in errors
    assert cast.pupil.last_name in errors
    # The grid scrolls inside its frame; the page itself stays 360 px wide.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert not cast.lesson.marks.exists()
