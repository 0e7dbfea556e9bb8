"""The class teacher's overview of their class: averages per subject, absences by kind for
the period, and the pupils at risk."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.audit import record_access

from ..models import ATTENDANCE_SHORT, AttendanceCode
from ..selectors.class_overview import class_for_overview, class_overview
from .common import int_param, journal_staff


@require_GET
@journal_staff
def class_overview_page(request, class_id: int):
    klass = class_for_overview(request.user, class_id)
    overview = class_overview(klass, int_param(request.GET.get("period")) or None)
    record_access(
        request.user,
        [row.student for row in overview.rows],
        _("Class overview of %(klass)s: averages and absences") % {"klass": klass},
    )
    codes = [(short, AttendanceCode(code).label) for code, short in ATTENDANCE_SHORT.items()]
    return render(
        request,
        "journal/class_overview.html",
        {"overview": overview, "codes": codes},
    )
