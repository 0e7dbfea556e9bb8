"""One mark of a student in a lesson: its comment, change or deletion."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.audit import record_access
from accounts.rules import is_deputy_head, is_teacher

from .. import selectors, services
from ..forms import (
    MarkDeleteForm,
    MarkForm,
)
from ..marks import display
from ..models import (
    Lesson,
    Mark,
)
from .common import add_errors, journal_staff
from .lesson import lesson_names


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
                    add_errors(delete_form, error)
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
                    add_errors(set_form, error)
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
        % lesson_names(lesson),
    )
    return render(request, "journal/mark.html", context, status=status)
