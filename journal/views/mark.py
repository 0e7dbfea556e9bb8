"""One mark of a student in a lesson: its comment, change or deletion."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import record_access
from accounts.rules import is_deputy_head, is_teacher

from .. import selectors, services
from ..forms import MarkDeleteForm, MarkForm
from ..marks import display
from ..models import Lesson, Mark
from .common import add_errors, journal_staff
from .lesson import lesson_names


@require_GET
@journal_staff
def mark_page(request, lesson_id: int, student_id: int):
    """One student's marks in one lesson: values, comments, deletion with a reason, history.
    Setting a mark and deleting one post to views of their own (below)."""
    lesson = selectors.lesson_for_viewer(request.user, lesson_id)
    return _render_marks(request, lesson, _student_of(lesson, student_id))


def _student_of(lesson: Lesson, student_id: int) -> dict:
    student = next((s for s in selectors.lesson_roster(lesson) if s["id"] == student_id), None)
    if student is None:
        raise Http404
    return student


def _to_write(request, lesson_id: int, student_id: int) -> tuple[Lesson, dict]:
    """The lesson and student a POST writes for: the director reads but does not write (403);
    a lesson the user may not edit, or a student outside it, is 404."""
    if not (is_teacher(request.user) or is_deputy_head(request.user)):
        raise PermissionDenied
    lesson = selectors.lesson_for_editor(request.user, lesson_id)
    lesson.can_edit = True
    return lesson, _student_of(lesson, student_id)


@require_POST
@journal_staff
def mark_set(request, lesson_id: int, student_id: int):
    lesson, student = _to_write(request, lesson_id, student_id)
    form = MarkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
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
            add_errors(form, error)
        else:
            messages.success(request, _("The mark was saved."))
            return redirect("journal:mark", lesson.pk, student_id)
    return _render_marks(request, lesson, student, set_form=form, status=400)


def _mark_forms(marks, set_form) -> tuple[list, MarkForm | None]:
    """A form per stored mark and one for a new mark in the first free slot (None when the
    lesson's three are taken); the form that was posted and refused comes back bound."""

    def posted(slot: int):
        if set_form is not None and set_form.data.get("slot") == str(slot):
            return set_form
        return None

    forms = [
        (
            mark,
            posted(mark.slot)
            or MarkForm(
                initial={
                    "slot": mark.slot,
                    "version": mark.version,
                    "value": display(mark.value),
                    "comment": mark.comment,
                }
            ),
        )
        for mark in marks
    ]
    free = next((n for n in range(1, 4) if n not in {m.slot for m in marks}), None)
    if free is None:
        return forms, None
    return forms, posted(free) or MarkForm(initial={"slot": free, "version": 0})


def _render_marks(request, lesson, student, *, set_form=None, delete_form=None, status=200):
    marks = selectors.student_marks(lesson, student["id"])
    mark_forms, new_form = _mark_forms(marks, set_form)
    context = {
        "lesson": lesson,
        "student": student,
        "mark_forms": mark_forms,
        "new_form": new_form,
        "delete_form": delete_form,
        "can_edit": getattr(lesson, "can_edit", False),
        "changes": selectors.lesson_history(lesson, student_id=student["id"]),
    }
    record_access(
        request.user,
        [student],
        _("Lesson of %(date)s, %(subject)s, %(group)s: the student's marks and their history")
        % lesson_names(lesson),
    )
    return render(request, "journal/mark.html", context, status=status)


@require_POST
@journal_staff
def mark_delete(request, lesson_id: int, student_id: int):
    lesson, student = _to_write(request, lesson_id, student_id)
    form = MarkDeleteForm(request.POST)
    if form.is_valid():
        try:
            services.mark_delete(
                user=request.user,
                lesson=lesson,
                mark_id=form.cleaned_data["mark"],
                student_id=student_id,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except Mark.DoesNotExist as missing:
            raise Http404 from missing
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The mark was deleted."))
            return redirect("journal:mark", lesson.pk, student_id)
    return _render_marks(request, lesson, student, delete_form=form, status=400)
