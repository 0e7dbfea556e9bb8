"""The deputy head's timetable page and its actions, each a view of its own: add a line, end a
line, set a bell, generate lessons. A refused form comes back on the page with its errors."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.rules import is_deputy_head
from school.models import BellSchedule, ClassGroup

from .. import selectors, services
from ..forms import BellForm, GenerateForm, TimetableEntryForm
from .common import deputy, leaders


@dataclass
class _Page:
    """The timetable page of one class: the school's classes, the class shown, its forms."""

    school: object
    year: object
    classes: list
    klass: ClassGroup | None
    forms: dict


def _page(request) -> _Page:
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
    return _Page(school=school, year=year, classes=classes, klass=klass, forms=forms)


def _render(request, page: _Page, status: int = 200):
    context = {
        "classes": page.classes,
        "klass": page.klass,
        "week": selectors.timetable_week(
            school=page.school, year=page.year, class_group=page.klass
        ),
        "bells": BellSchedule.objects.filter(school=page.school),
        # The director sees the timetable; only the deputy head changes it.
        "may_edit": is_deputy_head(request.user),
        **page.forms,
    }
    return render(request, "journal/timetable.html", context, status=status)


def _back(class_id) -> str:
    return f"{reverse('journal:timetable')}?class={class_id or ''}"


@require_GET
@leaders
def timetable(request):
    """The deputy head's weekly timetable of a class, its bells, and lesson generation; the
    director sees it read-only."""
    return _render(request, _page(request))


@require_POST
@deputy
def timetable_line_add(request):
    page = _page(request)
    form = page.forms["entry_form"] = TimetableEntryForm(
        request.POST, school=page.school, year=page.year
    )
    if not form.is_valid():
        return _render(request, page, status=400)
    services.timetable_entry_create(user=request.user, entry=form.instance)
    messages.success(request, _("The timetable line was added."))
    return redirect(_back(form.instance.class_group_id))


@require_POST
@deputy
def timetable_bell(request):
    page = _page(request)
    form = page.forms["bell_form"] = BellForm(request.POST)
    if not form.is_valid():
        return _render(request, page, status=400)
    services.bell_set(school=page.school, **form.cleaned_data)
    messages.success(request, _("The bell schedule was saved."))
    return redirect(_back(page.klass.pk if page.klass else None))


@require_POST
@deputy
def timetable_generate(request):
    page = _page(request)
    form = page.forms["generate_form"] = GenerateForm(request.POST)
    if not form.is_valid():
        return _render(request, page, status=400)
    created = services.lessons_generate(
        user=request.user,
        school=page.school,
        year=page.year,
        class_group=page.klass,
        **form.cleaned_data,
    )
    messages.success(request, _("Lessons created: %(n)s.") % {"n": created})
    return redirect(_back(page.klass.pk if page.klass else None))
