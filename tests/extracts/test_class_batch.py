"""A class batch: one PDF, every student from a new page; the paper families ticked by
default; delivery recorded by the office and seen by the class teacher."""

import pytest
from django.urls import reverse

from extracts.models import ExtractCopy, FileStatus, GeneratedFile
from tests import factories as f

from .conftest import flat, lesson, pdf_pages, pdf_text


@pytest.fixture
def big_class(cast):
    """7 «А» filled up to 25 students, each with a few marks."""
    students = [cast.pupil, cast.sibling_7a, cast.pupil_no_consent]
    for n in range(22):
        students.append(
            f.EnrollmentFactory(
                school=cast.school,
                class_group=cast.class_7a,
                year=cast.year,
                student=f.StudentFactory(school=cast.school, last_name=f"Ученик{n:02d}"),
            ).student
        )
    day = lesson(cast)
    for student in students:
        f.MarkFactory(lesson=day, student=student, value="4")
    return students


def test_a_class_of_25_is_one_pdf_of_25_pages_or_more(
    cast, big_class, as_user, django_capture_on_commit_callbacks, tmp_path
):
    client = as_user(cast.school_admin)
    data = {"period": cast.period.pk, "students": [s.pk for s in big_class], "duplex": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("extracts:class_batch", args=[cast.class_7a.pk]), data)
    assert response.status_code == 302
    generated = GeneratedFile.objects.get(kind="class_batch")
    assert generated.status == FileStatus.READY, generated.error
    content = b"".join(
        client.get(reverse("extracts:download", args=[generated.pk])).streaming_content
    )
    pages = pdf_pages(content)
    assert pages >= 25 and pages == generated.pages
    # Duplex: every student's extract starts on an odd page (pdftotext ends each page with \f).
    by_page = [flat(page) for page in pdf_text(content, tmp_path).split("\f")]
    for student in big_class:
        first = next(i for i, page in enumerate(by_page) if student.full_name in page)
        assert first % 2 == 0, (student, first + 1)
        others = [s for s in big_class if s != student]
        assert not any(o.full_name in by_page[first] for o in others)
    assert ExtractCopy.objects.filter(generated_file=generated).count() == 25


def test_the_paper_families_are_ticked_by_default(cast, big_class, as_user):
    page = as_user(cast.class_teacher).get(reverse("extracts:class", args=[cast.class_7a.pk]))
    form = page.context["form"]
    assert form["students"].initial == [cast.pupil_no_consent.pk]


def test_the_office_records_handing_over_and_the_class_teacher_sees_it(
    cast, big_class, as_user, django_capture_on_commit_callbacks
):
    office = as_user(cast.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        office.post(
            reverse("extracts:class_batch", args=[cast.class_7a.pk]),
            {"period": cast.period.pk, "students": [cast.pupil_no_consent.pk, cast.pupil.pk]},
        )
    copy = ExtractCopy.objects.get(student=cast.pupil_no_consent)
    response = office.post(
        reverse("extracts:hand_over", args=[copy.pk]),
        {"handed_to": "Мария Ивановна (мать)", "handed_on": cast.today.isoformat()},
    )
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.handed_over and copy.handed_recorded_by == cast.school_admin
    teacher = as_user(cast.class_teacher)
    page = teacher.get(reverse("extracts:class", args=[cast.class_7a.pk])).content.decode()
    assert "Мария Ивановна (мать)" in page
    rows = {
        r.student.pk: r
        for r in teacher.get(reverse("extracts:class", args=[cast.class_7a.pk])).context["delivery"]
    }
    assert rows[cast.pupil_no_consent.pk].paper and rows[cast.pupil_no_consent.pk].handed
    assert not rows[cast.pupil.pk].handed


def test_handing_over_refuses_a_future_date_and_other_roles(
    cast, big_class, as_user, django_capture_on_commit_callbacks
):
    office = as_user(cast.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        office.post(
            reverse("extracts:class_batch", args=[cast.class_7a.pk]),
            {"period": cast.period.pk, "students": [cast.pupil.pk]},
        )
    copy = ExtractCopy.objects.get(student=cast.pupil)
    url = reverse("extracts:hand_over", args=[copy.pk])
    office.post(url, {"handed_to": "Мать", "handed_on": "2099-01-01"})
    copy.refresh_from_db()
    assert not copy.handed_over
    assert (
        as_user(cast.class_teacher)
        .post(url, {"handed_to": "x", "handed_on": cast.today.isoformat()})
        .status_code
        == 403
    )
    assert (
        as_user(cast.outsider)
        .post(url, {"handed_to": "x", "handed_on": cast.today.isoformat()})
        .status_code
        == 404
    )
