"""What one line of each kind of import does, through the school's own upserts
(school.services), the consent app's contacts and the journal's timetable services, so that
history and scoping stay what they are for every other write.

A handler gets the run's context and the line's cells by field, writes, and returns what it
did (`Done`): created, updated (with before → after) or unchanged. It raises ValidationError
keyed by field for a bad line; the runner (imports.services) keeps each line in a savepoint, so
a bad line leaves nothing behind. The preview is the same run, rolled back.

Matching, so that a second import finds the same people: a student by the id column when
there is one (remembered as school.models.ExternalId of the source "import"), else by last
name, first name, patronymic and birth date (case and ё/е aside); a parent by their id, else
among the child's parents by name, else a parent of the school with the same name and the
same phone or e-mail (a parent of two); a teacher by id or full name (or «Фамилия И. О.» in a
timetable); classes, groups and subjects by name.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from consent import services as consent_services
from consent.models import ContactKind, ContactPoint
from journal import services as journal_services
from journal.models import Lesson
from school import services as roster
from school.models import (
    ClassGroup,
    Enrollment,
    ExternalEntity,
    Guardian,
    Relation,
    Student,
    StudyGroup,
    StudyGroupKind,
    StudyGroupMembership,
    Subject,
    Teacher,
    TeachingAssignment,
    TimetableEntry,
)

from . import values as v
from .models import ImportKind

SOURCE = "import"
CREATED, UPDATED, UNCHANGED = roster.CREATED, roster.UPDATED, roster.UNCHANGED


@dataclass
class Done:
    action: str
    label: str
    changes: list = field(default_factory=list)  # [field label, before, after]
    notes: list = field(default_factory=list)


@dataclass
class Context:
    """One run over a file: the school, its year, who imports, and what the run has met."""

    school: object
    year: object
    user: object
    kind: str
    options: dict
    file_name: str = ""
    seen: dict = field(default_factory=dict)  # (entity, id) → line that named it
    created_entries: list = field(default_factory=list)
    classes: dict = field(default_factory=dict)  # (level, letter) → this year's class
    _students: dict | None = None
    _teachers: dict | None = None

    def see(self, entity: str, pk: int, line: int, field_name: str) -> None:
        earlier = self.seen.get((entity, pk))
        if earlier is not None and earlier != line:
            raise ValidationError(
                {
                    field_name: [
                        _("The same record is already on line %(line)s.") % {"line": earlier}
                    ]
                }
            )
        self.seen[(entity, pk)] = line

    def seen_ids(self, entity: str) -> set[int]:
        return {pk for (e, pk) in self.seen if e == entity}

    # --- indexes of the school's people, built once per run -----------------------------

    def students(self) -> dict:
        if self._students is None:
            self._students = defaultdict(list)
            for s in Student.objects.filter(school=self.school):
                self.add_student(s)
        return self._students

    def add_student(self, s) -> None:
        index = self.students()
        index[_person_key(s.last_name, s.first_name, s.patronymic)].append(s)
        index[_person_key(s.last_name, s.first_name, "") + ("any",)].append(s)

    def teachers(self) -> dict:
        if self._teachers is None:
            self._teachers = defaultdict(list)
            for t in Teacher.objects.filter(school=self.school):
                self.add_teacher(t)
        return self._teachers

    def add_teacher(self, t) -> None:
        index = self._teachers
        if index is None:
            return
        index[_person_key(t.last_name, t.first_name, t.patronymic)].append(t)
        index[_initials_key(t.last_name, t.first_name, t.patronymic)].append(t)
        index[("last", v.name_key(t.last_name))].append(t)


def _person_key(last, first, patronymic) -> tuple:
    return (v.name_key(last), v.name_key(first), v.name_key(patronymic))


def _initials_key(last, first, patronymic) -> tuple:
    initials = "".join(v.name_key(p)[:1] for p in (first, patronymic) if p)
    return ("initials", v.name_key(last), initials)


def _err(field_name: str, message) -> ValidationError:
    return ValidationError({field_name: [str(message)]})


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _diff(obj, values: dict, labels: dict) -> list:
    return [
        [str(labels[name]), _text(getattr(obj, name)), _text(value)]
        for name, value in values.items()
        if getattr(obj, name) != value
    ]


def _parsed(parser, text: str, field_name: str):
    try:
        return parser(text)
    except ValidationError as error:
        raise _err(field_name, error.messages[0]) from None


# --- People's names ---------------------------------------------------------------------

NAME_LABELS = {
    "last_name": _("last name"),
    "first_name": _("first name"),
    "patronymic": _("patronymic"),
    "birth_date": _("birth date"),
    "position": _("position"),
}


def _names(row: dict, prefix_field: str = "full_name") -> dict:
    """Last name, first name, patronymic from three columns or one."""
    if row.get("last_name") or row.get("first_name"):
        names = {k: v.clean_name(row.get(k, "")) for k in ("last_name", "first_name", "patronymic")}
        for key in ("last_name", "first_name"):
            if not names[key]:
                raise _err(key, _("This field is required."))
        return names
    if row.get(prefix_field):
        last, first, patronymic = _parsed(v.split_full_name, row[prefix_field], prefix_field)
        return {"last_name": last, "first_name": first, "patronymic": patronymic}
    raise _err("last_name", _("Write the last name and the first name."))


def _external_key(ctx, row: dict, obj, line: int) -> str:
    """The id the import source knows the row by: the file's id, ours, or (new) the line's."""
    if row.get("external_id"):
        return row["external_id"][:100]
    if obj is not None:
        return f"ednevnik:{obj.pk}"
    return f"line:{ctx.options.get('batch', 0)}:{line}"


def _map(ctx, entity: str, key: str, obj) -> None:
    if obj is not None:
        roster.external_map(
            school=ctx.school, source=SOURCE, entity=entity, external_id=key, obj=obj
        )


# --- Students and classes ---------------------------------------------------------------


def class_of(ctx, text: str, field_name: str, *, create: bool) -> tuple[ClassGroup, bool]:
    level, letter = _parsed(v.parse_class, text, field_name)
    found = ctx.classes.get((level, letter))
    if found is None:
        found = ClassGroup.objects.filter(
            school=ctx.school, year=ctx.year, level=level, letter__iexact=letter
        ).first()
    if found is not None:
        ctx.classes[(level, letter)] = found
        return found, False
    if not create:
        raise _err(field_name, _("There is no class %(name)s this year.") % {"name": text})
    made = roster.upsert(
        school=ctx.school,
        source=SOURCE,
        entity=ExternalEntity.CLASS,
        external_id=f"{ctx.year.pk}:{level}{letter}",
        values={"year": ctx.year, "level": level, "letter": letter},
    )
    # Not remembered: the line may still fail and take the new class with it.
    return made.obj, made.action == CREATED


def find_student(ctx, row: dict, names: dict, birth, field_name: str = "last_name"):
    if row.get("external_id") and ctx.kind == ImportKind.STUDENTS:
        found = roster.external_object(
            school=ctx.school,
            source=SOURCE,
            entity=ExternalEntity.STUDENT,
            external_id=row["external_id"],
            model=Student,
        )
        if found is not None:
            return found
    # Without a patronymic in the file, any patronymic of that name matches.
    key = _person_key(names["last_name"], names["first_name"], names["patronymic"])
    candidates = ctx.students().get(key if names["patronymic"] else key + ("any",), [])
    if birth is not None:
        exact = [s for s in candidates if s.birth_date == birth]
        candidates = exact or [s for s in candidates if s.birth_date is None]
    if len(candidates) > 1:
        raise _err(
            field_name,
            _("Several students of the school have this name: add the birth date."),
        )
    return candidates[0] if candidates else None


def _active_enrollment(ctx, student):
    if student is None:
        return None
    return (
        Enrollment.objects.filter(student=student, year=ctx.year, left_on__isnull=True)
        .select_related("class_group")
        .first()
    )


def student_line(ctx, row: dict, line: int) -> Done:
    names = _names(row)
    birth = _parsed(v.parse_date, row.get("birth_date", ""), "birth_date")
    klass, new_class = (None, False)
    if row.get("class_name"):
        klass, new_class = class_of(ctx, row["class_name"], "class_name", create=True)
    student = find_student(ctx, row, names, birth)
    # An empty cell never erases what the school has.
    values = {k: x for k, x in names.items() if x or student is None}
    if birth:
        values["birth_date"] = birth
    changes = _diff(student, values, NAME_LABELS) if student else []
    enrollment = _active_enrollment(ctx, student)
    move = klass is not None and (enrollment is None or enrollment.class_group_id != klass.pk)
    if move:
        before = str(enrollment.class_group) if enrollment else "—"
        changes.append([_("class"), before, str(klass)])
    key = _external_key(ctx, row, student, line)
    _map(ctx, ExternalEntity.STUDENT, key, student)
    done = roster.student_upsert(
        school=ctx.school,
        source=SOURCE,
        external_id=key,
        values=values,
        class_group=klass if move else None,
    )
    if student is None:
        ctx.add_student(done.obj)
    ctx.see(ExternalEntity.STUDENT, done.obj.pk, line, "last_name")
    notes = [_("New class %(name)s.") % {"name": klass}] if new_class else []
    label = done.obj.full_name + (f", {klass}" if klass else "")
    action = CREATED if student is None else (UPDATED if changes else UNCHANGED)
    return Done(action, label, changes, notes)


# --- Parents, links and contacts ----------------------------------------------------------


def _child_of(ctx, row: dict):
    names = _names(row)
    birth = _parsed(v.parse_date, row.get("birth_date", ""), "birth_date")
    child = find_student(ctx, {}, names, birth)
    if child is None:
        raise _err(
            "last_name",
            _("There is no such student in the school: import the students first."),
        )
    return child


def _contact_values(row: dict) -> dict:
    found = {}
    if row.get("phone"):
        found[ContactKind.PHONE] = (_parsed(v.parse_phone, row["phone"], "phone"), row["phone"])
    if row.get("email"):
        found[ContactKind.EMAIL] = (_parsed(v.parse_email, row["email"], "email"), row["email"])
    return found


def _find_guardian(ctx, row, names, child, contacts):
    if row.get("external_id"):
        found = roster.external_object(
            school=ctx.school,
            source=SOURCE,
            entity=ExternalEntity.GUARDIAN,
            external_id=row["external_id"],
            model=Guardian,
        )
        if found is not None:
            return found
    key = _person_key(names["last_name"], names["first_name"], names["patronymic"])
    same_name = [
        g
        for g in Guardian.objects.filter(school=ctx.school, last_name__iexact=names["last_name"])
        if _person_key(g.last_name, g.first_name, g.patronymic) == key
    ]
    # The child's own parents compared as names are (ё = е, case aside): they are few.
    linked = [
        g
        for g in Guardian.objects.filter(school=ctx.school, links__student=child).order_by("pk")
        if _person_key(g.last_name, g.first_name, g.patronymic) == key
    ]
    if linked:
        return linked[0]
    values = [value for value, _raw in contacts.values()]
    for guardian in same_name:
        if ContactPoint.objects.current().filter(guardian=guardian, value__in=values).exists():
            return guardian
    return None


def _contacts_changes(guardian, contacts: dict) -> tuple[list, list]:
    current = {}
    if guardian is not None:
        current = dict(
            ContactPoint.objects.current().filter(guardian=guardian).values_list("kind", "value")
        )
    changes, notes = [], []
    for kind, (value, raw) in contacts.items():
        if current.get(kind) != value:
            changes.append([str(ContactKind(kind).label), current.get(kind) or "—", value])
        if raw != value:
            notes.append(
                _("%(kind)s as written: «%(raw)s».")
                % {"kind": capfirst(ContactKind(kind).label), "raw": raw}
            )
    return changes, notes


def guardian_line(ctx, row: dict, line: int) -> Done:
    child = _child_of(ctx, row)
    last, first, patronymic = _parsed(v.split_full_name, row["guardian"], "guardian")
    names = {"last_name": last, "first_name": first, "patronymic": patronymic}
    contacts = _contact_values(row)
    guardian = _find_guardian(ctx, row, names, child, contacts)
    link = guardian.links.filter(student=child).first() if guardian else None
    if row.get("relation"):
        relation = _parsed(v.parse_relation, row["relation"], "relation")
    else:
        relation = link.relation if link else Relation.GUARDIAN
    if guardian is not None and not names["patronymic"]:
        del names["patronymic"]  # an empty cell never erases what the school has
    changes = _diff(guardian, names, NAME_LABELS) if guardian else []
    if link is None or link.relation != relation:
        changes.append(
            [_("relation"), link.get_relation_display() if link else "—", Relation(relation).label]
        )
    contact_changes, notes = _contacts_changes(guardian, contacts)
    key = _external_key(ctx, row, guardian, line)
    _map(ctx, ExternalEntity.GUARDIAN, key, guardian)
    done = roster.guardian_upsert(
        school=ctx.school,
        source=SOURCE,
        external_id=key,
        values=names,
        children=[(child, relation)],
    )
    for kind, (value, _raw) in contacts.items():
        consent_services.contact_set(
            recorded_by=ctx.user,
            guardian=done.obj,
            kind=kind,
            value=value,
            source=ctx.options.get("contact_source", "application"),
            document_ref=row.get("document_ref", "")[:100],
        )
    ctx.see("link", hash((done.obj.pk, child.pk)), line, "guardian")
    ctx.seen.setdefault((ExternalEntity.GUARDIAN, done.obj.pk), line)  # a parent of several
    label = _("%(parent)s — %(child)s") % {"parent": done.obj.full_name, "child": child.full_name}
    action = CREATED if guardian is None else (UPDATED if changes or contact_changes else UNCHANGED)
    return Done(action, label, changes + contact_changes, notes)


# --- Teachers and subjects ---------------------------------------------------------------


def teacher_line(ctx, row: dict, line: int) -> Done:
    names = _names(row)
    values = {**names, **({"position": row["position"]} if row.get("position") else {})}
    teacher = None
    if row.get("external_id"):
        teacher = roster.external_object(
            school=ctx.school,
            source=SOURCE,
            entity=ExternalEntity.TEACHER,
            external_id=row["external_id"],
            model=Teacher,
        )
    if teacher is None:
        found = ctx.teachers().get(
            _person_key(names["last_name"], names["first_name"], names["patronymic"]), []
        )
        if len(found) > 1:
            raise _err("last_name", _("Several teachers of the school have this name."))
        teacher = found[0] if found else None
    changes = _diff(teacher, values, NAME_LABELS) if teacher else []
    key = _external_key(ctx, row, teacher, line)
    _map(ctx, ExternalEntity.TEACHER, key, teacher)
    done = roster.teacher_upsert(school=ctx.school, source=SOURCE, external_id=key, values=values)
    if teacher is None:
        ctx.add_teacher(done.obj)
    ctx.see(ExternalEntity.TEACHER, done.obj.pk, line, "last_name")
    action = CREATED if teacher is None else (UPDATED if changes else UNCHANGED)
    notes = (
        [_("A new account without a password: issue it on the accounts page.")]
        if (teacher is None)
        else []
    )
    return Done(action, done.obj.full_name, changes, notes)


def subject_of(ctx, text: str, field_name: str = "subject") -> Subject:
    key = v.name_key(text)
    if not key:  # an empty cell would match any subject without a short name
        raise _err(field_name, _("This field is required."))
    for subject in Subject.objects.filter(school=ctx.school):
        if key in (v.name_key(subject.name), v.name_key(subject.short_name)):
            return subject
    raise _err(
        field_name,
        _("There is no subject «%(name)s» in the school: import the subjects first.")
        % {"name": text},
    )


def subject_line(ctx, row: dict, line: int) -> Done:
    name = " ".join(row["name"].split())
    key = v.name_key(name)
    subject = next(
        (s for s in Subject.objects.filter(school=ctx.school) if v.name_key(s.name) == key), None
    )
    values = {"name": subject.name if subject else name}
    if row.get("short_name"):
        values["short_name"] = row["short_name"]
    labels = {"name": _("name"), "short_name": _("short name")}
    changes = _diff(subject, values, labels) if subject else []
    ext = f"name:{key}"[:100]
    _map(ctx, ExternalEntity.SUBJECT, ext, subject)
    done = roster.upsert(
        school=ctx.school,
        source=SOURCE,
        entity=ExternalEntity.SUBJECT,
        external_id=ext,
        values=values,
    )
    ctx.see(ExternalEntity.SUBJECT, done.obj.pk, line, "name")
    action = CREATED if subject is None else (UPDATED if changes else UNCHANGED)
    return Done(action, done.obj.name, changes)


# --- Study groups and teaching assignments -----------------------------------------------


def group_of(ctx, text: str, field_name: str):
    key = v.name_key(text)
    for group in StudyGroup.objects.filter(school=ctx.school, year=ctx.year):
        if v.name_key(group.name) == key:
            return group
    raise _err(field_name, _("There is no class or group «%(name)s» this year.") % {"name": text})


def class_or_group(ctx, text: str, field_name: str = "class_or_group"):
    """(class, None) for «7А», else (None, group) by the group's name."""
    try:
        level, _letter = v.parse_class(text)
    except ValidationError:
        return None, group_of(ctx, text, field_name)
    return class_of(ctx, text, field_name, create=False)[0], None


def group_line(ctx, row: dict, line: int) -> Done:
    subject = subject_of(ctx, row["subject"])
    klass = (
        class_of(ctx, row["class_name"], "class_name", create=False)[0]
        if row.get("class_name")
        else None
    )
    name = " ".join(row["group"].split())
    key = v.name_key(name)
    group = next(
        (
            g
            for g in StudyGroup.objects.filter(school=ctx.school, year=ctx.year)
            if v.name_key(g.name) == key
        ),
        None,
    )
    members = (
        set(StudyGroupMembership.objects.filter(group=group).values_list("student_id", flat=True))
        if group
        else set()
    )
    changes, notes = [], []
    pupil = None
    if row.get("full_name"):
        names = _names(row)
        birth = _parsed(v.parse_date, row.get("birth_date", ""), "birth_date")
        pupil = find_student(ctx, {}, names, birth, "full_name")
        if pupil is None:
            raise _err("full_name", _("There is no such student in the school."))
        if pupil.pk not in members:
            changes.append([_("student"), "—", pupil.full_name])
    values = {
        "year": ctx.year,
        "name": group.name if group else name,
        "subject": subject,
        "class_group": klass if klass else (group.class_group if group else None),
        "kind": group.kind
        if group
        else (StudyGroupKind.SUBGROUP if klass else StudyGroupKind.STREAM),
    }
    if group is not None and group.subject_id != subject.pk:
        changes.append([_("subject"), str(group.subject), str(subject)])
    ext = f"{ctx.year.pk}:{key}"[:100]
    _map(ctx, ExternalEntity.GROUP, ext, group)
    wanted = members | ({pupil.pk} if pupil else set())
    done = roster.study_group_upsert(
        school=ctx.school,
        source=SOURCE,
        external_id=ext,
        values=values,
        students=list(Student.objects.filter(school=ctx.school, pk__in=wanted)),
    )
    if pupil is not None:
        ctx.see("member", hash((done.obj.pk, pupil.pk)), line, "full_name")
    label = done.obj.name + (f": {pupil.full_name}" if pupil else "")
    action = CREATED if group is None else (UPDATED if changes else UNCHANGED)
    return Done(action, label, changes, notes)


def teacher_of(ctx, text: str, field_name: str = "teacher") -> Teacher:
    """«Иванова Мария Петровна», «Иванова М. П.», «Иванова М.П.» or (if unique) «Иванова»."""
    words = v.clean_name(text.replace(".", ". ")).split()
    index = ctx.teachers()
    if len(words) >= 3 and not words[1].endswith("."):
        found = index.get(_person_key(words[0], words[1], " ".join(words[2:])), [])
    elif len(words) >= 2:
        initials = "".join(w.rstrip(".")[:1] for w in words[1:])
        found = index.get(("initials", v.name_key(words[0]), v.name_key(initials)), [])
    else:
        found = index.get(("last", v.name_key(text)), [])
    found = list({t.pk: t for t in found}.values())
    if not found:
        raise _err(field_name, _("There is no teacher «%(name)s» in the school.") % {"name": text})
    if len(found) > 1:
        raise _err(
            field_name,
            _("Several teachers match «%(name)s»: write the full name.") % {"name": text},
        )
    return found[0]


def assignment_line(ctx, row: dict, line: int) -> Done:
    teacher = teacher_of(ctx, row["teacher"])
    subject = subject_of(ctx, row["subject"])
    klass, group = class_or_group(ctx, row.get("class_or_group", ""))
    target = group or klass
    existing = TeachingAssignment.objects.filter(
        school=ctx.school,
        year=ctx.year,
        teacher=teacher,
        subject=subject,
        class_group=None if group else klass,
        study_group=group,
    ).first()
    label = f"{teacher.short_name}: {subject} — {target}"
    if existing is not None:
        ctx.see(ExternalEntity.ASSIGNMENT, existing.pk, line, "teacher")
        return Done(UNCHANGED, label)
    ext = f"{ctx.year.pk}:{teacher.pk}:{subject.pk}:{'g' if group else 'c'}{target.pk}"
    done = roster.upsert(
        school=ctx.school,
        source=SOURCE,
        entity=ExternalEntity.ASSIGNMENT,
        external_id=ext,
        values={
            "year": ctx.year,
            "teacher": teacher,
            "subject": subject,
            "class_group": None if group else klass,
            "study_group": group,
        },
    )
    ctx.see(ExternalEntity.ASSIGNMENT, done.obj.pk, line, "teacher")
    return Done(CREATED, label)


# --- The weekly timetable ---------------------------------------------------------------


def _slot_entries(ctx, klass, group, weekday: int, number: int):
    valid_from = ctx.options["valid_from_date"]
    return TimetableEntry.objects.filter(
        school=ctx.school,
        year=ctx.year,
        class_group=None if group else klass,
        study_group=group,
        weekday=weekday,
        lesson_number=number,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))


def timetable_line(ctx, row: dict, line: int) -> Done:
    weekday = _parsed(v.parse_weekday, row["weekday"], "weekday")
    number = _parsed(v.parse_lesson_number, row["lesson_number"], "lesson_number")
    klass, group = class_or_group(ctx, row["class_or_group"])
    subject = subject_of(ctx, row["subject"])
    teacher = teacher_of(ctx, row["teacher"])
    room = row.get("room", "")[:20]
    valid_from = ctx.options["valid_from_date"]
    label = f"{dict(v.WEEKDAY_NAMES)[weekday]}, {number}: {group or klass} — {subject}"
    current = list(
        _slot_entries(ctx, klass, group, weekday, number).select_related("subject", "teacher")
    )
    for entry in current:
        ctx.see("slot", entry.pk, line, "lesson_number")
    same = [
        e for e in current if (e.subject_id, e.teacher_id, e.room) == (subject.pk, teacher.pk, room)
    ]
    if same and len(current) == 1:
        return Done(UNCHANGED, label)
    changes = []
    for entry in current:
        if entry.valid_from >= valid_from:
            raise _err(
                "lesson_number",
                _("This slot already changes on %(day)s: choose a later first day.")
                % {"day": entry.valid_from.strftime("%d.%m.%Y")},
            )
        changes.append(
            [_("lesson"), f"{entry.subject} — {entry.teacher.short_name} {entry.room}".strip(), ""]
        )
        journal_services.timetable_entry_end(
            user=ctx.user, entry=entry, last_day=valid_from - dt.timedelta(days=1)
        )
    after = f"{subject} — {teacher.short_name} {room}".strip()
    if changes:
        changes[-1][2] = after
    entry = journal_services.timetable_entry_create(
        user=ctx.user,
        entry=TimetableEntry(
            school=ctx.school,
            year=ctx.year,
            class_group=None if group else klass,
            study_group=group,
            subject=subject,
            teacher=teacher,
            weekday=weekday,
            lesson_number=number,
            room=room,
            valid_from=valid_from,
        ),
    )
    ctx.see("slot", entry.pk, line, "lesson_number")
    ctx.created_entries.append(entry.pk)
    return Done(UPDATED if current else CREATED, label, changes)


def lessons_horizon(school, year) -> dt.date | None:
    """The last day the journal already has timetable lessons for (read before the run)."""
    return (
        Lesson.objects.filter(school=school, timetable_entry__year=year)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )


def timetable_finish(ctx) -> dict:
    """After the lines: the school's current lines the file does not name (ended only when the
    admin chose so), and the lessons of the new lines generated as far as the journal already
    has lessons (the deputy head generates further ones as usual)."""
    valid_from = ctx.options["valid_from_date"]
    seen = ctx.seen_ids("slot")
    missing = (
        TimetableEntry.objects.filter(school=ctx.school, year=ctx.year)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        .exclude(pk__in=seen)
        .select_related("subject", "teacher", "class_group", "study_group")
        .order_by("weekday", "lesson_number")
    )
    listed = [
        f"{dict(v.WEEKDAY_NAMES)[e.weekday]}, {e.lesson_number}: "
        f"{e.study_group or e.class_group} — {e.subject} ({e.teacher.short_name})"
        for e in missing
    ]
    if ctx.options.get("end_missing"):
        for entry in list(missing):
            if entry.valid_from >= valid_from:
                continue
            journal_services.timetable_entry_end(
                user=ctx.user, entry=entry, last_day=valid_from - dt.timedelta(days=1)
            )
    last = ctx.options.get("lessons_until")
    generated = 0
    if ctx.created_entries and last and last >= valid_from:
        generated = journal_services.lessons_generate(
            user=ctx.user, school=ctx.school, year=ctx.year, starts_on=valid_from, ends_on=last
        )
    return {"missing": listed, "lessons_generated": generated}


def students_finish(ctx) -> dict:
    """The school's pupils in a class this year whom the file does not name: listed, never
    removed (the admin records a leaving in the school's data)."""
    seen = ctx.seen_ids(ExternalEntity.STUDENT)
    rows = (
        Enrollment.objects.active()
        .filter(school=ctx.school, year=ctx.year)
        .exclude(student_id__in=seen)
        .select_related("student", "class_group")
        .order_by("class_group__level", "class_group__letter", "student__last_name")
    )
    return {"missing": [f"{e.student.full_name}, {e.class_group}" for e in rows]}


def guardians_finish(ctx) -> dict:
    seen = ctx.seen_ids(ExternalEntity.GUARDIAN)
    rows = Guardian.objects.filter(school=ctx.school).exclude(pk__in=seen)
    return {"missing": [g.full_name for g in rows]}


def teachers_finish(ctx) -> dict:
    seen = ctx.seen_ids(ExternalEntity.TEACHER)
    rows = Teacher.objects.filter(school=ctx.school).exclude(pk__in=seen)
    return {"missing": [t.full_name for t in rows]}


HANDLERS = {
    ImportKind.STUDENTS: student_line,
    ImportKind.GUARDIANS: guardian_line,
    ImportKind.TEACHERS: teacher_line,
    ImportKind.SUBJECTS: subject_line,
    ImportKind.GROUPS: group_line,
    ImportKind.ASSIGNMENTS: assignment_line,
    ImportKind.TIMETABLE: timetable_line,
}
FINISHERS = {
    ImportKind.STUDENTS: students_finish,
    ImportKind.GUARDIANS: guardians_finish,
    ImportKind.TEACHERS: teachers_finish,
    ImportKind.TIMETABLE: timetable_finish,
}
