"""The teacher's home page and the deputy head's control pages."""

import datetime as dt

from django.shortcuts import render
from django.views.decorators.http import require_GET

from school.models import ClassGroup

from .. import selectors
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


@require_GET
@leaders
def control(request):
    today = request.user.school.today()
    starts_on = date_param(request, "from", today - dt.timedelta(days=30))
    ends_on = date_param(request, "to", today)
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
