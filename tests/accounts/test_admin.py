"""The Django admin is usable by a school's administrator for their own school only."""

import pytest
from django.urls import reverse

from journal import models as jm
from school import models as sm
from tests import factories as f


@pytest.fixture
def other_school_student(db):
    other = f.SchoolFactory(name="Гимназия № 2", short_name="Гимназия № 2")
    return f.StudentFactory(school=other, last_name="Чужаков")


def test_school_admin_sees_own_students_only(as_user, cast, other_school_student):
    body = (
        as_user(cast.school_admin).get(reverse("admin:school_student_changelist")).content.decode()
    )
    assert cast.pupil.last_name in body
    assert other_school_student.last_name not in body


def test_school_admin_cannot_open_another_schools_row(as_user, cast, other_school_student):
    url = reverse("admin:school_student_change", args=[other_school_student.pk])
    response = as_user(cast.school_admin).get(url)
    # Django's admin answers a missing object with a redirect to the index and a message.
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_foreign_key_choices_are_limited_to_the_school(as_user, cast, other_school_student):
    body = as_user(cast.school_admin).get(reverse("admin:school_classgroup_add")).content.decode()
    assert str(cast.school) in body
    assert "Гимназия № 2" not in body


def test_school_admin_adds_a_subject_to_their_own_school(as_user, cast):
    response = as_user(cast.school_admin).post(
        reverse("admin:school_subject_add"),
        {"school": cast.school.pk, "name": "Астрономия", "short_name": "Астр.", "is_graded": "on"},
    )
    assert response.status_code == 302
    assert sm.Subject.objects.get(name="Астрономия").school == cast.school


def test_a_duplicate_subject_gets_a_russian_form_error(as_user, cast):
    response = as_user(cast.school_admin).post(
        reverse("admin:school_subject_add"),
        {"school": cast.school.pk, "name": "Математика", "is_graded": "on"},
    )
    assert response.status_code == 200
    assert "Предмет с таким названием уже есть" in response.content.decode()
    assert sm.Subject.objects.filter(name="Математика").count() == 1


def test_school_admin_cannot_post_a_row_into_another_school(as_user, cast, other_school_student):
    response = as_user(cast.school_admin).post(
        reverse("admin:school_subject_add"),
        {"school": other_school_student.school_id, "name": "Чужой предмет", "is_graded": "on"},
    )
    assert response.status_code == 200  # the form refuses the choice
    assert not sm.Subject.objects.filter(name="Чужой предмет").exists()


def test_marks_are_read_only_in_the_admin(as_user, cast):
    mark = f.MarkFactory(lesson=cast.lesson, student=cast.pupil)
    client = as_user(cast.school_admin)
    assert client.get(reverse("admin:journal_mark_changelist")).status_code == 200
    response = client.post(reverse("admin:journal_mark_delete", args=[mark.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert jm.Mark.objects.filter(pk=mark.pk).exists()


@pytest.mark.parametrize("persona", ["subject_teacher", "guardian", "director"])
def test_other_roles_cannot_use_the_admin(as_user, cast, persona):
    response = as_user(getattr(cast, persona)).get(reverse("admin:school_student_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_outsider_admin_sees_none_of_this_school(as_user, cast):
    body = as_user(cast.outsider).get(reverse("admin:school_student_changelist")).content.decode()
    assert cast.pupil.last_name not in body


def test_every_registered_model_admin_is_scoped_to_the_school():
    """A school's administrator may use the admin: every model with a school must be behind
    the school scoping (or be the School itself)."""
    from django.contrib import admin as django_admin

    from accounts.admin import SchoolScopedMixin
    from school.models import School

    unscoped = [
        model._meta.label
        for model, model_admin in django_admin.site._registry.items()
        if any(f.name == "school" for f in model._meta.get_fields())
        and model is not School
        and not isinstance(model_admin, SchoolScopedMixin)
    ]
    assert not unscoped
