"""The write API's items: what one item of each entity means, through the same services as the
journal's forms (journal.services) and the roster upserts (school.services).

Each handler takes the batch context and one validated item, returns our row and what was
done (created, updated, unchanged) and raises ValidationError keyed by the item's field. The
batch (api.views) runs every item in one transaction and rolls all of it back on any error.
"""

from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from journal import services as journal
from journal.exchange import lesson_create
from journal.models import (
    Attendance,
    FinalKind,
    FinalMark,
    FinalStatus,
    Homework,
    HomeworkFile,
    Lesson,
    LessonStatus,
    Mark,
    Remark,
    WorkType,
)
from journal.services import ALLOWED_HOMEWORK_TYPES, final_mark_defer, final_mark_set
from school import services as roster
from school.models import ExternalEntity as E
from school.models import PeriodKind, School, Student

CREATED, UPDATED, UNCHANGED = roster.CREATED, roster.UPDATED, roster.UNCHANGED


@dataclass
class Context:
    school: School
    source: str
    user: object  # the client's account: the author of every write

    def ref(self, entity: str, external_id, field: str, model=None):
        return roster.resolve(
            school=self.school,
            source=self.source,
            entity=entity,
            external_id=external_id,
            field=field,
            model=model,
        )

    def lookup(self, entity: str, external_id: str, model):
        return roster.external_object(
            school=self.school,
            source=self.source,
            entity=entity,
            external_id=external_id,
            model=model,
        )

    def map(self, entity: str, external_id: str, obj) -> None:
        roster.external_map(
            school=self.school,
            source=self.source,
            entity=entity,
            external_id=external_id,
            obj=obj,
        )

    def upsert(self, entity: str, item: dict, values: dict):
        return roster.upsert(
            school=self.school,
            source=self.source,
            entity=entity,
            external_id=item["id"],
            values=values,
        )


def _pick(item: dict, *names: str) -> dict:
    return {n: item[n] for n in names if n in item}


# --- The school's structure ----------------------------------------------------------------


def year_item(ctx: Context, item: dict):
    r = ctx.upsert(E.YEAR, item, _pick(item, "name", "starts_on", "ends_on"))
    return r.obj, r.action


def period_item(ctx: Context, item: dict):
    values = _pick(item, "kind", "number", "name", "starts_on", "ends_on", "level_min", "level_max")
    values["year"] = ctx.ref(E.YEAR, item["year"], "year")
    r = ctx.upsert(E.PERIOD, item, values)
    return r.obj, r.action


def holiday_item(ctx: Context, item: dict):
    values = _pick(item, "name", "starts_on", "ends_on", "level_min", "level_max")
    values["year"] = ctx.ref(E.YEAR, item["year"], "year")
    r = ctx.upsert(E.HOLIDAY, item, values)
    return r.obj, r.action


def subject_item(ctx: Context, item: dict):
    r = ctx.upsert(E.SUBJECT, item, _pick(item, "name", "short_name", "is_graded"))
    return r.obj, r.action


def teacher_item(ctx: Context, item: dict):
    r = roster.teacher_upsert(
        school=ctx.school,
        source=ctx.source,
        external_id=item["id"],
        values=_pick(item, "last_name", "first_name", "patronymic", "position"),
    )
    return r.obj, r.action


def class_item(ctx: Context, item: dict):
    values = _pick(item, "level", "letter")
    values["year"] = ctx.ref(E.YEAR, item["year"], "year")
    values["class_teacher"] = ctx.ref(E.TEACHER, item.get("class_teacher"), "class_teacher")
    r = ctx.upsert(E.CLASS, item, values)
    return r.obj, r.action


def group_item(ctx: Context, item: dict):
    values = _pick(item, "kind", "name")
    values["year"] = ctx.ref(E.YEAR, item["year"], "year")
    values["subject"] = ctx.ref(E.SUBJECT, item["subject"], "subject")
    values["class_group"] = ctx.ref(E.CLASS, item.get("class"), "class")
    students = None
    if "students" in item:
        students = [ctx.ref(E.STUDENT, s, "students") for s in item["students"]]
    r = roster.study_group_upsert(
        school=ctx.school,
        source=ctx.source,
        external_id=item["id"],
        values=values,
        students=students,
    )
    return r.obj, r.action


def student_item(ctx: Context, item: dict):
    r = roster.student_upsert(
        school=ctx.school,
        source=ctx.source,
        external_id=item["id"],
        values=_pick(item, "last_name", "first_name", "patronymic", "birth_date"),
        class_group=ctx.ref(E.CLASS, item.get("class"), "class"),
        joined_on=item.get("joined_on"),
    )
    return r.obj, r.action


def student_delete(ctx: Context, item: dict):
    student = ctx.ref(E.STUDENT, item["id"], "id")
    ended = roster.student_leave(school=ctx.school, student=student, left_on=item["left_on"])
    return student, UPDATED if ended else UNCHANGED


def guardian_item(ctx: Context, item: dict):
    children = [
        (ctx.ref(E.STUDENT, c["student"], "children"), c["relation"])
        for c in item.get("children", [])
    ]
    r = roster.guardian_upsert(
        school=ctx.school,
        source=ctx.source,
        external_id=item["id"],
        values=_pick(item, "last_name", "first_name", "patronymic"),
        children=children,
    )
    return r.obj, r.action


def assignment_item(ctx: Context, item: dict):
    values = {
        "year": ctx.ref(E.YEAR, item["year"], "year"),
        "teacher": ctx.ref(E.TEACHER, item["teacher"], "teacher"),
        "subject": ctx.ref(E.SUBJECT, item["subject"], "subject"),
        "class_group": ctx.ref(E.CLASS, item.get("class"), "class"),
        "study_group": ctx.ref(E.GROUP, item.get("group"), "group"),
    }
    r = ctx.upsert(E.ASSIGNMENT, item, values)
    return r.obj, r.action


def timetable_item(ctx: Context, item: dict):
    """A new line goes through the timetable's service; a line that ends earlier is ended by
    it (its untouched future lessons go); other fields change in place."""
    values = _pick(item, "weekday", "lesson_number", "room", "valid_from")
    values |= {
        "year": ctx.ref(E.YEAR, item["year"], "year"),
        "class_group": ctx.ref(E.CLASS, item.get("class"), "class"),
        "study_group": ctx.ref(E.GROUP, item.get("group"), "group"),
        "subject": ctx.ref(E.SUBJECT, item["subject"], "subject"),
        "teacher": ctx.ref(E.TEACHER, item["teacher"], "teacher"),
    }
    from school.models import TimetableEntry

    entry = ctx.lookup(E.TIMETABLE, item["id"], TimetableEntry)
    valid_to = item.get("valid_to")
    if entry is None:
        entry = TimetableEntry(school=ctx.school, valid_to=valid_to, **values)
        journal.timetable_entry_create(user=ctx.user, entry=entry)
        ctx.map(E.TIMETABLE, item["id"], entry)
        return entry, CREATED
    r = ctx.upsert(E.TIMETABLE, item, values)
    action = r.action
    if valid_to != entry.valid_to:
        if valid_to is None:
            raise ValidationError({"valid_to": [_("An ended timetable line is not reopened.")]})
        journal.timetable_entry_end(user=ctx.user, entry=r.obj, last_day=valid_to)
        action = UPDATED
    return r.obj, action


def timetable_delete(ctx: Context, item: dict):
    from school.models import TimetableEntry

    entry = ctx.ref(E.TIMETABLE, item["id"], "id", model=TimetableEntry)
    if entry.valid_to is not None and entry.valid_to <= item["last_day"]:
        return entry, UNCHANGED
    journal.timetable_entry_end(user=ctx.user, entry=entry, last_day=item["last_day"])
    return entry, UPDATED


# --- Lessons ---------------------------------------------------------------------------------


def _work_type(ctx: Context, name: str | None):
    if not name:
        return None
    found = WorkType.objects.filter(school=ctx.school, name=name).first()
    if found is None:
        raise ValidationError({"work_type": [_("Unknown work type «%(name)s».") % {"name": name}]})
    return found


def _new_lesson(ctx: Context, item: dict):
    if item.get("moved_from"):
        original = ctx.ref(E.LESSON, item["moved_from"], "moved_from", model=Lesson)
        return journal.lesson_move(
            user=ctx.user, lesson=original, date=item["date"], lesson_number=item["lesson_number"]
        )
    return lesson_create(
        school=ctx.school,
        class_group=ctx.ref(E.CLASS, item.get("class"), "class"),
        study_group=ctx.ref(E.GROUP, item.get("group"), "group"),
        subject=ctx.ref(E.SUBJECT, item["subject"], "subject"),
        teacher=ctx.ref(E.TEACHER, item["teacher"], "teacher"),
        date=item["date"],
        lesson_number=item["lesson_number"],
        room=item.get("room", ""),
    )


def lesson_item(ctx: Context, item: dict):
    """A lesson: created (or, with `moved_from`, the lesson another one moved to), then its
    topic and work type, substitute, cancellation and homework, each through its service and
    only when it differs from what is stored."""
    lesson = ctx.lookup(E.LESSON, item["id"], Lesson)
    action = UNCHANGED
    if lesson is None:
        lesson = _new_lesson(ctx, item)
        ctx.map(E.LESSON, item["id"], lesson)
        action = CREATED
    elif (lesson.date, lesson.lesson_number) != (item["date"], item["lesson_number"]):
        raise ValidationError(
            {"date": [_("A lesson moves as a new lesson with moved_from naming this one.")]}
        )
    work_type = _work_type(ctx, item.get("work_type"))
    topic = item.get("topic", "").strip()
    if (lesson.topic, lesson.work_type_id) != (topic, work_type.pk if work_type else None):
        journal.lesson_update(
            user=ctx.user,
            lesson=lesson,
            topic=topic,
            planned_topic=lesson.planned_topic,
            work_type=work_type,
        )
        action = action if action == CREATED else UPDATED
    substitute = ctx.ref(E.TEACHER, item.get("substitute_teacher"), "substitute_teacher")
    if (substitute.pk if substitute else None) != lesson.substitute_teacher_id:
        try:
            journal.lesson_substitute(user=ctx.user, lesson=lesson, teacher=substitute)
        except ValidationError as refused:  # a busy teacher: named by the item's own field
            raise ValidationError({"substitute_teacher": refused.messages}) from refused
        action = action if action == CREATED else UPDATED
    if item.get("status") == LessonStatus.CANCELLED and lesson.status != LessonStatus.CANCELLED:
        lesson = _cancel(ctx, lesson, item)
        action = action if action == CREATED else UPDATED
    homework = item.get("homework")
    if homework is not None and _homework(ctx, lesson, homework):
        action = action if action == CREATED else UPDATED
    return lesson, action


def _new_files(ctx: Context, files: list[dict]) -> list[tuple[str, ContentFile]]:
    """The files not sent before (by the sender's id), as uploads for the journal's service;
    the MIME type the sender names must be the one the journal gives the file's type."""
    new = []
    for part in files:
        if ctx.lookup(E.HOMEWORK_FILE, part["id"], HomeworkFile) is not None:
            continue
        name = PurePath(part["name"]).name
        expected = ALLOWED_HOMEWORK_TYPES.get(PurePath(name).suffix.lower())
        if expected is not None and part["content_type"].split(";")[0].strip() != expected:
            raise ValidationError(
                {
                    "homework": [
                        _("«%(name)s»: the type %(given)s does not match the file (%(type)s).")
                        % {"name": name, "given": part["content_type"], "type": expected}
                    ]
                }
            )
        new.append((part["id"], ContentFile(part["content"], name=name)))
    return new


def _homework(ctx: Context, lesson: Lesson, homework: dict) -> bool:
    """The homework's text, due date and new files through the journal's homework service
    (the same checks of the files' type, content and size, and the same history). Whether
    anything changed."""
    stored = Homework.objects.filter(lesson=lesson).first()
    new = _new_files(ctx, homework.get("files", []))
    same_text = stored is not None and (stored.text, stored.due_date) == (
        homework["text"].strip(),
        homework.get("due_date"),
    )
    if same_text and not new:
        return False
    try:
        saved = journal.homework_set(
            user=ctx.user,
            lesson=lesson,
            text=homework["text"],
            due_date=homework.get("due_date"),
            files=[upload for _id, upload in new],
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "files" in exc.error_dict:
            raise ValidationError({"homework": exc.error_dict.pop("files")}) from exc
        raise
    if new:
        attached = list(HomeworkFile.objects.filter(homework=saved).order_by("-pk")[: len(new)])
        for (file_id, _upload), row in zip(new, reversed(attached), strict=True):
            ctx.map(E.HOMEWORK_FILE, file_id, row)
    return True


def homework_file_delete(ctx: Context, item: dict):
    """A file taken off the homework: the journal's service removes it and the history keeps
    its name, who and when. Deleting a file already gone changes nothing."""
    attachment = ctx.lookup(E.HOMEWORK_FILE, item["id"], HomeworkFile)
    if attachment is None:
        return None, UNCHANGED
    journal.homework_file_delete(user=ctx.user, attachment=attachment)
    return attachment, UPDATED


def _cancel(ctx: Context, lesson: Lesson, item: dict) -> Lesson:
    """Cancel through the journal's service, which records why and on what paper: the sender's
    own reason and document when it gives them, else its name and the lesson's id there."""
    return journal.lesson_cancel(
        user=ctx.user,
        lesson=lesson,
        reason=(item.get("cancel_reason") or "").strip()
        or _("Cancelled in the sending journal system «%(source)s».") % {"source": ctx.source},
        document=(item.get("cancel_document") or "").strip()
        or _("lesson %(id)s in «%(source)s»") % {"id": item["id"], "source": ctx.source},
    )


def lesson_delete(ctx: Context, item: dict):
    """A lesson that did not take place is cancelled (it stays, marked so)."""
    lesson = ctx.ref(E.LESSON, item["id"], "id", model=Lesson)
    if lesson.status == LessonStatus.CANCELLED:
        return lesson, UNCHANGED
    return _cancel(ctx, lesson, item), UPDATED


# --- Marks, attendance, remarks ----------------------------------------------------------------


def _lesson_and_student(ctx: Context, item: dict):
    lesson = ctx.ref(E.LESSON, item["lesson"], "lesson", model=Lesson)
    student = ctx.ref(E.STUDENT, item["student"], "student", model=Student)
    return lesson, student


def _outside_lesson() -> ValidationError:
    return ValidationError({"student": [_("The student is not taught in this lesson.")]})


def mark_item(ctx: Context, item: dict):
    """One mark in a slot of the lesson (1–3: a double mark is two items); pass/fail too."""
    lesson, student = _lesson_and_student(ctx, item)
    mapped = ctx.lookup(E.MARK, item["id"], Mark)
    slot = item.get("slot", 1)
    if mapped is not None and (mapped.lesson_id, mapped.student_id, mapped.slot) != (
        lesson.pk,
        student.pk,
        slot,
    ):
        raise ValidationError({"id": [_("This mark belongs to another lesson, student or slot.")]})
    current = Mark.objects.filter(lesson=lesson, student=student, slot=slot).first()
    comment = item.get("comment", "")
    if current is not None and (current.value, current.comment) == (item["value"], comment):
        ctx.map(E.MARK, item["id"], current)
        return current, UNCHANGED
    try:
        mark = journal.mark_set(
            user=ctx.user,
            lesson=lesson,
            student_id=student.pk,
            slot=slot,
            value=item["value"],
            comment=comment,
            version=current.version if current else 0,
            reason=item.get("reason", ""),
        )
    except Lesson.DoesNotExist as exc:
        raise _outside_lesson() from exc
    ctx.map(E.MARK, item["id"], mark)
    return mark, CREATED if current is None else UPDATED


def mark_delete(ctx: Context, item: dict):
    mark = ctx.lookup(E.MARK, item["id"], Mark)
    if mark is None:
        return None, UNCHANGED  # already gone: deleting twice changes nothing
    journal.mark_delete(
        user=ctx.user,
        mark_id=mark.pk,
        lesson=mark.lesson,
        student_id=mark.student_id,
        version=mark.version,
        reason=item.get("reason", ""),
    )
    return mark, UPDATED


def _save_attendance(ctx: Context, lesson: Lesson, student: Student, code: str, reason: str):
    """Attendance goes through the lesson column's service with the student's marks as they
    are (so only the attendance changes)."""
    marks = {m.slot: m for m in Mark.objects.filter(lesson=lesson, student=student)}
    att = Attendance.objects.filter(lesson=lesson, student=student).first()
    cell = journal.CellInput(
        student_id=student.pk,
        marks=tuple(marks[s].value for s in sorted(marks)),
        mark_versions={s: m.version for s, m in marks.items()},
        attendance=code,
        attendance_version=att.version if att else 0,
        label=student.short_name,
    )
    try:
        journal.marks_save_column(user=ctx.user, lesson=lesson, cells=[cell], reason=reason)
    except Lesson.DoesNotExist as exc:
        raise _outside_lesson() from exc
    return att


def attendance_item(ctx: Context, item: dict):
    lesson, student = _lesson_and_student(ctx, item)
    before = Attendance.objects.filter(lesson=lesson, student=student).first()
    if before is not None and before.code == item["code"]:
        ctx.map(E.ATTENDANCE, item["id"], before)
        return before, UNCHANGED
    _save_attendance(ctx, lesson, student, item["code"], item.get("reason", ""))
    row = Attendance.objects.get(lesson=lesson, student=student)
    ctx.map(E.ATTENDANCE, item["id"], row)
    return row, CREATED if before is None else UPDATED


def attendance_delete(ctx: Context, item: dict):
    """The student was present after all: the record goes, its history stays."""
    row = ctx.lookup(E.ATTENDANCE, item["id"], Attendance)
    if row is None:
        return None, UNCHANGED
    _save_attendance(ctx, row.lesson, row.student, "", item.get("reason", ""))
    return row, UPDATED


def remark_item(ctx: Context, item: dict):
    """A remark or a message to the parents; once written it is not changed."""
    lesson, student = _lesson_and_student(ctx, item)
    stored = ctx.lookup(E.REMARK, item["id"], Remark)
    if stored is not None:
        if (stored.kind, stored.text, stored.lesson_id, stored.student_id) == (
            item["kind"],
            item["text"].strip(),
            lesson.pk,
            student.pk,
        ):
            return stored, UNCHANGED
        raise ValidationError({"text": [_("A remark once written is not changed.")]})
    try:
        remark = journal.remark_add(
            user=ctx.user,
            lesson=lesson,
            student_id=student.pk,
            kind=item["kind"],
            text=item["text"],
        )
    except Lesson.DoesNotExist as exc:
        raise _outside_lesson() from exc
    ctx.map(E.REMARK, item["id"], remark)
    return remark, CREATED


# --- Finals, deferrals, exams ------------------------------------------------------------------

CHOICE_OF = {
    (FinalStatus.NOT_ASSESSED, ""): "na",
    (FinalStatus.EXEMPT, ""): "exempt",
}


def _final_refs(ctx: Context, item: dict):
    from school.models import ReportingPeriod, Subject

    student = ctx.ref(E.STUDENT, item["student"], "student", model=Student)
    subject = ctx.ref(E.SUBJECT, item["subject"], "subject", model=Subject)
    period = ctx.ref(E.PERIOD, item["period"], "period", model=ReportingPeriod)
    return student, subject, period


def _final_kind(period, exam: bool) -> str:
    if exam:
        return FinalKind.EXAM
    return FinalKind.YEAR if period.kind == PeriodKind.YEAR else FinalKind.PERIOD


def final_item(ctx: Context, item: dict):
    """A period or year final, or an exam result (`exam` with its name): the finals
    service's checks apply (a mark other than the suggested one needs a reason)."""
    student, subject, period = _final_refs(ctx, item)
    exam = item.get("exam", False)
    stored = FinalMark.objects.filter(
        student=student, subject=subject, period=period, kind=_final_kind(period, exam)
    ).first()
    row = final_mark_set(
        user=ctx.user,
        student=student,
        subject=subject,
        period=period,
        choice=item["choice"],
        reason=item.get("reason", ""),
        exam=exam,
        exam_name=item.get("exam_name", ""),
    )
    ctx.map(E.FINAL, item["id"], row)
    if stored is None:
        return row, CREATED
    return row, UNCHANGED if row.version == stored.version else UPDATED


def deferral_item(ctx: Context, item: dict):
    """A deferred final (illness): the reason, the supporting document, the due date."""
    student, subject, period = _final_refs(ctx, item)
    stored = FinalMark.objects.filter(
        student=student, subject=subject, period=period, kind=_final_kind(period, False)
    ).first()
    wanted = (
        FinalStatus.DEFERRED,
        item["reason"].strip(),
        item["document"].strip(),
        item["due_date"],
    )
    if (
        stored is not None
        and (
            stored.status,
            stored.deferral_reason,
            stored.deferral_document,
            stored.deferred_until,
        )
        == wanted
    ):
        ctx.map(E.FINAL, item["id"], stored)
        return stored, UNCHANGED
    row = final_mark_defer(
        user=ctx.user,
        student=student,
        subject=subject,
        period=period,
        reason=item["reason"],
        document=item["document"],
        due_date=item["due_date"],
    )
    ctx.map(E.FINAL, item["id"], row)
    return row, CREATED if stored is None else UPDATED
