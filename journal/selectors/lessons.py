"""Which lessons a user may see or edit, and a teacher's own day and assignments.

Every selector that takes a user answers "not yours" exactly like "not there" (Http404): the
permission is part of the query, never a check after loading the row.
"""

import datetime as dt

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.http import Http404

from accounts.rules import is_deputy_head, is_school_leader
from school.models import (
    AcademicYear,
    Enrollment,
    StudyGroupMembership,
    TeachingAssignment,
)

from ..models import (
    Lesson,
)
from ..rules import _teacher_id, lessons_taught_by


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


def editable_lessons(user) -> QuerySet[Lesson]:
    """Lessons the user may write in: as the lesson's teacher, its substitute (that lesson only)
    or an assigned teacher of its class or group and subject; the deputy head, every lesson of
    the school (corrections). Whole-class assignments do not cover a group's lessons."""
    school_lessons = Lesson.objects.filter(school_id=user.school_id)
    if is_deputy_head(user):
        return school_lessons
    teacher_id = _teacher_id(user)
    if teacher_id is None:
        return Lesson.objects.none()
    class_assignment = Exists(
        TeachingAssignment.objects.filter(
            teacher_id=teacher_id,
            subject_id=OuterRef("subject_id"),
            class_group_id=OuterRef("class_group_id"),
            study_group__isnull=True,
        )
    )
    group_assignment = Exists(
        TeachingAssignment.objects.filter(
            teacher_id=teacher_id,
            subject_id=OuterRef("subject_id"),
            study_group_id=OuterRef("study_group_id"),
        )
    )
    return school_lessons.filter(
        Q(teacher_id=teacher_id)
        | Q(substitute_teacher_id=teacher_id)
        | (Q(study_group__isnull=True) & class_assignment)
        | (Q(study_group__isnull=False) & group_assignment)
    )


def viewable_lessons(user) -> QuerySet[Lesson]:
    """Lessons the user may see: the editable ones, every lesson of the class (and its groups)
    for its class teacher, and the whole school for the director and deputy head."""
    if is_school_leader(user):
        return Lesson.objects.filter(school_id=user.school_id)
    teacher_id = _teacher_id(user)
    if teacher_id is None:
        return Lesson.objects.none()
    homeroom = Q(class_group__class_teacher_id=teacher_id) | Q(
        study_group__class_group__class_teacher_id=teacher_id
    )
    return Lesson.objects.filter(
        Q(pk__in=editable_lessons(user).values("pk")) | homeroom, school_id=user.school_id
    )


_LESSON_RELATED = (
    "school",
    "subject",
    "class_group",
    "study_group",
    "work_type",
    "teacher",
    "substitute_teacher",
    "moved_from",
    "planned_topic",
)


def lesson_for_editor(user, lesson_id: int) -> Lesson:
    """The lesson if the user may write in it, else Http404."""
    lesson = editable_lessons(user).select_related(*_LESSON_RELATED).filter(pk=lesson_id).first()
    if lesson is None:
        raise Http404
    return lesson


def lesson_for_viewer(user, lesson_id: int) -> Lesson:
    """The lesson if the user may see it, else Http404. `lesson.can_edit` says whether they may
    also write in it."""
    teacher_id = _teacher_id(user)
    editable = editable_lessons(user).filter(pk=OuterRef("pk"))
    lesson = (
        viewable_lessons(user)
        .select_related(*_LESSON_RELATED)
        .annotate(can_edit=Exists(editable))
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise Http404
    lesson.is_substitute_view = (
        teacher_id is not None and lesson.substitute_teacher_id == teacher_id
    )
    return lesson


def lesson_student_ids(lesson: Lesson) -> list[int]:
    """The students taught in the lesson on its date: the group's members, or the class's
    students enrolled that day (for a listener telling their families about the lesson)."""
    if lesson.study_group_id:
        rows = StudyGroupMembership.objects.filter(group_id=lesson.study_group_id)
    else:
        rows = Enrollment.objects.filter(
            Q(left_on__isnull=True) | Q(left_on__gte=lesson.date),
            class_group_id=lesson.class_group_id,
            joined_on__lte=lesson.date,
        )
    return list(rows.values_list("student_id", flat=True))
