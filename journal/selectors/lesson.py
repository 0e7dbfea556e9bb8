"""One lesson's page: its students, their marks and attendance, and the history of its marks."""

import datetime as dt
from collections import defaultdict

from django.db.models import (
    CharField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext as _

from school.models import (
    Enrollment,
    StudyGroupMembership,
)

from ..marks import display
from ..models import (
    Attendance,
    AttendanceCode,
    Homework,
    HomeworkFile,
    Lesson,
    Mark,
    MarkChange,
    Remark,
    RemarkKind,
)
from .lessons import viewable_lessons


def lesson_roster(lesson: Lesson) -> list[dict]:
    """The students of the lesson on its date, in journal order, as dicts."""
    if lesson.study_group_id:
        rows = StudyGroupMembership.objects.filter(group_id=lesson.study_group_id)
    else:
        rows = Enrollment.objects.filter(
            Q(left_on__isnull=True) | Q(left_on__gte=lesson.date),
            class_group_id=lesson.class_group_id,
            joined_on__lte=lesson.date,
        )
    return student_rows(rows)


def student_rows(rows) -> list[dict]:
    values = rows.values(
        "student_id", "student__last_name", "student__first_name", "student__patronymic"
    ).order_by("student__last_name", "student__first_name", "student__patronymic")
    seen, out = set(), []
    for r in values:
        if r["student_id"] in seen:
            continue
        seen.add(r["student_id"])
        out.append(
            {
                "id": r["student_id"],
                "name": f"{r['student__last_name']} {r['student__first_name']}",
                "full_name": " ".join(
                    p
                    for p in (
                        r["student__last_name"],
                        r["student__first_name"],
                        r["student__patronymic"],
                    )
                    if p
                ),
            }
        )
    return out


def records_of(lesson_ids) -> list[dict]:
    """Marks and attendance of the lessons in one query: attendance rows come as slot 0 with
    their code in `value` (UNION ALL of two value lists of the same shape)."""
    marks = Mark.objects.filter(lesson_id__in=lesson_ids).values(
        "lesson_id",
        "student_id",
        "slot",
        "value",
        "version",
        "comment",
        weight=F("work_type__weight"),
    )
    absences = Attendance.objects.filter(lesson_id__in=lesson_ids).values(
        "lesson_id",
        "student_id",
        slot=Value(0, output_field=IntegerField()),
        value=Cast("code", output_field=CharField()),
        version_=F("version"),
        comment_=Value("", output_field=CharField()),
        weight=Value(0, output_field=IntegerField()),
    )
    # Models' default ordering must go: SQLite refuses ORDER BY inside a compound statement.
    rows = list(marks.order_by().union(absences.order_by(), all=True))
    rows.sort(key=lambda r: r["slot"])
    return rows


def lesson_records(lesson: Lesson) -> dict:
    """Marks and attendance of one lesson by student, for the lesson page's column."""
    marks = defaultdict(list)
    for m in lesson.marks.order_by("slot").values(
        "id", "student_id", "slot", "value", "version", "comment"
    ):
        marks[m["student_id"]].append(m)
    attendance = {
        a["student_id"]: a for a in lesson.attendance.values("student_id", "code", "version")
    }
    return {"marks": marks, "attendance": attendance}


def lesson_history(lesson: Lesson, student_id: int | None = None) -> list[MarkChange]:
    """The change records of a lesson (or of one student in it), newest first, each with
    `before_text` and `after_text` as the journal writes them (5, зач, отсутствовал (н))."""
    changes = MarkChange.objects.filter(lesson=lesson).select_related("student", "changed_by")
    if student_id is not None:
        changes = changes.filter(student_id=student_id)
    rows = list(changes.order_by("-changed_at", "-id"))
    for change in rows:
        change.before_text = _change_text(change, change.before)
        change.after_text = _change_text(change, change.after)
    return rows


def _change_text(change: MarkChange, data: dict | None) -> str:
    if not data:
        return ""
    if change.entity in _TEXT_OF:
        return _TEXT_OF[change.entity](data)
    if change.entity == MarkChange.Entity.ATTENDANCE:
        code = data.get("code", "")
        return str(AttendanceCode(code).label) if code in AttendanceCode.values else code
    text = display(data.get("value", ""))
    return f"{text} ({data['comment']})" if data.get("comment") else text


# The lesson's page and the mark page read these for a lesson the viewer was already given by
# lesson_for_viewer or lesson_for_editor (its access is settled there).


def lesson_homework(lesson: Lesson) -> Homework | None:
    return Homework.objects.filter(lesson=lesson).prefetch_related("files").first()


def lesson_remarks(lesson: Lesson) -> QuerySet[Remark]:
    return Remark.objects.filter(lesson=lesson).select_related("student")


def student_marks(lesson: Lesson, student_id: int) -> list[Mark]:
    """The student's marks in the lesson, by slot."""
    return list(Mark.objects.filter(lesson=lesson, student_id=student_id).order_by("slot"))


def homework_file_for(user, file_id: int) -> HomeworkFile:
    """A homework file of a lesson the user may see, else Http404 (the same as a missing id)."""
    attachment = (
        HomeworkFile.objects.filter(
            pk=file_id, homework__lesson__in=viewable_lessons(user).values("pk")
        )
        .only("file", "original_name", "content_type")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def _homework_text(data: dict) -> str:
    due = data.get("due_date")
    if not due:
        return data.get("text", "")
    return _("%(text)s (due %(date)s)") % {
        "text": data.get("text", ""),
        "date": dt.date.fromisoformat(due).strftime("%d.%m.%Y"),
    }


def _remark_text(data: dict) -> str:
    kind = data.get("kind", "")
    label = RemarkKind(kind).label if kind in RemarkKind.values else kind
    return f"{label}: {data.get('text', '')}"


# How the history page writes a record other than a mark or attendance.
_TEXT_OF = {
    MarkChange.Entity.TOPIC: lambda data: data.get("topic", ""),
    MarkChange.Entity.HOMEWORK: _homework_text,
    MarkChange.Entity.HOMEWORK_FILE: lambda data: data.get("name", ""),
    MarkChange.Entity.REMARK: _remark_text,
}
