"""Closing a reporting period: a confirmation page with the period's end and the finals still
missing; closing early or with finals missing needs a stated reason."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors, services
from ..forms import ReasonForm
from .common import add_errors, deputy, leaders


@require_http_methods(["GET", "POST"])
@deputy
def period_close(request, period_id: int):
    period = selectors.period_for_leader(request.user, period_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.period_close(
                user=request.user, period=period, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The period «%(name)s» is closed.") % {"name": period.name})
            return redirect("journal:periods")
    missing = selectors.missing_finals(request.user, period)
    context = {
        "period": period,
        "form": form,
        "missing": missing,
        "missing_total": sum(row.missing for row in missing),
        "running": period.ends_on >= period.school.today(),
    }
    status = 400 if form.errors else 200
    return render(request, "journal/period_close.html", context, status=status)


@require_GET
@leaders
def missing_finals(request, period_id: int):
    """The director's and deputy head's report of the finals missing in a period."""
    period = selectors.period_for_leader(request.user, period_id)
    missing = selectors.missing_finals(request.user, period)
    context = {
        "period": period,
        "missing": missing,
        "missing_total": sum(row.missing for row in missing),
    }
    return render(request, "journal/missing_finals.html", context)
