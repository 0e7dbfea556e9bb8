"""Sign-in, sign-out and each role's home page."""

import pytest
from django.urls import reverse

from accounts.models import Role


@pytest.fixture
def home():
    return reverse("home")


def test_a_visitor_is_sent_to_the_login_page(client, home):
    response = client.get(home)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_login_page_speaks_russian(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "Вход" in response.content.decode()
    assert 'lang="ru"' in response.content.decode()
    # A parent holding the school's activation code finds where to use it.
    assert reverse("consent:activate") in response.content.decode()


def test_the_english_locale_still_works(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in response.content.decode()
    assert "Sign in" in response.content.decode()


def test_signing_in_with_the_right_password_opens_the_home_page(client, cast, home):
    response = client.post(
        reverse("accounts:login"), {"username": "guardian", "password": "secret-pass-123"}
    )
    assert response.status_code == 302
    assert response.url == home


def test_a_wrong_password_gets_a_russian_error(client, cast):
    response = client.post(reverse("accounts:login"), {"username": "guardian", "password": "wrong"})
    assert response.status_code == 200
    assert "Пожалуйста, введите правильные" in response.content.decode()


def test_login_is_throttled_after_repeated_failures(client, cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "guardian", "password": "wrong"})
    response = client.post(
        reverse("accounts:login"), {"username": "guardian", "password": "secret-pass-123"}
    )
    assert response.status_code == 429
    assert "Слишком много неудачных попыток" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_is_post_only(as_user, cast):
    client = as_user(cast.guardian)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_home_rejects_post(as_user, cast, home):
    assert as_user(cast.guardian).post(home).status_code == 405


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("subject_teacher", "Мои уроки сегодня"),
        ("class_teacher", "Мои классы и предметы"),
        ("deputy_head", "Классный руководитель"),
        ("director", "Классный руководитель"),
        ("school_admin", "Изменить данные школы"),
        ("guardian", "Мои дети"),
        ("guardian_of_two", "Мои дети"),
        ("student", "Мой класс"),
    ],
)
def test_each_role_has_its_home_page(as_user, cast, home, persona, expected):
    response = as_user(getattr(cast, persona)).get(home)
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_the_header_shows_the_user_and_their_role(as_user, cast, home):
    body = as_user(cast.deputy_head).get(home).content.decode()
    assert cast.deputy_head.last_name in body
    assert Role.DEPUTY_HEAD.label.__str__() in body or "заместитель директора" in body


def test_a_guardian_of_two_sees_both_children_and_no_one_else(as_user, cast, home):
    body = as_user(cast.guardian_of_two).get(home).content.decode()
    assert cast.sibling_7a.full_name in body
    assert cast.sibling_5b.full_name in body
    assert cast.pupil.full_name not in body
    assert cast.stranger_child.full_name not in body


def test_a_teacher_home_lists_todays_lessons(as_user, cast, home):
    body = as_user(cast.subject_teacher).get(home).content.decode()
    assert "Математика" in body and "7 «А»" in body


def test_teacher_home_queries_do_not_grow_with_lessons(
    as_user, cast, home, django_assert_max_num_queries
):
    from tests import factories as f

    client = as_user(cast.subject_teacher)
    client.get(home)
    with django_assert_max_num_queries(12) as small:
        client.get(home)
    for number in range(3, 8):
        f.LessonFactory(
            school=cast.school,
            class_group=cast.class_7a,
            subject=cast.math,
            teacher=cast.subject_teacher.teacher,
            date=cast.today,
            lesson_number=number,
            work_type=cast.answer,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(home)


def test_pages_carry_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
