"""A school's administrator manages the school's accounts, never the operator's (superuser) or
another administrator's, and never gives a role above their own or staff/superuser status."""

import pytest
from django.urls import reverse

from accounts.models import Role, User
from tests import factories as f


@pytest.fixture
def operator(cast):
    # The region's operator, with a school on their account (the pentest's case).
    return User.objects.create_superuser(
        username="operator", password="secret-pass-123", school=cast.school
    )


@pytest.fixture
def second_admin(cast):
    return f.UserFactory(
        school=cast.school, username="second_admin", role=Role.SCHOOL_ADMIN, is_staff=True
    )


def test_a_school_admin_does_not_see_the_operator_in_the_user_list(as_user, cast, operator):
    body = as_user(cast.school_admin).get(reverse("admin:accounts_user_changelist")).content
    assert b"operator" not in body


def test_a_school_admin_cannot_set_the_operators_password(as_user, cast, operator):
    client = as_user(cast.school_admin)
    url = reverse("admin:auth_user_password_change", args=[operator.pk])
    response = client.post(url, {"password1": "Zz-hijacked-2026", "password2": "Zz-hijacked-2026"})
    assert response.status_code in (302, 403, 404)
    operator.refresh_from_db()
    assert operator.check_password("secret-pass-123")


def test_a_school_admin_cannot_open_the_operators_account(as_user, cast, operator):
    response = as_user(cast.school_admin).get(
        reverse("admin:accounts_user_change", args=[operator.pk])
    )
    assert response.status_code == 302  # the admin's "no such object"
    assert response.url == reverse("admin:index")


def test_a_school_admin_cannot_set_another_admins_password(as_user, cast, second_admin):
    client = as_user(cast.school_admin)
    url = reverse("admin:auth_user_password_change", args=[second_admin.pk])
    response = client.post(url, {"password1": "Zz-hijacked-2026", "password2": "Zz-hijacked-2026"})
    assert response.status_code == 403
    second_admin.refresh_from_db()
    assert second_admin.check_password("secret-pass-123")


def test_a_school_admin_cannot_change_another_admins_account(as_user, cast, second_admin):
    client = as_user(cast.school_admin)
    url = reverse("admin:accounts_user_change", args=[second_admin.pk])
    response = client.post(
        url,
        {
            "username": "second_admin",
            "last_name": "Взломанный",
            "school": cast.school.pk,
            "role": Role.TEACHER,
            "is_active": "",
        },
    )
    assert response.status_code == 403
    second_admin.refresh_from_db()
    assert second_admin.is_active and second_admin.role == Role.SCHOOL_ADMIN


def test_a_school_admin_sets_a_teachers_password(as_user, cast):
    client = as_user(cast.school_admin)
    url = reverse("admin:auth_user_password_change", args=[cast.subject_teacher.pk])
    response = client.post(
        url,
        {"password1": "Nov-parol-2026!", "password2": "Nov-parol-2026!", "usable_password": "true"},
    )
    assert response.status_code == 302
    cast.subject_teacher.refresh_from_db()
    assert cast.subject_teacher.check_password("Nov-parol-2026!")


def test_a_password_set_in_the_admin_ends_the_accounts_sessions_and_is_recorded(as_user, cast):
    from django.contrib.sessions.models import Session
    from django.test import Client

    from accounts.models import SecurityEvent, SecurityEventKind
    from tests.signin import sign_in

    teacher_session = sign_in(Client(), cast.subject_teacher)
    client = as_user(cast.school_admin)
    url = reverse("admin:auth_user_password_change", args=[cast.subject_teacher.pk])
    client.post(
        url,
        {"password1": "Nov-parol-2026!", "password2": "Nov-parol-2026!", "usable_password": "true"},
    )
    assert teacher_session.get("/").status_code == 302
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(cast.subject_teacher.pk)
        for s in Session.objects.all()
    )
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PASSWORD_CHANGED)
    assert event.user == cast.subject_teacher and event.actor == cast.school_admin


def _change(client, user, **fields):
    data = {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "patronymic": user.patronymic,
        "email": user.email,
        "school": user.school_id,
        "role": user.role,
        "is_active": "on",
        **fields,
    }
    return client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)


@pytest.mark.parametrize("role", [Role.SCHOOL_ADMIN, Role.DIRECTOR])
def test_a_school_admin_cannot_grant_a_role_at_or_above_their_own(as_user, cast, role):
    response = _change(as_user(cast.school_admin), cast.subject_teacher, role=role)
    assert response.status_code == 200  # the form refuses the choice
    assert "Выберите корректный вариант" in response.content.decode()
    cast.subject_teacher.refresh_from_db()
    assert cast.subject_teacher.role == Role.TEACHER


def test_a_school_admin_grants_a_role_below_their_own(as_user, cast):
    response = _change(as_user(cast.school_admin), cast.subject_teacher, role=Role.DEPUTY_HEAD)
    assert response.status_code == 302
    cast.subject_teacher.refresh_from_db()
    assert cast.subject_teacher.role == Role.DEPUTY_HEAD


def test_staff_and_superuser_flags_are_not_the_school_admins_to_set(as_user, cast):
    client = as_user(cast.school_admin)
    body = client.get(
        reverse("admin:accounts_user_change", args=[cast.subject_teacher.pk])
    ).content.decode()
    assert 'name="is_staff"' not in body and 'name="is_superuser"' not in body
    _change(client, cast.subject_teacher, is_staff="on", is_superuser="on")
    cast.subject_teacher.refresh_from_db()
    assert not cast.subject_teacher.is_staff and not cast.subject_teacher.is_superuser


def test_a_new_account_made_by_a_school_admin_gets_no_admin_powers(as_user, cast):
    client = as_user(cast.school_admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "novy",
            "password1": "Nov-parol-2026!",
            "password2": "Nov-parol-2026!",
            "usable_password": "true",
            "school": cast.school.pk,
            "role": Role.SCHOOL_ADMIN,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="novy").exists()


def test_a_school_admin_cannot_raise_their_own_role_or_switch_themselves_off(as_user, cast):
    client = as_user(cast.school_admin)
    body = client.get(
        reverse("admin:accounts_user_change", args=[cast.school_admin.pk])
    ).content.decode()
    assert 'name="role"' not in body and 'name="is_active"' not in body


def test_the_operator_still_manages_every_account(client, cast, operator, second_admin):
    from tests.signin import sign_in

    sign_in(client, operator)
    url = reverse("admin:auth_user_password_change", args=[second_admin.pk])
    response = client.post(
        url,
        {"password1": "Nov-parol-2026!", "password2": "Nov-parol-2026!", "usable_password": "true"},
    )
    assert response.status_code == 302
