"""Staff read a pupil's diary, read-only: the class teacher the week, marks and remarks of the
homeroom class's pupils; the office (school admin) the marks of any pupil of its school, and
finds them by name or class. Other classes' teachers and other schools get a 404, other roles
a 403; the family's consent is not asked of staff, and still is of families."""

import datetime as dt

import pytest
from django.urls import reverse

from consent.models import AccessLogEntry
from journal import models as jm
from tests import factories as f
from tests.diary.conftest import monday_of


def _mark(cast, student, value, day):
    lesson = f.LessonFactory(
        school=cast.school,
        class_group=student.enrollments.get().class_group,
        subject=cast.math,
        teacher=cast.subject_teacher.teacher,
        date=day,
        lesson_number=1,
        work_type=cast.answer,
    )
    return f.MarkFactory(lesson=lesson, student=student, value=value, work_type=cast.answer)


def test_the_class_teacher_reads_a_homeroom_pupils_week(as_user, cast, week):
    url = reverse("diary:pupil_week", args=[cast.pupil.pk, week.monday])
    response = as_user(cast.class_teacher).get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert cast.pupil.last_name in body
    assert "Забыл тетрадь &lt;img" in body  # the remark, escaped
    assert 'data-testid="read-only"' in body
    # Read-only: no signature form, and the homework file is named without the family's link.
    assert "acknowledge" not in body
    assert "задание.pdf" in body
    assert reverse("diary:homework_file", args=[cast.pupil.pk, week.file.pk]) not in body


def test_the_class_teacher_reads_marks_and_remarks_even_without_the_familys_consent(as_user, cast):
    _mark(cast, cast.pupil_no_consent, "4", cast.period.starts_on)
    jm.Remark.objects.create(
        school=cast.school,
        student=cast.pupil_no_consent,
        subject=cast.math,
        kind="message",
        text="Сообщение родителям",
        author=cast.subject_teacher,
    )
    client = as_user(cast.class_teacher)
    marks = client.get(reverse("diary:pupil_marks", args=[cast.pupil_no_consent.pk]))
    assert marks.status_code == 200
    assert 'data-testid="forecast"' in marks.content.decode()
    remarks = client.get(reverse("diary:pupil_remarks", args=[cast.pupil_no_consent.pk]))
    assert "Сообщение родителям" in remarks.content.decode()


def test_the_families_consent_still_closes_the_diary_to_the_family(as_user, cast):
    response = as_user(cast.guardian_without_consent).get(
        reverse("diary:marks", args=[cast.pupil_no_consent.pk])
    )
    assert response.status_code == 200
    assert 'data-testid="forecast"' not in response.content.decode()


def test_the_pupil_link_opens_this_week(as_user, cast):
    response = as_user(cast.class_teacher).get(reverse("diary:pupil", args=[cast.pupil.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "diary:pupil_week", args=[cast.pupil.pk, monday_of(cast.today)]
    )


@pytest.mark.parametrize("name", ["diary:pupil", "diary:pupil_marks", "diary:pupil_remarks"])
def test_another_classs_pupil_is_not_found_for_the_class_teacher(as_user, cast, name):
    # The stranger's child is in 5 «Б»: not the class teacher's homeroom.
    response = as_user(cast.class_teacher).get(reverse(name, args=[cast.stranger_child.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["diary:pupil", "diary:pupil_marks", "diary:pupil_remarks"])
def test_a_teacher_of_another_class_or_a_subject_teacher_gets_a_404(as_user, cast, name):
    for teacher in (cast.other_teacher, cast.subject_teacher):
        response = as_user(teacher).get(reverse(name, args=[cast.pupil.pk]))
        assert response.status_code == 404, teacher


@pytest.mark.parametrize("name", ["diary:pupil", "diary:pupil_marks", "diary:pupil_remarks"])
def test_families_and_leaders_without_a_class_get_a_403(as_user, cast, name):
    for user in (cast.guardian, cast.student, cast.deputy_head, cast.director):
        response = as_user(user).get(reverse(name, args=[cast.pupil.pk]))
        assert response.status_code == 403, user


def test_the_office_reads_any_pupils_marks_of_its_school(as_user, cast):
    _mark(cast, cast.stranger_child, "5", cast.period.starts_on)
    response = as_user(cast.school_admin).get(
        reverse("diary:pupil_marks", args=[cast.stranger_child.pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="forecast">' in body and "Математика" in body
    # The office's tabs: the marks alone.
    assert reverse("diary:pupil_remarks", args=[cast.stranger_child.pk]) not in body
    assert AccessLogEntry.objects.filter(
        viewer=cast.school_admin, student=cast.stranger_child
    ).exists()


def test_the_office_gets_a_403_for_the_week_and_remarks(as_user, cast):
    client = as_user(cast.school_admin)
    for name in ("diary:pupil", "diary:pupil_remarks"):
        assert client.get(reverse(name, args=[cast.pupil.pk])).status_code == 403


def test_another_schools_office_gets_a_404(as_user, cast):
    response = as_user(cast.outsider).get(reverse("diary:pupil_marks", args=[cast.pupil.pk]))
    assert response.status_code == 404


def test_the_office_finds_pupils_by_name_and_class(as_user, cast):
    client = as_user(cast.school_admin)
    url = reverse("diary:pupil_search")
    by_name = client.get(url, {"name": cast.stranger_child.last_name}).content.decode()
    assert f'data-testid="pupil-{cast.stranger_child.pk}"' in by_name
    assert f'data-testid="pupil-{cast.pupil.pk}"' not in by_name
    assert reverse("diary:pupil_marks", args=[cast.stranger_child.pk]) in by_name
    by_class = client.get(url, {"class": cast.class_5b.pk}).content.decode()
    assert f'data-testid="pupil-{cast.sibling_5b.pk}"' in by_class
    assert f'data-testid="pupil-{cast.pupil.pk}"' not in by_class
    assert "5 «Б»" in by_class


def test_the_pupil_search_is_the_offices(as_user, cast):
    for user in (cast.class_teacher, cast.guardian, cast.director):
        assert as_user(user).get(reverse("diary:pupil_search")).status_code == 403
    other = as_user(cast.outsider).get(reverse("diary:pupil_search")).content.decode()
    assert cast.pupil.last_name not in other


def test_the_register_and_the_class_page_link_to_the_pupil(as_user, cast):
    register = as_user(cast.school_admin).get(reverse("consent:register")).content.decode()
    assert reverse("diary:pupil_marks", args=[cast.pupil.pk]) in register
    acknowledgements = as_user(cast.class_teacher).get(
        reverse("diary:class_acknowledgements", args=[cast.class_7a.pk])
    )
    assert reverse("diary:pupil", args=[cast.pupil.pk]) in acknowledgements.content.decode()


@pytest.mark.parametrize("scale", [1, 10])
def test_the_staff_pages_run_a_fixed_number_of_queries(
    as_user, cast, scale, django_assert_max_num_queries
):
    for n in range(5 * scale):
        day = cast.period.starts_on + dt.timedelta(days=n % 30)
        _mark(cast, cast.pupil, str(2 + n % 4), day)
        f.StudentFactory(school=cast.school, last_name=f"Поиск{n}")
    teacher = as_user(cast.class_teacher)
    monday = monday_of(cast.period.starts_on)
    with django_assert_max_num_queries(11):
        assert (
            teacher.get(reverse("diary:pupil_week", args=[cast.pupil.pk, monday])).status_code
            == 200
        )
    with django_assert_max_num_queries(11):
        assert teacher.get(reverse("diary:pupil_marks", args=[cast.pupil.pk])).status_code == 200
    with django_assert_max_num_queries(7):
        assert teacher.get(reverse("diary:pupil_remarks", args=[cast.pupil.pk])).status_code == 200
    office = as_user(cast.school_admin)
    with django_assert_max_num_queries(7):
        assert office.get(reverse("diary:pupil_search"), {"name": "Поиск"}).status_code == 200
