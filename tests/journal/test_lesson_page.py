"""The lesson page: topic, homework with files, remarks, the whole class's attendance."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from journal import models as jm
from school import models as sm
from tests import factories as f

from .conftest import column_data


@pytest.fixture
def lesson_url(cast):
    return reverse("journal:lesson", args=[cast.lesson.pk])


@pytest.fixture
def section_url(cast):
    """The URL a section of the lesson page posts to: topic, column, homework or remark."""

    def url(section: str) -> str:
        return reverse(f"journal:lesson_{section}", args=[cast.lesson.pk])

    return url


def test_the_teacher_sets_a_planned_topic_and_a_work_type(as_user, cast, lesson_url, section_url):
    assignment = sm.TeachingAssignment.objects.get(teacher=cast.subject_teacher.teacher)
    plan = jm.LessonPlan.objects.create(
        school=cast.school, assignment=assignment, number=1, topic="Дроби"
    )
    response = as_user(cast.subject_teacher).post(
        section_url("topic"),
        {"topic": "", "planned_topic": plan.pk, "work_type": cast.control.pk},
    )
    assert response.status_code == 302
    cast.lesson.refresh_from_db()
    assert (cast.lesson.topic, cast.lesson.planned_topic, cast.lesson.work_type) == (
        "Дроби",
        plan,
        cast.control,
    )


def test_a_planned_topic_of_another_course_is_refused(as_user, cast, lesson_url, section_url):
    other = sm.TeachingAssignment.objects.get(teacher=cast.other_teacher.teacher)
    plan = jm.LessonPlan.objects.create(school=cast.school, assignment=other, number=1, topic="x")
    response = as_user(cast.subject_teacher).post(
        section_url("topic"), {"topic": "", "planned_topic": plan.pk}
    )
    assert response.status_code == 400
    assert "Выберите корректный вариант" in response.content.decode()
    cast.lesson.refresh_from_db()
    assert cast.lesson.planned_topic is None


def test_attendance_of_the_whole_class_in_one_form(as_user, cast, lesson_url, section_url):
    data = column_data(
        cast.lesson,
        {cast.pupil: ("", "ill"), cast.sibling_7a: ("", "late"), cast.pupil_no_consent: ""},
    )
    data.pop("lesson")
    response = as_user(cast.subject_teacher).post(section_url("column"), data)
    assert response.status_code == 302
    codes = dict(jm.Attendance.objects.values_list("student_id", "code"))
    assert codes == {cast.pupil.pk: "ill", cast.sibling_7a.pk: "late"}


def test_a_bad_mark_on_the_lesson_page_names_the_student(as_user, cast, lesson_url, section_url):
    data = column_data(cast.lesson, {cast.pupil: "6"})
    response = as_user(cast.subject_teacher).post(section_url("column"), data)
    assert response.status_code == 400
    assert (
        f"{cast.pupil.last_name} {cast.pupil.first_name}: «6» — не отметка"
        in response.content.decode()
    )
    assert not jm.Mark.objects.exists()


def test_homework_with_a_file_is_served_only_to_those_who_see_the_lesson(
    as_user, cast, lesson_url, settings, tmp_path, section_url
):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("задание.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = as_user(cast.subject_teacher).post(
        section_url("homework"),
        {
            "text": "<script>alert(1)</script> № 12",
            "due_date": (cast.today + dt.timedelta(days=2)).isoformat(),
            "files": [upload],
        },
    )
    assert response.status_code == 302
    attachment = jm.HomeworkFile.objects.get()
    assert attachment.original_name == "задание.pdf"
    page = as_user(cast.subject_teacher).get(lesson_url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    url = reverse("journal:homework_file", args=[attachment.pk])
    served = as_user(cast.class_teacher).get(url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == b"%PDF-1.4 test"
    assert "attachment" in served["Content-Disposition"]
    assert as_user(cast.other_teacher).get(url).status_code == 404
    assert as_user(cast.guardian).get(url).status_code == 403
    assert as_user(cast.subject_teacher).post(url).status_code == 405


def test_a_homework_file_of_a_forbidden_type_or_size_is_refused(
    as_user, cast, lesson_url, settings, tmp_path, section_url
):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_MAX_BYTES = 10
    client = as_user(cast.subject_teacher)
    exe = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(section_url("homework"), {"text": "Задание", "files": [exe]})
    assert response.status_code == 400
    assert "не принимаются" in response.content.decode()
    big = SimpleUploadedFile("big.pdf", b"x" * 11, content_type="application/pdf")
    response = client.post(section_url("homework"), {"text": "Задание", "files": [big]})
    assert "слишком большой" in response.content.decode()
    assert not jm.Homework.objects.exists()
    assert not jm.HomeworkFile.objects.exists()


def test_a_remark_is_escaped_and_a_tampered_student_is_404(as_user, cast, lesson_url, section_url):
    client = as_user(cast.subject_teacher)
    response = client.post(
        section_url("remark"),
        {
            "student": cast.pupil.pk,
            "kind": "message",
            "text": '<img src=x onerror="alert(1)">',
        },
    )
    assert response.status_code == 302
    page = client.get(lesson_url).content.decode()
    assert "&lt;img src=x onerror=" in page
    response = client.post(
        section_url("remark"),
        {"student": cast.stranger_child.pk, "kind": "comment", "text": "x"},
    )
    assert response.status_code == 404
    assert jm.Remark.objects.count() == 1


def test_an_empty_remark_gets_a_russian_error(as_user, cast, lesson_url, section_url):
    response = as_user(cast.subject_teacher).post(
        section_url("remark"), {"student": cast.pupil.pk, "kind": "comment", "text": ""}
    )
    assert response.status_code == 400
    assert "Обязательное поле" in response.content.decode()


def test_the_deputy_head_substitutes_and_the_substitution_is_shown(as_user, cast, lesson_url):
    response = as_user(cast.deputy_head).post(
        reverse("journal:substitute", args=[cast.lesson.pk]),
        {"teacher": cast.other_teacher.teacher.pk},
    )
    assert response.status_code == 302
    cast.lesson.refresh_from_db()
    assert cast.lesson.substitute_teacher == cast.other_teacher.teacher
    home = as_user(cast.other_teacher).get(reverse("journal:home")).content.decode()
    assert "замена" in home and "Математика" in home
    grid = as_user(cast.subject_teacher).get(
        reverse("journal:grid_class", args=[cast.class_7a.pk, cast.math.pk])
    )
    assert cast.other_teacher.last_name in grid.content.decode()


def test_a_teacher_of_another_school_cannot_be_a_substitute(as_user, cast):
    foreign = f.TeacherFactory()
    as_user(cast.deputy_head).post(
        reverse("journal:substitute", args=[cast.lesson.pk]), {"teacher": foreign.pk}
    )
    cast.lesson.refresh_from_db()
    assert cast.lesson.substitute_teacher is None


def test_the_deputy_head_moves_a_lesson_and_both_show_it(as_user, cast):
    new_date = cast.today + dt.timedelta(days=1)
    response = as_user(cast.deputy_head).post(
        reverse("journal:move", args=[cast.lesson.pk]),
        {"date": new_date.isoformat(), "lesson_number": 5},
    )
    assert response.status_code == 302
    cast.lesson.refresh_from_db()
    moved = jm.Lesson.objects.get(moved_from=cast.lesson)
    assert (cast.lesson.status, moved.date, moved.lesson_number) == ("moved", new_date, 5)
    page = as_user(cast.subject_teacher).get(reverse("journal:lesson", args=[cast.lesson.pk]))
    assert "перенесён на" in page.content.decode()
    page = as_user(cast.subject_teacher).get(reverse("journal:lesson", args=[moved.pk]))
    assert "перенесён с" in page.content.decode()


def test_a_lesson_with_marks_is_neither_moved_nor_cancelled(as_user, cast):
    f.MarkFactory(lesson=cast.lesson, student=cast.pupil)
    client = as_user(cast.deputy_head)
    client.post(
        reverse("journal:move", args=[cast.lesson.pk]),
        {"date": (cast.today + dt.timedelta(days=1)).isoformat(), "lesson_number": 5},
    )
    client.post(
        reverse("journal:cancel", args=[cast.lesson.pk]),
        {"reason": "Болезнь учителя", "document": "Заявление № 3"},
    )
    cast.lesson.refresh_from_db()
    assert cast.lesson.status == "scheduled"
    assert not jm.Lesson.objects.filter(moved_from=cast.lesson).exists()


def test_the_lesson_page_runs_a_fixed_number_of_queries(
    as_user, cast, lesson_url, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(cast.subject_teacher)
    with CaptureQueriesContext(connection) as small:
        assert client.get(lesson_url).status_code == 200
    for _ in range(27):
        student = f.EnrollmentFactory(
            school=cast.school,
            class_group=cast.class_7a,
            year=cast.year,
            student=f.StudentFactory(school=cast.school),
        ).student
        f.MarkFactory(lesson=cast.lesson, student=student, value="4")
        jm.Remark.objects.create(
            school=cast.school,
            student=student,
            lesson=cast.lesson,
            kind="comment",
            text="Молодец",
            author=cast.subject_teacher,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(lesson_url)
    assert page.content.decode().count("Молодец") == 27


def test_a_closed_period_locks_topic_and_homework_for_the_teacher(
    as_user, cast, lesson_url, section_url
):
    from django.utils import timezone

    cast.period.closed_at = timezone.now()
    cast.period.save(update_fields=["closed_at"])
    client = as_user(cast.subject_teacher)
    response = client.post(section_url("topic"), {"topic": "Новая тема"})
    assert response.status_code == 400
    assert "Отчётный период закрыт" in response.content.decode()
    response = client.post(section_url("homework"), {"text": "Задание"})
    assert response.status_code == 400
    assert not jm.Homework.objects.exists()
    response = as_user(cast.deputy_head).post(section_url("topic"), {"topic": "Новая тема"})
    assert response.status_code == 302
    cast.lesson.refresh_from_db()
    assert cast.lesson.topic == "Новая тема"


def test_a_closed_period_takes_no_remarks_from_the_teacher(as_user, cast, lesson_url, section_url):
    from django.utils import timezone

    cast.period.closed_at = timezone.now()
    cast.period.save(update_fields=["closed_at"])
    remark = {"student": cast.pupil.pk, "kind": "comment", "text": "Молодец"}
    response = as_user(cast.subject_teacher).post(section_url("remark"), remark)
    assert response.status_code == 400
    assert "Отчётный период закрыт" in response.content.decode()
    assert not jm.Remark.objects.exists()
    assert as_user(cast.deputy_head).post(section_url("remark"), remark).status_code == 302
    assert jm.Remark.objects.get().author == cast.deputy_head
