"""The write API, /api/v1/: one batch endpoint per entity (upserts), one per entity that can be
deleted (explicit deletions that keep history), and the reconciliation read."""

import hashlib

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import record_access
from journal.models import Lesson, Mark
from school import services as roster
from school.models import (
    AcademicYear,
    ExternalEntity,
    Guardian,
    ReportingPeriod,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)

from . import ids, selectors, write
from . import serializers as s
from .models import READ, WRITE

# entity path → (item serializer, upsert handler, delete serializer, delete handler)
ENTITIES = {
    "years": (s.YearItem, write.year_item, None, None),
    "periods": (s.PeriodItem, write.period_item, None, None),
    "holidays": (s.HolidayItem, write.holiday_item, None, None),
    "subjects": (s.SubjectItem, write.subject_item, None, None),
    "teachers": (s.TeacherItem, write.teacher_item, None, None),
    "classes": (s.ClassItem, write.class_item, None, None),
    "students": (s.StudentItem, write.student_item, s.StudentLeaveItem, write.student_delete),
    "guardians": (s.GuardianItem, write.guardian_item, None, None),
    "groups": (s.GroupItem, write.group_item, None, None),
    "assignments": (s.AssignmentItem, write.assignment_item, None, None),
    "timetable": (
        s.TimetableItem,
        write.timetable_item,
        s.TimetableEndItem,
        write.timetable_delete,
    ),
    "lessons": (s.LessonItem, write.lesson_item, s.DeleteItem, write.lesson_delete),
    "marks": (s.MarkItem, write.mark_item, s.DeleteItem, write.mark_delete),
    "attendance": (s.AttendanceItem, write.attendance_item, s.DeleteItem, write.attendance_delete),
    "homework_files": (None, None, s.DeleteItem, write.homework_file_delete),
    "remarks": (s.RemarkItem, write.remark_item, None, None),
    "finals": (s.FinalItem, write.final_item, None, None),
    "deferrals": (s.DeferralItem, write.deferral_item, None, None),
}

# Entities whose items may take over a record we hold, named by its OneRoster sourcedId.
CLAIMABLE = {
    "years": (ExternalEntity.YEAR, "schoolYear", AcademicYear),
    "periods": (ExternalEntity.PERIOD, "period", ReportingPeriod),
    "subjects": (ExternalEntity.SUBJECT, "course", Subject),
    "teachers": (ExternalEntity.TEACHER, "teacher", Teacher),
    "students": (ExternalEntity.STUDENT, "student", Student),
    "guardians": (ExternalEntity.GUARDIAN, "guardian", Guardian),
    "assignments": (ExternalEntity.ASSIGNMENT, "class", TeachingAssignment),
    "lessons": (ExternalEntity.LESSON, "lineItem", Lesson),
    "marks": (ExternalEntity.MARK, "result", Mark),
}

# Service field names that the payload calls otherwise.
PAYLOAD_FIELD = {"class_group": "class", "study_group": "group", "__all__": None}


def _item_errors(index: int, item_id, exc: Exception) -> list[dict]:
    def one(field, message):
        return {
            "index": index,
            "id": item_id,
            "field": PAYLOAD_FIELD.get(field, field),
            "message": str(message),
        }

    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [one(f, m) for f, msgs in exc.message_dict.items() for m in msgs]
        return [one(None, m) for m in exc.messages]
    if isinstance(exc, PermissionDenied):
        return [one(None, _("The client may not write this record."))]
    return [one(None, _("A record this item names does not exist."))]


def _shape_errors(items, errors) -> list[dict]:
    """DRF's per-item errors (by item index) as our item errors; errors of the envelope
    itself (no items, too many, not a list) have the index -1."""
    if isinstance(errors, list) and all(isinstance(e, dict) for e in errors):
        errors = dict(enumerate(errors))
    elif not isinstance(errors, dict):
        errors = {"items": errors}
    out = []
    for key, item_errors in errors.items():
        if not isinstance(key, int):
            msgs = item_errors if isinstance(item_errors, list) else [item_errors]
            out += [{"index": -1, "id": None, "field": str(key), "message": str(m)} for m in msgs]
            continue
        raw = items[key] if isinstance(items, list) and key < len(items) else {}
        item_id = raw.get("id") if isinstance(raw, dict) else None
        for field, msgs in (item_errors or {}).items():
            for m in _flat(msgs):
                out.append(
                    {
                        "index": key,
                        "id": None if item_id is None else str(item_id),
                        "field": field,
                        "message": m,
                    }
                )
    return out


def _flat(msgs) -> list[str]:
    if isinstance(msgs, dict):
        return [f"{k}: {m}" for k, v in msgs.items() for m in _flat(v)]
    if isinstance(msgs, list):
        return [m for v in msgs for m in _flat(v)]
    return [str(msgs)]


def _student_ids(objs) -> list[int]:
    ids = []
    for obj in objs:
        if obj is None:
            continue
        if obj._meta.model_name == "student":
            ids.append(obj.pk)
        elif getattr(obj, "student_id", None):
            ids.append(obj.student_id)
    return ids


def _claim(ctx, claim, item) -> None:
    """Map the sender's id to the record its sourcedId names (once; ours, in this school)."""
    entity, kind, model = claim
    if ctx.lookup(entity, item["id"], model) is not None:
        return
    decoded = ids.decode(str(item["sourcedId"]), kind)
    obj = decoded and model.objects.filter(school=ctx.school, pk=decoded[1]).first()
    if not obj:
        raise ValidationError({"sourcedId": [_("No such record in this school.")]})
    ctx.map(entity, item["id"], obj)


def run_batch(request, batch, handler, what: str, claim=None):
    """Validate the envelope and every item's shape, then run the items in order inside one
    transaction: any item refused rolls the whole batch back and the answer lists every
    refusal by item index, id and field."""
    items = request.data.get("items") if isinstance(request.data, dict) else None
    envelope = batch(data=request.data)
    if not envelope.is_valid():
        errors = envelope.errors.get("items", envelope.errors)
        return Response(
            {
                "detail": _("The batch is malformed; nothing was saved."),
                "errors": _shape_errors(items, errors),
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    client = request.api_client
    ctx = write.Context(school=client.school, source=client.source, user=request.user)
    results, errors, objs, seen = [], [], [], set()
    with transaction.atomic():
        for index, item in enumerate(envelope.validated_data["items"]):
            if item["id"] in seen:
                errors.append(
                    {
                        "index": index,
                        "id": item["id"],
                        "field": "id",
                        "message": _("The same id appears twice in the batch."),
                    }
                )
                continue
            seen.add(item["id"])
            try:
                with transaction.atomic():
                    if claim and item.get("sourcedId"):
                        _claim(ctx, claim, item)
                    obj, action = handler(ctx, item)
            except (ValidationError, PermissionDenied, ObjectDoesNotExist) as exc:
                errors += _item_errors(index, item["id"], exc)
                continue
            objs.append(obj)
            results.append({"index": index, "id": item["id"], "action": action})
        if errors:
            transaction.set_rollback(True)
    if errors:
        return Response(
            {"detail": _("The batch was refused; nothing was saved."), "errors": errors},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    record_access(request.user, _student_ids(objs), what)
    counts = {a: sum(1 for r in results if r["action"] == a) for a in write_actions()}
    return Response({"results": results, **counts})


def write_actions():
    return (write.CREATED, write.UPDATED, write.UNCHANGED)


def batch_view(entity: str, item_class, handler, *, deleting: bool):
    verb = "delete" if deleting else "upsert"
    summary = f"Delete {entity} (explicitly; history is kept)" if deleting else f"Upsert {entity}"

    batch = s.batch_of(item_class, f"{entity.title()}{verb.title()}Batch")

    class View(APIView):
        required_scopes = [WRITE]

        @extend_schema(
            operation_id=f"{entity}_{verb}",
            summary=summary,
            request=batch,
            responses={200: s.BatchResult, 400: s.BatchRefused, 422: s.BatchRefused},
            tags=["write"],
        )
        def post(self, request):
            return run_batch(
                request,
                batch,
                handler,
                f"API: {entity} ({verb})",
                claim=None if deleting else CLAIMABLE.get(entity),
            )

    View.__name__ = f"{entity.title()}{verb.title()}View"
    return View.as_view()


# --- Reconciliation ----------------------------------------------------------------------------


def _checksum(lines) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


class ReconciliationView(APIView):
    """Counts and checksums per class for one period, in the sender's ids: the sender computes
    the same from its own data and compares. A mark's line is `lesson|student|slot|value`, an
    attendance line `lesson|student|code`; records we hold that the sender never sent count as
    `not_sent`. The checksum is SHA-256 of the sorted lines joined by newlines."""

    required_scopes = [READ, WRITE]

    @extend_schema(
        operation_id="reconciliation",
        parameters=[
            OpenApiParameter("period", str, required=True, description="The period's id (yours)."),
        ],
        responses={200: dict, 404: dict},
        tags=["read"],
    )
    def get(self, request):
        client = request.api_client
        school = client.school
        period = roster.external_object(
            school=school,
            source=client.source,
            entity=ExternalEntity.PERIOD,
            external_id=str(request.query_params.get("period", "")),
            model=ReportingPeriod,
        )
        if period is None:
            return Response({"detail": _("Unknown period.")}, status=status.HTTP_404_NOT_FOUND)
        records = selectors.period_records(client=client, period=period)
        marks, absences = records.marks, records.absences
        by_class = {c.pk: self._empty(c) for c in records.classes}
        ext = {
            entity: roster.external_ids_of(
                school=school, source=client.source, entity=entity, object_ids=ids
            )
            for entity, ids in (
                (ExternalEntity.LESSON, {r[1] for r in marks} | {r[1] for r in absences}),
                (ExternalEntity.STUDENT, {r[2] for r in marks} | {r[2] for r in absences}),
            )
        }
        self._fill(by_class, marks, ext, "marks")
        self._fill(by_class, absences, ext, "attendance")
        for pk, row in by_class.items():
            row["lessons"] = records.lessons.get(pk, 0)
            row["students"] = records.students.get(pk, 0)
            for kind in ("marks", "attendance"):
                row[kind]["checksum"] = _checksum(row[kind].pop("lines"))
        record_access(request.user, [], "API: reconciliation")
        return Response(
            {"period": request.query_params["period"], "classes": list(by_class.values())}
        )

    @staticmethod
    def _empty(klass) -> dict:
        ext = {"count": 0, "not_sent": 0, "lines": []}
        return {
            "class": str(klass),
            "level": klass.level,
            "letter": klass.letter,
            "marks": dict(ext, lines=[]),
            "attendance": dict(ext, lines=[]),
        }

    @staticmethod
    def _fill(by_class, rows, ext, kind) -> None:
        lessons, students = ext[ExternalEntity.LESSON], ext[ExternalEntity.STUDENT]
        for klass, lesson_id, student_id, *rest in rows:
            row = by_class.get(klass)
            if row is None:
                continue
            row[kind]["count"] += 1
            if lesson_id in lessons and student_id in students:
                row[kind]["lines"].append(
                    "|".join([lessons[lesson_id], students[student_id], *map(str, rest)])
                )
            else:
                row[kind]["not_sent"] += 1
