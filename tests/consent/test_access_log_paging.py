"""The family's access log is paged (50 entries a page) and stacks on a phone."""

import pytest
from django.urls import reverse

from consent.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def test_the_access_log_is_paged_newest_first(as_user, cast):
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            school=cast.school, viewer=cast.class_teacher, student=cast.pupil, what=f"Запись {n}"
        )
        for n in range(120)
    )
    client = as_user(cast.guardian)
    url = reverse("consent:my_access_log")
    first = client.get(url).content.decode()
    assert first.count('data-label="Что"') == 50
    assert 'data-testid="pager"' in first and "Страница 1" in first and "?page=2" in first
    last = client.get(url, {"page": 3}).content.decode()
    assert last.count('data-label="Что"') == 20
    assert "?page=4" not in last and "?page=2" in last
    assert "Запись 0<" in last or "Запись 0</td>" in last
