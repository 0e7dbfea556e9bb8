"""The leaders' index of every class's journals."""

import pytest
from django.urls import reverse

from accounts.models import Role
from journal import selectors
from school import models as sm
from tests import factories as f

URL = reverse("journal:journals_index")


@pytest.mark.parametrize("who", ["deputy_head", "director"])
def test_the_leaders_see_every_class_with_its_journals(as_user, cast, who):
    page = as_user(getattr(cast, who)).get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk]) in text
    assert reverse("journal:grid_class", args=[cast.class_7a.pk, cast.russian.pk]) in text
    assert reverse("journal:grid_class", args=[cast.class_5b.pk, cast.math.pk]) in text
    assert reverse("journal:class_overview", args=[cast.class_7a.pk]) in text
    assert cast.subject_teacher.teacher.short_name in text
    assert cast.class_teacher.teacher.short_name in text  # 7 «А»'s class teacher


def test_classes_come_by_level_then_letter_with_groups_after_the_class(cast):
    ten_a = f.ClassGroupFactory(school=cast.school, year=cast.year, level=10, letter="А")
    group = sm.StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        name="7А англ., 1 гр.",
        subject=cast.russian,
        class_group=cast.class_7a,
    )
    f.TeachingAssignmentFactory(
        school=cast.school,
        year=cast.year,
        teacher=cast.other_teacher.teacher,
        subject=cast.russian,
        class_group=None,
        study_group=group,
    )
    # A second teacher of 7 «А» mathematics is named beside the first.
    f.TeachingAssignmentFactory(
        school=cast.school,
        year=cast.year,
        teacher=cast.class_teacher.teacher,
        subject=cast.math,
        class_group=cast.class_7a,
    )
    index = selectors.journals_index(cast.director, cast.year)
    assert [c.label for c in index] == ["5 «Б»", "7 «А»", "10 «А»"]
    assert index[2].class_id == ten_a.pk and index[2].journals == []
    seven_a = index[1]
    assert [(j.subject, j.group) for j in seven_a.journals] == [
        ("Математика", ""),
        ("Русский язык", ""),
        ("Русский язык", "7А англ., 1 гр."),
    ]
    assert len(seven_a.journals[0].teachers) == 2
    assert seven_a.journals[2].url == reverse("journal:grid_group", args=[group.pk])


@pytest.mark.parametrize("who", ["subject_teacher", "class_teacher", "school_admin", "guardian"])
def test_other_roles_are_refused(as_user, cast, who):
    assert as_user(getattr(cast, who)).get(URL).status_code == 403


def test_another_schools_director_sees_only_their_own_school(as_user, cast):
    year = f.YearFactory(starts_on=cast.year.starts_on, ends_on=cast.year.ends_on)
    f.ClassGroupFactory(school=year.school, year=year, level=3, letter="В")
    director = f.UserFactory(school=year.school, username="director2", role=Role.DIRECTOR)
    text = as_user(director).get(URL).content.decode()
    assert "3 «В»" in text
    assert "7 «А»" not in text
    assert reverse("journal:class_overview", args=[cast.class_7a.pk]) not in text
    # Nor does the selector hand out another school's year.
    assert selectors.journals_index(director, cast.year) == []


def test_the_class_links_lead_the_director_to_the_read_only_grid(as_user, cast):
    client = as_user(cast.director)
    grid = client.get(reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk]))
    assert grid.status_code == 200
    overview = client.get(reverse("journal:class_overview", args=[cast.class_7a.pk]))
    assert overview.status_code == 200


def test_the_leaders_menu_links_the_index(as_user, cast):
    for user in (cast.deputy_head, cast.director):
        home = as_user(user).get(reverse("home")).content.decode()
        assert f'href="{URL}"' in home


def test_the_index_runs_a_fixed_number_of_queries(as_user, cast, django_assert_max_num_queries):
    client = as_user(cast.deputy_head)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    for level in range(2, 12):
        klass = f.ClassGroupFactory(school=cast.school, year=cast.year, level=level, letter="В")
        for subject in (cast.math, cast.russian):
            f.TeachingAssignmentFactory(
                school=cast.school,
                year=cast.year,
                teacher=f.TeacherFactory(school=cast.school),
                subject=subject,
                class_group=klass,
            )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(URL).status_code == 200
    assert len(small.captured_queries) <= 9
