"""Importing students, parents, teachers, subjects, groups and assignments: the preview
writes nothing, the import writes everything it showed or nothing, a second import finds
the same people."""

import pytest

from consent.models import ContactPoint, ContactSource
from imports.models import ImportKind, ImportStatus
from school.models import (
    ClassGroup,
    Enrollment,
    Guardian,
    Student,
    StudyGroup,
    Teacher,
    TeachingAssignment,
)

from .helpers import confirm, csv_file, upload, xlsx_file

pytestmark = pytest.mark.django_db

STUDENTS = [
    ["Фамилия", "Имя", "Отчество", "Дата рождения", "Класс"],
    ["Ёлкина", "Дарья", "Сергеевна", "01.09.2015", "3А"],
    ["Иванов-Петров", "Игорь", "", "1.9.2015", "3 «А»"],
    ["Сидорова", "Мария", "Ильинична", "2014-03-08", "4Б"],
]


def _students(cast):
    return Student.objects.filter(school=cast.school)


def test_cp1251_with_semicolons_previews_then_imports(cast, django_capture_on_commit_callbacks):
    before = _students(cast).count()
    batch = upload(
        django_capture_on_commit_callbacks,
        cast.school_admin,
        ImportKind.STUDENTS,
        csv_file(STUDENTS, encoding="cp1251"),
    )
    assert batch.status == ImportStatus.PREVIEWED
    assert batch.encoding == "cp1251"
    assert batch.counts["created"] == 3
    assert batch.counts["errors"] == 0
    notes = [n for line in batch.preview["lines"] for n in line["notes"]]
    assert "Новый класс 3 «А»." in notes
    # The preview wrote nothing.
    assert _students(cast).count() == before
    assert not ClassGroup.objects.filter(school=cast.school, level=3).exists()
    # The pupils already in the school and not in the file are listed, never removed.
    assert len(batch.preview["missing"]) == 5

    batch = confirm(django_capture_on_commit_callbacks, batch, cast.school_admin)
    assert batch.status == ImportStatus.APPLIED
    assert batch.applied_by == cast.school_admin
    yolkina = Student.objects.get(school=cast.school, last_name="Ёлкина")
    assert yolkina.patronymic == "Сергеевна"
    assert str(yolkina.birth_date) == "2015-09-01"
    assert Enrollment.objects.get(student=yolkina, left_on=None).class_group.letter == "А"
    assert Student.objects.filter(last_name="Иванов-Петров").exists()
    assert _students(cast).count() == before + 3


def test_the_same_file_twice_creates_nothing(cast, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    first = upload(capture, cast.school_admin, ImportKind.STUDENTS, csv_file(STUDENTS))
    confirm(capture, first, cast.school_admin)
    counts = (_students(cast).count(), Enrollment.objects.count(), ClassGroup.objects.count())

    # UTF-8 with a BOM this time, «Е» for «Ё»: the same people.
    again = [row[:] for row in STUDENTS]
    again[1][0] = "Елкина"
    second = upload(
        capture,
        cast.school_admin,
        ImportKind.STUDENTS,
        csv_file(again, encoding="utf-8-sig"),
    )
    assert second.encoding == "utf-8-sig"
    assert second.counts["created"] == 0
    assert second.counts["updated"] == 1  # the spelling, shown before → after
    changed = next(x for x in second.preview["lines"] if x["action"] == "updated")
    assert changed["changes"] == [["фамилия", "Ёлкина", "Елкина"]]
    assert second.counts["unchanged"] == 2
    confirm(capture, second, cast.school_admin)
    assert (_students(cast).count(), Enrollment.objects.count(), ClassGroup.objects.count()) == (
        counts
    )


def test_a_move_to_another_class_shows_before_and_after(cast, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    pupil = cast.pupil
    rows = [
        ["Фамилия", "Имя", "Отчество", "Дата рождения", "Класс"],
        [
            pupil.last_name,
            pupil.first_name,
            pupil.patronymic,
            pupil.birth_date.strftime("%d.%m.%Y"),
            "5Б",
        ],
    ]
    batch = upload(capture, cast.school_admin, ImportKind.STUDENTS, csv_file(rows))
    line = batch.preview["lines"][0]
    assert line["action"] == "updated"
    assert line["changes"] == [["класс", "7 «А»", "5 «Б»"]]
    confirm(capture, batch, cast.school_admin)
    # The old enrolment ended (its records stay), the new one is active.
    assert Enrollment.objects.get(student=pupil, left_on=None).class_group == cast.class_5b
    assert Enrollment.objects.filter(student=pupil, class_group=cast.class_7a).exclude(left_on=None)


def test_broken_rows_are_reported_by_line_and_nothing_of_them_is_written(
    cast, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    text = (
        (
            "Фамилия;Имя;Отчество;Дата рождения;Класс\r\n"
            "Ёлкина;Дарья;Сергеевна;01.09.2015;3А\r\n"
            "Орлов;;;31.02.2015;3А\r\n"
        ).encode()
        + b"\xd0\x9f\xff;\xfe;;;3\xd0\r\n"
        + "Сидорова;Мария;;2014-03-08;12Б\r\n".encode()
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    batch = upload(
        capture, cast.school_admin, ImportKind.STUDENTS, SimpleUploadedFile("b.csv", text)
    )
    errors = {(e["line"], e["field"]) for e in batch.errors}
    assert (3, "Имя") in errors
    assert (4, "") in errors  # the broken bytes
    assert (5, "Класс") in errors
    assert batch.counts == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": 3,
        "missing": 5,
    }
    messages = " ".join(e["message"] for e in batch.errors)
    assert "Обязательное поле" in messages or "обязательн" in messages.lower()
    confirm(capture, batch, cast.school_admin)
    assert batch.status == ImportStatus.APPLIED
    assert Student.objects.filter(last_name="Ёлкина").exists()
    assert not Student.objects.filter(last_name__in=["Орлов", "Сидорова"]).exists()
    # The class of the bad line was not left behind either.
    assert not ClassGroup.objects.filter(level=12).exists()


def test_a_changed_header_is_mapped_by_the_admin(cast, django_capture_on_commit_callbacks):
    from imports import services

    capture = django_capture_on_commit_callbacks
    rows = [["Surname", "Given name", "Born", "Форма"], ["Зайцева", "Ксения", "02.02.2016", "2А"]]
    batch = upload(capture, cast.school_admin, ImportKind.STUDENTS, csv_file(rows, delimiter=","))
    assert batch.status == ImportStatus.UPLOADED  # waits for the mapping
    with capture(execute=True):
        services.batch_map(
            batch=batch,
            mapping={"0": "last_name", "1": "first_name", "2": "birth_date", "3": "class_name"},
        )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED
    assert batch.counts["created"] == 1, batch.errors
    confirm(capture, batch, cast.school_admin)
    assert Student.objects.filter(last_name="Зайцева", birth_date="2016-02-02").exists()


def test_an_xlsx_of_teachers_then_subjects_groups_and_assignments(
    cast, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    teachers = xlsx_file([["ФИО", "Должность"], ["Кузнецова Ольга Игоревна", "учитель физики"]])
    batch = upload(capture, cast.school_admin, ImportKind.TEACHERS, teachers)
    assert batch.counts["created"] == 1, batch.errors
    confirm(capture, batch, cast.school_admin)
    teacher = Teacher.objects.get(school=cast.school, last_name="Кузнецова")
    assert teacher.user.school == cast.school and not teacher.user.has_usable_password()

    subjects = xlsx_file([["Предмет", "Сокращение"], ["Физика", "Физ"], ["математика", ""]])
    batch = upload(capture, cast.school_admin, ImportKind.SUBJECTS, subjects)
    assert (batch.counts["created"], batch.counts["unchanged"]) == (1, 1)
    confirm(capture, batch, cast.school_admin)

    groups = csv_file(
        [
            ["Группа", "Предмет", "Класс", "ФИО ученика"],
            ["7А физика 1", "Физика", "7А", cast.pupil.full_name],
        ]
    )
    batch = upload(capture, cast.school_admin, ImportKind.GROUPS, groups)
    assert batch.counts["created"] == 1, batch.errors
    confirm(capture, batch, cast.school_admin)
    group = StudyGroup.objects.get(school=cast.school, name="7А физика 1")
    assert list(group.students.all()) == [cast.pupil]

    assignments = csv_file(
        [["Учитель", "Предмет", "Класс/группа"], ["Кузнецова О.И.", "Физика", "7А физика 1"]]
    )
    batch = upload(capture, cast.school_admin, ImportKind.ASSIGNMENTS, assignments)
    assert batch.counts["created"] == 1, batch.errors
    confirm(capture, batch, cast.school_admin)
    assert TeachingAssignment.objects.filter(teacher=teacher, study_group=group).exists()
    # Twice: nothing new.
    batch = upload(capture, cast.school_admin, ImportKind.ASSIGNMENTS, assignments)
    assert (batch.counts["created"], batch.counts["unchanged"]) == (0, 1)


def test_parents_with_contacts_from_a_paper_list(cast, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    pupil = cast.pupil
    rows = [
        ["ФИО родителя", "Телефон", "E-mail", "Кем приходится", "Фамилия", "Имя", "Дата рождения"],
        [
            "Смирнова Ёлена Викторовна",
            "8 (900) 123-45-67",
            "Mama@Example.RU",
            "мать",
            pupil.last_name,
            pupil.first_name,
            pupil.birth_date.strftime("%d.%m.%Y"),
        ],
        ["Смирнов Пётр", "12345", "", "отец", pupil.last_name, pupil.first_name, ""],
    ]
    batch = upload(capture, cast.school_admin, ImportKind.GUARDIANS, csv_file(rows))
    assert batch.counts["created"] == 1, batch.errors
    assert [(e["line"], e["field"]) for e in batch.errors] == [(3, "Телефон")]
    assert len(batch.preview["missing"]) == 4  # the cast's parents, listed and left alone
    line = batch.preview["lines"][0]
    assert ["телефон", "—", "+79001234567"] in line["changes"]
    assert "Телефон как записано: «8 (900) 123-45-67»." in line["notes"]
    confirm(capture, batch, cast.school_admin)
    mother = Guardian.objects.get(school=cast.school, first_name="Ёлена")
    assert mother.links.get().student == pupil
    phone = ContactPoint.objects.current().get(guardian=mother, kind="phone")
    assert (phone.value, phone.source, phone.recorded_by) == (
        "+79001234567",
        ContactSource.APPLICATION,
        cast.school_admin,
    )
    # Nothing of the father's bad line.
    assert not Guardian.objects.filter(last_name="Смирнов").exists()
    # Twice: the same parent, the same contact.
    again = upload(capture, cast.school_admin, ImportKind.GUARDIANS, csv_file(rows[:2]))
    assert (again.counts["created"], again.counts["unchanged"]) == (0, 1)
    confirm(capture, again, cast.school_admin)
    assert Guardian.objects.filter(first_name="Ёлена").count() == 1
    assert ContactPoint.objects.filter(guardian=mother).count() == 2


def test_a_parent_spelt_with_e_for_yo_is_the_childs_parent_not_a_new_one(
    cast, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    pupil = cast.pupil
    header = ["ФИО родителя", "Кем приходится", "Фамилия", "Имя"]
    first = [header, ["Алёшина Ольга Петровна", "мать", pupil.last_name, pupil.first_name]]
    confirm(
        capture,
        upload(capture, cast.school_admin, ImportKind.GUARDIANS, csv_file(first)),
        cast.school_admin,
    )
    again = [header, ["Алешина Ольга Петровна", "мать", pupil.last_name, pupil.first_name]]
    batch = upload(capture, cast.school_admin, ImportKind.GUARDIANS, csv_file(again))
    assert batch.counts["created"] == 0, batch.preview["lines"]
    confirm(capture, batch, cast.school_admin)
    assert Guardian.objects.filter(school=cast.school, first_name="Ольга").count() == 1
