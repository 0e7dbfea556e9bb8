"""Every role reaches the pages it needs from its menu and home page, and nothing it is shown
leads to a 403 or a 404."""

import re

import pytest
from django.urls import reverse

from accounts.navigation import menu_for
from school import models as sm
from tests import factories as f

PERSONAS = [
    "school_admin",
    "director",
    "deputy_head",
    "subject_teacher",
    "class_teacher",
    "guardian",
    "guardian_of_two",
    "guardian_without_consent",
    "student",
]


def _links(body: str) -> set[str]:
    """The site's own links of a page (not the sign-out form, not anchors)."""
    return {
        href.split("#")[0]
        for href in re.findall(r'href="(/[^"]*)"', body)
        if not href.startswith("/static/")
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_menu_entry_and_home_link_opens_for_its_role(as_user, cast, persona):
    user = getattr(cast, persona)
    client = as_user(user)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    urls = {item["url"] for item in menu_for(user)} | _links(home.content.decode())
    assert urls
    for url in sorted(urls):
        response = client.get(url)
        assert response.status_code in (200, 302), f"{persona}: {url} → {response.status_code}"


def _menu_names(user) -> list[str]:
    return [item["name"] for item in menu_for(user)]


def test_the_school_admin_menu_opens_the_paper_extracts(cast):
    assert "consent:paper_list" in _menu_names(cast.school_admin)


def test_leaders_reach_the_reports_and_the_journal_control(as_user, cast):
    wanted = {
        "journal:control",
        "reports:summary_list",
        "reports:statistics",
        "journal:periods",
        "reports:late_finals",
    }
    assert wanted <= set(_menu_names(cast.director))
    # The deputy head's menu is longer (timetable, journal, finals): two reports are on the
    # home page (and the statistics page) only.
    assert {"journal:timetable", "journal:control", "reports:statistics", "journal:periods"} <= set(
        _menu_names(cast.deputy_head)
    )
    for leader in (cast.director, cast.deputy_head):
        home = as_user(leader).get(reverse("home")).content.decode()
        for name in wanted:
            assert reverse(name) in home


def test_the_finals_entry_is_shown_only_to_those_who_teach(cast):
    assert "journal:finals_home" in _menu_names(cast.subject_teacher)
    # The finals page admits teachers only: a deputy head who does not teach is not sent to a 403.
    assert "journal:finals_home" not in _menu_names(cast.deputy_head)
    f.TeacherFactory(school=cast.school, user=cast.deputy_head)
    cast.deputy_head.refresh_from_db()
    assert {"journal:finals_home", "journal:home"} <= set(_menu_names(cast.deputy_head))


def test_a_guardian_reaches_their_consents_contacts_and_access_log(as_user, cast):
    body = as_user(cast.guardian_of_two).get(reverse("home")).content.decode()
    for name in ("consent:my_consents", "consent:my_contacts", "consent:my_access_log"):
        assert reverse(name) in body
    for child in (cast.sibling_7a, cast.sibling_5b):
        assert reverse("diary:current_week", args=[child.pk]) in body
    assert "Персональные данные" in body


def test_the_class_teacher_reaches_confirmations_summary_sheet_and_group_journals(as_user, cast):
    group = sm.StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        name="7А Английский язык, 1 гр.",
        subject=cast.russian,
        class_group=cast.class_7a,
    )
    client = as_user(cast.class_teacher)
    body = client.get(reverse("home")).content.decode()
    acknowledgements = reverse("diary:class_acknowledgements", args=[cast.class_7a.pk])
    summary = reverse("reports:summary_sheet", args=[cast.class_7a.pk])
    group_journal = reverse("journal:grid_group", args=[group.pk])
    for url in (acknowledgements, summary, group_journal):
        assert url in body
        assert client.get(url).status_code == 200
    journal_home = client.get(reverse("journal:home")).content.decode()
    assert acknowledgements in journal_home and summary in journal_home
    # Another teacher's home has no class of their own.
    other = as_user(cast.subject_teacher).get(reverse("home")).content.decode()
    assert acknowledgements not in other


def test_the_class_teacher_home_queries_do_not_grow_with_groups(
    as_user, cast, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(cast.class_teacher)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    for number in range(10):
        sm.StudyGroup.objects.create(
            school=cast.school,
            year=cast.year,
            name=f"7А группа {number}",
            subject=cast.russian,
            class_group=cast.class_7a,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("home"))


def test_the_journal_control_links_each_row_to_its_journal(as_user, cast):
    cast.lesson.topic = ""
    cast.lesson.save(update_fields=["topic"])
    body = as_user(cast.director).get(reverse("journal:control")).content.decode()
    grid = reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk])
    assert grid in body
    assert as_user(cast.director).get(grid).status_code == 200


def test_a_student_home_opens_their_own_diary(as_user, cast):
    body = as_user(cast.student).get(reverse("home")).content.decode()
    assert "Мой дневник" in body
    assert reverse("diary:current_week", args=[cast.pupil.pk]) in body
