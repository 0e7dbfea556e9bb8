"""A guardian of two children uses the diary on a phone: switches child, opens the week, taps a
mark for its details and confirms the week («Ознакомлен»)."""

import datetime as dt

import pytest

from diary.models import WeekAcknowledgement
from tests import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_guardian_of_two_reads_a_childs_week_on_a_phone(phone, sign_in, live_server, cast):
    monday = cast.today - dt.timedelta(days=cast.today.weekday())
    lesson = f.LessonFactory(
        school=cast.school,
        class_group=cast.class_5b,
        subject=cast.math,
        teacher=cast.other_teacher.teacher,
        date=monday,
        lesson_number=1,
        work_type=cast.control,
        topic="Дроби",
    )
    mark = f.MarkFactory(
        lesson=lesson, student=cast.sibling_5b, value="4", comment="Ошибка в задаче № 3"
    )

    sign_in(phone, "guardian_of_two")
    phone.get_by_role("link", name="Дневник", exact=True).click()
    # The child switcher: both children, pick the first.
    phone.get_by_test_id(f"child-{cast.sibling_7a.pk}").click()
    phone.wait_for_url(f"**/diary/{cast.sibling_7a.pk}/week/**")
    assert cast.sibling_7a.first_name in phone.locator("h1").inner_text()

    # Switch to the other child from the week page.
    phone.get_by_test_id(f"child-{cast.sibling_5b.pk}").click()
    phone.wait_for_url(f"**/diary/{cast.sibling_5b.pk}/week/{monday:%Y-%m-%d}/")
    assert cast.sibling_5b.first_name in phone.locator("h1").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # The week opens on today; the mark is Monday's: the day tab shows that day.
    phone.get_by_test_id(f"day-tab-{monday:%Y%m%d}").tap()
    phone.wait_for_url(f"**?day={monday.isoformat()}")
    # Tap the mark: its details open without JavaScript (a <details> element).
    details = phone.get_by_test_id(f"mark-{mark.pk}")
    assert not details.locator("dl").is_visible()
    details.locator("summary").tap()
    assert details.locator("dl").is_visible()
    text = details.locator("dl").inner_text()
    assert "Контрольная работа" in text and "Ошибка в задаче № 3" in text
    assert cast.other_teacher.short_name in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # The keyboard works too: Enter on the focused summary closes it again.
    details.locator("summary").focus()
    phone.keyboard.press("Enter")
    assert not details.locator("dl").is_visible()

    # Sign the week.
    phone.get_by_test_id("acknowledge").click()
    phone.get_by_test_id("acknowledged").wait_for()
    assert WeekAcknowledgement.objects.filter(
        student=cast.sibling_5b, guardian__user=cast.guardian_of_two, week_start=monday
    ).exists()
