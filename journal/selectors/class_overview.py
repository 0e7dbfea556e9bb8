"""The class teacher's overview of their class for a period: pupils × subjects with the
average of each, absences by kind, and the pupils at risk of a «2» for the period."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404

from accounts.rules import is_school_leader
from school.models import (
    ClassGroup,
    Enrollment,
    ReportingPeriod,
    Student,
    Subject,
    TeachingAssignment,
    current_period,
)
from school.rules import homeroom_classes

from ..models import ATTENDANCE_SHORT, Attendance, AttendanceCode
from .finals import Suggestion, finals_suggest


def class_for_overview(user, class_id: int) -> ClassGroup:
    """The class if the user is its class teacher or leads the school; 404 otherwise."""
    classes = ClassGroup.objects.filter(pk=class_id, school_id=user.school_id)
    if not is_school_leader(user):
        classes = classes.filter(homeroom_classes(user))
    klass = classes.select_related("school", "class_teacher").first()
    if klass is None:
        raise Http404
    return klass


@dataclass
class OverviewRow:
    student: Student
    cells: list  # Suggestion | None per subject, in the overview's subject order
    absences: dict = field(default_factory=dict)  # attendance code → count
    at_risk: list = field(default_factory=list)  # subjects whose suggested final is 2

    @property
    def absence_counts(self) -> list[int]:
        """Counts in the journal's order of codes (н, б, у, оп)."""
        return [self.absences.get(code, 0) for code in ATTENDANCE_SHORT]

    @property
    def missed(self) -> int:
        return sum(n for code, n in self.absences.items() if code != AttendanceCode.LATE)


@dataclass
class ClassOverview:
    klass: ClassGroup
    periods: list
    period: ReportingPeriod | None
    subjects: list
    rows: list

    @property
    def at_risk(self) -> list:
        return [row for row in self.rows if row.at_risk]


def class_overview(klass: ClassGroup, period_id: int | None = None) -> ClassOverview:
    """The overview of a class already scoped to the viewer (`class_for_overview`). A fixed
    number of queries whatever the size of the class."""
    periods = list(
        ReportingPeriod.objects.filter(
            year_id=klass.year_id, level_min__lte=klass.level, level_max__gte=klass.level
        ).order_by("starts_on", "kind")
    )
    period = next((p for p in periods if p.pk == period_id), None) or current_period(
        periods, klass.school.today()
    )
    if period is None:
        return ClassOverview(klass, periods, None, [], [])
    students = list(
        Student.objects.filter(
            pk__in=Enrollment.objects.during(period.starts_on, period.ends_on)
            .filter(class_group=klass)
            .values("student_id")
        ).order_by("last_name", "first_name", "patronymic")
    )
    ids = [s.pk for s in students]
    subjects = list(
        Subject.objects.filter(
            pk__in=TeachingAssignment.objects.filter(
                Q(class_group=klass) | Q(study_group__class_group=klass)
            ).values("subject_id")
        ).order_by("name")
    )
    suggestions: dict[tuple[int, int], Suggestion] = finals_suggest(
        school=klass.school, period=period, student_ids=ids
    )
    absences: dict[int, dict] = defaultdict(dict)
    for student_id, code, n in (
        Attendance.objects.filter(
            student_id__in=ids, date__gte=period.starts_on, date__lte=period.ends_on
        )
        .order_by()
        .values_list("student_id", "code")
        .annotate(n=Count("id"))
    ):
        absences[student_id][code] = n
    rows = []
    for student in students:
        cells = [suggestions.get((student.pk, s.pk)) for s in subjects]
        risk = [s for s, c in zip(subjects, cells, strict=True) if c and c.suggested == 2]
        rows.append(OverviewRow(student, cells, absences.get(student.pk, {}), risk))
    return ClassOverview(klass, periods, period, subjects, rows)
