"""Writes to the school's structure that arrive from another system (the exchange API, an
import): upserts by that system's own ids (school.models.ExternalId).

Each upsert takes the school, the sending system (`source`), the sender's id of the record and
its values; it creates the row and its mapping the first time, changes only what differs
afterwards and reports what it did, so the same payload twice changes nothing. Every check
runs before the write (the models' constraints through `full_clean`, with their Russian
messages, keyed by field), and nothing is ever deleted by omission: a pupil who leaves is an
explicit `student_leave`, which keeps every record. The caller owns the batch's transaction
(each service here is atomic on its own too).
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Role

from .models import (
    AcademicYear,
    ClassGroup,
    Enrollment,
    ExternalEntity,
    ExternalId,
    Guardian,
    GuardianStudent,
    Holiday,
    ReportingPeriod,
    School,
    Student,
    StudyGroup,
    StudyGroupMembership,
    Subject,
    Teacher,
    TeachingAssignment,
    TimetableEntry,
)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"

MODELS: dict[str, type[models.Model]] = {
    ExternalEntity.YEAR: AcademicYear,
    ExternalEntity.PERIOD: ReportingPeriod,
    ExternalEntity.HOLIDAY: Holiday,
    ExternalEntity.CLASS: ClassGroup,
    ExternalEntity.GROUP: StudyGroup,
    ExternalEntity.SUBJECT: Subject,
    ExternalEntity.TEACHER: Teacher,
    ExternalEntity.STUDENT: Student,
    ExternalEntity.GUARDIAN: Guardian,
    ExternalEntity.ASSIGNMENT: TeachingAssignment,
    ExternalEntity.TIMETABLE: TimetableEntry,
}


@dataclass
class Upserted:
    obj: models.Model
    action: str  # CREATED, UPDATED or UNCHANGED


# --- The mapping ---------------------------------------------------------------------------


def external_object(*, school: School, source: str, entity: str, external_id: str, model):
    """Our row the sender knows as `external_id`, or None (never mapped, or gone since)."""
    object_id = (
        ExternalId.objects.filter(
            school=school, source=source, entity=entity, external_id=external_id
        )
        .values_list("object_id", flat=True)
        .first()
    )
    if object_id is None:
        return None
    return model.objects.filter(school=school, pk=object_id).first()


def external_map(*, school: School, source: str, entity: str, external_id: str, obj) -> None:
    """Remember that the sender calls `obj` `external_id` (replacing a mapping to a gone row)."""
    ExternalId.objects.update_or_create(
        school=school,
        source=source,
        entity=entity,
        external_id=external_id,
        defaults={"object_id": obj.pk},
    )


def external_ids_of(*, school: School, source: str, entity: str, object_ids) -> dict[int, str]:
    """Our row id → the sender's id, for the rows it sent (one query)."""
    rows = ExternalId.objects.filter(
        school=school, source=source, entity=entity, object_id__in=list(object_ids)
    ).values_list("object_id", "external_id")
    return dict(rows)


def resolve(*, school: School, source: str, entity: str, external_id, field: str, model=None):
    """The row a reference in the payload names, or a ValidationError on that field."""
    if external_id in (None, ""):
        return None
    obj = external_object(
        school=school,
        source=source,
        entity=entity,
        external_id=str(external_id),
        model=model or MODELS[entity],
    )
    if obj is None:
        raise ValidationError(
            {
                field: [
                    _("Unknown %(entity)s «%(id)s»: send it first.")
                    % {
                        "entity": ExternalEntity(entity).label,
                        "id": external_id,
                    }
                ]
            }
        )
    return obj


def _clean(obj, exclude=None) -> None:
    obj.full_clean(exclude=exclude, validate_unique=True)


@transaction.atomic
def upsert(*, school: School, source: str, entity: str, external_id: str, values: dict) -> Upserted:
    """Create or change the row the sender calls `external_id` so that it holds `values`."""
    model = MODELS[entity]
    obj = external_object(
        school=school, source=source, entity=entity, external_id=external_id, model=model
    )
    if obj is None:
        obj = model(school=school, **values)
        _clean(obj)
        obj.save()
        external_map(school=school, source=source, entity=entity, external_id=external_id, obj=obj)
        return Upserted(obj, CREATED)
    changed = [name for name, value in values.items() if _value_of(obj, name) != _key(value)]
    if not changed:
        return Upserted(obj, UNCHANGED)
    for name in changed:
        setattr(obj, name, values[name])
    _clean(obj)
    obj.save(update_fields=[_field_name(model, n) for n in changed] + ["updated_at"])
    return Upserted(obj, UPDATED)


def _key(value):
    return value.pk if isinstance(value, models.Model) else value


def _value_of(obj, name: str):
    field = obj._meta.get_field(name)
    if field.is_relation:
        return getattr(obj, field.attname)
    return getattr(obj, name)


def _field_name(model, name: str) -> str:
    return model._meta.get_field(name).name


# --- People: accounts for teachers, enrolments for pupils, links for parents ----------------


def _machine_username(source: str, entity: str, external_id: str) -> str:
    return f"{slugify(source)}-{entity}-{slugify(external_id) or 'x'}"[:150]


@transaction.atomic
def teacher_upsert(*, school: School, source: str, external_id: str, values: dict) -> Upserted:
    """A teacher with an account of their own (no password: the school admin activates it as
    any other). The account's names follow the teacher's."""
    existing = external_object(
        school=school,
        source=source,
        entity=ExternalEntity.TEACHER,
        external_id=external_id,
        model=Teacher,
    )
    if existing is None:
        names = {k: values.get(k, "") for k in ("last_name", "first_name", "patronymic")}
        username = _machine_username(source, "teacher", external_id)
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            raise ValidationError({"id": [_("This id is already taken by another account.")]})
        user = user_model(username=username, school=school, role=Role.TEACHER, **names)
        user.set_unusable_password()
        user.save()
        values = {**values, "user": user}
    result = upsert(
        school=school,
        source=source,
        entity=ExternalEntity.TEACHER,
        external_id=external_id,
        values=values,
    )
    if result.action == UPDATED:
        user = result.obj.user
        for name in ("last_name", "first_name", "patronymic"):
            setattr(user, name, getattr(result.obj, name))
        user.save(update_fields=["last_name", "first_name", "patronymic"])
    return result


@transaction.atomic
def student_upsert(
    *,
    school: School,
    source: str,
    external_id: str,
    values: dict,
    class_group: ClassGroup | None = None,
    joined_on: dt.date | None = None,
) -> Upserted:
    """A pupil and, when `class_group` is given, their class this year: a move to another
    class ends the old enrolment the day before `joined_on` (the records stay)."""
    result = upsert(
        school=school,
        source=source,
        entity=ExternalEntity.STUDENT,
        external_id=external_id,
        values=values,
    )
    if class_group is None:
        return result
    student = result.obj
    joined_on = joined_on or max(class_group.year.starts_on, school.today())
    current = Enrollment.objects.filter(
        student=student, year_id=class_group.year_id, left_on__isnull=True
    ).first()
    if current is not None and current.class_group_id == class_group.pk:
        if current.joined_on != joined_on:
            current.joined_on = joined_on
            _clean(current)
            current.save(update_fields=["joined_on", "updated_at"])
            return Upserted(student, UPDATED)
        return result
    if current is not None:
        last_day = joined_on - dt.timedelta(days=1)
        if last_day < current.joined_on:
            raise ValidationError({"joined_on": [_("A student cannot leave before joining.")]})
        current.left_on = last_day
        current.save(update_fields=["left_on", "updated_at"])
    enrollment = Enrollment(
        school=school,
        student=student,
        class_group=class_group,
        year_id=class_group.year_id,
        joined_on=joined_on,
    )
    _clean(enrollment)
    enrollment.save()
    return Upserted(student, CREATED if result.action == CREATED else UPDATED)


@transaction.atomic
def student_leave(*, school: School, student: Student, left_on: dt.date) -> int:
    """The pupil leaves the school on `left_on` (their last day): every active enrolment ends;
    marks, attendance and finals stay. Returns how many enrolments ended (0: already gone)."""
    ended = 0
    for enrollment in Enrollment.objects.filter(student=student, left_on__isnull=True):
        if left_on < enrollment.joined_on:
            raise ValidationError({"left_on": [_("A student cannot leave before joining.")]})
        enrollment.left_on = left_on
        enrollment.save(update_fields=["left_on", "updated_at"])
        ended += 1
    return ended


@transaction.atomic
def guardian_upsert(
    *,
    school: School,
    source: str,
    external_id: str,
    values: dict,
    children: list[tuple[Student, str]] = (),
) -> Upserted:
    """A parent and their links to children (relation: mother, father, guardian, trustee).
    Links are added or their relation changed; a link is removed only by `guardian_unlink`."""
    result = upsert(
        school=school,
        source=source,
        entity=ExternalEntity.GUARDIAN,
        external_id=external_id,
        values=values,
    )
    guardian = result.obj
    links = {link.student_id: link for link in GuardianStudent.objects.filter(guardian=guardian)}
    touched = False
    for student, relation in children:
        link = links.get(student.pk)
        if link is None:
            link = GuardianStudent(
                school=school, guardian=guardian, student=student, relation=relation
            )
            _clean(link)
            link.save()
            touched = True
        elif link.relation != relation:
            link.relation = relation
            _clean(link)
            link.save(update_fields=["relation", "updated_at"])
            touched = True
    if touched and result.action == UNCHANGED:
        return Upserted(guardian, UPDATED)
    return result


@transaction.atomic
def guardian_unlink(*, school: School, guardian: Guardian, student: Student) -> int:
    deleted, _detail = GuardianStudent.objects.filter(
        school=school, guardian=guardian, student=student
    ).delete()
    return deleted


@transaction.atomic
def study_group_upsert(
    *,
    school: School,
    source: str,
    external_id: str,
    values: dict,
    students: list[Student] | None = None,
) -> Upserted:
    """A study group and, when `students` is given, its members exactly: the list is the
    group's membership as the sender holds it."""
    result = upsert(
        school=school,
        source=source,
        entity=ExternalEntity.GROUP,
        external_id=external_id,
        values=values,
    )
    if students is None:
        return result
    group = result.obj
    wanted = {s.pk for s in students}
    current = set(
        StudyGroupMembership.objects.filter(group=group).values_list("student_id", flat=True)
    )
    if wanted == current:
        return result
    StudyGroupMembership.objects.filter(group=group, student_id__in=current - wanted).delete()
    StudyGroupMembership.objects.bulk_create(
        [
            StudyGroupMembership(school=school, group=group, student_id=pk)
            for pk in sorted(wanted - current)
        ]
    )
    return Upserted(group, CREATED if result.action == CREATED else UPDATED)
