"""A teacher sets the finals of a class in a real browser: the suggestion is shown, a different
mark without a reason is refused in Russian, with a reason it is saved."""

import pytest

from journal.models import FinalMark
from tests.reports.helpers import give_marks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_teacher_sets_finals_with_a_reason_for_a_different_mark(page, sign_in, cast, live_server):
    give_marks(cast, cast.pupil, [("5", cast.answer), ("5", cast.control)])
    sign_in(page, "subject_teacher")
    page.goto(
        f"{live_server.url}/reports/finals/{cast.class_7a.pk}/{cast.math.pk}/{cast.period.pk}/"
    )
    row = page.locator(f'tr[data-student="{cast.pupil.pk}"]')
    assert row.locator(".suggested").inner_text() == "5"
    row.locator("select").select_option("4")
    page.click("text=Сохранить итоговые отметки")
    assert (
        "отличается от предложенной 5"
        in page.locator(f'tr[data-student="{cast.pupil.pk}"]').inner_text()
    )
    assert not FinalMark.objects.exists()
    row = page.locator(f'tr[data-student="{cast.pupil.pk}"]')
    row.locator("select").select_option("4")
    row.locator("input[type=text]").fill("Не сдал зачёт")
    page.click("text=Сохранить итоговые отметки")
    assert "Сохранено итоговых отметок: 1" in page.locator(".messages").inner_text()
    assert FinalMark.objects.get().value == "4"
