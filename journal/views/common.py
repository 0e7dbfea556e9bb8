"""What the journal's views share: the role checks, the attendance choices, saving a column from a form."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.rules import is_deputy_head, is_school_leader, is_teacher

from .. import services
from ..forms import (
    ColumnMetaForm,
    parse_column,
)
from ..models import (
    ATTENDANCE_SHORT,
    AttendanceCode,
    Lesson,
)

journal_staff = role_required(is_teacher, is_school_leader)


leaders = role_required(is_school_leader)


deputy = role_required(is_deputy_head)


ATTENDANCE_CHOICES = [("", "—"), *AttendanceCode.choices]


# The grid's cells are narrow: the journal's own short codes (н, б, у, оп).
ATTENDANCE_SHORT_CHOICES = [("", "—"), *ATTENDANCE_SHORT.items()]


def save_column(request, lesson: Lesson, students: dict[int, str]):
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


def add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errs in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error)


def date_param(request, name: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return default


def int_param(value) -> int:
    """A posted id, or 0 when it is not one."""
    return int(value) if (value or "").isdigit() and len(value) <= 18 else 0
