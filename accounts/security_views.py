"""The director's page of security events, and the answers to a refused request."""

import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_ratelimit.exceptions import Ratelimited

from .access import role_required
from .models import SecurityEvent, SecurityEventKind
from .rules import is_director
from .security import security_event_record


class DateInput(forms.DateInput):
    input_type = "date"


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("event"), required=False, choices=[("", _("all"))] + SecurityEventKind.choices
    )
    username = forms.CharField(label=_("login"), required=False, max_length=150)
    starts_on = forms.DateField(label=_("from"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_("to"), required=False, widget=DateInput)


def _day_start(day: dt.date, zone) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


@require_GET
@role_required(is_director)
def security_events(request):
    """Sign-ins, failures, pauses, two-factor changes, activations, refusals, consent changes,
    exports and admin changes of the director's own school, newest first, filterable."""
    school = request.user.school
    form = EventFilterForm(request.GET or None)
    events = SecurityEvent.objects.filter(school=school)
    if form.is_valid():
        data = form.cleaned_data
        zone = school.tz
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["username"]:
            events = events.filter(username__icontains=data["username"].strip())
        if data["starts_on"]:
            events = events.filter(at__gte=_day_start(data["starts_on"], zone))
        if data["ends_on"]:
            events = events.filter(at__lt=_day_start(data["ends_on"] + dt.timedelta(days=1), zone))
    events = events.select_related("actor").order_by("-at", "-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/security_events.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=200 if (form.is_valid() or not form.is_bound) else 400,
    )


def permission_denied(request, exception=None):
    """403 (a wrong role), recorded as a security event; a rate limit is a 429."""
    if isinstance(exception, Ratelimited):
        return render(request, "429.html", status=429)
    user = getattr(request, "user", None)
    security_event_record(
        kind=SecurityEventKind.PERMISSION_DENIED,
        request=request,
        user=user if user is not None and user.is_authenticated else None,
    )
    return render(request, "403.html", status=403)
