"""Reads of the write API: what the reconciliation compares, scoped to the client's school
inside every query (the client's school is a condition of the query itself)."""

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

from journal.models import Attendance, Lesson, Mark
from school.models import ClassGroup, Enrollment, ReportingPeriod


@dataclass
class PeriodRecords:
    """A period's classes and, per class, its marks, attendance, lesson and student counts."""

    classes: list
    marks: list[tuple]  # (class id, lesson id, student id, slot, value)
    absences: list[tuple]  # (class id, lesson id, student id, code)
    lessons: dict[int, int]  # class id → lessons
    students: dict[int, int]  # class id → students enrolled during the period


def period_records(*, client, period: ReportingPeriod) -> PeriodRecords:
    """What the client's school holds for the period, in six queries whatever its size."""
    school = client.school
    classes = list(
        ClassGroup.objects.filter(
            school=school,
            year_id=period.year_id,
            level__gte=period.level_min,
            level__lte=period.level_max,
        ).order_by("level", "letter")
    )
    class_of = Coalesce(F("lesson__class_group_id"), F("lesson__study_group__class_group_id"))
    in_period = Q(school=school, date__gte=period.starts_on, date__lte=period.ends_on)
    marks = list(
        Mark.objects.filter(in_period)
        .annotate(klass=class_of)
        .values_list("klass", "lesson_id", "student_id", "slot", "value")
    )
    absences = list(
        Attendance.objects.filter(in_period)
        .annotate(klass=class_of)
        .values_list("klass", "lesson_id", "student_id", "code")
    )
    lessons = {
        r["klass"]: r["n"]
        for r in Lesson.objects.filter(in_period)
        .annotate(klass=Coalesce(F("class_group_id"), F("study_group__class_group_id")))
        .values("klass")
        .annotate(n=Count("id"))
    }
    students = {
        r["class_group_id"]: r["n"]
        for r in Enrollment.objects.filter(class_group__in=classes, class_group__school=school)
        .during(period.starts_on, period.ends_on)
        .values("class_group_id")
        .annotate(n=Count("id"))
    }
    return PeriodRecords(classes, marks, absences, lessons, students)
