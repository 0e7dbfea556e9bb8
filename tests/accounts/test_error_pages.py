"""Error pages speak Russian (Django's own fallbacks are English one-liners)."""

from django.template.loader import render_to_string
from django.urls import reverse


def test_a_missing_page_is_explained_in_russian(as_user, cast):
    response = as_user(cast.guardian).get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Страница не найдена" in body and "Not Found" not in body
    assert reverse("home") in body


def test_a_wrong_role_is_told_in_russian(as_user, cast):
    response = as_user(cast.guardian).get(reverse("journal:home"))
    assert response.status_code == 403
    assert "Доступ запрещён" in response.content.decode()


def test_the_server_error_page_needs_no_context():
    body = render_to_string("500.html")
    assert "Ошибка сервера" in body
