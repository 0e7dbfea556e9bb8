"""The finals still missing in a reporting period, by class, subject and teacher: shown before
closing the period and in filling control (regulation 2.5: every pupil gets final marks)."""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from accounts.rules import is_school_leader
from school.models import (
    Enrollment,
    PeriodKind,
    ReportingPeriod,
    StudyGroupMembership,
    TeachingAssignment,
)

from ..models import FinalKind, FinalMark


@dataclass(frozen=True)
class MissingFinals:
    """One class (or group), subject and teacher with pupils lacking a final of the period."""

    group_label: str
    level: int
    letter: str
    subject: str
    teacher: str
    teacher_id: int
    missing: int
    pupils: int
    url: str
    class_id: int | None = None
    subject_id: int | None = None

    @property
    def none_set(self) -> bool:
        return self.missing == self.pupils


def period_for_leader(user, period_id: int) -> ReportingPeriod:
    """A reporting period of the leader's school; 404 for anyone else, like a missing id."""
    if not is_school_leader(user):
        raise Http404
    period = (
        ReportingPeriod.objects.filter(pk=period_id, school_id=user.school_id)
        .select_related("closed_by", "year", "school")
        .first()
    )
    if period is None:
        raise Http404
    return period


def _finals_url(assignment, period) -> str:
    if assignment.study_group_id:
        return reverse("journal:finals_group", args=[assignment.study_group_id, period.pk])
    return reverse(
        "journal:finals", args=[assignment.class_group_id, assignment.subject_id, period.pk]
    )


def missing_finals(user, period: ReportingPeriod) -> list[MissingFinals]:
    """Every assignment of the period's graded classes whose pupils lack a final of the period
    (a period mark, or the year mark for the year), sorted as classes (5 «А» before 10 «А»),
    then subject. Five queries whatever the size of the school."""
    if not is_school_leader(user) or user.school_id != period.school_id:
        raise Http404
    low, high = max(period.level_min, 2), period.level_max
    assignments = list(
        TeachingAssignment.objects.filter(year_id=period.year_id)
        .filter(
            Q(class_group__level__gte=low, class_group__level__lte=high)
            | Q(study_group__class_group__level__gte=low, study_group__class_group__level__lte=high)
        )
        .select_related("subject", "teacher", "class_group", "study_group__class_group")
    )
    enrolled: dict[int, set[int]] = {}
    for student_id, class_id in Enrollment.objects.filter(
        year_id=period.year_id, left_on__isnull=True, class_group__level__gte=low
    ).values_list("student_id", "class_group_id"):
        enrolled.setdefault(class_id, set()).add(student_id)
    members: dict[int, set[int]] = {}
    group_ids = {a.study_group_id for a in assignments if a.study_group_id}
    for student_id, group_id in StudyGroupMembership.objects.filter(
        group_id__in=group_ids
    ).values_list("student_id", "group_id"):
        members.setdefault(group_id, set()).add(student_id)
    kind = FinalKind.YEAR if period.kind == PeriodKind.YEAR else FinalKind.PERIOD
    have = set(
        FinalMark.objects.filter(period=period, kind=kind).values_list("student_id", "subject_id")
    )
    rows = []
    for a in assignments:
        pupils = (
            members.get(a.study_group_id, set())
            if a.study_group_id
            else (enrolled.get(a.class_group_id, set()))
        )
        missing = sum(1 for s in pupils if (s, a.subject_id) not in have)
        if not missing:
            continue
        klass = a.class_group or a.study_group.class_group
        rows.append(
            MissingFinals(
                group_label=str(a.study_group or a.class_group),
                level=klass.level,
                letter=klass.letter,
                subject=a.subject.name,
                teacher=a.teacher.short_name,
                teacher_id=a.teacher_id,
                missing=missing,
                pupils=len(pupils),
                url=_finals_url(a, period),
                class_id=klass.pk,
                subject_id=a.subject_id,
            )
        )
    rows.sort(key=lambda r: (r.level, r.letter, r.group_label, r.subject, r.teacher))
    return rows
