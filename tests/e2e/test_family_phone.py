"""The family on a phone (390 × 844): the parent's home, the week opening on today with a day
at a time, the diary's sections all in view, marks; no sideways scrolling, no serious or
critical accessibility violation (axe), and the week works from the keyboard alone."""

import datetime as dt

import pytest

from diary.models import WeekAcknowledgement
from tests import factories as f

from .a11y import check_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def iphone(request, browser):
    from .conftest import _page_fixture

    yield from _page_fixture(
        request,
        browser,
        viewport={"width": WIDTH, "height": 844},
        has_touch=True,
        is_mobile=True,
    )


@pytest.fixture
def school_week(cast):
    """Lessons on each day of the current week of 7 «А», a mark today and a remark."""
    monday = cast.today - dt.timedelta(days=cast.today.weekday())
    lessons = {}
    for offset in range(5):
        day = monday + dt.timedelta(days=offset)
        lessons[day] = f.LessonFactory(
            school=cast.school,
            class_group=cast.class_7a,
            subject=cast.math,
            teacher=cast.subject_teacher.teacher,
            date=day,
            lesson_number=1,
            topic=f"Тема дня {day:%d.%m}",
        )
    mark = f.MarkFactory(lesson=lessons[cast.today], student=cast.pupil, value="5")
    return monday, lessons, mark


def test_the_parents_home_and_week_on_a_phone(iphone, sign_in, live_server, cast, school_week):
    monday, lessons, mark = school_week
    sign_in(iphone, "guardian")
    # Home: what is new for the child, no sideways scrolling, accessible.
    iphone.goto(f"{live_server.url}/")
    check_page(iphone, "family-home", width=WIDTH)

    iphone.goto(f"{live_server.url}/diary/{cast.pupil.pk}/")
    iphone.wait_for_url(f"**/diary/{cast.pupil.pk}/week/{monday:%Y-%m-%d}/")
    # Opens on today: only today's lessons are shown, with the mark.
    assert iphone.get_by_text(f"Тема дня {cast.today:%d.%m}").is_visible()
    yesterday = cast.today - dt.timedelta(days=1)
    assert not iphone.get_by_text(f"Тема дня {yesterday:%d.%m}").is_visible()
    assert iphone.get_by_test_id(f"mark-{mark.pk}").is_visible()
    # «Ознакомлен» and every diary section are on the first screen.
    for locator in (
        iphone.get_by_test_id("acknowledge"),
        iphone.get_by_role("link", name="Замечания"),
        iphone.get_by_role("link", name="Календарь"),
        iphone.get_by_test_id(f"day-tab-{monday:%Y%m%d}"),
    ):
        box = locator.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 844, locator
    check_page(iphone, "family-week-today", width=WIDTH)

    # The previous day by tapping.
    iphone.get_by_test_id("previous-day").tap()
    iphone.wait_for_url(f"**?day={yesterday.isoformat()}")
    assert iphone.get_by_text(f"Тема дня {yesterday:%d.%m}").is_visible()
    assert not iphone.get_by_text(f"Тема дня {cast.today:%d.%m}").is_visible()
    check_page(iphone, "family-week-yesterday", width=WIDTH)

    # Marks of the period.
    iphone.get_by_role("link", name="Отметки", exact=True).tap()
    iphone.wait_for_url("**/marks/")
    check_page(iphone, "family-marks", width=WIDTH)


def test_the_week_works_from_the_keyboard_alone(iphone, sign_in, live_server, cast, school_week):
    monday, lessons, mark = school_week
    sign_in(iphone, "guardian")
    iphone.goto(f"{live_server.url}/diary/{cast.pupil.pk}/week/{monday:%Y-%m-%d}/")

    def tab_to(test_id: str, limit: int = 60):
        for _ in range(limit):
            iphone.keyboard.press("Tab")
            if iphone.evaluate("document.activeElement.dataset.testid") == test_id:
                return
        raise AssertionError(f"{test_id} is not reachable with Tab")

    # To Monday's tab, Enter: Monday's lessons.
    tab_to(f"day-tab-{monday:%Y%m%d}")
    with iphone.expect_navigation():
        iphone.keyboard.press("Enter")
    assert iphone.url.endswith(f"?day={monday.isoformat()}")
    assert iphone.get_by_text(f"Тема дня {monday:%d.%m}").is_visible()
    # Back to today through "next day" twice, then sign the week with the keyboard.
    for _ in range(2):
        tab_to("next-day")
        with iphone.expect_navigation():
            iphone.keyboard.press("Enter")
    assert iphone.get_by_text(f"Тема дня {cast.today:%d.%m}").is_visible()
    tab_to("acknowledge")
    iphone.keyboard.press("Enter")
    iphone.get_by_test_id("acknowledged").wait_for()
    assert WeekAcknowledgement.objects.filter(
        student=cast.pupil, guardian__user=cast.guardian, week_start=monday
    ).exists()


def test_the_access_log_fits_a_phone(iphone, sign_in, live_server, cast):
    from consent.models import AccessLogEntry

    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            school=cast.school,
            viewer=cast.class_teacher,
            student=cast.pupil,
            what=f"Дневник: отметки за 2-ю четверть, запись номер {n} с длинным описанием",
        )
        for n in range(60)
    )
    sign_in(iphone, "guardian")
    iphone.goto(f"{live_server.url}/consent/my/access-log/")
    assert iphone.get_by_test_id("pager").is_visible()
    check_page(iphone, "family-access-log", width=WIDTH)


def test_the_consent_register_is_accessible(page, sign_in, live_server, cast):
    sign_in(page, "school_admin")
    page.goto(f"{live_server.url}/consent/")
    check_page(page, "consent-register", width=1280)
