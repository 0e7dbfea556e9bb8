"""Account onboarding: a one-time, hashed, expiring code; disabling an account or removing a
link ends access and sessions at once."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent.models import ActivationCode
from consent.rules import may_open_diary_of
from consent.services import account_activate, account_disable, account_issue
from school.models import Guardian, GuardianStudent
from tests.signin import sign_in


@pytest.fixture
def new_guardian(cast):
    guardian = Guardian.objects.create(
        school=cast.school, last_name="Кузнецова", first_name="Ольга", patronymic="Петровна"
    )
    GuardianStudent.objects.create(
        school=cast.school, guardian=guardian, student=cast.pupil, relation="mother"
    )
    return guardian


def test_issuing_creates_an_inactive_account_and_stores_only_a_hash(cast, new_guardian):
    activation, code = account_issue(issued_by=cast.school_admin, guardian=new_guardian)
    new_guardian.refresh_from_db()
    assert new_guardian.user.role == "guardian"
    assert not new_guardian.user.is_active
    assert not new_guardian.user.has_usable_password()
    assert code.replace("-", "") not in activation.code_hash
    assert len(activation.code_hash) == 64


def test_the_guardian_sets_a_password_with_the_code_once(client, cast, new_guardian):
    _activation, code = account_issue(issued_by=cast.school_admin, guardian=new_guardian)
    url = reverse("consent:activate")
    data = {
        "code": code.lower(),
        "password1": "Рябина-осень-2026",
        "password2": "Рябина-осень-2026",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    new_guardian.refresh_from_db()
    assert new_guardian.user.is_active
    assert new_guardian.user.check_password("Рябина-осень-2026")
    again = client.post(
        url, {**data, "password1": "Другой-пароль-77", "password2": "Другой-пароль-77"}
    )
    assert again.status_code == 400
    assert "Код неверен, просрочен или уже использован" in again.content.decode()


def test_an_expired_code_is_refused(cast, new_guardian):
    activation, code = account_issue(issued_by=cast.school_admin, guardian=new_guardian)
    ActivationCode.objects.filter(pk=activation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(Exception, match="code"):
        account_activate(code=code, password1="Рябина-осень-2026", password2="Рябина-осень-2026")


def test_reissuing_voids_the_earlier_code(cast, new_guardian):
    _first, old_code = account_issue(issued_by=cast.school_admin, guardian=new_guardian)
    account_issue(issued_by=cast.school_admin, guardian=new_guardian)
    with pytest.raises(Exception, match="code"):
        account_activate(
            code=old_code, password1="Рябина-осень-2026", password2="Рябина-осень-2026"
        )


def test_disabling_voids_an_unused_code(cast, new_guardian):
    _activation, code = account_issue(issued_by=cast.school_admin, guardian=new_guardian)
    new_guardian.refresh_from_db()
    account_disable(disabled_by=cast.school_admin, guardian=new_guardian)
    with pytest.raises(Exception, match="code"):
        account_activate(code=code, password1="Рябина-осень-2026", password2="Рябина-осень-2026")
    new_guardian.user.refresh_from_db()
    assert not new_guardian.user.is_active


@pytest.mark.parametrize(
    ("password", "message"),
    [("12345678", "Введённый пароль слишком широко распространён"), ("abc", "слишком короткий")],
)
def test_weak_passwords_get_russian_errors_and_nothing_changes(
    client, cast, new_guardian, password, message
):
    _activation, code = account_issue(issued_by=cast.school_admin, guardian=new_guardian)
    response = client.post(
        reverse("consent:activate"), {"code": code, "password1": password, "password2": password}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    new_guardian.refresh_from_db()
    assert not new_guardian.user.is_active
    assert ActivationCode.objects.get().used_at is None


def test_the_admin_gets_a_printable_code_page(as_user, cast, link_of, new_guardian):
    link = GuardianStudent.objects.get(guardian=new_guardian)
    response = as_user(cast.school_admin).post(reverse("consent:account_issue", args=[link.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "Код активации" in body
    assert new_guardian.full_name in body
    assert "?code=" not in body  # the family types the code; it is in no address
    activation = ActivationCode.objects.get(guardian=new_guardian)
    assert activation.issued_by == cast.school_admin


def test_disabling_an_account_logs_the_guardian_out_on_the_next_request(client, cast, link):
    client.force_login(cast.guardian)
    assert client.get(reverse("consent:my_contacts")).status_code == 200
    office = Client()
    sign_in(office, cast.school_admin)
    assert office.post(reverse("consent:account_disable", args=[link.pk])).status_code == 302
    response = client.get(reverse("consent:my_contacts"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_removing_a_link_ends_the_session_and_the_childs_diary(client, cast, link):
    client.force_login(cast.guardian)
    office = Client()
    sign_in(office, cast.school_admin)
    assert office.post(reverse("consent:link_remove", args=[link.pk])).status_code == 302
    assert not GuardianStudent.objects.filter(pk=link.pk).exists()
    assert not may_open_diary_of(cast.guardian, cast.pupil.pk)
    response = client.get(reverse("consent:my_contacts"))
    assert response.status_code == 302
