"""The consent form's refusal variant (regulation 2.1 covers refusal), and no withdrawal
offered on a refusal row of the family page."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from consent.models import Decision, Purpose
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_form_has_a_refusal_variant(cast, link_of):
    link = link_of(cast.guardian, cast.pupil)
    context = {"link": link, "school": cast.school, "guardian": link.guardian}
    context.update(student=cast.pupil, contacts=[])
    consent = render_to_string("consent/print/consent_form.html", {**context, "refusal": False})
    refusal = render_to_string("consent/print/consent_form.html", {**context, "refusal": True})
    assert "Отказ от согласия" in refusal and "Отказ от согласия" not in consent
    assert "Что означает отказ" in refusal and "Срок действия" not in refusal


def test_a_refusal_row_offers_no_withdrawal(as_user, cast, link_of):
    refusal = f.ConsentFactory(
        school=cast.school,
        guardian=cast.guardian.guardian,
        student=cast.pupil,
        purpose=Purpose.SMS,
        decision=Decision.REFUSAL,
    )
    link = link_of(cast.guardian, cast.pupil)
    body = as_user(cast.school_admin).get(reverse("consent:family", args=[link.pk]))
    body = body.content.decode()
    assert reverse("consent:withdraw", args=[refusal.pk]) not in body
    assert 'data-testid="refusal-no-withdrawal"' in body
    assert "Бланк отказа (PDF)" in body
