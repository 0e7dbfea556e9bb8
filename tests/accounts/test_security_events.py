"""Security events: append-only, written for sign-ins, failures, refusals, consent changes,
exports and admin changes; the director reads and filters their own school's."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.urls import reverse

from accounts.models import AppendOnly, SecurityEvent, SecurityEventKind
from accounts.security import security_event_record
from tests import factories as f

URL = "/security/events/"


def test_an_event_cannot_be_changed_or_deleted_through_the_orm(cast):
    event = security_event_record(kind=SecurityEventKind.LOGIN, user=cast.guardian)
    event.detail = "edited"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        SecurityEvent.objects.filter(pk=event.pk).update(detail="edited")
    with pytest.raises(AppendOnly):
        SecurityEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_change_or_delete_an_event(cast):
    event = security_event_record(kind=SecurityEventKind.LOGIN, user=cast.guardian)
    for sql in (
        "UPDATE accounts_securityevent SET detail = 'x' WHERE id = %s",
        "DELETE FROM accounts_securityevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert SecurityEvent.objects.filter(pk=event.pk, detail="").exists()


def test_security_events_are_not_in_the_django_admin():
    from django.contrib.admin.sites import site

    assert SecurityEvent not in site._registry


def test_sign_in_failure_and_sign_out_are_recorded(cast):
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.post("/login/", {"username": "guardian", "password": "wrong"})
    client.post("/login/", {"username": "guardian", "password": "secret-pass-123"})
    client.post(reverse("accounts:logout"))
    kinds = list(
        SecurityEvent.objects.filter(username="guardian")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        SecurityEventKind.LOGIN_FAILED,
        SecurityEventKind.LOGIN,
        SecurityEventKind.LOGOUT,
    ]
    assert set(SecurityEvent.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_a_403_is_recorded(as_user, cast):
    assert as_user(cast.guardian).get(reverse("journal:home")).status_code == 403
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERMISSION_DENIED)
    assert event.user == cast.guardian and event.path == reverse("journal:home")


def test_a_consent_change_and_an_export_are_recorded(cast):
    from consent.services import consent_withdraw

    consent = cast.pupil.consents.get()
    consent_withdraw(recorded_by=cast.school_admin, consent=consent, withdrawn_on=cast.today)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.CONSENT_CHANGED)
    assert event.actor == cast.school_admin and event.school == cast.school


def test_an_admin_change_is_recorded(as_user, cast):
    as_user(cast.school_admin).post(
        reverse("admin:school_subject_add"),
        {"school": cast.school.pk, "name": "Астрономия", "short_name": "Астр.", "is_graded": "on"},
    )
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ADMIN_CHANGE)
    assert "Астрономия" in event.detail and event.actor == cast.school_admin


# --- The director's page ------------------------------------------------------------------------


def test_the_director_reads_their_schools_events(as_user, cast):
    security_event_record(
        kind=SecurityEventKind.LOGIN_FAILED, username="guardian", school_id=cast.school.pk
    )
    other = f.SchoolFactory(name="Гимназия № 2", short_name="Гимназия № 2")
    security_event_record(
        kind=SecurityEventKind.LOGIN_FAILED, username="chuzhoy", school_id=other.pk
    )
    response = as_user(cast.director).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "guardian" in body and "неудачный вход" in body
    assert "chuzhoy" not in body


def test_the_director_filters_by_kind_login_and_dates(as_user, cast):
    security_event_record(
        kind=SecurityEventKind.LOGIN_FAILED, username="guardian", school_id=cast.school.pk
    )
    security_event_record(
        kind=SecurityEventKind.LOGOUT, username="student", school_id=cast.school.pk
    )
    client = as_user(cast.director)
    body = client.get(URL, {"kind": "logout"}).content.decode()
    assert "student" in body and ">guardian<" not in body
    body = client.get(URL, {"username": "guard"}).content.decode()
    assert ">guardian<" in body and ">student<" not in body
    body = client.get(URL, {"starts_on": "2026-11-26"}).content.decode()
    assert ">guardian<" not in body


def test_a_bad_date_filter_is_a_russian_form_error(as_user, cast):
    response = as_user(cast.director).get(URL, {"starts_on": "2026-13-01"})
    assert response.status_code == 400
    assert "Введите правильную дату" in response.content.decode()


def test_a_date_outside_the_supported_years_is_refused_with_its_name(as_user, cast):
    response = as_user(cast.director).get(URL, {"starts_on": "0001-01-01"})
    assert response.status_code == 400
    assert "starts_on" in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["school_admin", "deputy_head", "subject_teacher", "guardian", "student", "outsider"]
)
def test_other_roles_get_403(as_user, cast, persona):
    assert as_user(getattr(cast, persona)).get(URL).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


def test_the_page_is_get_only(as_user, cast):
    assert as_user(cast.director).post(URL).status_code == 405


def test_the_pages_queries_do_not_grow_with_events(as_user, cast, django_assert_max_num_queries):
    client = as_user(cast.director)
    security_event_record(kind=SecurityEventKind.LOGIN, user=cast.guardian, actor=cast.school_admin)
    client.get(URL)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for _ in range(30):
        security_event_record(
            kind=SecurityEventKind.LOGIN, user=cast.guardian, actor=cast.school_admin
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)
