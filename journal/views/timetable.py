"""The deputy head's timetable page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.rules import is_deputy_head
from school.models import BellSchedule, ClassGroup

from .. import selectors, services
from ..forms import (
    BellForm,
    GenerateForm,
    TimetableEntryForm,
)
from .common import leaders


@require_http_methods(["GET", "POST"])
@leaders
def timetable(request):
    """The deputy head's weekly timetable of a class, its bells, and lesson generation; the
    director sees it read-only."""
    if request.method == "POST" and not is_deputy_head(request.user):
        raise PermissionDenied
    school = request.user.school
    year = selectors.current_year(school)
    if year is None:
        raise Http404
    classes = list(ClassGroup.objects.filter(school=school, year=year))
    chosen = request.GET.get("class") or request.POST.get("class_group") or ""
    klass = next((c for c in classes if str(c.pk) == chosen), classes[0] if classes else None)
    forms = {
        "entry_form": TimetableEntryForm(
            school=school, year=year, initial={"class_group": klass, "valid_from": year.starts_on}
        ),
        "bell_form": BellForm(),
        "generate_form": GenerateForm(
            initial={"starts_on": school.today(), "ends_on": year.ends_on}
        ),
    }
    if request.method == "POST":
        done = _timetable_action(request, school=school, year=year, klass=klass, forms=forms)
        if done is not None:
            return done
    context = {
        "classes": classes,
        "klass": klass,
        "week": selectors.timetable_week(school=school, year=year, class_group=klass),
        "bells": BellSchedule.objects.filter(school=school),
        "may_edit": is_deputy_head(request.user),
        **forms,
    }
    return render(
        request, "journal/timetable.html", context, status=400 if request.method == "POST" else 200
    )


def _timetable_action(request, *, school, year, klass, forms: dict):
    """Run one POSTed timetable action: a redirect when done, None with a bound form (its
    errors) otherwise; an unknown action or a line of another school is a 404."""
    action = request.POST.get("action")
    back = f"{reverse('journal:timetable')}?class={klass.pk if klass else ''}"
    if action == "add":
        form = forms["entry_form"] = TimetableEntryForm(request.POST, school=school, year=year)
        if form.is_valid():
            services.timetable_entry_create(user=request.user, entry=form.instance)
            messages.success(request, _("The timetable line was added."))
            return redirect(
                f"{reverse('journal:timetable')}?class={form.instance.class_group_id or ''}"
            )
        return None
    if action == "bell":
        form = forms["bell_form"] = BellForm(request.POST)
        if form.is_valid():
            services.bell_set(school=school, **form.cleaned_data)
            messages.success(request, _("The bell schedule was saved."))
            return redirect(back)
        return None
    if action == "generate":
        form = forms["generate_form"] = GenerateForm(request.POST)
        if form.is_valid():
            created = services.lessons_generate(
                user=request.user, school=school, year=year, class_group=klass, **form.cleaned_data
            )
            messages.success(request, _("Lessons created: %(n)s.") % {"n": created})
            return redirect(back)
        return None
    raise Http404
