"""The lesson's topic, homework and its files, and remarks keep the same who/when/before/after
history as marks; a homework file can be removed and a remark corrected, both recorded."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from journal import models as jm
from journal import services
from tests import factories as f


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def changes(entity):
    return list(
        jm.MarkChange.objects.filter(entity=entity)
        .order_by("id")
        .values_list("action", "before", "after", "changed_by__username")
    )


def pdf(name="задание.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


def test_a_topic_change_is_recorded_with_before_and_after(cast):
    answer, control = cast.answer.pk, cast.control.pk
    services.lesson_update(
        user=cast.subject_teacher, lesson=cast.lesson, topic="Дроби", work_type=cast.answer
    )
    services.lesson_update(
        user=cast.deputy_head, lesson=cast.lesson, topic="Десятичные дроби", work_type=cast.control
    )
    assert changes("topic") == [
        (
            "update",
            {"topic": "", "work_type_id": answer},
            {"topic": "Дроби", "work_type_id": answer},
            "subject_teacher",
        ),
        (
            "update",
            {"topic": "Дроби", "work_type_id": answer},
            {"topic": "Десятичные дроби", "work_type_id": control},
            "deputy_head",
        ),
    ]


def test_saving_the_same_topic_again_writes_no_history(cast):
    for _ in range(2):
        services.lesson_update(
            user=cast.subject_teacher, lesson=cast.lesson, topic="Дроби", work_type=cast.answer
        )
    assert len(changes("topic")) == 1


def test_homework_text_and_files_are_recorded(cast, media):
    due = cast.today + dt.timedelta(days=2)
    homework = services.homework_set(
        user=cast.subject_teacher, lesson=cast.lesson, text="№ 1", files=[pdf()]
    )
    services.homework_set(user=cast.subject_teacher, lesson=cast.lesson, text="№ 2", due_date=due)
    assert changes("homework") == [
        ("create", None, {"text": "№ 1", "due_date": None}, "subject_teacher"),
        (
            "update",
            {"text": "№ 1", "due_date": None},
            {"text": "№ 2", "due_date": due.isoformat()},
            "subject_teacher",
        ),
    ]
    attachment = homework.files.get()
    assert changes("homework_file") == [
        ("create", None, {"name": "задание.pdf", "size": 13}, "subject_teacher")
    ]
    services.homework_file_delete(user=cast.subject_teacher, attachment=attachment)
    assert not jm.HomeworkFile.objects.exists()
    assert changes("homework_file")[-1] == (
        "delete",
        {"name": "задание.pdf", "size": 13},
        None,
        "subject_teacher",
    )


def test_a_remark_and_its_correction_are_recorded(cast):
    remark = services.remark_add(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        student_id=cast.pupil.pk,
        kind="comment",
        text="Не готов",
    )
    services.remark_edit(user=cast.subject_teacher, remark=remark, kind="message", text="Готов")
    remark.refresh_from_db()
    assert (remark.kind, remark.text) == ("message", "Готов")
    assert changes("remark") == [
        ("create", None, {"kind": "comment", "text": "Не готов"}, "subject_teacher"),
        (
            "update",
            {"kind": "comment", "text": "Не готов"},
            {"kind": "message", "text": "Готов"},
            "subject_teacher",
        ),
    ]
    assert jm.MarkChange.objects.filter(entity="remark").first().student == cast.pupil


def test_the_history_page_shows_topic_homework_file_and_remark_changes(as_user, cast, media):
    services.lesson_update(user=cast.subject_teacher, lesson=cast.lesson, topic="Дроби")
    services.homework_set(user=cast.subject_teacher, lesson=cast.lesson, text="№ 7", files=[pdf()])
    services.remark_add(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        student_id=cast.pupil.pk,
        kind="comment",
        text="Молодец",
    )
    page = as_user(cast.class_teacher).get(reverse("journal:history", args=[cast.lesson.pk]))
    body = page.content.decode()
    for text in ("тема и вид работы", "Дроби", "№ 7", "задание.pdf", "Молодец", "замечание"):
        assert text in body


def test_removing_a_file_asks_first_then_removes_it(as_user, cast, media):
    homework = services.homework_set(
        user=cast.subject_teacher, lesson=cast.lesson, text="№ 1", files=[pdf()]
    )
    attachment = homework.files.get()
    url = reverse("journal:homework_file_delete", args=[attachment.pk])
    client = as_user(cast.subject_teacher)
    lesson_page = client.get(reverse("journal:lesson", args=[cast.lesson.pk])).content.decode()
    assert url in lesson_page
    page = client.get(url)
    assert page.status_code == 200 and "будет удалён" in page.content.decode()
    assert jm.HomeworkFile.objects.exists()
    assert client.post(url).status_code == 302
    assert not jm.HomeworkFile.objects.exists()


def test_removing_a_file_is_for_who_writes_in_the_lesson(as_user, cast, media):
    homework = services.homework_set(
        user=cast.subject_teacher, lesson=cast.lesson, text="№ 1", files=[pdf()]
    )
    url = reverse("journal:homework_file_delete", args=[homework.files.get().pk])
    assert as_user(cast.class_teacher).get(url).status_code == 404
    assert as_user(cast.other_teacher).post(url).status_code == 404
    assert as_user(cast.director).get(url).status_code == 403
    assert as_user(cast.guardian).get(url).status_code == 403
    assert as_user(cast.subject_teacher).put(url).status_code == 405
    assert jm.HomeworkFile.objects.count() == 1


@pytest.fixture
def remark(cast):
    return services.remark_add(
        user=cast.subject_teacher,
        lesson=cast.lesson,
        student_id=cast.pupil.pk,
        kind="comment",
        text="Не готов",
    )


def test_correcting_a_remark_through_its_page(as_user, cast, remark, django_assert_max_num_queries):
    url = reverse("journal:remark_edit", args=[remark.pk])
    client = as_user(cast.subject_teacher)
    client.get(url)
    with django_assert_max_num_queries(16):
        page = client.get(url)
    assert page.status_code == 200 and "Не готов" in page.content.decode()
    response = client.post(url, {"kind": "comment", "text": "Готов"})
    assert response.status_code == 302
    remark.refresh_from_db()
    assert remark.text == "Готов"
    bad = client.post(url, {"kind": "comment", "text": " "})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()


def test_a_remark_is_corrected_by_its_author_or_the_deputy_head(as_user, cast, remark):
    url = reverse("journal:remark_edit", args=[remark.pk])
    assert as_user(cast.deputy_head).get(url).status_code == 200
    assert as_user(cast.class_teacher).get(url).status_code == 404
    assert (
        as_user(cast.other_teacher).post(url, {"kind": "comment", "text": "x"}).status_code == 404
    )
    assert as_user(cast.director).get(url).status_code == 403
    assert as_user(cast.guardian).get(url).status_code == 403
    assert as_user(cast.subject_teacher).put(url).status_code == 405
    remark.refresh_from_db()
    assert remark.text == "Не готов"


def test_a_remark_of_another_school_is_404(as_user, cast):
    foreign = f.LessonFactory()
    other = jm.Remark.objects.create(
        school=foreign.school,
        student=f.StudentFactory(school=foreign.school),
        lesson=foreign,
        kind="comment",
        text="x",
        author=f.UserFactory(school=foreign.school),
    )
    url = reverse("journal:remark_edit", args=[other.pk])
    assert as_user(cast.deputy_head).get(url).status_code == 404
