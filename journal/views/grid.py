"""The journal grid of a class or group and subject, and saving its edited column."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import role_required
from accounts.audit import record_access
from accounts.models import Role
from accounts.rules import is_deputy_head, is_teacher

from .. import selectors, services
from ..forms import MARK_HELP, parse_column
from ..grading import Thresholds
from ..models import Lesson, WorkType
from .common import ATTENDANCE_SHORT_CHOICES, save_column


def _writes_by_role(user) -> bool:
    """A teacher or the deputy head by role: no query for the profile (is_teacher asks it
    only of the other roles)."""
    return user.is_authenticated and user.has_role(Role.TEACHER, Role.DEPUTY_HEAD)


def _reads_by_role(user) -> bool:
    """A teacher, the director or the deputy head by role (no query for the profile)."""
    return user.is_authenticated and user.has_role(Role.TEACHER, Role.DIRECTOR, Role.DEPUTY_HEAD)


# Who may open the grid: journal_staff's people, the roles first (is_teacher asks the profile
# only of the other roles).
grid_readers = role_required(_reads_by_role, is_teacher)

# Who may post a column: the roles that write, then anyone with a Teacher profile (the same
# people journal_staff and _column_lesson let through; the lesson's own rules follow).
column_writers = role_required(_writes_by_role, is_teacher)


def _link_columns(columns) -> None:
    """Give each column `url`, its lesson page: one `reverse` for the whole header."""
    lesson_url = reverse("journal:lesson", args=[_MARKER])
    for column in columns:
        column.url = lesson_url.replace(str(_MARKER), str(column.id))


_MARKER = 987654321  # a lesson id no URL pattern confuses with anything else


def _edit_cells(rows, index: int, *, posted, errors: dict, lesson_id: int) -> None:
    """Give each row `row.edit`: what the edited column's inputs show (the posted text after a
    refused save, else the stored marks) and the errors of its cells."""
    mark_url = reverse("journal:mark", args=[lesson_id, _MARKER])
    for row in rows:
        cell, sid = row.cells[index], row.student["id"]
        row.edit = {
            "id": sid,
            "text": posted.get(f"mark-{sid}", "") if posted else cell.text,
            "attendance": posted.get(f"att-{sid}", "") if posted else cell.attendance,
            "versions": cell.versions,
            "attendance_version": cell.attendance_version,
            "errors": errors.get(f"mark-{sid}", []) + errors.get(f"att-{sid}", []),
            "mark_url": mark_url.replace(str(_MARKER), str(sid)),
        }


def _column_lesson(request, scope: selectors.JournalScope, edit_id: str | None) -> Lesson:
    """The lesson whose column a POST saves: one of this journal's lessons the user may edit.
    The director reads the journal but does not write in it (403); the class teacher only
    reads here, and a lesson not theirs or not of this journal is 404."""
    if not (is_teacher(request.user) or is_deputy_head(request.user)):
        raise PermissionDenied
    if not scope.can_edit or not (edit_id or "").isdigit():
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
    return lesson


def _close_columns(request, scope: selectors.JournalScope, columns, periods) -> None:
    """Give each column `closed`: why its marks and attendance cannot be saved now (a future,
    cancelled or moved lesson, the edit window over, a closed period), or "" when they can.
    The reason is the save's own (services.edit_refusal), asked without a query; the deputy
    head's corrections stay open (the form asks for their reason). A read-only journal says
    so once, above the grid."""
    if not scope.can_edit:
        return
    school = scope.school
    closed_periods = [p for p in periods if p.closed_at is not None]
    deputy = is_deputy_head(request.user)
    lesson = Lesson(school=school)  # one stand-in the rules read, its date and status per column
    for column in columns:
        lesson.date, lesson.status = column.date, column.status
        period_closed = any(p.starts_on <= column.date <= p.ends_on for p in closed_periods)
        column.closed = (
            services.edit_refusal(
                user=request.user,
                lesson=lesson,
                period_closed=period_closed,
                reason="…" if deputy else "",
            )
            or ""
        )


def _edit_column(grid, edit_id: str | None):
    """The column being edited: the one asked for if it is open, else the latest open one
    (the latest lesson that took place, within the edit window)."""
    open_columns = [c for c in grid.columns if not c.closed]
    ids = {c.id: c for c in open_columns}
    if edit_id and edit_id.isdigit() and int(edit_id) in ids:
        return ids[int(edit_id)]
    return open_columns[-1] if open_columns else None


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
        lesson = _column_lesson(request, scope, edit_id)
        roster = {s["id"]: s["name"] for s in selectors.lesson_roster(lesson)}
        ok, errors, non_field = save_column(request, lesson, roster)
        if ok:
            return redirect(f"{grid_url}?period={current.pk}&edit={lesson.pk}")
        posted = request.POST
    grid = selectors.journal_grid(scope, current, Thresholds.of(school))
    _close_columns(request, scope, grid.columns, periods)
    edit_column = _edit_column(grid, edit_id) if scope.can_edit else None
    index = None
    if edit_column is not None:
        edit_column.editable = True
        index = grid.columns.index(edit_column)
        _edit_cells(grid.rows, index, posted=posted, errors=errors, lesson_id=edit_column.id)
    _link_columns(grid.columns)
    table = render_to_string(
        "journal/grid_table.html",
        {
            "grid": grid,
            "edit_id": edit_column.id if edit_column else None,
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


def _quick_save(request, grid_url: str, *, class_id: int = 0, subject_id: int = 0, group_id=None):
    """The column save in the statements of the save alone: access, the journal and the work
    type are checked by the save's lock query (`within`), the pupils' names are not read. Any
    refusal (a bad cell, a conflict, a lesson or work type not there) returns None, and the
    page's full path answers it with the names, the form's errors or the 404."""
    lesson_id, work_type = request.POST.get("lesson", ""), request.POST.get("work_type", "")
    reason = request.POST.get("reason", "").strip()
    if (
        not lesson_id.isdigit()
        or len(lesson_id) > 18
        or not (work_type == "" or (work_type.isdigit() and len(work_type) <= 18))
    ):
        return None
    cells, errors = parse_column(request.POST, {})
    if errors:
        return None
    work_type_id = int(work_type) if work_type else None
    try:
        result = services.marks_save_column(
            user=request.user,
            lesson=Lesson(pk=int(lesson_id), school_id=request.user.school_id),
            cells=cells,
            work_type=(
                WorkType(pk=work_type_id, school_id=request.user.school_id)
                if work_type_id
                else None
            ),
            reason=reason,
            within=selectors.column_lessons(
                request.user,
                class_id=class_id,
                subject_id=subject_id,
                group_id=group_id,
                work_type_id=work_type_id,
            ),
        )
    except (Lesson.DoesNotExist, ValidationError):
        return None
    messages.success(
        request,
        _("Saved: %(n)s changes.") % {"n": result.changed} if result.changed else _("No changes."),
    )
    period = request.POST.get("period", "")
    query = f"period={period}&" if period.isdigit() and len(period) <= 18 else ""
    return redirect(f"{grid_url}?{query}edit={lesson_id}")


@require_http_methods(["GET", "POST"])
def grid_class(request, class_id: int, subject_id: int):
    view = _save_class if request.method == "POST" else _show_class
    return view(request, class_id, subject_id)


@grid_readers
def _show_class(request, class_id: int, subject_id: int):
    scope = selectors.journal_scope(request.user, class_id=class_id, subject_id=subject_id)
    return _grid_page(request, scope, reverse("journal:grid_class", args=[class_id, subject_id]))


@column_writers
def _save_class(request, class_id: int, subject_id: int):
    grid_url = reverse("journal:grid_class", args=[class_id, subject_id])
    saved = _quick_save(request, grid_url, class_id=class_id, subject_id=subject_id)
    return saved or _show_class(request, class_id, subject_id)


@require_http_methods(["GET", "POST"])
def grid_group(request, group_id: int):
    view = _save_group if request.method == "POST" else _show_group
    return view(request, group_id)


@grid_readers
def _show_group(request, group_id: int):
    scope = selectors.journal_scope(request.user, group_id=group_id, subject_id=0)
    return _grid_page(request, scope, reverse("journal:grid_group", args=[group_id]))


@column_writers
def _save_group(request, group_id: int):
    grid_url = reverse("journal:grid_group", args=[group_id])
    return _quick_save(request, grid_url, group_id=group_id) or _show_group(request, group_id)
