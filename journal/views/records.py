"""Corrections of what a lesson holds besides marks: deleting a homework file (after a
confirmation) and editing a remark. Both are kept in the lesson's history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import role_required
from accounts.audit import record_access
from accounts.rules import is_deputy_head, is_teacher

from .. import services
from ..forms import RemarkEditForm
from ..models import HomeworkFile
from ..selectors.records import homework_file_for_editor, remark_for_editor
from .common import add_errors

writers = role_required(is_teacher, is_deputy_head)


@require_http_methods(["GET", "POST"])
@writers
def homework_file_delete(request, file_id: int):
    attachment = homework_file_for_editor(request.user, file_id)
    lesson = attachment.homework.lesson
    error = None
    if request.method == "POST":
        try:
            services.homework_file_delete(user=request.user, attachment=attachment)
        except HomeworkFile.DoesNotExist as missing:
            raise Http404 from missing
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("The file was removed from the homework."))
            return redirect("journal:lesson", lesson.pk)
    context = {"attachment": attachment, "lesson": lesson, "error": error}
    return render(
        request, "journal/confirm_file_delete.html", context, status=400 if error else 200
    )


@require_http_methods(["GET", "POST"])
@writers
def remark_edit(request, remark_id: int):
    remark = remark_for_editor(request.user, remark_id)
    form = RemarkEditForm(request.POST or None, initial={"kind": remark.kind, "text": remark.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.remark_edit(user=request.user, remark=remark, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The remark was corrected."))
            return redirect("journal:lesson", remark.lesson_id)
    record_access(
        request.user,
        [remark.student],
        _("Correcting a remark: the lesson of %(date)s, %(subject)s")
        % {"date": remark.lesson.date.strftime("%d.%m.%Y"), "subject": remark.lesson.subject.name},
    )
    status = 400 if form.errors else 200
    return render(
        request, "journal/remark_edit.html", {"remark": remark, "form": form}, status=status
    )
