"""The Russian wording the walkthrough found wrong: the brand, the sign-in button, the
weekday, the admin's titles and counts."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_pages_are_titled_with_the_russian_name_and_the_school(as_user, cast):
    page = as_user(cast.guardian).get(reverse("home")).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)
    assert "Электронный дневник" in title and "ednevnik" not in title.lower()
    assert (cast.school.short_name or cast.school.name) in title
    assert 'rel="icon"' in page and "favicon.svg" in page


def test_the_login_button_says_войти(client):
    page = client.get(reverse("accounts:login")).content.decode()
    button = re.search(r"<button[^>]*type=\"submit\"[^>]*>(.*?)</button>", page, flags=re.S)
    assert button is not None and button.group(1).strip() == "Войти"


def test_the_teachers_home_writes_the_weekday_in_lowercase(as_user, cast, today):
    page = as_user(cast.subject_teacher).get(reverse("home")).content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", page, flags=re.S).group(1)
    with translation.override("ru"):
        from django.utils.formats import date_format

        weekday = date_format(today, "l")
    assert heading.startswith("Сегодня, ") and weekday.lower() in heading
    assert weekday[0].upper() + weekday[1:] not in heading


def test_the_admin_titles_need_no_case_of_the_models_name(as_user, cast):
    page = as_user(cast.school_admin).get(reverse("admin:journal_mark_changelist"))
    body = page.content.decode()
    assert "Выберите отметка" not in body and "Выберите отметку" not in body
    h1 = re.search(r"<h1>(.*?)</h1>", body, flags=re.S).group(1)
    assert ":" in h1, h1  # «…: отметка», the name standing alone after a colon
    paginator = re.search(r'<p class="paginator">(.*?)</p>', body, flags=re.S).group(1)
    assert paginator.strip() == "Отметки: 0"  # the count after the noun, not «0 отметки»
