"""On a phone the journal grid opens on the column being filled, not on the period's first day."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_grid_opens_scrolled_to_the_editing_column_on_a_phone(
    phone, sign_in, cast, live_server
):
    for days_ago in range(1, 15):
        f.LessonFactory(
            school=cast.school,
            class_group=cast.class_7a,
            subject=cast.math,
            teacher=cast.subject_teacher.teacher,
            date=cast.today - dt.timedelta(days=days_ago),
            lesson_number=3,
            work_type=cast.answer,
        )
    sign_in(phone, "subject_teacher")
    url = reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk])
    phone.goto(f"{live_server.url}{url}")
    box = phone.locator(".journal-grid .is-editing").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 360
    assert phone.get_by_test_id(f"mark-{cast.pupil.pk}").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
