"""Steps that remove or end something go through a confirmation page: GET shows what will
happen, POST does it. Cancelling a lesson, ending a timetable line, deleting a mark."""

import datetime as dt

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
from ..forms import CancelForm, MarkDeleteForm
from ..models import Mark
from ..selectors.confirm import lessons_ending_removes, mark_of, timetable_entry_for_deputy
from .common import add_errors, deputy, journal_staff


@require_http_methods(["GET", "POST"])
@deputy
def lesson_cancel(request, lesson_id: int):
    lesson = selectors.lesson_for_editor(request.user, lesson_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_cancel(user=request.user, lesson=lesson, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The lesson was cancelled."))
            return redirect("journal:lesson", lesson.pk)
    status = 400 if form.errors else 200
    return render(
        request, "journal/confirm_cancel.html", {"lesson": lesson, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@deputy
def timetable_entry_end(request, entry_id: int):
    entry = timetable_entry_for_deputy(request.user, entry_id)
    last_day = request.user.school.today() - dt.timedelta(days=1)
    if request.method == "POST":
        removed = services.timetable_entry_end(user=request.user, entry=entry, last_day=last_day)
        messages.success(
            request,
            _("The timetable line was ended; %(n)s future lessons removed.") % {"n": removed},
        )
        return redirect(f"{reverse('journal:timetable')}?class={entry.class_group_id or ''}")
    context = {
        "entry": entry,
        "first_day_off": last_day + dt.timedelta(days=1),
        "removes": lessons_ending_removes(entry, last_day),
    }
    return render(request, "journal/confirm_timetable_end.html", context)


@require_http_methods(["GET", "POST"])
@journal_staff
def mark_delete(request, lesson_id: int, student_id: int, mark_id: int):
    if not (is_teacher(request.user) or is_deputy_head(request.user)):
        raise PermissionDenied
    lesson = selectors.lesson_for_editor(request.user, lesson_id)
    mark = mark_of(lesson, student_id=student_id, mark_id=mark_id)
    back = reverse("journal:mark", args=[lesson.pk, student_id])
    form = MarkDeleteForm(request.POST or None, initial={"mark": mark.pk, "version": mark.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_delete(
                user=request.user,
                lesson=lesson,
                mark_id=mark.pk,
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
            return redirect(back)
    record_access(
        request.user,
        [mark.student],
        _("Deleting a mark: the lesson of %(date)s, %(subject)s")
        % {"date": lesson.date.strftime("%d.%m.%Y"), "subject": lesson.subject.name},
    )
    context = {"lesson": lesson, "mark": mark, "form": form, "back": back}
    status = 400 if form.errors else 200
    return render(request, "journal/confirm_mark_delete.html", context, status=status)
