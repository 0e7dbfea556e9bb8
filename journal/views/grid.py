"""The journal grid of a class or group and subject, and saving its edited column."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.audit import record_access
from accounts.rules import is_deputy_head, is_teacher

from .. import selectors
from ..forms import (
    MARK_HELP,
)
from ..grading import Thresholds
from .common import ATTENDANCE_SHORT_CHOICES, journal_staff, save_column


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
        ok, errors, non_field = save_column(request, lesson, roster)
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
