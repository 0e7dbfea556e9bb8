"""Project-wide input guards."""

import re

from django.conf import settings
from django.shortcuts import render

ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


class DateRangeMiddleware:
    """A query parameter that is an ISO date outside settings.SUPPORTED_YEARS (0001-01-01,
    9999-12-31) is refused with 400 and a message naming it, before any view computes a week
    or a range around it and overflows. Paths are guarded by their converters (diary/urls.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        first, last = settings.SUPPORTED_YEARS
        for name, values in request.GET.lists():
            for value in values:
                match = ISO_DATE.match(value)
                if match and not first <= int(match.group(1)) <= last:
                    return render(
                        request,
                        "400_date.html",
                        {"name": name, "value": value.strip(), "first": first, "last": last},
                        status=400,
                    )
        return self.get_response(request)
