"""Without the viewer's own diary consent the page says whose decision is missing, lists the
family's decisions, offers the consent form to print and the school office's hours."""

import datetime as dt

import pytest
from django.urls import reverse

from consent.models import Decision, Purpose
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_parent(cast):
    """A second parent of the child without consent, who has consented."""
    guardian = f.GuardianFactory(school=cast.school, last_name="Соколова", first_name="Анна")
    f.GuardianStudentFactory(school=cast.school, guardian=guardian, student=cast.pupil_no_consent)
    f.ConsentFactory(
        school=cast.school,
        guardian=guardian,
        student=cast.pupil_no_consent,
        purpose=Purpose.DIARY,
        decided_on=dt.date(2026, 9, 3),
    )
    return guardian


def test_the_page_says_whose_decision_is_missing(as_user, cast, other_parent):
    cast.school.office_hours = "Пн–Пт 9:00–17:00, каб. 101"
    cast.school.save(update_fields=["office_hours"])
    url = reverse("diary:marks", args=[cast.pupil_no_consent.pk])
    body = as_user(cast.guardian_without_consent).get(url).content.decode()
    assert "нет вашего согласия" in body
    decisions = body[body.index('data-testid="decisions"') :]
    decisions = decisions[: decisions.index("</ul>")]
    assert f"{other_parent.short_name}: согласие дано 03.09.2026" in decisions
    assert "(вы): решение не записано" in decisions
    assert "Пн–Пт 9:00–17:00, каб. 101" in body
    assert reverse("consent:my_form", args=[cast.pupil_no_consent.pk]) in body


def test_a_refusal_of_the_viewer_is_named(as_user, cast):
    f.ConsentFactory(
        school=cast.school,
        guardian=cast.guardian_without_consent.guardian,
        student=cast.pupil_no_consent,
        decision=Decision.REFUSAL,
        decided_on=dt.date(2026, 9, 2),
    )
    url = reverse("diary:current_week", args=[cast.pupil_no_consent.pk])
    body = as_user(cast.guardian_without_consent).get(url, follow=True).content.decode()
    assert "Вы отказались от электронного дневника 02.09.2026" in body


def test_a_parent_prints_the_form_for_their_own_child_only(as_user, cast):
    client = as_user(cast.guardian_without_consent)
    url = reverse("consent:my_form", args=[cast.pupil_no_consent.pk])
    # The form is built by a worker like every generated file: the parent is sent to its page.
    response = client.get(url)
    assert response.status_code == 302
    built = reverse("extracts:my_consent_form", args=[cast.pupil_no_consent.pk])
    assert response["Location"] == built
    assert client.get(f"{url}?variant=refusal")["Location"] == f"{built}?variant=refusal"
    assert client.get(built).status_code == 200
    assert client.post(url).status_code == 405
    assert client.get(reverse("consent:my_form", args=[cast.pupil.pk])).status_code == 404
    assert as_user(cast.student).get(url).status_code == 403
