"""Leaving with the school's data: one archive (a zip of JSON files) of a whole school that
another install loads back (`manage.py export_school`, `manage.py load_school`).

What the write API takes is written in its own shape, batch by batch: `batches/NN-<entity>-
KKK.json` is `{"items": [...]}` exactly as `POST /api/v1/<entity>/` takes it (at most 500
items), in dependency order, with ids of the form `<entity>-<our id>`. What the write API does
not take goes in files of its own, documented in docs/api.md: `work_types.json` (the load
creates them first, by name), `history.json` (every mark and attendance change with its
author), `finals_history.json`, `consents.json` with the scanned documents under
`documents/`, `contacts.json`, `access_log.json`. `manifest.json` lists the school, the
batches in their order and the other files with their row counts."""

import datetime as dt
import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from consent.models import AccessLogEntry, Consent, ContactPoint, PdRequest
from journal.models import (
    Attendance,
    FinalMark,
    FinalStatus,
    Homework,
    Lesson,
    LessonStatus,
    Mark,
    MarkChange,
    Remark,
    WorkType,
)
from school.models import (
    AcademicYear,
    ClassGroup,
    Enrollment,
    GuardianStudent,
    Holiday,
    ReportingPeriod,
    Student,
    StudyGroup,
    Subject,
    Teacher,
    TeachingAssignment,
    TimetableEntry,
)

FORMAT = "ednevnik-school-export"
VERSION = 1
BATCH = 500
# The reason the journal's services record for a mark, an absence or a final loaded from an
# archive (a mark outside the edit window, a final other than the suggested one needs one).
TRANSFER_REASON = "Перенесено из выгрузки школы"
SCHOOL_FIELDS = ["name", "short_name", "address", "inn", "director_name", "time_zone"]


def rid(entity: str, pk) -> str | None:
    return None if pk is None else f"{entity}-{pk}"


def _pick(obj, *names) -> dict:
    return {n: getattr(obj, n) for n in names}


def _people(obj) -> dict:
    return _pick(obj, "last_name", "first_name", "patronymic")


def _years(school):
    for y in AcademicYear.objects.filter(school=school).order_by("starts_on"):
        yield {"id": rid("y", y.pk), **_pick(y, "name", "starts_on", "ends_on")}


def _periods(school):
    names = ("kind", "number", "name", "starts_on", "ends_on", "level_min", "level_max")
    for p in ReportingPeriod.objects.filter(school=school).order_by("starts_on", "pk"):
        yield {"id": rid("p", p.pk), "year": rid("y", p.year_id), **_pick(p, *names)}


def _holidays(school):
    names = ("name", "starts_on", "ends_on", "level_min", "level_max")
    for h in Holiday.objects.filter(school=school).order_by("starts_on", "pk"):
        yield {"id": rid("h", h.pk), "year": rid("y", h.year_id), **_pick(h, *names)}


def _subjects(school):
    for s in Subject.objects.filter(school=school).order_by("pk"):
        yield {"id": rid("s", s.pk), **_pick(s, "name", "short_name", "is_graded")}


def _teachers(school):
    for t in Teacher.objects.filter(school=school).order_by("pk"):
        yield {"id": rid("t", t.pk), **_people(t), "position": t.position}


def _classes(school):
    for c in ClassGroup.objects.filter(school=school).order_by("year__starts_on", "level", "pk"):
        yield {
            "id": rid("c", c.pk),
            "year": rid("y", c.year_id),
            "level": c.level,
            "letter": c.letter,
            "class_teacher": rid("t", c.class_teacher_id),
        }


def _students(school):
    """Each pupil with every enrolment in order: the first item joins the first class, a
    later one (a batch of its own) moves them; the last enrolment ended is a deletion."""
    enrolments: dict[int, list] = {}
    for e in Enrollment.objects.filter(school=school).order_by("joined_on", "pk"):
        enrolments.setdefault(e.student_id, []).append(e)
    rounds: list[list[dict]] = [[]]
    leaving = []
    for s in Student.objects.filter(school=school).order_by("pk"):
        base = {"id": rid("st", s.pk), **_people(s), "birth_date": s.birth_date}
        history = enrolments.get(s.pk) or [None]
        for n, e in enumerate(history):
            while len(rounds) <= n:
                rounds.append([])
            item = dict(base)
            if e is not None:
                item |= {"class": rid("c", e.class_group_id), "joined_on": e.joined_on}
            rounds[n].append(item)
        last = history[-1]
        if last is not None and last.left_on is not None:
            leaving.append({"id": rid("st", s.pk), "left_on": last.left_on})
    return rounds, leaving


def _guardians(school):
    links: dict[int, list] = {}
    for link in GuardianStudent.objects.filter(school=school).order_by("pk"):
        links.setdefault(link.guardian_id, []).append(
            {"student": rid("st", link.student_id), "relation": link.relation}
        )
    from school.models import Guardian

    for g in Guardian.objects.filter(school=school).order_by("pk"):
        yield {"id": rid("g", g.pk), **_people(g), "children": links.get(g.pk, [])}


def _groups(school):
    for g in StudyGroup.objects.filter(school=school).prefetch_related("students").order_by("pk"):
        yield {
            "id": rid("gr", g.pk),
            "year": rid("y", g.year_id),
            "kind": g.kind,
            "name": g.name,
            "subject": rid("s", g.subject_id),
            "class": rid("c", g.class_group_id),
            "students": [rid("st", s.pk) for s in g.students.order_by("pk")],
        }


def _assignments(school):
    for a in TeachingAssignment.objects.filter(school=school).order_by("pk"):
        yield {
            "id": rid("a", a.pk),
            "year": rid("y", a.year_id),
            "teacher": rid("t", a.teacher_id),
            "subject": rid("s", a.subject_id),
            "class": rid("c", a.class_group_id),
            "group": rid("gr", a.study_group_id),
        }


def _timetable(school):
    for t in TimetableEntry.objects.filter(school=school).order_by("pk"):
        yield {
            "id": rid("tt", t.pk),
            "year": rid("y", t.year_id),
            "class": rid("c", t.class_group_id),
            "group": rid("gr", t.study_group_id),
            "subject": rid("s", t.subject_id),
            "teacher": rid("t", t.teacher_id),
            **_pick(t, "weekday", "lesson_number", "room", "valid_from", "valid_to"),
        }


def _lessons(school):
    homework = {h.lesson_id: h for h in Homework.objects.filter(school=school)}
    lessons = Lesson.objects.filter(school=school).select_related("work_type").order_by("pk")
    for lesson in lessons:
        item = {
            "id": rid("l", lesson.pk),
            "class": rid("c", lesson.class_group_id),
            "group": rid("gr", lesson.study_group_id),
            "subject": rid("s", lesson.subject_id),
            "teacher": rid("t", lesson.teacher_id),
            **_pick(lesson, "date", "lesson_number", "room", "topic"),
            "work_type": lesson.work_type.name if lesson.work_type else None,
            "substitute_teacher": rid("t", lesson.substitute_teacher_id),
            "moved_from": rid("l", lesson.moved_from_id),
        }
        if lesson.status == LessonStatus.CANCELLED:
            item |= {
                "status": LessonStatus.CANCELLED,
                "cancel_reason": lesson.cancel_reason,
                "cancel_document": lesson.cancel_document,
            }
        hw = homework.get(lesson.pk)
        if hw is not None:
            item["homework"] = {"text": hw.text, "due_date": hw.due_date}
        yield item


def _marks(school):
    for m in Mark.objects.filter(school=school).order_by("pk"):
        yield {
            "id": rid("m", m.pk),
            "lesson": rid("l", m.lesson_id),
            "student": rid("st", m.student_id),
            **_pick(m, "slot", "value", "comment"),
            "reason": TRANSFER_REASON,
        }


def _attendance(school):
    for a in Attendance.objects.filter(school=school).order_by("pk"):
        yield {
            "id": rid("at", a.pk),
            "lesson": rid("l", a.lesson_id),
            "student": rid("st", a.student_id),
            "code": a.code,
            "reason": TRANSFER_REASON,
        }


def _remarks(school):
    for r in Remark.objects.filter(school=school, lesson__isnull=False).order_by("pk"):
        yield {
            "id": rid("r", r.pk),
            "lesson": rid("l", r.lesson_id),
            "student": rid("st", r.student_id),
            **_pick(r, "kind", "text"),
        }


CHOICE = {FinalStatus.NOT_ASSESSED: "na", FinalStatus.EXEMPT: "exempt"}


def _finals(school):
    """Finals as the finals service takes them, and deferrals apart. The reason says where
    they come from (a final other than the suggested one needs one)."""
    finals, deferrals = [], []
    for f in FinalMark.objects.filter(school=school).order_by("period__starts_on", "pk"):
        refs = {
            "id": rid("f", f.pk),
            "student": rid("st", f.student_id),
            "subject": rid("s", f.subject_id),
            "period": rid("p", f.period_id),
        }
        if f.status == FinalStatus.DEFERRED:
            deferrals.append(
                refs
                | {
                    "reason": f.deferral_reason,
                    "document": f.deferral_document,
                    "due_date": f.deferred_until,
                }
            )
            continue
        finals.append(
            refs
            | {
                "choice": CHOICE.get(f.status, f.value),
                "reason": TRANSFER_REASON,
                "exam": f.kind == "exam",
                "exam_name": f.exam_name,
            }
        )
    return finals, deferrals


def _rows(queryset, *names) -> list[dict]:
    return list(queryset.values(*names))


def _extras(school) -> dict[str, list[dict]]:
    """What the write API does not take, as rows of their own."""
    return {
        "work_types": _rows(
            WorkType.objects.filter(school=school).order_by("pk"), "name", "weight", "is_control"
        ),
        "history": _rows(
            MarkChange.objects.filter(school=school).order_by("pk"),
            *[f.attname for f in MarkChange._meta.concrete_fields if f.name != "school"],
        ),
        "consents": _rows(
            Consent.objects.filter(school=school).order_by("pk"),
            *[f.attname for f in Consent._meta.concrete_fields if f.name != "school"],
        ),
        "contacts": _rows(
            ContactPoint.objects.filter(school=school).order_by("pk"),
            *[f.attname for f in ContactPoint._meta.concrete_fields if f.name != "school"],
        ),
        "pd_requests": _rows(
            PdRequest.objects.filter(school=school).order_by("pk"),
            *[f.attname for f in PdRequest._meta.concrete_fields if f.name != "school"],
        ),
        "access_log": _rows(
            AccessLogEntry.objects.filter(school=school).order_by("pk"),
            *[f.attname for f in AccessLogEntry._meta.concrete_fields if f.name != "school"],
        ),
    }


def school_batches(school) -> list[tuple[str, list[dict]]]:
    """(entity, items) in the order the load posts them."""
    student_rounds, leaving = _students(school)
    finals, deferrals = _finals(school)
    out = [
        ("years", list(_years(school))),
        ("periods", list(_periods(school))),
        ("holidays", list(_holidays(school))),
        ("subjects", list(_subjects(school))),
        ("teachers", list(_teachers(school))),
        ("classes", list(_classes(school))),
    ]
    out += [("students", items) for items in student_rounds]
    out += [
        ("students/delete", leaving),
        ("guardians", list(_guardians(school))),
        ("groups", list(_groups(school))),
        ("assignments", list(_assignments(school))),
        ("lessons", list(_lessons(school))),
        ("marks", list(_marks(school))),
        ("attendance", list(_attendance(school))),
        ("remarks", list(_remarks(school))),
        ("finals", finals),
        ("deferrals", deferrals),
        ("timetable", list(_timetable(school))),
    ]
    return [(entity, items) for entity, items in out if items]


def _json(value) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()


def _documents(archive, consents: list[dict]) -> None:
    """The consents' scanned documents, under documents/ by their stored name."""
    from django.core.files.storage import default_storage

    for row in consents:
        for name, value in list(row.items()):
            if value and name in _file_fields(Consent):
                path = f"documents/{value}"
                try:
                    with default_storage.open(value, "rb") as handle:
                        archive.writestr(path, handle.read())
                except FileNotFoundError:
                    continue
                row[name] = path


def _file_fields(model) -> set[str]:
    from django.db.models import FileField

    return {f.attname for f in model._meta.concrete_fields if isinstance(f, FileField)}


def export_school(*, school, now: dt.datetime | None = None) -> bytes:
    """The school's archive (see the module's docstring)."""
    batches = school_batches(school)
    extras = _extras(school)
    buffer = io.BytesIO()
    order = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, (entity, items) in enumerate(batches, start=1):
            for k in range(0, len(items), BATCH):
                name = f"batches/{n:02d}-{entity.replace('/', '-')}-{k // BATCH + 1:03d}.json"
                archive.writestr(name, _json({"items": items[k : k + BATCH]}))
                order.append({"file": name, "entity": entity})
        _documents(archive, extras["consents"])
        for name, rows in extras.items():
            archive.writestr(f"{name}.json", _json(rows))
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": (now or timezone.now()).isoformat(),
            "school": {n: getattr(school, n) for n in SCHOOL_FIELDS},
            "batches": order,
            "files": {f"{name}.json": len(rows) for name, rows in extras.items()},
        }
        archive.writestr("manifest.json", _json(manifest))
    return buffer.getvalue()
