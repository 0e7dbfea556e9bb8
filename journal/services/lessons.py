"""The lesson itself: its topic and work type, and the deputy head's changes (substitution, move, cancellation)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from school.models import (
    Holiday,
    Teacher,
    TimetableEntry,
)

from .. import events
from ..history import lesson_record_change
from ..models import (
    Attendance,
    ChangeAction,
    Lesson,
    LessonPlan,
    LessonStatus,
    Mark,
    MarkChange,
    WorkType,
)
from .checks import announce, lock_lesson, refuse_in_closed_period


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
    before = _topic_snapshot(lesson.topic, lesson.work_type_id)
    lesson.topic = topic
    lesson.planned_topic = planned_topic
    lesson.work_type = work_type
    lesson.save(update_fields=["topic", "planned_topic", "work_type", "updated_at"])
    lesson_record_change(
        lesson=lesson,
        entity=MarkChange.Entity.TOPIC,
        object_id=lesson.pk,
        action=ChangeAction.UPDATE,
        user=user,
        before=before,
        after=_topic_snapshot(topic, work_type.pk if work_type else None),
    )
    return lesson


def _topic_snapshot(topic: str, work_type_id: int | None) -> dict:
    return {"topic": topic, "work_type_id": work_type_id}


def _has_records(lesson: Lesson) -> bool:
    return (
        Mark.objects.filter(lesson=lesson).exists()
        or Attendance.objects.filter(lesson=lesson).exists()
    )


@transaction.atomic
def lesson_substitute(
    *,
    user,  # noqa: ARG001 (the author, as every service takes)
    lesson: Lesson,
    teacher: Teacher | None,
) -> Lesson:
    """Another teacher gives the lesson (None: the lesson's own teacher again)."""
    if teacher is not None and teacher.school_id != lesson.school_id:
        raise ValidationError({"teacher": [_("Choose a teacher of this school.")]})
    if teacher is not None and teacher.pk == lesson.teacher_id:
        teacher = None
    if teacher is not None and teacher.pk != lesson.substitute_teacher_id:
        _refuse_busy_substitute(lesson, teacher)
    lesson.substitute_teacher = teacher
    lesson.save(update_fields=["substitute_teacher", "updated_at"])
    return lesson


def _refuse_busy_substitute(lesson: Lesson, teacher: Teacher) -> None:
    """A teacher cannot give two lessons at once: one who gives another lesson at the same date
    and period (their own or a substitution) is refused, naming that lesson. The teacher's row
    is locked first, so two substitutions of one teacher at once are checked one after the
    other."""
    Teacher.objects.select_for_update().filter(pk=teacher.pk).first()
    others = Lesson.objects.filter(
        school_id=lesson.school_id,
        date=lesson.date,
        lesson_number=lesson.lesson_number,
        status=LessonStatus.SCHEDULED,
    ).exclude(pk=lesson.pk)
    taken = _teacher_busy_in(others, teacher.pk)
    if taken is not None:
        message = _(
            "%(name)s already gives %(subject)s in %(group)s on %(date)s, lesson %(number)s: "
            "choose a free teacher."
        ) % {
            "name": teacher.short_name,
            "subject": taken.subject.name,
            "group": taken.group_label,
            "date": lesson.date.strftime("%d.%m.%Y"),
            "number": lesson.lesson_number,
        }
        raise ValidationError({"teacher": [message]})


def _day_off_refusal(lesson: Lesson, date: dt.date) -> str | None:
    """Why the class does not study on that day, or None: a Sunday, a weekday the class's
    timetable never uses (a five-day week leaves Saturday free), or a holiday of its level."""
    day = date.strftime("%d.%m.%Y")
    if date.isoweekday() == 7:
        return _("%(date)s is a Sunday: choose a school day.") % {"date": day}
    klass = lesson.class_group or (lesson.study_group.class_group if lesson.study_group else None)
    if klass is not None:
        entries = TimetableEntry.objects.filter(
            Q(class_group=klass) | Q(study_group__class_group=klass),
            valid_from__lte=date,
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=date))
        weekdays = set(entries.values_list("weekday", flat=True))
        if weekdays and date.isoweekday() not in weekdays:
            return _("%(date)s is a day off for the class: choose a school day.") % {"date": day}
        holiday = (
            Holiday.objects.filter(
                school_id=lesson.school_id,
                starts_on__lte=date,
                ends_on__gte=date,
                level_min__lte=klass.level,
                level_max__gte=klass.level,
            )
            .values_list("name", flat=True)
            .first()
        )
        if holiday:
            return _("%(date)s falls in the holidays (%(name)s).") % {"date": day, "name": holiday}
    return None


def _slot_refusal(lesson: Lesson, date: dt.date, number: int) -> str | None:
    """Why the slot is taken, or None: the class (or group) already has a lesson there, the
    teacher gives another lesson there, or the room is in use. Two subgroups of one class may
    share a slot (languages are taught so); a lesson of the whole class may not."""
    others = Lesson.objects.filter(
        school_id=lesson.school_id,
        date=date,
        lesson_number=number,
        status=LessonStatus.SCHEDULED,
    ).exclude(pk=lesson.pk)
    if lesson.study_group_id:
        group = lesson.study_group
        pupils = Q(study_group_id=group.pk)
        if group.class_group_id:
            pupils |= Q(class_group_id=group.class_group_id, study_group__isnull=True)
    else:
        pupils = Q(class_group_id=lesson.class_group_id) | Q(
            study_group__class_group_id=lesson.class_group_id
        )
    taken = others.filter(pupils).select_related("subject").first()
    slot = {"date": date.strftime("%d.%m.%Y"), "number": number}
    if taken is not None:
        return _("The class already has %(subject)s on %(date)s, lesson %(number)s.") % {
            **slot,
            "subject": taken.subject.name,
        }
    if _teacher_busy_in(others, lesson.substitute_teacher_id or lesson.teacher_id) is not None:
        return _("The teacher already gives a lesson on %(date)s, lesson %(number)s.") % slot
    if lesson.room and others.filter(room=lesson.room).exists():
        return _("Room %(room)s is taken on %(date)s, lesson %(number)s.") % {
            **slot,
            "room": lesson.room,
        }
    return None


def _teacher_busy_in(others, teacher_id: int):
    """The lesson among `others` the teacher gives (as its teacher with no substitute, or as
    its substitute), or None. The rule of a move and of a substitution alike (and of the
    substitute picker, `selectors.busy_teachers`)."""
    busy = Q(substitute_teacher_id=teacher_id) | Q(
        substitute_teacher__isnull=True, teacher_id=teacher_id
    )
    return others.filter(busy).select_related("subject", "class_group", "study_group").first()


def _refuse_move(lesson: Lesson, date: dt.date, number: int) -> None:
    if lesson.status != LessonStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled lesson can be moved."))
    if not 1 <= number <= 12:
        raise ValidationError({"lesson_number": [_("The lesson number must be from 1 to 12.")]})
    if date == lesson.date and number == lesson.lesson_number:
        raise ValidationError({"date": [_("Choose another date or lesson number.")]})
    if _has_records(lesson):
        raise ValidationError(_("The lesson already has marks or attendance: it cannot be moved."))
    refusal = _day_off_refusal(lesson, date) or _slot_refusal(lesson, date, number)
    if refusal:
        raise ValidationError({"date": [refusal]})


def _announce_change(*, user, lesson: Lesson) -> None:
    """Tell the listeners which timetabled lesson changed (the original of a moved one)."""
    original = lesson.moved_from_id or lesson.pk
    announce(
        events.lessons_changed,
        school_id=lesson.school_id,
        lesson_ids=[original],
        changed_by_id=user.pk,
    )


@transaction.atomic
def lesson_move(*, user, lesson: Lesson, date: dt.date, lesson_number: int) -> Lesson:
    """Move the lesson (see `_move`) and announce it."""
    moved = _move(lesson, date, lesson_number)
    _announce_change(user=user, lesson=moved)
    return moved


def _move(lesson: Lesson, date: dt.date, lesson_number: int) -> Lesson:
    """Move the lesson to another date or slot and return the lesson where it now takes place.

    The lesson as timetabled stays, marked moved, and points to one replacement; moving again
    moves that replacement (a chain of moves leaves one lesson where it ended and one trace for
    the family), and moving it back to the timetabled slot undoes the move. A lesson with marks
    or attendance is not moved; a taken slot, a day off and a holiday are refused."""
    locked = lock_lesson(lesson.pk)
    if locked.status == LessonStatus.MOVED and hasattr(locked, "moved_to"):
        locked = lock_lesson(locked.moved_to.pk)
    origin = locked.moved_from
    if origin is not None and (date, lesson_number) == (origin.date, origin.lesson_number):
        return _undo_move(replacement=locked, origin=origin)
    _refuse_move(locked, date, lesson_number)
    if origin is not None:
        locked.date, locked.lesson_number = date, lesson_number
        locked.save(update_fields=["date", "lesson_number", "updated_at"])
        return locked
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


def _undo_move(*, replacement: Lesson, origin: Lesson) -> Lesson:
    """Back to the timetabled slot: the replacement goes (it has no marks or attendance) and the
    original lesson is scheduled again, with what was written in the replacement meanwhile."""
    if _has_records(replacement):
        raise ValidationError(_("The lesson already has marks or attendance: it cannot be moved."))
    origin = lock_lesson(origin.pk)
    origin.topic = replacement.topic
    origin.planned_topic_id = replacement.planned_topic_id
    origin.work_type_id = replacement.work_type_id
    origin.substitute_teacher_id = replacement.substitute_teacher_id
    replacement.delete()
    origin.status = LessonStatus.SCHEDULED
    origin.save(
        update_fields=[
            "status",
            "topic",
            "planned_topic",
            "work_type",
            "substitute_teacher",
            "updated_at",
        ]
    )
    return origin


@transaction.atomic
def lesson_move_undo(*, user, lesson: Lesson) -> Lesson:
    """Undo the move of a lesson (given as the original or as its replacement)."""
    locked = lock_lesson(lesson.pk)
    if locked.status == LessonStatus.MOVED and hasattr(locked, "moved_to"):
        locked = lock_lesson(locked.moved_to.pk)
    if locked.moved_from is None:
        raise ValidationError(_("The lesson was not moved."))
    origin = _undo_move(replacement=locked, origin=locked.moved_from)
    _announce_change(user=user, lesson=origin)
    return origin


@transaction.atomic
def lesson_cancel(*, user, lesson: Lesson, reason: str, document: str) -> Lesson:
    """Cancel a lesson that holds no marks or attendance, with the reason and the paper it
    rests on (an application or an order): the family sees the lesson as cancelled."""
    reason, document = reason.strip(), document.strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("State the reason for cancelling the lesson.")]
    if not document:
        errors["document"] = [_("Name the application or order (its number and date).")]
    if errors:
        raise ValidationError(errors)
    locked = lock_lesson(lesson.pk)
    if locked.status != LessonStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled lesson can be cancelled."))
    if _has_records(locked):
        raise ValidationError(
            _("The lesson already has marks or attendance: it cannot be cancelled.")
        )
    locked.status = LessonStatus.CANCELLED
    locked.cancel_reason, locked.cancel_document = reason[:300], document[:200]
    locked.save(update_fields=["status", "cancel_reason", "cancel_document", "updated_at"])
    _announce_change(user=user, lesson=locked)
    return locked
