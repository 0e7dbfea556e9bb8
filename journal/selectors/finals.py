"""Final marks (итоговые отметки): suggestions, who may set them, the roster of a finals page, open deferrals."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.http import Http404

from accounts.rules import is_school_leader
from school.models import (
    ClassGroup,
    Enrollment,
    PeriodKind,
    ReportingPeriod,
    Student,
    StudyGroup,
    StudyGroupMembership,
    Subject,
    TeachingAssignment,
)

from ..grading import Average, Thresholds, suggest_final, weighted_average
from ..models import (
    NUMERIC_MARKS,
    FinalKind,
    FinalMark,
    FinalStatus,
    Mark,
)

# What a teacher may choose for a final: a mark of the scale, н/а or осв. (a deferral has its
# own service because it needs a reason, a document and a date).


@dataclass(frozen=True)
class Suggestion:
    """The weighted average of a student's marks in a subject and the final it points to."""

    average: Average
    suggested: int | None

    @property
    def value(self) -> Decimal | None:
        return self.average.value

    @property
    def count(self) -> int:
        return self.average.count


def _period_students(period: ReportingPeriod) -> dict[int, int]:
    """student id → class id of every student in a graded class of the period's levels."""
    rows = Enrollment.objects.filter(
        school_id=period.school_id,
        year_id=period.year_id,
        left_on__isnull=True,
        class_group__level__gte=max(period.level_min, 2),
        class_group__level__lte=period.level_max,
    ).values_list("student_id", "class_group_id")
    return dict(rows)


def finals_suggest(
    *,
    school,
    period: ReportingPeriod,
    student_ids: list[int] | None = None,
    subject_id: int | None = None,
) -> dict[tuple[int, int], Suggestion]:
    """Suggested finals keyed by (student id, subject id), from the period's marks.

    Two queries whatever the number of students: the marks of the period as `values()` rows
    (joined to the work type's weight), grouped in Python, then averaged and rounded by
    journal.grading. Without `student_ids` the whole school's graded classes of the period's
    levels are covered. A year period's suggestion comes from the period finals instead
    (`year_finals_suggest`).
    """
    thresholds = Thresholds.of(school)
    marks = Mark.objects.filter(
        school_id=school.pk,
        date__gte=period.starts_on,
        date__lte=period.ends_on,
        subject__is_graded=True,
    )
    if student_ids is None:
        student_ids = list(_period_students(period))
    marks = marks.filter(student_id__in=student_ids)
    if subject_id is not None:
        marks = marks.filter(subject_id=subject_id)
    # PostgreSQL groups equal marks (same value and weight) so that Python sees at most
    # students × subjects × 5 values × weights rows, not every mark. A mark of weight w that
    # occurs n times weighs the same as one mark of weight n·w, so journal.grading computes
    # the exact same average from the grouped rows; only the count of marks is summed here.
    grouped: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    rows = (
        marks.order_by()
        .values_list("student_id", "subject_id", "value", "work_type__weight")
        .annotate(n=Count("id"))
    )
    for student_id, subj_id, value, weight, n in rows.iterator(chunk_size=5000):
        grouped[(student_id, subj_id)].append((value, weight * n))
        counts[(student_id, subj_id)] += n if value in NUMERIC_MARKS else 0
    result = {}
    for key, pairs in grouped.items():
        merged = weighted_average(pairs)
        average = Average(total=merged.total, weight=merged.weight, count=counts[key])
        result[key] = Suggestion(average=average, suggested=suggest_final(average, thresholds))
    return result


def year_finals_suggest(
    *, school, year_period: ReportingPeriod, student_ids: list[int], subject_id: int
) -> dict[tuple[int, int], Suggestion]:
    """A year mark suggested from the period marks of the year: their plain average (each
    period weighs 1), rounded by the school's thresholds. One query."""
    thresholds = Thresholds.of(school)
    rows = FinalMark.objects.filter(
        school_id=school.pk,
        period__year_id=year_period.year_id,
        kind=FinalKind.PERIOD,
        status=FinalStatus.GRADED,
        subject_id=subject_id,
        student_id__in=student_ids,
    ).values_list("student_id", "value")
    grouped: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
    for student_id, value in rows:
        grouped[(student_id, subject_id)].append((value, 1))
    return {
        key: Suggestion(average=avg, suggested=suggest_final(avg, thresholds))
        for key, avg in ((k, weighted_average(v)) for k, v in grouped.items())
    }


def may_set_finals(
    user,
    *,
    subject_id: int,
    class_group: ClassGroup | None = None,
    study_group: StudyGroup | None = None,
) -> bool:
    """A teacher assigned to the subject in this class (or group) sets its finals; the deputy
    head and the director may make an authorised correction in any class of their school."""
    school_id = (class_group or study_group).school_id
    if school_id != getattr(user, "school_id", None):
        return False
    if is_school_leader(user):
        return True
    teacher = getattr(user, "teacher", None)
    if teacher is None or not user.is_active:
        return False
    assignments = TeachingAssignment.objects.filter(teacher=teacher, subject_id=subject_id)
    if study_group is not None:
        return assignments.filter(study_group=study_group).exists()
    return assignments.filter(class_group=class_group, study_group__isnull=True).exists()


def roster(*, class_group: ClassGroup | None = None, study_group: StudyGroup | None = None):
    """The students a finals page covers: a class's active students or a group's members."""
    if study_group is not None:
        ids = StudyGroupMembership.objects.filter(group=study_group).values("student_id")
    else:
        ids = Enrollment.objects.filter(class_group=class_group, left_on__isnull=True).values(
            "student_id"
        )
    return Student.objects.filter(pk__in=ids).order_by("last_name", "first_name", "patronymic")


def open_deferrals(*, school, due_before: dt.date | None = None):
    """Deferred finals of the school not yet resolved, optionally due before a date."""
    q = Q(school=school, status=FinalStatus.DEFERRED)
    if due_before is not None:
        q &= Q(deferred_until__lte=due_before)
    return FinalMark.objects.filter(q)


# --- The finals pages: their scope and rows -------------------------------------------------------------------------------


def _teacher(user):
    return getattr(user, "teacher", None) if user.is_active else None


def finals_class_scope(user, *, class_id: int, subject_id: int, period_id: int):
    """(class, subject, period) for a finals page, if the user teaches the subject in the class
    (or leads the school); 404 otherwise, the same as a missing id."""
    school_id = user.school_id
    class_group = ClassGroup.objects.filter(pk=class_id, school_id=school_id).first()
    subject = Subject.objects.filter(pk=subject_id, school_id=school_id).first()
    if class_group is None or subject is None:
        raise Http404
    if not is_school_leader(user):
        teacher = _teacher(user)
        if (
            teacher is None
            or not TeachingAssignment.objects.filter(
                teacher=teacher, subject=subject, class_group=class_group, study_group__isnull=True
            ).exists()
        ):
            raise Http404
    period = _period_for(period_id, class_group.year_id, class_group.level, school_id)
    return class_group, subject, period


def finals_group_scope(user, *, group_id: int, period_id: int):
    """(group, period) for a group's finals page, scoped like finals_class_scope."""
    group = (
        StudyGroup.objects.filter(pk=group_id, school_id=user.school_id)
        .select_related("subject", "class_group")
        .first()
    )
    if group is None:
        raise Http404
    if not is_school_leader(user):
        teacher = _teacher(user)
        if (
            teacher is None
            or not TeachingAssignment.objects.filter(
                teacher=teacher, subject_id=group.subject_id, study_group=group
            ).exists()
        ):
            raise Http404
    level = group.class_group.level if group.class_group_id else None
    period = _period_for(period_id, group.year_id, level, user.school_id)
    return group, period


def _period_for(period_id, year_id, level, school_id) -> ReportingPeriod:
    periods = ReportingPeriod.objects.filter(pk=period_id, school_id=school_id, year_id=year_id)
    if level is not None:
        periods = periods.filter(level_min__lte=level, level_max__gte=level)
    period = periods.select_related("school", "closed_by").first()
    if period is None:
        raise Http404
    return period


def teacher_finals_links(user, year):
    """The teacher's assignments with the periods each can set finals for."""
    teacher = _teacher(user)
    if teacher is None or year is None:
        return []
    assignments = list(
        TeachingAssignment.objects.filter(teacher=teacher, year=year)
        .select_related("subject", "class_group", "study_group__class_group")
        .order_by("class_group__level", "class_group__letter", "subject__name")
    )
    periods = sorted(
        ReportingPeriod.objects.filter(year=year),
        key=lambda p: (p.kind == PeriodKind.YEAR, p.starts_on),  # the year mark comes last
    )
    rows = []
    for a in assignments:
        klass = a.class_group or (a.study_group.class_group if a.study_group else None)
        level = klass.level if klass else None
        if level == 1:
            continue  # grade 1 is taught without marks
        fitting = [p for p in periods if level is None or p.level_min <= level <= p.level_max]
        rows.append((a, fitting))
    return rows


def deferrals_of(user):
    """Open deferrals the user made (the teacher who is reminded of them), soonest first."""
    return (
        FinalMark.objects.filter(school_id=user.school_id, status=FinalStatus.DEFERRED, set_by=user)
        .select_related("student", "subject", "period")
        .order_by("deferred_until")
    )


@dataclass
class FinalsRow:
    student: Student
    suggestion: object
    final: FinalMark | None


def finals_rows(*, period, subject, students, kind: str, suggestions) -> list[FinalsRow]:
    finals = {
        fm.student_id: fm
        for fm in FinalMark.objects.filter(
            period=period, subject=subject, kind=kind, student__in=[s.pk for s in students]
        )
    }
    return [
        FinalsRow(student=s, suggestion=suggestions.get((s.pk, subject.pk)), final=finals.get(s.pk))
        for s in students
    ]
