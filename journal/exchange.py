"""Journal writes that only the exchange needs: a lesson that another journal holds and our
timetable did not generate. Every other write that arrives by the exchange API goes through
the same services as the forms (journal.services, journal.finals)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from school.models import ClassGroup, StudyGroup, Subject, Teacher

from .models import Lesson


@transaction.atomic
def lesson_create(
    *,
    user,
    school,
    subject: Subject,
    teacher: Teacher,
    date: dt.date,
    lesson_number: int,
    class_group: ClassGroup | None = None,
    study_group: StudyGroup | None = None,
    room: str = "",
) -> Lesson:
    """A scheduled lesson of a class or group on a date (validated with the model's
    constraints); its topic, work type, homework and marks follow through the usual services."""
    if not 1 <= lesson_number <= 12:
        raise ValidationError({"lesson_number": [_("The lesson number must be from 1 to 12.")]})
    for obj, field in (
        (subject, "subject"),
        (teacher, "teacher"),
        (class_group, "class_group"),
        (study_group, "study_group"),
    ):
        if obj is not None and obj.school_id != school.pk:
            raise ValidationError({field: [_("Choose a record of this school.")]})
    lesson = Lesson(
        school=school,
        class_group=class_group,
        study_group=study_group,
        subject=subject,
        teacher=teacher,
        date=date,
        lesson_number=lesson_number,
        room=room,
    )
    lesson.full_clean()
    lesson.save()
    return lesson
