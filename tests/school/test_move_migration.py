"""The school's structure moved from the journal (and School from accounts) into the school
app: a database made before the move keeps every row, id and link through `migrate`."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from diary import triggers

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [
    ("accounts", "0001_initial"),
    ("journal", "0003_drop_indexes_covered_by_composites"),
    ("consent", "0003_access_log_once_a_day"),
    ("diary", "0001_acknowledgements_and_feeds"),
    ("notifications", "0001_outbox"),
    ("reports", "0001_deferral_reminder"),
    ("school", None),
]


def migrate_to(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    with triggers.suspended():  # the executor alone sends no pre/post_migrate
        executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_rows_made_before_the_move_are_kept_with_their_ids_and_links():
    old = migrate_to(BEFORE_THE_MOVE)
    try:
        school = old.get_model("accounts", "School").objects.create(
            name="МБОУ СОШ № 1", short_name="Школа № 1"
        )
        user = old.get_model("accounts", "User").objects.create(
            username="uchitel-old", school_id=school.pk, role="teacher"
        )
        year = old.get_model("journal", "AcademicYear").objects.create(
            school_id=school.pk,
            name="2026/2027",
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2027, 8, 31),
        )
        teacher = old.get_model("journal", "Teacher").objects.create(
            school_id=school.pk, user_id=user.pk, last_name="Иванова", first_name="Анна"
        )
        klass = old.get_model("journal", "ClassGroup").objects.create(
            school_id=school.pk, year_id=year.pk, level=7, letter="А", class_teacher_id=teacher.pk
        )
        student = old.get_model("journal", "Student").objects.create(
            school_id=school.pk, last_name="Ёлкина-Петрова", first_name="Мария"
        )
        old.get_model("journal", "Enrollment").objects.create(
            school_id=school.pk,
            student_id=student.pk,
            class_group_id=klass.pk,
            year_id=year.pk,
            joined_on=dt.date(2026, 9, 1),
        )
        subject = old.get_model("journal", "Subject").objects.create(
            school_id=school.pk, name="Алгебра"
        )
        work_type = old.get_model("journal", "WorkType").objects.create(
            school_id=school.pk, name="Ответ на уроке", weight=1
        )
        lesson = old.get_model("journal", "Lesson").objects.create(
            school_id=school.pk,
            class_group_id=klass.pk,
            subject_id=subject.pk,
            teacher_id=teacher.pk,
            date=dt.date(2026, 11, 20),
            lesson_number=1,
            work_type_id=work_type.pk,
        )
        mark = old.get_model("journal", "Mark").objects.create(
            school_id=school.pk,
            lesson_id=lesson.pk,
            student_id=student.pk,
            value="5",
            work_type_id=work_type.pk,
            date=lesson.date,
            subject_id=subject.pk,
            created_by_id=user.pk,
        )
    finally:
        new = migrate_to(latest())

    from journal.models import Mark
    from school.models import ClassGroup, School, Student

    moved_school = School.objects.get(pk=school.pk)
    assert moved_school.short_name == "Школа № 1"
    assert moved_school.users.get().username == "uchitel-old"
    moved = Student.objects.get(pk=student.pk)
    assert moved.last_name == "Ёлкина-Петрова"
    assert moved.enrollments.get().class_group == ClassGroup.objects.get(pk=klass.pk)
    assert ClassGroup.objects.get(pk=klass.pk).class_teacher.last_name == "Иванова"
    kept = Mark.objects.select_related("student", "lesson__class_group").get(pk=mark.pk)
    assert (kept.value, kept.student, kept.lesson.class_group_id) == ("5", moved, klass.pk)
    # New rows continue the old ids (the sequences came along with the tables).
    assert Student.objects.create(school=moved_school, last_name="Новый").pk > student.pk
    assert new.get_model("school", "Student")._meta.db_table == "school_student"
