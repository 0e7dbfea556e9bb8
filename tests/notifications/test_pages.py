"""The guardian's settings page, the one-click unsubscribe and the delivery log."""

import pytest
from django.urls import reverse

from consent.models import Consent, Purpose
from notifications.links import unsubscribe_token
from notifications.models import Mode, OutboxMessage, Preference
from notifications.services import outbox_enqueue

SETTINGS = "/notifications/settings/"
LOG = "/notifications/log/"


def test_a_guardian_sees_the_school_defaults_and_changes_them(as_user, cast, family, policy):
    page = as_user(cast.guardian).get(SETTINGS)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Уведомления" in html and "вечерняя сводка; срочное — сразу" in html
    key = f"{cast.pupil.pk}"
    response = as_user(cast.guardian).post(
        SETTINGS,
        {f"mode-{key}-sms": "off", f"mode-{key}-email": "instant", f"weekly-{key}-email": "on"},
    )
    assert response.status_code == 302
    prefs = {p.channel: (p.mode, p.weekly) for p in Preference.objects.filter(guardian=family)}
    assert prefs == {"sms": (Mode.OFF, False), "email": (Mode.INSTANT, True)}


def test_a_bad_mode_is_refused_in_russian_and_nothing_is_saved(as_user, cast, family):
    key = f"{cast.pupil.pk}"
    response = as_user(cast.guardian).post(
        SETTINGS, {f"mode-{key}-sms": "always", f"mode-{key}-email": "instant"}
    )
    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.content.decode()
    assert not Preference.objects.exists()


def test_a_guardian_of_two_sets_each_child(as_user, cast):
    page = as_user(cast.guardian_of_two).get(SETTINGS).content.decode()
    assert cast.sibling_7a.first_name in page and cast.sibling_5b.first_name in page
    assert cast.pupil.first_name not in page.split("<form")[1]


def test_the_settings_page_is_for_guardians_only(as_user, cast, client):
    assert as_user(cast.subject_teacher).get(SETTINGS).status_code == 403
    assert as_user(cast.school_admin).get(SETTINGS).status_code == 403
    assert client.logout() is None
    assert client.get(SETTINGS).status_code == 302  # to the login page
    assert as_user(cast.guardian).put(SETTINGS).status_code == 405


def test_the_settings_page_queries_do_not_grow_with_children(
    as_user, cast, django_assert_max_num_queries
):
    signed_in = as_user(cast.guardian_of_two)
    with django_assert_max_num_queries(12):
        assert signed_in.get(SETTINGS).status_code == 200


# --- One-click unsubscribe -------------------------------------------------------------------


def unsubscribe_path(guardian, student):
    token = unsubscribe_token(guardian_id=guardian.pk, student_id=student.pk)
    return reverse("notifications:unsubscribe", args=[token])


def test_get_only_shows_the_confirmation_a_link_scanner_changes_nothing(client, cast, family):
    response = client.get(unsubscribe_path(family, cast.pupil))
    assert response.status_code == 200
    assert "Прекратить письма" in response.content.decode()
    assert not Preference.objects.exists()


def test_post_unsubscribes_without_sign_in_and_cancels_queued_mail(client, cast, family, policy):
    queued = outbox_enqueue(
        school_id=cast.school.pk,
        guardian_id=family.pk,
        student_id=cast.pupil.pk,
        channel="email",
        subject="Пропуски",
        body="…",
        dedupe_key="queued-mail",
    )
    response = client.post(unsubscribe_path(family, cast.pupil))
    assert response.status_code == 200
    assert 'data-testid="unsubscribed"' in response.content.decode()
    assert Preference.objects.get(guardian=family, channel="email").mode == Mode.OFF
    queued.refresh_from_db()
    assert queued.status == "cancelled"
    # The consent itself stays: withdrawing it is a separate step.
    assert Consent.objects.granted(Purpose.EMAIL).filter(guardian=family).exists()


def test_a_forged_or_foreign_token_is_404(client, cast, family):
    assert client.get("/notifications/unsubscribe/forged:token/").status_code == 404
    # A valid signature for a child who is not this guardian's: the same 404.
    assert client.post(unsubscribe_path(family, cast.stranger_child)).status_code == 404
    assert client.put(unsubscribe_path(family, cast.pupil)).status_code == 405


def test_withdrawing_the_email_consent_is_an_explicit_second_step(client, cast, family):
    token = unsubscribe_token(guardian_id=family.pk, student_id=cast.pupil.pk)
    url = reverse("notifications:withdraw", args=[token])
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "Отметьте флажок" in refused.content.decode()
    assert Consent.objects.granted(Purpose.EMAIL).filter(guardian=family).exists()
    done = client.post(url, {"confirm": "on"})
    assert done.status_code == 200
    assert not Consent.objects.granted(Purpose.EMAIL).filter(guardian=family).exists()
    assert Consent.objects.granted(Purpose.SMS).filter(guardian=family).exists()
    assert client.get(url).status_code == 405


# --- The delivery log --------------------------------------------------------------------------


@pytest.fixture
def some_messages(cast, family, policy):
    for n in range(3):
        OutboxMessage.objects.create(
            school=cast.school,
            guardian=family,
            student=cast.pupil,
            channel="sms",
            recipient="+79001234567",
            body="…",
            dedupe_key=f"log-{n}",
            status="failed" if n else "sent",
            error="Twilio refused the number" if n else "",
        )


def test_the_school_admin_sees_masked_recipients_statuses_and_failures(
    as_user, cast, some_messages
):
    page = as_user(cast.school_admin).get(LOG)
    assert page.status_code == 200
    html = page.content.decode()
    assert "+79001234567" not in html and "+7********67" in html
    assert "Twilio refused the number" in html
    failures = html.split('class="table failures"')[1].split("</table>")[0]
    assert "<td>2</td>" in failures


def test_the_log_is_for_the_school_admin_only(as_user, cast):
    assert as_user(cast.director).get(LOG).status_code == 403
    assert as_user(cast.guardian).get(LOG).status_code == 403
    assert as_user(cast.school_admin).post(LOG).status_code == 405
    # Another school's admin sees none of this school's messages.


def test_another_schools_admin_sees_nothing_of_this_school(as_user, cast, some_messages):
    html = as_user(cast.outsider).get(LOG).content.decode()
    assert "Сообщений пока нет" in html


def test_the_log_queries_do_not_grow_with_messages(
    as_user, cast, family, some_messages, django_assert_max_num_queries
):
    signed_in = as_user(cast.school_admin)
    with django_assert_max_num_queries(14) as small:
        signed_in.get(LOG)
    for n in range(20):
        OutboxMessage.objects.create(
            school=cast.school,
            guardian=family,
            student=cast.pupil,
            channel="email",
            recipient="mama@example.ru",
            body="…",
            dedupe_key=f"more-{n}",
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        signed_in.get(LOG)
