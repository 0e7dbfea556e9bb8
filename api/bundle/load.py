"""Importing a OneRoster 1.2 CSV bundle into a school: its rows become the write API's items
(api.write, through the same serializers and the roster services of school.services) and run
in dependency order in one transaction; one refused row refuses the whole bundle and every
error names the file, the line and the field.

The sender's ids are the rows' sourcedIds, kept as ExternalId under the source
`oneroster-csv-s<school id>` (per school, so the accounts made for the teachers of two schools'
bundles never collide). A sourcedId that is one of ours in this school (a bundle we exported)
takes that record over instead of creating another, so a school's own bundle imported back
changes nothing. A OneRoster class is our teaching assignment: its `classCode` («7 «А»») names
the class (found by level and letter in its year, or created), any other code a study group.
The gradebook files (categories, lineItems, results) are exported, not imported."""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from school.models import (
    AcademicYear,
    ClassGroup,
    ExternalEntity,
    Guardian,
    GuardianStudent,
    PeriodKind,
    Relation,
    ReportingPeriod,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)

from .. import ids, write
from .. import serializers as s
from .reader import BundleError, BundleRefused, Row, read_bundle

E = ExternalEntity
CLASS_CODE = re.compile(r"^(\d{1,2})\s*«([^»]{1,3})»$")
STUDENT, TEACHER = "student", "teacher"
PARENTS = {"parent", "guardian", "relative"}


def source_of(school) -> str:
    return f"oneroster-csv-s{school.pk}"


@dataclass
class Planned:
    entity: str  # the write API's entity (years, classes, …)
    item: dict
    row: Row
    columns: dict = field(default_factory=dict)  # item field → CSV column, for errors
    claim: tuple | None = None  # (sourcedId kind, model) of a record of ours it may take over


# entity → (item serializer, handler)
HANDLERS = {
    "years": (s.YearItem, write.year_item),
    "periods": (s.PeriodItem, write.period_item),
    "subjects": (s.SubjectItem, write.subject_item),
    "teachers": (s.TeacherItem, write.teacher_item),
    "classes": (s.ClassItem, write.class_item),
    "students": (s.StudentItem, write.student_item),
    "guardians": (s.GuardianItem, None),  # _guardian_item below
    "groups": (s.GroupItem, write.group_item),
    "assignments": (s.AssignmentItem, write.assignment_item),
}
ORDER = list(HANDLERS)
PERSON = {"last_name": "familyName", "first_name": "givenName", "patronymic": "middleName"}
SESSION = {
    "name": "title",
    "starts_on": "startDate",
    "ends_on": "endDate",
    "year": "parentSourcedId",
}


@dataclass
class Plan:
    school: object
    tables: dict
    errors: list = field(default_factory=list)
    items: dict = field(default_factory=lambda: defaultdict(list))
    sessions: dict = field(default_factory=dict)  # sourcedId → row
    years: dict = field(default_factory=dict)  # any session's sourcedId → its year's sourcedId
    classes: dict = field(default_factory=dict)  # OneRoster class → (kind, our id, row)

    def error(self, row: Row | None, column, message) -> None:
        self.errors.append(
            BundleError(row.file if row else "", row.line if row else None, column, str(message))
        )

    def add(self, entity, item, row, columns=None, claim=None) -> None:
        self.items[entity].append(Planned(entity, item, row, columns or {}, claim))


# --- From rows to items ----------------------------------------------------------------------


def _orgs(plan: Plan) -> set[str]:
    """The sourcedIds of the bundle's org that is this school (by our sourcedId, INN or
    name); a bundle of another school is refused."""
    school = plan.school
    ours = ids.encode("org", school.pk)
    matched = set()
    for row in plan.tables["orgs"]:
        if row.get("type") != "school":
            continue
        same = row.get("sourcedId") == ours or row.get("name") == school.name
        if (school.inn and row.get("identifier") == school.inn) or same:
            matched.add(row.get("sourcedId"))
        else:
            plan.error(
                row,
                "identifier",
                _("The organisation «%(name)s» is not this school (%(school)s).")
                % {"name": row.get("name"), "school": school.name},
            )
    return matched


def _sessions(plan: Plan) -> None:
    rows = plan.tables["academicSessions"]
    plan.sessions = {r.get("sourcedId"): r for r in rows}
    by_year = defaultdict(list)
    for row in rows:
        sid, kind = row.get("sourcedId"), row.get("type")
        if kind == "schoolYear":
            plan.years[sid] = sid
            item = {
                "id": sid,
                "name": row.get("title"),
                "starts_on": row.get("startDate"),
                "ends_on": row.get("endDate"),
            }
            plan.add("years", item, row, SESSION, claim=("schoolYear", AcademicYear))
        elif kind in ("term", "gradingPeriod", "semester"):
            parent = row.get("parentSourcedId")
            parent_row = plan.sessions.get(parent)
            if parent_row is None or parent_row.get("type") != "schoolYear":
                plan.error(row, "parentSourcedId", _("Name the school year this period is in."))
                continue
            plan.years[sid] = parent
            by_year[(parent, kind == "term")].append(row)
        else:
            plan.error(row, "type", _("Unknown session type «%(v)s».") % {"v": kind})
    for (year, whole), periods in by_year.items():
        periods.sort(key=lambda r: r.get("startDate"))
        numbers: dict[str, int] = defaultdict(int)
        for row in periods:
            kind = PeriodKind.YEAR if whole else _period_kind(row)
            numbers[kind] += 1
            number = numbers[kind]
            item = {
                "id": row.get("sourcedId"),
                "year": year,
                "kind": kind,
                "number": number,
                "name": row.get("title"),
                "starts_on": row.get("startDate"),
                "ends_on": row.get("endDate"),
            }
            plan.add("periods", item, row, SESSION, claim=("period", ReportingPeriod))


def _period_kind(row: Row) -> str:
    """A grading period's kind by its length: a half-year, a trimester or a quarter."""
    try:
        days = (
            dt.date.fromisoformat(row.get("endDate")) - dt.date.fromisoformat(row.get("startDate"))
        ).days
    except ValueError:
        return PeriodKind.QUARTER
    if days > 110:
        return PeriodKind.HALF_YEAR
    return PeriodKind.TRIMESTER if days > 80 else PeriodKind.QUARTER


def _courses(plan: Plan) -> None:
    for row in plan.tables["courses"]:
        item = {"id": row.get("sourcedId"), "name": row.get("title")}
        item["short_name"] = row.get("courseCode")
        plan.add(
            "subjects",
            item,
            row,
            {"name": "title", "short_name": "courseCode"},
            claim=("course", Subject),
        )


def _roles(plan: Plan) -> dict[str, str]:
    """Each user's role: its primary line of roles.csv (or the `role` column of a 1.1-style
    users.csv)."""
    roles = {}
    for row in plan.tables["roles"]:
        if row.get("roleType") in ("", "primary") or row.get("userSourcedId") not in roles:
            roles[row.get("userSourcedId")] = row.get("role")
    for row in plan.tables["users"]:
        if row.get("role"):
            roles.setdefault(row.get("sourcedId"), row.get("role"))
    return roles


def _ended(row: Row) -> bool:
    return row.get("status") == "tobedeleted" or bool(row.get("endDate"))


def _enrollments(plan: Plan, orgs: set[str]):
    """Per OneRoster class: its teachers (the primary first) and its current pupils."""
    teachers, pupils = defaultdict(list), defaultdict(list)
    for row in plan.tables["enrollments"]:
        school = row.get("schoolSourcedId")
        if school and school not in orgs:
            plan.error(row, "schoolSourcedId", _("Not this school's organisation."))
            continue
        klass, user = row.get("classSourcedId"), row.get("userSourcedId")
        if row.get("role") == TEACHER:
            at = 0 if row.get("primary") == "true" else len(teachers[klass])
            teachers[klass].insert(at, (user, row.get("primary") == "true"))
        elif row.get("role") == STUDENT and not _ended(row):
            pupils[klass].append((user, row.get("beginDate") or None, row))
    return teachers, pupils


def _classes(plan: Plan, orgs: set[str], teachers, pupils) -> dict[str, tuple]:
    """Classes and study groups with their teaching assignments; returns each pupil's
    homeroom class (our id, joined on) and each group's members."""
    homeroom, members, made = {}, defaultdict(list), set()
    for row in plan.tables["classes"]:
        sid = row.get("sourcedId")
        terms = [t.strip() for t in row.get("termSourcedIds").split(",") if t.strip()]
        year = plan.years.get(terms[0]) if terms else None
        if year is None:
            plan.error(row, "termSourcedIds", _("Name a school year or term of the bundle."))
            continue
        if row.get("schoolSourcedId") and row.get("schoolSourcedId") not in orgs:
            plan.error(row, "schoolSourcedId", _("Not this school's organisation."))
            continue
        staff = teachers.get(sid, [])
        if not staff:
            plan.error(row, "sourcedId", _("The class has no teacher in enrollments.csv."))
            continue
        match = CLASS_CODE.match(row.get("classCode"))
        assignment = {"id": sid, "year": year, "teacher": staff[0][0]}
        assignment["subject"] = row.get("courseSourcedId")
        if match:
            level, letter = int(match[1]), match[2]
            class_id = f"{year}|{level}|{letter}"
            if class_id not in made:
                made.add(class_id)
                primary = next((t for t, is_primary in staff if is_primary), None)
                item = {"id": class_id, "year": year, "level": level, "letter": letter}
                item["class_teacher"] = primary
                columns = {"level": "classCode", "letter": "classCode", "year": "termSourcedIds"}
                columns["class_teacher"] = "sourcedId"
                plan.add("classes", item, row, columns, claim=("classgroup", None))
            assignment["class"] = class_id
            for user, joined_on, _row in pupils.get(sid, []):
                homeroom[user] = (class_id, joined_on)
        else:
            group_id = f"group|{sid}"
            item = {"id": group_id, "year": year, "name": row.get("classCode")}
            item |= {"subject": row.get("courseSourcedId"), "kind": "subgroup"}
            members[group_id] = [user for user, _j, _r in pupils.get(sid, [])]
            columns = {"name": "classCode", "subject": "courseSourcedId"}
            plan.add("groups", item, row, columns, claim=("groupof", None))
            assignment["group"] = group_id
        columns = {"subject": "courseSourcedId", "year": "termSourcedIds", "teacher": "sourcedId"}
        plan.add("assignments", assignment, row, columns, claim=("class", None))
    _group_classes(plan, homeroom, members)
    return homeroom, members


def _group_classes(plan: Plan, homeroom: dict, members: dict) -> None:
    """A study group's class: the one all its members are in (a subgroup of that class);
    members of several classes make a stream across them."""
    for planned in plan.items["groups"]:
        classes = {homeroom.get(user, (None,))[0] for user in members[planned.item["id"]]}
        classes.discard(None)
        if len(classes) == 1:
            planned.item["class"] = classes.pop()
        else:
            planned.item["kind"] = "stream"


def _users(plan: Plan, roles: dict, homeroom: dict, members: dict) -> None:
    rows = plan.tables["users"]
    role_of = {r.get("sourcedId"): roles.get(r.get("sourcedId"), "") for r in rows}
    children = defaultdict(set)
    for row in rows:
        agents = [a.strip() for a in row.get("agentSourcedIds").split(",") if a.strip()]
        for agent in agents:
            if role_of[row.get("sourcedId")] == STUDENT and role_of.get(agent) in PARENTS:
                children[agent].add(row.get("sourcedId"))
            elif role_of[row.get("sourcedId")] in PARENTS and role_of.get(agent) == STUDENT:
                children[row.get("sourcedId")].add(agent)
    for row in rows:
        sid, role = row.get("sourcedId"), role_of[row.get("sourcedId")]
        item = {"id": sid, "last_name": row.get("familyName"), "first_name": row.get("givenName")}
        item["patronymic"] = row.get("middleName")
        if role == STUDENT:
            class_id, joined_on = homeroom.get(sid, (None, None))
            item |= {"class": class_id, "joined_on": joined_on}
            plan.add("students", item, row, PERSON, claim=("student", Student))
        elif role == TEACHER:
            plan.add("teachers", item, row, PERSON, claim=("teacher", Teacher))
        elif role in PARENTS:
            item["children"] = [
                {"student": c, "relation": Relation.GUARDIAN} for c in sorted(children[sid])
            ]
            plan.add("guardians", item, row, PERSON, claim=("guardian", Guardian))
        elif not role:
            plan.error(row, "sourcedId", _("The user has no role in roles.csv."))
    for planned in plan.items["groups"]:
        planned.item["students"] = members.get(planned.item["id"], [])


def plan_bundle(school, tables) -> Plan:
    plan = Plan(school=school, tables=tables)
    orgs = _orgs(plan)
    if tables["orgs"] and not orgs:
        plan.error(None, None, _("The bundle has no organisation that is this school."))
    _sessions(plan)
    _courses(plan)
    teachers, pupils = _enrollments(plan, orgs)
    homeroom, members = _classes(plan, orgs, teachers, pupils)
    _users(plan, _roles(plan), homeroom, members)
    return plan


# --- Running the items ----------------------------------------------------------------------


def _guardian_item(ctx: write.Context, item: dict):
    """A link that exists keeps the relation the school recorded (the bundle has none)."""
    guardian = ctx.lookup(E.GUARDIAN, item["id"], Guardian)
    if guardian is not None:
        known = dict(
            GuardianStudent.objects.filter(guardian=guardian).values_list("student_id", "relation")
        )
        for child in item.get("children", []):
            student = ctx.ref(E.STUDENT, child["student"], "children", model=Student)
            child["relation"] = known.get(student.pk, child["relation"])
    return write.guardian_item(ctx, item)


ENTITY_OF = {
    "years": E.YEAR,
    "periods": E.PERIOD,
    "subjects": E.SUBJECT,
    "teachers": E.TEACHER,
    "classes": E.CLASS,
    "students": E.STUDENT,
    "guardians": E.GUARDIAN,
    "groups": E.GROUP,
    "assignments": E.ASSIGNMENT,
}


def _claim(ctx: write.Context, planned: Planned, item: dict) -> None:
    """Map the row to the record of ours it names, when there is one: our own sourcedId, or
    the class of that level and letter in that year."""
    from school import services as roster

    entity = ENTITY_OF[planned.entity]
    model = roster.MODELS[entity]
    if ctx.lookup(entity, item["id"], model) is not None:
        return
    kind, _model = planned.claim
    if kind == "classgroup":
        year = ctx.lookup(E.YEAR, item["year"], AcademicYear)
        found = (
            year
            and ClassGroup.objects.filter(
                school=ctx.school, year=year, level=item["level"], letter=item["letter"]
            ).first()
        )
    elif kind == "groupof":  # the study group of a class (teaching assignment) of ours
        decoded = ids.decode(item["id"].removeprefix("group|"), "class")
        assignment = (
            decoded
            and TeachingAssignment.objects.filter(
                school=ctx.school, pk=decoded[1], study_group__isnull=False
            ).first()
        )
        found = assignment and assignment.study_group
    else:
        decoded = ids.decode(item["id"], kind)
        found = decoded and model.objects.filter(school=ctx.school, pk=decoded[1]).first()
    if found:
        ctx.map(entity, item["id"], found)
        _keep(ctx, kind, item, found)


def _keep(ctx: write.Context, kind: str, item: dict, found) -> None:
    """What OneRoster does not carry stays as the school has it on a record of ours."""
    if kind == "period":
        item |= {n: getattr(found, n) for n in ("kind", "number", "level_min", "level_max")}
    elif kind == "course":
        item["is_graded"] = found.is_graded
    elif kind == "teacher":
        item["position"] = found.position
    elif kind == "classgroup" and not item.get("class_teacher") and found.class_teacher_id:
        item["class_teacher"] = _mapped(ctx, E.TEACHER, found.class_teacher_id)
    elif kind == "class" and not item.get("class") and found.class_group_id:
        item["class"] = _mapped(ctx, E.CLASS, found.class_group_id)


def _mapped(ctx: write.Context, entity: str, pk: int) -> str | None:
    """The id this import gave our row `pk` (None: the bundle did not name it)."""
    from school import services as roster

    return roster.external_ids_of(
        school=ctx.school, source=ctx.source, entity=entity, object_ids=[pk]
    ).get(pk)


def _errors_of(planned: Planned, exc) -> list[BundleError]:
    row = planned.row

    def one(name, message):
        column = planned.columns.get(name, name if name in row.values else "sourcedId")
        return BundleError(row.file, row.line, column, str(message))

    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [one(f, m) for f, msgs in exc.message_dict.items() for m in msgs]
        return [one(None, m) for m in exc.messages]
    if isinstance(exc, PermissionDenied):
        return [one(None, _("The record may not be written."))]
    return [one(None, _("A record this row names does not exist."))]


def _shape_errors(planned: Planned, errors: dict) -> list[BundleError]:
    from ..views import _flat

    return [
        BundleError(
            planned.row.file,
            planned.row.line,
            planned.columns.get(name, name if name in planned.row.values else "sourcedId"),
            message,
        )
        for name, msgs in errors.items()
        for message in _flat(msgs)
    ]


def _run(ctx: write.Context, planned: Planned):
    serializer_class, handler = HANDLERS[planned.entity]
    shape = serializer_class(data=planned.item)
    if not shape.is_valid():
        return None, _shape_errors(planned, shape.errors)
    item = dict(shape.validated_data)
    try:
        with transaction.atomic():
            if planned.claim:
                _claim(ctx, planned, item)
            _obj, action = (handler or _guardian_item)(ctx, item)
    except (ValidationError, PermissionDenied, ObjectDoesNotExist) as exc:
        return None, _errors_of(planned, exc)
    return action, []


def _names_any(item: dict, ids_: set[str]) -> bool:
    """Whether the item refers to one of `ids_` (its references, lists and children)."""
    if not ids_:
        return False
    for name, value in item.items():
        if name == "id":
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            v = v.get("student") if isinstance(v, dict) else v
            if isinstance(v, str) and v in ids_:
                return True
    return False


@dataclass
class Imported:
    counts: dict  # entity → {created, updated, unchanged}
    manifest: dict


def bundle_import(*, school, data: bytes, user) -> Imported:
    """Import the bundle into `school` as `user` (the author the services record); all or
    nothing: BundleRefused lists every error by file, line and field."""
    manifest, tables = read_bundle(data)
    plan = plan_bundle(school, tables)
    if plan.errors:
        raise BundleRefused(plan.errors)
    ctx = write.Context(school=school, source=source_of(school), user=user)
    counts = {e: dict.fromkeys((write.CREATED, write.UPDATED, write.UNCHANGED), 0) for e in ORDER}
    errors: list[BundleError] = []
    with transaction.atomic():
        failed: set[str] = set()
        for entity in ORDER:
            for planned in plan.items[entity]:
                if _names_any(planned.item, failed):
                    # A row that names a refused one is not run: the error names the cause.
                    failed.add(planned.item["id"])
                    continue
                action, item_errors = _run(ctx, planned)
                errors += item_errors
                if action:
                    counts[entity][action] += 1
                else:
                    failed.add(planned.item["id"])
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise BundleRefused(errors)
    return Imported(counts=counts, manifest=manifest)
