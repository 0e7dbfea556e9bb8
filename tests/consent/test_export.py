"""The export holds everything about one guardian and child from every app, and nothing about
another family (a second family in the same class)."""

import json
import re

import pytest
from django.urls import reverse

from consent import pdregistry
from consent.models import PdRequest
from consent.selectors import pd_export_build, pd_export_json
from consent.services import access_log_record, pd_request_register
from journal import models as jm
from notifications.models import OutboxMessage
from tests import factories as f
from tests.consent.factories import ContactFactory


@pytest.fixture
def two_families(cast):
    """The cast's `guardian` and `guardian_without_consent` both have a child in 7 «А»."""
    ours, theirs = cast.guardian.guardian, cast.guardian_without_consent.guardian
    for guardian, child, phone, value in [
        (ours, cast.pupil, "+79001110000", "5"),
        (theirs, cast.pupil_no_consent, "+79002220000", "2"),
    ]:
        ContactFactory(guardian=guardian, kind="phone", value=phone)
        f.MarkFactory(lesson=cast.lesson, student=child, value=value)
        jm.Attendance.objects.create(
            school=cast.school,
            lesson=cast.lesson,
            student=child,
            code="absent",
            date=cast.lesson.date,
            created_by=cast.subject_teacher,
        )
        jm.Remark.objects.create(
            school=cast.school,
            student=child,
            lesson=cast.lesson,
            subject=cast.math,
            kind=jm.RemarkKind.choices[0][0],
            text=f"Замечание {value}",
            author=cast.subject_teacher,
        )
        access_log_record(cast.class_teacher, child, "журнал класса")
        OutboxMessage.objects.create(
            school=cast.school,
            guardian=guardian,
            student=child,
            channel="sms",
            recipient=phone,
            body=f"Отметка {value}",
            dedupe_key=f"k-{child.pk}",
        )
    request = pd_request_register(
        registered_by=cast.school_admin, guardian=ours, student=cast.pupil, received_on=cast.today
    )
    return ours, theirs, request


def _sections(export) -> dict:
    """The export's kinds of record by their Russian title."""
    return {section.title: section for purpose in export.purposes for section in purpose.sections}


def _cells(section) -> set[str]:
    return {cell for row in section.rows for cell in row}


def test_the_export_holds_the_familys_data_from_every_app(
    cast, two_families, django_assert_max_num_queries
):
    ours, _theirs, _request = two_families
    with django_assert_max_num_queries(2 + len(pdregistry.entries())):
        export = pd_export_build(guardian_id=ours.pk, student_id=cast.pupil.pk)
    sections = _sections(export)
    assert export.student == cast.pupil.full_name and export.guardian == ours.full_name
    assert ours.last_name in _cells(sections["Родители"])
    assert cast.pupil.last_name in _cells(sections["Обучающиеся"])
    assert "5" in _cells(sections["Отметки"]) and cast.math.name in _cells(sections["Отметки"])
    assert len(sections["Посещаемость"].rows) == 1
    assert "Замечание 5" in _cells(sections["Замечания"])
    assert "7 «А»" in _cells(sections["Зачисления"])
    assert "+7 900 111-00-00" in _cells(sections["Контакты"])
    assert len(sections["Согласия"].rows) == 1
    assert len(sections["Запросы субъектов персональных данных"].rows) == 1
    assert "Отметка 5" in _cells(sections["Исходящие"])
    assert {"guardian", "student"} <= _cells(sections["Пользователи"])


def test_the_export_is_grouped_by_purpose_with_the_legal_basis_and_retention(cast, two_families):
    ours, _theirs, _request = two_families
    export = pd_export_build(guardian_id=ours.pk, student_id=cast.pupil.pk)
    by_title = {purpose.title: purpose for purpose in export.purposes}
    journal = by_title["Ведение электронного журнала и учёт результатов обучения"]
    assert "273-ФЗ" in journal.legal_basis
    assert {s.title for s in journal.sections} >= {"Отметки", "Посещаемость", "Замечания"}
    assert all("не удаляет" in s.retention for s in journal.sections)
    messages = by_title["SMS и электронная почта для семьи"]
    assert messages.legal_basis.startswith("Согласие родителя")
    assert all("30 дней" in s.retention for s in messages.sections)


def test_the_export_shows_no_internal_fields_and_formats_values(cast, two_families):
    ours, _theirs, _request = two_families
    export = pd_export_build(guardian_id=ours.pk, student_id=cast.pupil.pk)
    sections = _sections(export)
    for section in sections.values():
        for column in section.columns:
            assert column not in {"id", "ID", "Статус суперпользователя", "Пароль", "Школа"}
            assert "_" not in column, column
        for cell in _cells(section):
            assert cell not in {"True", "False", "None"}, (section.title, cell)
    students = sections["Обучающиеся"]
    birth = cast.pupil.birth_date.strftime("%d.%m.%Y")
    assert birth in _cells(students)
    assert str(cast.pupil.pk) not in _cells(students)
    # A boolean is «да» or «нет».
    assert "да" in _cells(sections["Пользователи"])


def test_the_json_export_has_readable_keys_nested_by_purpose(cast, two_families):
    ours, _theirs, _request = two_families
    text = pd_export_json(pd_export_build(guardian_id=ours.pk, student_id=cast.pupil.pk))
    document = json.loads(text)
    assert document["Обучающийся"] == cast.pupil.full_name
    purposes = document["Цели обработки"]
    journal = next(p for p in purposes if p["Цель"].startswith("Ведение электронного журнала"))
    assert "273-ФЗ" in journal["Правовое основание"]
    marks = next(d for d in journal["Сведения"] if d["Вид сведений"] == "Отметки")
    assert marks["Срок хранения"] and marks["Записи"][0]["Отметка"] == "5"
    for forbidden in ["is_superuser", "accounts.", "journal.", "_id", "password", "False"]:
        assert forbidden not in text, forbidden

    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for item in node:
                yield from keys(item)

    assert all(re.fullmatch(r"[А-ЯЁа-яё ()',.-]+", key) for key in keys(document)), set(
        keys(document)
    )


def test_the_export_holds_nothing_of_the_other_family(cast, two_families):
    ours, theirs, _request = two_families
    text = pd_export_json(pd_export_build(guardian_id=ours.pk, student_id=cast.pupil.pk))
    for foreign in [
        theirs.last_name,
        cast.pupil_no_consent.last_name,
        "+7 900 222-00-00",
        "Отметка 2",
        "Замечание 2",
        "guardian_without_consent",
        cast.stranger_child.last_name,
    ]:
        assert foreign not in text, foreign


def test_the_json_and_pdf_exports_are_served_to_the_admin(
    cast, two_families, as_user, django_capture_on_commit_callbacks, tmp_path
):
    from tests.consent.test_pdf import built_pdf, pdf_text

    _ours, theirs, request = two_families
    client = as_user(cast.school_admin)
    response = client.get(reverse("consent:pd_export", args=[request.pk, "json"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert cast.pupil.last_name in body and theirs.last_name not in body
    # The PDF is built by a worker: the link leads to the generated file's page.
    content = built_pdf(
        client,
        reverse("consent:pd_export", args=[request.pk, "pdf"]),
        django_capture_on_commit_callbacks,
    )
    assert content.startswith(b"%PDF")
    text = pdf_text(content, tmp_path)
    # Lines joined with spaces: a word broken inside would read as two.
    flat = " ".join(text.split())
    for expected in [
        cast.pupil.full_name,
        "Ведение электронного журнала и учёт результатов обучения",
        "SMS и электронная почта для семьи",
        "Правовое основание",
        "Федеральный закон № 273-ФЗ «Об образовании в Российской Федерации»",
        "Срок хранения",
        "Замечание 5",
    ]:
        assert expected in flat, expected
    for forbidden in ["is_superuser", "accounts.", "journal.", "False", "True"]:
        assert forbidden not in text, forbidden
    assert theirs.last_name not in text


def test_a_request_is_due_in_ten_working_days(cast, two_families):
    _ours, _theirs, request = two_families
    from consent.dates import add_working_days

    assert request.due_on == add_working_days(cast.today, 10)
    assert PdRequest.objects.get().registered_by == cast.school_admin


def test_the_export_gives_times_on_the_schools_clock(cast, two_families):
    ours, _theirs, _request = two_families
    cast.school.time_zone = "Asia/Yekaterinburg"  # two hours ahead of Moscow
    cast.school.save(update_fields=["time_zone"])
    export = pd_export_build(guardian_id=ours.pk, student_id=cast.pupil.pk)
    assert export.generated_text == cast.today.strftime("%d.%m.%Y") + " 12:00"
