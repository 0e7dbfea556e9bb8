"""Reads of journal data, always scoped to the viewer."""

import datetime as dt

from django.db.models import QuerySet

from .models import AcademicYear, Enrollment, Lesson, Student, TeachingAssignment
from .rules import lessons_taught_by


def current_year(school, on: dt.date | None = None) -> AcademicYear | None:
    on = on or school.today()
    return (
        AcademicYear.objects.filter(school=school, starts_on__lte=on, ends_on__gte=on).first()
        or AcademicYear.objects.filter(school=school).order_by("-starts_on").first()
    )


def teacher_lessons_on(user, day: dt.date) -> QuerySet[Lesson]:
    """The lessons the user gives on a day, substitutions included, in timetable order."""
    return (
        Lesson.objects.filter(lessons_taught_by(user), school_id=user.school_id, date=day)
        .select_related(
            "subject",
            "class_group",
            "study_group",
            "work_type",
            "teacher",
            "substitute_teacher",
            "moved_from",
        )
        .order_by("lesson_number")
    )


def teacher_assignments(user, year: AcademicYear) -> QuerySet[TeachingAssignment]:
    teacher = getattr(user, "teacher", None)
    if teacher is None:
        return TeachingAssignment.objects.none()
    return (
        TeachingAssignment.objects.filter(teacher=teacher, year=year)
        .select_related("subject", "class_group", "study_group")
        .order_by("class_group__level", "class_group__letter", "subject__name")
    )


def children_of(user) -> QuerySet[Student]:
    """The students the user may see as a family member: a guardian's linked children, or the
    student themself."""
    guardian = getattr(user, "guardian", None)
    if guardian is not None:
        return Student.objects.filter(guardian_links__guardian=guardian).order_by("first_name")
    student = getattr(user, "student", None)
    if student is not None:
        return Student.objects.filter(pk=student.pk)
    return Student.objects.none()


def active_enrollments(students, year: AcademicYear) -> dict[int, Enrollment]:
    rows = Enrollment.objects.filter(student__in=students, year=year, left_on__isnull=True)
    return {e.student_id: e for e in rows.select_related("class_group")}
