"""The lesson itself: its topic and work type, and the deputy head's changes (substitution, move, cancellation)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from school.models import (
    Teacher,
)

from ..models import (
    Attendance,
    Lesson,
    LessonPlan,
    LessonStatus,
    Mark,
    WorkType,
)
from .checks import lock_lesson, refuse_in_closed_period


@transaction.atomic
def lesson_update(
    *,
    user,
    lesson: Lesson,
    topic: str,
    planned_topic: LessonPlan | None = None,
    work_type: WorkType | None = None,
) -> Lesson:
    """Set the lesson's topic (free text or a planned topic) and its work type."""
    refuse_in_closed_period(user=user, lesson=lesson)
    if planned_topic is not None:
        if (
            planned_topic.assignment.school_id != lesson.school_id
            or planned_topic.assignment.subject_id != lesson.subject_id
        ):
            raise ValidationError({"planned_topic": [_("Choose a topic of this course.")]})
        topic = topic or planned_topic.topic
    topic = topic.strip()
    if len(topic) > 500:
        raise ValidationError({"topic": [_("The topic is too long (at most 500 characters).")]})
    if work_type is not None and work_type.school_id != lesson.school_id:
        raise ValidationError({"work_type": [_("Choose a work type of this school.")]})
    lesson.topic = topic
    lesson.planned_topic = planned_topic
    lesson.work_type = work_type
    lesson.save(update_fields=["topic", "planned_topic", "work_type", "updated_at"])
    return lesson


def _has_records(lesson: Lesson) -> bool:
    return (
        Mark.objects.filter(lesson=lesson).exists()
        or Attendance.objects.filter(lesson=lesson).exists()
    )


@transaction.atomic
def lesson_substitute(*, user, lesson: Lesson, teacher: Teacher | None) -> Lesson:
    """Another teacher gives the lesson (None: the lesson's own teacher again)."""
    if teacher is not None and teacher.school_id != lesson.school_id:
        raise ValidationError({"teacher": [_("Choose a teacher of this school.")]})
    if teacher is not None and teacher.pk == lesson.teacher_id:
        teacher = None
    lesson.substitute_teacher = teacher
    lesson.save(update_fields=["substitute_teacher", "updated_at"])
    return lesson


@transaction.atomic
def lesson_move(*, user, lesson: Lesson, date: dt.date, lesson_number: int) -> Lesson:
    """Move the lesson to another date or slot: the original stays, marked moved, and points to
    the new lesson. A lesson that already has marks or attendance is not moved."""
    locked = lock_lesson(lesson.pk)
    if locked.status != LessonStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled lesson can be moved."))
    if not 1 <= lesson_number <= 12:
        raise ValidationError({"lesson_number": [_("The lesson number must be from 1 to 12.")]})
    if date == locked.date and lesson_number == locked.lesson_number:
        raise ValidationError({"date": [_("Choose another date or lesson number.")]})
    if _has_records(locked):
        raise ValidationError(_("The lesson already has marks or attendance: it cannot be moved."))
    moved = Lesson.objects.create(
        school_id=locked.school_id,
        class_group_id=locked.class_group_id,
        study_group_id=locked.study_group_id,
        subject_id=locked.subject_id,
        teacher_id=locked.teacher_id,
        substitute_teacher_id=locked.substitute_teacher_id,
        date=date,
        lesson_number=lesson_number,
        topic=locked.topic,
        planned_topic_id=locked.planned_topic_id,
        work_type_id=locked.work_type_id,
        room=locked.room,
        moved_from=locked,
    )
    locked.status = LessonStatus.MOVED
    locked.save(update_fields=["status", "updated_at"])
    return moved


@transaction.atomic
def lesson_cancel(*, user, lesson: Lesson) -> Lesson:
    locked = lock_lesson(lesson.pk)
    if locked.status != LessonStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled lesson can be cancelled."))
    if _has_records(locked):
        raise ValidationError(
            _("The lesson already has marks or attendance: it cannot be cancelled.")
        )
    locked.status = LessonStatus.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    return locked
