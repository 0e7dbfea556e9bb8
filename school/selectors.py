"""Reads of the school's structure that every app shares."""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from .models import AcademicYear, ClassGroup, Enrollment, Guardian, Student


def current_year(school, on: dt.date | None = None) -> AcademicYear | None:
    """The academic year covering the school's day (its "today" by default); between years
    (before 1 September), the latest one."""
    on = on or school.today()
    return (
        AcademicYear.objects.filter(school=school, starts_on__lte=on, ends_on__gte=on).first()
        or AcademicYear.objects.filter(school=school).order_by("-starts_on").first()
    )


def classes_of(students: QuerySet[Student] | list, year: AcademicYear) -> dict[int, Enrollment]:
    """Each student's current class this year (Enrollment.active), by student id."""
    rows = Enrollment.objects.active().filter(student__in=students, year=year)
    return {e.student_id: e for e in rows.select_related("class_group")}


def school_overview(school, year: AcademicYear | None) -> dict:
    """What the school's leaders and administrator see first: how many students, parents and
    classes, and the classes with their class teachers and sizes (pupils not left)."""
    classes = (
        ClassGroup.objects.filter(school=school, year=year)
        .select_related("class_teacher")
        .annotate(size=Count("enrollments", filter=Q(enrollments__left_on__isnull=True)))
        if year
        else ClassGroup.objects.none()
    )
    return {
        "counts": {
            "students": Student.objects.filter(school=school).count(),
            "guardians": Guardian.objects.filter(school=school).count(),
            "classes": ClassGroup.objects.filter(school=school, year=year).count() if year else 0,
        },
        "classes": classes,
    }
