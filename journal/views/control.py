"""The teacher's home page and the deputy head's control pages."""

import datetime as dt

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from school.models import ClassGroup

from .. import selectors
from ..forms import FillingFilterForm
from .common import date_param, journal_staff, leaders


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


TEACHERS_PER_PAGE = 10


@require_GET
@leaders
def control(request):
    """Filling control: the finals still missing in the current periods, then each teacher's
    journals over a range of days, worst first, ten teachers a page, filtered by class,
    teacher or subject."""
    school = request.user.school
    today = school.today()
    starts_on = date_param(request, "from", today - dt.timedelta(days=30))
    ends_on = date_param(request, "to", today)
    year = selectors.current_year(school, ends_on)
    filters = FillingFilterForm(request.GET or None, school_id=school.pk, year=year)
    ids = filters.ids() if filters.is_bound else {}
    rows = selectors.filling_control(request.user, starts_on=starts_on, ends_on=ends_on, **ids)
    summary = selectors.finals_summary(request.user, year, ends_on, **ids)
    teachers = selectors.by_teacher(rows, [m for s in summary for m in s.missing])
    page = Paginator(teachers, TEACHERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "journal/control.html",
        {
            "page": page,
            "filters": filters,
            "summary": summary,
            "filtered": any(ids.values()),
            "total": _total(teachers),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "query": query.urlencode(),
            "late_days": selectors.LATE_ENTRY_DAYS,
            "warn_percent": round(selectors.FILLING_WARN_SHARE * 100),
            "bad_percent": round(selectors.FILLING_BAD_SHARE * 100),
        },
    )


def _total(teachers) -> selectors.ControlRow:
    total = selectors.ControlRow(teacher="", group="", subject="")
    for teacher in teachers:
        total.add(teacher.total)
    return total


@require_GET
@journal_staff
def control_works(request):
    school = request.user.school
    today = school.today()
    year = selectors.current_year(school)
    starts_on = date_param(request, "from", today)
    ends_on = date_param(request, "to", today + dt.timedelta(days=42))
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
