"""One student's marks in a lesson: a comment on a mark, a change, a deletion with a reason."""

import pytest
from django.urls import reverse

from journal import models as jm
from tests import factories as f


@pytest.fixture
def mark(cast):
    return f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="4")


@pytest.fixture
def url(cast):
    return reverse("journal:mark", args=[cast.lesson.pk, cast.pupil.pk])


@pytest.fixture
def set_url(cast):
    return reverse("journal:mark_set", args=[cast.lesson.pk, cast.pupil.pk])


@pytest.fixture
def delete_url(cast):
    return reverse("journal:mark_delete", args=[cast.lesson.pk, cast.pupil.pk])


def test_a_teacher_adds_a_comment_to_a_mark(as_user, cast, mark, url, set_url):
    response = as_user(cast.subject_teacher).post(
        set_url,
        {"slot": 1, "version": 1, "value": "4", "comment": "Устный ответ у доски"},
    )
    assert response.status_code == 302
    mark.refresh_from_db()
    assert (mark.comment, mark.version) == ("Устный ответ у доски", 2)
    change = jm.MarkChange.objects.get(object_id=mark.pk)
    assert change.before["comment"] == "" and change.after["comment"] == "Устный ответ у доски"


def test_a_second_mark_is_added_in_the_next_slot(as_user, cast, mark, url, set_url):
    response = as_user(cast.subject_teacher).post(
        set_url, {"slot": 2, "version": 0, "value": "зач", "comment": ""}
    )
    assert response.status_code == 302
    assert list(jm.Mark.objects.order_by("slot").values_list("value", flat=True)) == ["4", "pass"]


@pytest.mark.parametrize("bad", ["6", " 5 ", "５", "", "5/4"])
def test_a_bad_value_is_refused_in_russian(as_user, cast, mark, url, bad, set_url):
    response = as_user(cast.subject_teacher).post(
        set_url, {"slot": 1, "version": 1, "value": bad, "comment": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "отметк" in page.lower()
    mark.refresh_from_db()
    assert (mark.value, mark.version) == ("4", 1)


def test_a_stale_version_is_told_it_changed(as_user, cast, mark, url, set_url):
    jm.Mark.objects.filter(pk=mark.pk).update(value="2", version=2)
    response = as_user(cast.subject_teacher).post(
        set_url, {"slot": 1, "version": 1, "value": "5", "comment": ""}
    )
    assert response.status_code == 400
    assert "изменил другой пользователь" in response.content.decode()
    mark.refresh_from_db()
    assert mark.value == "2"


def test_deleting_a_mark_keeps_the_reason_in_history(as_user, cast, mark, url, delete_url):
    response = as_user(cast.subject_teacher).post(
        delete_url, {"mark": mark.pk, "version": 1, "reason": "Поставлена по ошибке"}
    )
    assert response.status_code == 302
    assert not jm.Mark.objects.exists()
    change = jm.MarkChange.objects.get(action="delete")
    assert (change.reason, change.before["value"]) == ("Поставлена по ошибке", "4")
    page = as_user(cast.subject_teacher).get(url).content.decode()
    assert "Поставлена по ошибке" in page


def test_deleting_a_mark_of_another_lesson_is_404(as_user, cast, url, delete_url):
    foreign = f.MarkFactory(
        lesson=f.LessonFactory(
            school=cast.school,
            class_group=cast.class_5b,
            subject=cast.math,
            teacher=cast.other_teacher.teacher,
            date=cast.today,
        ),
        student=cast.stranger_child,
    )
    response = as_user(cast.subject_teacher).post(
        delete_url, {"mark": foreign.pk, "version": 1, "reason": ""}
    )
    assert response.status_code == 404
    assert jm.Mark.objects.filter(pk=foreign.pk).exists()


def test_the_page_of_one_student_cannot_delete_a_classmates_mark(as_user, cast, url, delete_url):
    classmate = f.MarkFactory(lesson=cast.lesson, student=cast.sibling_7a, value="5")
    response = as_user(cast.subject_teacher).post(
        delete_url, {"mark": classmate.pk, "version": 1, "reason": ""}
    )
    assert response.status_code == 404
    assert jm.Mark.objects.filter(pk=classmate.pk).exists()


def test_roles_on_the_mark_page(as_user, cast, mark, url, delete_url):
    assert as_user(cast.class_teacher).get(url).status_code == 200
    assert as_user(cast.director).get(url).status_code == 200
    assert as_user(cast.guardian).get(url).status_code == 403
    assert as_user(cast.other_teacher).get(url).status_code == 404
    assert as_user(cast.director).post(delete_url, {}).status_code == 403
    assert as_user(cast.class_teacher).post(delete_url, {}).status_code == 404
    assert as_user(cast.subject_teacher).put(url).status_code == 405
    # A student outside the lesson's class is a 404 even for the lesson's teacher.
    other = reverse("journal:mark", args=[cast.lesson.pk, cast.stranger_child.pk])
    assert as_user(cast.subject_teacher).get(other).status_code == 404
