"""The lesson page and the deputy head's changes to a lesson."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import record_access
from accounts.rules import is_deputy_head, is_teacher

from .. import selectors, services
from ..forms import (
    MARK_HELP,
    ColumnMetaForm,
    HomeworkForm,
    LessonForm,
    MoveForm,
    RemarkForm,
    SubstituteForm,
)
from ..marks import display
from ..models import (
    AttendanceCode,
    Lesson,
)
from .common import ATTENDANCE_CHOICES, add_errors, deputy, journal_staff, save_column


def _lesson_context(request, lesson: Lesson, **forms) -> dict:
    students = selectors.lesson_roster(lesson)
    records = selectors.lesson_records(lesson)
    rows = []
    for s in students:
        marks = records["marks"].get(s["id"], [])
        att = records["attendance"].get(s["id"])
        rows.append(
            {
                "student": s,
                "marks": marks,
                "text": "/".join(_display(m["value"]) for m in marks),
                "versions": ",".join(f"{m['slot']}:{m['version']}" for m in marks),
                "attendance": att["code"] if att else "",
                "attendance_label": AttendanceCode(att["code"]).label if att else "",
                "attendance_version": att["version"] if att else 0,
                "errors": [],
            }
        )
    homework = selectors.lesson_homework(lesson)
    can_edit = getattr(lesson, "can_edit", False)
    context = {
        "lesson": lesson,
        "rows": rows,
        "homework": homework,
        "remarks": selectors.lesson_remarks(lesson),
        "can_edit": can_edit,
        "may_manage": is_deputy_head(request.user),
        "attendance_choices": ATTENDANCE_CHOICES,
        "mark_help": MARK_HELP,
        "grid_url": _grid_url(lesson),
    }
    if can_edit:
        context.setdefault("lesson_form", None)
        context["lesson_form"] = forms.get("lesson_form") or LessonForm(
            lesson=lesson,
            initial={
                "topic": lesson.topic,
                "planned_topic": lesson.planned_topic_id,
                "work_type": lesson.work_type_id,
            },
        )
        context["homework_form"] = forms.get("homework_form") or HomeworkForm(
            initial={"text": homework.text, "due_date": homework.due_date} if homework else None
        )
        context["remark_form"] = forms.get("remark_form") or RemarkForm(students=students)
        context["meta_form"] = forms.get("meta_form") or ColumnMetaForm(
            school_id=lesson.school_id, initial={"work_type": lesson.work_type_id}
        )
    if context["may_manage"]:
        context["substitute_form"] = SubstituteForm(
            school_id=lesson.school_id,
            candidates=selectors.substitute_candidates(lesson),
            subject=lesson.subject.name,
            initial={"teacher": lesson.substitute_teacher_id},
        )
        context["move_form"] = MoveForm(initial={"lesson_number": lesson.lesson_number})
    context.update({k: v for k, v in forms.items() if k not in context or v is not None})
    return context


def _render_lesson(request, context: dict, status: int = 200):
    """Render the lesson page, logging the students whose marks and attendance it shows."""
    lesson = context["lesson"]
    record_access(
        request.user,
        (row["student"] for row in context["rows"]),
        _("Lesson of %(date)s, %(subject)s, %(group)s: marks and attendance")
        % lesson_names(lesson),
    )
    return render(request, "journal/lesson.html", context, status=status)


def lesson_names(lesson: Lesson) -> dict:
    return {
        "date": lesson.date.strftime("%d.%m.%Y"),
        "subject": lesson.subject.name,
        "group": lesson.group_label,
    }


def _display(value: str) -> str:
    return display(value)


def _grid_url(lesson: Lesson) -> str:
    if lesson.study_group_id:
        return reverse("journal:grid_group", args=[lesson.study_group_id])
    return reverse("journal:grid_class", args=[lesson.class_group_id, lesson.subject_id])


@require_GET
@journal_staff
def lesson_page(request, lesson_id: int):
    """The lesson: its topic, the column of marks and attendance, homework and remarks. Each
    section's form posts to a view of its own (below)."""
    lesson = selectors.lesson_for_viewer(request.user, lesson_id)
    return _render_lesson(request, _lesson_context(request, lesson))


def _lesson_to_write(request, lesson_id: int) -> Lesson:
    """The lesson a POST writes in: the director reads the journal but does not write (403);
    a lesson the user may not edit is 404."""
    if not (is_teacher(request.user) or is_deputy_head(request.user)):
        raise PermissionDenied
    lesson = selectors.lesson_for_editor(request.user, lesson_id)
    lesson.can_edit = True
    return lesson


def _saved(request, lesson: Lesson, message: str):
    messages.success(request, message)
    return redirect("journal:lesson", lesson.pk)


@require_POST
@journal_staff
def lesson_column(request, lesson_id: int):
    """The lesson's column of marks and attendance (the grid's column, on the lesson page)."""
    lesson = _lesson_to_write(request, lesson_id)
    roster = {s["id"]: s["name"] for s in selectors.lesson_roster(lesson)}
    ok, errors, non_field = save_column(request, lesson, roster)
    if ok:
        return redirect("journal:lesson", lesson.pk)
    context = _lesson_context(request, lesson)
    for row in context["rows"]:
        sid = row["student"]["id"]
        row["text"] = request.POST.get(f"mark-{sid}", row["text"])
        row["attendance"] = request.POST.get(f"att-{sid}", row["attendance"])
        row["errors"] = errors.get(f"mark-{sid}", []) + errors.get(f"att-{sid}", [])
    context.update(
        errors=errors,
        error_list=[m for msgs in errors.values() for m in msgs] + non_field,
        posted=request.POST,
    )
    return _render_lesson(request, context, status=400)


@require_POST
@journal_staff
def lesson_topic(request, lesson_id: int):
    lesson = _lesson_to_write(request, lesson_id)
    form = LessonForm(request.POST, lesson=lesson)
    if form.is_valid():
        try:
            services.lesson_update(user=request.user, lesson=lesson, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return _saved(request, lesson, _("The lesson was saved."))
    return _rerender(request, lesson, lesson_form=form)


@require_POST
@journal_staff
def lesson_homework(request, lesson_id: int):
    lesson = _lesson_to_write(request, lesson_id)
    form = HomeworkForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.homework_set(user=request.user, lesson=lesson, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return _saved(request, lesson, _("The homework was saved."))
    return _rerender(request, lesson, homework_form=form)


@require_POST
@journal_staff
def lesson_remark(request, lesson_id: int):
    lesson = _lesson_to_write(request, lesson_id)
    form = RemarkForm(request.POST, students=selectors.lesson_roster(lesson))
    if form.is_valid():
        try:
            services.remark_add(
                user=request.user,
                lesson=lesson,
                student_id=form.cleaned_data["student"],
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
            )
        except Lesson.DoesNotExist as missing:
            raise Http404 from missing
        except ValidationError as error:
            add_errors(form, error)
        else:
            return _saved(request, lesson, _("The remark was saved."))
    return _rerender(request, lesson, remark_form=form)


def _rerender(request, lesson, **forms):
    return _render_lesson(request, _lesson_context(request, lesson, **forms), status=400)


@require_GET
@journal_staff
def lesson_history(request, lesson_id: int):
    lesson = selectors.lesson_for_viewer(request.user, lesson_id)
    changes = selectors.lesson_history(lesson)
    record_access(
        request.user,
        (change.student_id for change in changes),
        _("Lesson of %(date)s, %(subject)s, %(group)s: history of changes") % lesson_names(lesson),
    )
    return render(request, "journal/history.html", {"lesson": lesson, "changes": changes})


@require_GET
@journal_staff
def homework_file(request, file_id: int):
    """Homework files are served only through here: the viewer must see the lesson."""
    attachment = selectors.homework_file_for(request.user, file_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


def _back_to_lesson(request, lesson: Lesson):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or reverse("journal:lesson", args=[lesson.pk]))


@require_POST
@deputy
def lesson_substitute(request, lesson_id: int):
    lesson = selectors.lesson_for_editor(request.user, lesson_id)
    form = SubstituteForm(request.POST, school_id=lesson.school_id)
    if not form.is_valid():
        messages.error(request, _("Choose a teacher of this school."))
        return _back_to_lesson(request, lesson)
    try:
        services.lesson_substitute(
            user=request.user, lesson=lesson, teacher=form.cleaned_data["teacher"]
        )
    except ValidationError as error:
        for e in error.messages:
            messages.error(request, e)
    else:
        messages.success(request, _("The substitution was saved."))
    return _back_to_lesson(request, lesson)


@require_POST
@deputy
def lesson_move(request, lesson_id: int):
    lesson = selectors.lesson_for_editor(request.user, lesson_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return _back_to_lesson(request, lesson)
    try:
        moved = services.lesson_move(user=request.user, lesson=lesson, **form.cleaned_data)
    except ValidationError as error:
        for e in error.messages:
            messages.error(request, e)
        return _back_to_lesson(request, lesson)
    messages.success(request, _("The lesson was moved."))
    return redirect("journal:lesson", moved.pk)
