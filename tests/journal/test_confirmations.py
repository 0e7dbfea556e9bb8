"""Steps that remove or end something show a confirmation page first (GET) and act on POST:
cancelling a lesson (with a reason and the paper it rests on), ending a timetable line,
deleting a mark."""

import datetime as dt

import pytest
from django.urls import reverse

from journal import models as jm
from school import models as sm
from tests import factories as f


@pytest.fixture
def other_school_deputy(db):
    return f.UserFactory(role="deputy_head")


@pytest.fixture
def cancel_url(cast):
    return reverse("journal:cancel", args=[cast.lesson.pk])


def test_cancelling_asks_first_and_changes_nothing_on_get(
    as_user, cast, cancel_url, django_assert_max_num_queries
):
    client = as_user(cast.deputy_head)
    client.get(cancel_url)
    with django_assert_max_num_queries(12):
        page = client.get(cancel_url)
    assert page.status_code == 200
    assert "будет отменён" in page.content.decode()
    cast.lesson.refresh_from_db()
    assert cast.lesson.status == "scheduled"


def test_cancelling_records_the_reason_and_the_document(as_user, cast, cancel_url):
    response = as_user(cast.deputy_head).post(
        cancel_url, {"reason": "Болезнь учителя", "document": "Приказ № 14 от 24.11.2026"}
    )
    assert response.status_code == 302
    cast.lesson.refresh_from_db()
    assert (cast.lesson.status, cast.lesson.cancel_reason, cast.lesson.cancel_document) == (
        "cancelled",
        "Болезнь учителя",
        "Приказ № 14 от 24.11.2026",
    )
    page = as_user(cast.subject_teacher).get(reverse("journal:lesson", args=[cast.lesson.pk]))
    assert "Болезнь учителя" in page.content.decode()


def test_cancelling_without_a_reason_or_document_is_refused(as_user, cast, cancel_url):
    response = as_user(cast.deputy_head).post(cancel_url, {"reason": "", "document": ""})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    cast.lesson.refresh_from_db()
    assert cast.lesson.status == "scheduled"


def test_cancelling_is_the_deputy_heads(as_user, cast, cancel_url, other_school_deputy):
    assert as_user(cast.subject_teacher).get(cancel_url).status_code == 403
    assert as_user(cast.director).get(cancel_url).status_code == 403
    assert as_user(other_school_deputy).get(cancel_url).status_code == 404
    assert as_user(cast.deputy_head).put(cancel_url).status_code == 405


@pytest.fixture
def line(cast):
    entry = sm.TimetableEntry.objects.create(
        school=cast.school,
        year=cast.year,
        class_group=cast.class_7a,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        weekday=4,
        lesson_number=3,
        valid_from=cast.year.starts_on,
    )
    for weeks in (1, 2):
        f.LessonFactory(
            school=cast.school,
            class_group=cast.class_7a,
            subject=cast.math,
            teacher=cast.subject_teacher.teacher,
            timetable_entry=entry,
            date=cast.today + dt.timedelta(days=1, weeks=weeks - 1),
            lesson_number=3,
        )
    return entry


def test_ending_a_timetable_line_says_what_it_removes_and_waits_for_post(
    as_user, cast, line, django_assert_max_num_queries
):
    url = reverse("journal:timetable_end", args=[line.pk])
    client = as_user(cast.deputy_head)
    client.get(url)
    with django_assert_max_num_queries(12):
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "Будут удалены 2 будущих урока" in body
    line.refresh_from_db()
    assert line.valid_to is None
    assert client.post(url).status_code == 302
    line.refresh_from_db()
    assert line.valid_to == cast.today - dt.timedelta(days=1)
    assert not jm.Lesson.objects.filter(timetable_entry=line).exists()


def test_ending_a_line_is_the_deputy_heads(as_user, cast, line, other_school_deputy):
    url = reverse("journal:timetable_end", args=[line.pk])
    assert as_user(cast.subject_teacher).get(url).status_code == 403
    assert as_user(cast.director).post(url).status_code == 403
    assert as_user(other_school_deputy).get(url).status_code == 404
    assert as_user(cast.deputy_head).put(url).status_code == 405
    line.refresh_from_db()
    assert line.valid_to is None


@pytest.fixture
def mark(cast):
    return f.MarkFactory(lesson=cast.lesson, student=cast.pupil, value="2")


def delete_url(cast, mark):
    return reverse("journal:mark_delete_confirm", args=[cast.lesson.pk, cast.pupil.pk, mark.pk])


def test_deleting_a_mark_asks_first(as_user, cast, mark, django_assert_max_num_queries):
    client = as_user(cast.subject_teacher)
    client.get(delete_url(cast, mark))
    with django_assert_max_num_queries(16):
        page = client.get(delete_url(cast, mark))
    assert page.status_code == 200 and "будет удалена" in page.content.decode()
    assert jm.Mark.objects.filter(pk=mark.pk).exists()
    mark_page = client.get(reverse("journal:mark", args=[cast.lesson.pk, cast.pupil.pk]))
    assert delete_url(cast, mark) in mark_page.content.decode()


def test_deleting_a_mark_on_post_keeps_it_in_the_history(as_user, cast, mark):
    response = as_user(cast.subject_teacher).post(
        delete_url(cast, mark), {"mark": mark.pk, "version": mark.version, "reason": "Ошибка"}
    )
    assert response.status_code == 302
    assert not jm.Mark.objects.filter(pk=mark.pk).exists()
    change = jm.MarkChange.objects.get(entity="mark", object_id=mark.pk)
    assert (change.action, change.reason, change.before["value"]) == ("delete", "Ошибка", "2")


def test_deleting_a_mark_is_for_its_teacher(as_user, cast, mark):
    url = delete_url(cast, mark)
    assert as_user(cast.director).get(url).status_code == 403
    assert as_user(cast.guardian).get(url).status_code == 403
    assert as_user(cast.other_teacher).get(url).status_code == 404
    assert as_user(cast.class_teacher).get(url).status_code == 404
    other = f.MarkFactory(lesson=cast.lesson, student=cast.sibling_7a)
    assert as_user(cast.subject_teacher).get(delete_url(cast, other)).status_code == 404
    assert as_user(cast.subject_teacher).put(url).status_code == 405
    assert jm.Mark.objects.filter(pk=mark.pk).exists()


def test_the_director_views_the_timetable_read_only(as_user, cast, line):
    url = reverse("journal:timetable")
    page = as_user(cast.director).get(f"{url}?class={cast.class_7a.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Математика" in body
    assert 'name="action"' not in body
    assert reverse("journal:timetable_end", args=[line.pk]) not in body
    response = as_user(cast.director).post(reverse("journal:timetable_bell"), {})
    assert response.status_code == 403
    deputy_page = as_user(cast.deputy_head).get(f"{url}?class={cast.class_7a.pk}")
    assert reverse("journal:timetable_end", args=[line.pk]) in deputy_page.content.decode()
