"""The deputy head's pages in a browser: the index of class journals, filling control and the
substitute picker; no sideways scrolling on a phone, no serious or critical axe violation."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f

from .a11y import check_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def busy_and_unfilled(cast):
    """The class teacher gives a lesson in 5 «Б» at the cast's lesson's period; a week of the
    other teacher's lessons without topics."""
    f.LessonFactory(
        school=cast.school,
        class_group=cast.class_5b,
        subject=cast.russian,
        teacher=cast.class_teacher.teacher,
        date=cast.lesson.date,
        lesson_number=cast.lesson.lesson_number,
    )
    for n in range(5):
        f.LessonFactory(
            school=cast.school,
            class_group=cast.class_5b,
            subject=cast.math,
            teacher=cast.other_teacher.teacher,
            date=cast.today - dt.timedelta(days=n + 1),
            lesson_number=1,
            topic="",
        )


def test_the_deputy_heads_pages_on_a_desktop(page, sign_in, cast, live_server, busy_and_unfilled):
    sign_in(page, "deputy_head")
    page.goto(f"{live_server.url}{reverse('journal:journals_index')}")
    assert page.get_by_role("link", name="Журналы классов").first.is_visible()
    check_page(page, "leaders-journals-index", width=1280)
    page.get_by_role("link", name="5 «Б»").first.click()
    assert page.url.endswith(f"#class-{cast.class_5b.pk}")

    page.goto(f"{live_server.url}{reverse('journal:control')}")
    check_page(page, "leaders-filling-control", width=1280)
    page.select_option("#id_klass", label="5 «Б»")
    page.click("[data-testid=control-filters] button[type=submit]")
    page.wait_for_load_state("networkidle")
    # 5 «Б»: the other teacher's mathematics and the class teacher's Russian.
    teachers = page.get_by_test_id("control-teacher")
    assert teachers.count() == 2
    assert "7 «А»" not in page.get_by_test_id("control").inner_text()
    assert page.locator(".filling--bad").count() >= 1

    page.goto(f"{live_server.url}{reverse('journal:lesson', args=[cast.lesson.pk])}")
    busy = page.locator(f"#id_teacher option[value='{cast.class_teacher.teacher.pk}']")
    assert busy.is_disabled()
    check_page(page, "leaders-lesson-picker", width=1280)
    page.select_option("#id_teacher", value=str(cast.other_teacher.teacher.pk))
    page.get_by_role("button", name="Сохранить замену").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Замена сохранена").is_visible()


def test_the_index_and_filling_control_on_a_phone(
    phone, sign_in, cast, live_server, busy_and_unfilled
):
    sign_in(phone, "director")
    phone.goto(f"{live_server.url}{reverse('journal:journals_index')}")
    check_page(phone, "leaders-journals-index-phone", width=360)
    phone.goto(f"{live_server.url}{reverse('journal:control')}")
    check_page(phone, "leaders-filling-control-phone", width=360)
