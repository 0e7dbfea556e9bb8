"""The journal's pages. Views adapt: parse a form, fetch through a selector (404 when not the
viewer's), call one service, render or redirect."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from accounts.audit import record_access
from accounts.rules import is_deputy_head, is_school_leader, is_teacher
from school.models import BellSchedule, ClassGroup, TimetableEntry

from . import selectors, services
from .forms import (
    MARK_HELP,
    BellForm,
    ColumnMetaForm,
    GenerateForm,
    HomeworkForm,
    LessonForm,
    MarkDeleteForm,
    MarkForm,
    MoveForm,
    RemarkForm,
    SubstituteForm,
    TimetableEntryForm,
    parse_column,
)
from .grading import Thresholds
from .marks import display
from .models import (
    ATTENDANCE_SHORT,
    AttendanceCode,
    Homework,
    HomeworkFile,
    Lesson,
    Mark,
    Remark,
)

journal_staff = role_required(is_teacher, is_school_leader)
leaders = role_required(is_school_leader)
deputy = role_required(is_deputy_head)

ATTENDANCE_CHOICES = [("", "—"), *AttendanceCode.choices]
# The grid's cells are narrow: the journal's own short codes (н, б, у, оп).
ATTENDANCE_SHORT_CHOICES = [("", "—"), *ATTENDANCE_SHORT.items()]


def _save_column(request, lesson: Lesson, students: dict[int, str]):
    """Parse and save one lesson column; returns (ok, errors by field, non-field errors)."""
    cells, errors = parse_column(request.POST, students)
    meta = ColumnMetaForm(request.POST, school_id=lesson.school_id)
    if not meta.is_valid():
        for name, errs in meta.errors.items():
            errors.setdefault(name, []).extend(errs)
    if errors:
        return False, errors, []
    try:
        result = services.marks_save_column(
            user=request.user,
            lesson=lesson,
            cells=cells,
            work_type=meta.cleaned_data["work_type"],
            reason=meta.cleaned_data["reason"],
        )
    except Lesson.DoesNotExist as missing:
        raise Http404 from missing
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            return (
                False,
                {k: [m for e in v for m in e.messages] for k, v in error.error_dict.items()},
                [],
            )
        return False, {}, error.messages
    messages.success(
        request,
        _("Saved: %(n)s changes.") % {"n": result.changed} if result.changed else _("No changes."),
    )
    return True, {}, []


# --- Teacher's home --------------------------------------------------------------------------


@require_GET
@journal_staff
def home(request):
    user = request.user
    school = user.school
    today = school.today()
    year = selectors.current_year(school)
    context = {
        "today": today,
        "lessons_today": selectors.teacher_lessons_on(user, today),
        "assignments": selectors.teacher_assignments(user, year) if year else [],
        "lacking": selectors.lessons_lacking(
            user, starts_on=today - dt.timedelta(days=14), ends_on=today
        ),
        "homeroom": ClassGroup.objects.filter(
            school=school, year=year, class_teacher__user=user
        ).prefetch_related("assignments__subject")
        if year
        else [],
    }
    return render(request, "journal/home.html", context)


# --- The grid --------------------------------------------------------------------------------


def _edit_cells(rows, index: int, *, posted, errors: dict) -> None:
    """Give each row `row.edit`: what the edited column's inputs show (the posted text after a
    refused save, else the stored marks) and the errors of its cells."""
    for row in rows:
        cell, sid = row.cells[index], row.student["id"]
        row.edit = {
            "id": sid,
            "text": posted.get(f"mark-{sid}", "") if posted else cell.text,
            "attendance": posted.get(f"att-{sid}", "") if posted else cell.attendance,
            "versions": cell.versions,
            "attendance_version": cell.attendance_version,
            "errors": errors.get(f"mark-{sid}", []) + errors.get(f"att-{sid}", []),
        }


def _grid_page(request, scope: selectors.JournalScope, grid_url: str):
    # The scope's query brought the school (the same row as the user's: it is filtered by it);
    # caching it on the user saves the header its own query.
    school = scope.school
    request.user.school = school
    today = school.today()
    periods, current = selectors.periods_for(scope, today)
    period_id = request.GET.get("period") or request.POST.get("period")
    if period_id:
        current = next((p for p in periods if str(p.pk) == period_id), None)
        if current is None:
            raise Http404
    if current is None:
        return render(
            request, "journal/grid.html", {"scope": scope, "periods": periods, "grid": None}
        )
    edit_id = request.POST.get("lesson") or request.GET.get("edit")
    errors, non_field, posted = {}, [], None
    if request.method == "POST":
        if not (is_teacher(request.user) or is_deputy_head(request.user)):
            raise PermissionDenied  # the director reads the journal but does not write in it
        if not scope.can_edit:
            # Viewing is not writing: the class teacher and the director only read here.
            raise Http404
        if not (edit_id or "").isdigit():
            raise Http404
        lesson = (
            selectors.editable_lessons(request.user)
            .filter(pk=int(edit_id))
            .filter(pk__in=scope.lessons().values("pk"))
            .select_related("school")
            .first()
        )
        if lesson is None:
            raise Http404
        roster = {s["id"]: s["name"] for s in selectors.lesson_roster(lesson)}
        ok, errors, non_field = _save_column(request, lesson, roster)
        if ok:
            return redirect(f"{grid_url}?period={current.pk}&edit={lesson.pk}")
        posted = request.POST
    grid = selectors.journal_grid(scope, current, Thresholds.of(school))
    edit_column = None
    if scope.can_edit and grid.columns:
        ids = {c.id: c for c in grid.columns}
        if edit_id and edit_id.isdigit() and int(edit_id) in ids:
            edit_column = ids[int(edit_id)]
        else:
            past = [c for c in grid.columns if c.date <= today and c.status == "scheduled"]
            edit_column = past[-1] if past else None
    index = None
    if edit_column is not None:
        edit_column.editable = True
        index = grid.columns.index(edit_column)
        _edit_cells(grid.rows, index, posted=posted, errors=errors)
    table = render_to_string(
        "journal/grid_table.html",
        {
            "grid": grid,
            "edit_index": index,
            "edit_column": edit_column,
            "can_edit": scope.can_edit,
            "grid_url": grid_url,
            "period": current,
            "attendance_choices": ATTENDANCE_SHORT_CHOICES,
        },
        using="jinja2",
    )
    context = {
        "scope": scope,
        "periods": periods,
        "period": current,
        "grid": grid,
        # Rendered by the Jinja2 engine, which escapes every value (autoescape is always on).
        "grid_table": mark_safe(table),  # noqa: S308
        "edit_column": edit_column,
        "attendance_choices": ATTENDANCE_SHORT_CHOICES,
        "errors": errors,
        "error_list": [m for msgs in errors.values() for m in msgs] + non_field,
        "posted": posted,
        "mark_help": MARK_HELP,
        "grid_url": grid_url,
    }
    status = 400 if (errors or non_field) else 200
    record_access(
        request.user,
        (row.student for row in grid.rows),
        _("Journal: %(subject)s, %(group)s")
        % {"subject": scope.subject.name, "group": scope.label},
    )
    return render(request, "journal/grid.html", context, status=status)


@require_http_methods(["GET", "POST"])
@journal_staff
def grid_class(request, class_id: int, subject_id: int):
    scope = selectors.journal_scope(request.user, class_id=class_id, subject_id=subject_id)
    return _grid_page(request, scope, reverse("journal:grid_class", args=[class_id, subject_id]))


@require_http_methods(["GET", "POST"])
@journal_staff
def grid_group(request, group_id: int):
    scope = selectors.journal_scope(request.user, group_id=group_id, subject_id=0)
    return _grid_page(request, scope, reverse("journal:grid_group", args=[group_id]))


# --- The lesson page -------------------------------------------------------------------------


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
    homework = Homework.objects.filter(lesson=lesson).prefetch_related("files").first()
    can_edit = getattr(lesson, "can_edit", False)
    context = {
        "lesson": lesson,
        "rows": rows,
        "homework": homework,
        "remarks": Remark.objects.filter(lesson=lesson).select_related("student"),
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
            school_id=lesson.school_id, initial={"teacher": lesson.substitute_teacher_id}
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
        % _lesson_names(lesson),
    )
    return render(request, "journal/lesson.html", context, status=status)


def _lesson_names(lesson: Lesson) -> dict:
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


@require_http_methods(["GET", "POST"])
@journal_staff
def lesson_page(request, lesson_id: int):
    if request.method == "GET":
        lesson = selectors.lesson_for_viewer(request.user, lesson_id)
        return _render_lesson(request, _lesson_context(request, lesson))
    if not (is_teacher(request.user) or is_deputy_head(request.user)):
        raise PermissionDenied  # the director reads the journal but does not write in it
    lesson = selectors.lesson_for_editor(request.user, lesson_id)
    lesson.can_edit = True
    section = request.POST.get("section")
    here = reverse("journal:lesson", args=[lesson.pk])
    if section == "column":
        roster = {s["id"]: s["name"] for s in selectors.lesson_roster(lesson)}
        ok, errors, non_field = _save_column(request, lesson, roster)
        if ok:
            return redirect(here)
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
    if section == "topic":
        form = LessonForm(request.POST, lesson=lesson)
        if form.is_valid():
            try:
                services.lesson_update(user=request.user, lesson=lesson, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The lesson was saved."))
                return redirect(here)
        return _rerender(request, lesson, lesson_form=form)
    if section == "homework":
        form = HomeworkForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.homework_set(user=request.user, lesson=lesson, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The homework was saved."))
                return redirect(here)
        return _rerender(request, lesson, homework_form=form)
    if section == "remark":
        students = selectors.lesson_roster(lesson)
        form = RemarkForm(request.POST, students=students)
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
                _add_errors(form, error)
            else:
                messages.success(request, _("The remark was saved."))
                return redirect(here)
        return _rerender(request, lesson, remark_form=form)
    raise Http404


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errs in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error)


def _rerender(request, lesson, **forms):
    return _render_lesson(request, _lesson_context(request, lesson, **forms), status=400)


@require_http_methods(["GET", "POST"])
@journal_staff
def mark_page(request, lesson_id: int, student_id: int):
    """One student's marks in one lesson: values, comments, deletion with a reason, history."""
    if request.method == "POST":
        if not (is_teacher(request.user) or is_deputy_head(request.user)):
            raise PermissionDenied
        lesson = selectors.lesson_for_editor(request.user, lesson_id)
        lesson.can_edit = True
    else:
        lesson = selectors.lesson_for_viewer(request.user, lesson_id)
    student = next((s for s in selectors.lesson_roster(lesson) if s["id"] == student_id), None)
    if student is None:
        raise Http404
    here = reverse("journal:mark", args=[lesson.pk, student_id])
    set_form = delete_form = None
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            delete_form = MarkDeleteForm(request.POST)
            if delete_form.is_valid():
                try:
                    services.mark_delete(
                        user=request.user,
                        lesson=lesson,
                        mark_id=delete_form.cleaned_data["mark"],
                        student_id=student_id,
                        version=delete_form.cleaned_data["version"],
                        reason=delete_form.cleaned_data["reason"],
                    )
                except Mark.DoesNotExist as missing:
                    raise Http404 from missing
                except ValidationError as error:
                    _add_errors(delete_form, error)
                else:
                    messages.success(request, _("The mark was deleted."))
                    return redirect(here)
        else:
            set_form = MarkForm(request.POST)
            if set_form.is_valid():
                data = set_form.cleaned_data
                try:
                    services.mark_set(
                        user=request.user,
                        lesson=lesson,
                        student_id=student_id,
                        slot=data["slot"],
                        value=data["value"],
                        comment=data["comment"],
                        version=data["version"],
                        reason=data["reason"],
                    )
                except Lesson.DoesNotExist as missing:
                    raise Http404 from missing
                except ValidationError as error:
                    _add_errors(set_form, error)
                else:
                    messages.success(request, _("The mark was saved."))
                    return redirect(here)
    marks = list(lesson.marks.filter(student_id=student_id).order_by("slot"))
    forms = []
    for mark in marks:
        bound = (
            set_form
            if set_form is not None and set_form.data.get("slot") == str(mark.slot)
            else None
        )
        forms.append(
            (
                mark,
                bound
                or MarkForm(
                    initial={
                        "slot": mark.slot,
                        "version": mark.version,
                        "value": display(mark.value),
                        "comment": mark.comment,
                    }
                ),
            )
        )
    free = next((n for n in range(1, 4) if n not in {m.slot for m in marks}), None)
    new_form = None
    if free is not None:
        new_form = (
            set_form if set_form is not None and set_form.data.get("slot") == str(free) else None
        )
        new_form = new_form or MarkForm(initial={"slot": free, "version": 0})
    context = {
        "lesson": lesson,
        "student": student,
        "mark_forms": forms,
        "new_form": new_form,
        "delete_form": delete_form,
        "can_edit": getattr(lesson, "can_edit", False),
        "changes": selectors.lesson_history(lesson, student_id=student_id),
    }
    status = 400 if request.method == "POST" else 200
    record_access(
        request.user,
        [student],
        _("Lesson of %(date)s, %(subject)s, %(group)s: the student's marks and their history")
        % _lesson_names(lesson),
    )
    return render(request, "journal/mark.html", context, status=status)


@require_GET
@journal_staff
def lesson_history(request, lesson_id: int):
    lesson = selectors.lesson_for_viewer(request.user, lesson_id)
    changes = selectors.lesson_history(lesson)
    record_access(
        request.user,
        (change.student_id for change in changes),
        _("Lesson of %(date)s, %(subject)s, %(group)s: history of changes") % _lesson_names(lesson),
    )
    return render(request, "journal/history.html", {"lesson": lesson, "changes": changes})


@require_GET
@journal_staff
def homework_file(request, file_id: int):
    """Homework files are served only through here: the viewer must see the lesson."""
    lessons = selectors.viewable_lessons(request.user)
    attachment = (
        HomeworkFile.objects.filter(pk=file_id, homework__lesson__in=lessons.values("pk"))
        .only("file", "original_name", "content_type")
        .first()
    )
    if attachment is None:
        raise Http404
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


# --- The deputy head's lesson changes --------------------------------------------------------


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
    if form.is_valid():
        services.lesson_substitute(
            user=request.user, lesson=lesson, teacher=form.cleaned_data["teacher"]
        )
        messages.success(request, _("The substitution was saved."))
    else:
        messages.error(request, _("Choose a teacher of this school."))
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


@require_POST
@deputy
def lesson_cancel(request, lesson_id: int):
    lesson = selectors.lesson_for_editor(request.user, lesson_id)
    try:
        services.lesson_cancel(user=request.user, lesson=lesson)
    except ValidationError as error:
        for e in error.messages:
            messages.error(request, e)
    else:
        messages.success(request, _("The lesson was cancelled."))
    return _back_to_lesson(request, lesson)


# --- Filling control, control works ----------------------------------------------------------


def _date_param(request, name: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return default


@require_GET
@leaders
def control(request):
    today = request.user.school.today()
    starts_on = _date_param(request, "from", today - dt.timedelta(days=30))
    ends_on = _date_param(request, "to", today)
    rows = selectors.filling_control(request.user, starts_on=starts_on, ends_on=ends_on)
    return render(
        request,
        "journal/control.html",
        {
            "rows": rows,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "late_days": selectors.LATE_ENTRY_DAYS,
        },
    )


@require_GET
@journal_staff
def control_works(request):
    school = request.user.school
    today = school.today()
    year = selectors.current_year(school)
    starts_on = _date_param(request, "from", today)
    ends_on = _date_param(request, "to", today + dt.timedelta(days=42))
    classes = (
        selectors.classes_for_viewer(request.user, year) if year else ClassGroup.objects.none()
    )
    data = selectors.control_works(classes, starts_on=starts_on, ends_on=ends_on)
    blocks = [(c, data["works"][c.pk]) for c in data["classes"]]
    return render(
        request,
        "journal/control_works.html",
        {"blocks": blocks, "starts_on": starts_on, "ends_on": ends_on},
    )


# --- The timetable ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@deputy
def timetable(request):
    """The deputy head's weekly timetable of a class, its bells, and lesson generation."""
    school = request.user.school
    year = selectors.current_year(school)
    if year is None:
        raise Http404
    classes = list(ClassGroup.objects.filter(school=school, year=year))
    chosen = request.GET.get("class") or request.POST.get("class_group") or ""
    klass = next((c for c in classes if str(c.pk) == chosen), classes[0] if classes else None)
    forms = {
        "entry_form": TimetableEntryForm(
            school=school, year=year, initial={"class_group": klass, "valid_from": year.starts_on}
        ),
        "bell_form": BellForm(),
        "generate_form": GenerateForm(
            initial={"starts_on": school.today(), "ends_on": year.ends_on}
        ),
    }
    if request.method == "POST":
        done = _timetable_action(request, school=school, year=year, klass=klass, forms=forms)
        if done is not None:
            return done
    context = {
        "classes": classes,
        "klass": klass,
        "week": selectors.timetable_week(school=school, year=year, class_group=klass),
        "bells": BellSchedule.objects.filter(school=school),
        **forms,
    }
    return render(
        request, "journal/timetable.html", context, status=400 if request.method == "POST" else 200
    )


def _timetable_action(request, *, school, year, klass, forms: dict):
    """Run one POSTed timetable action: a redirect when done, None with a bound form (its
    errors) otherwise; an unknown action or a line of another school is a 404."""
    action = request.POST.get("action")
    back = f"{reverse('journal:timetable')}?class={klass.pk if klass else ''}"
    if action == "add":
        form = forms["entry_form"] = TimetableEntryForm(request.POST, school=school, year=year)
        if form.is_valid():
            services.timetable_entry_create(user=request.user, entry=form.instance)
            messages.success(request, _("The timetable line was added."))
            return redirect(
                f"{reverse('journal:timetable')}?class={form.instance.class_group_id or ''}"
            )
        return None
    if action == "end":
        entry = TimetableEntry.objects.filter(
            school=school, pk=_int(request.POST.get("entry"))
        ).first()
        if entry is None:
            raise Http404
        removed = services.timetable_entry_end(
            user=request.user, entry=entry, last_day=school.today() - dt.timedelta(days=1)
        )
        messages.success(
            request,
            _("The timetable line was ended; %(n)s future lessons removed.") % {"n": removed},
        )
        return redirect(f"{reverse('journal:timetable')}?class={entry.class_group_id or ''}")
    if action == "bell":
        form = forms["bell_form"] = BellForm(request.POST)
        if form.is_valid():
            services.bell_set(school=school, **form.cleaned_data)
            messages.success(request, _("The bell schedule was saved."))
            return redirect(back)
        return None
    if action == "generate":
        form = forms["generate_form"] = GenerateForm(request.POST)
        if form.is_valid():
            created = services.lessons_generate(
                user=request.user, school=school, year=year, class_group=klass, **form.cleaned_data
            )
            messages.success(request, _("Lessons created: %(n)s.") % {"n": created})
            return redirect(back)
        return None
    raise Http404


def _int(value) -> int:
    return int(value) if (value or "").isdigit() else 0
