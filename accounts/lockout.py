"""Login throttling with django-axes: the hooks our settings name (AXES_* in settings/base.py).

Failures are counted per login and client address together (AXES_LOCKOUT_PARAMETERS), so a
guesser elsewhere never locks the account's owner out, and their own successful sign-in resets
only their own pair. A pair that reached LOGIN_FAILURE_LIMIT pauses; each further pause of the
same pair within a day lasts twice as long (`cool_off`), up to LOGIN_COOLOFF_MAX_SECONDS."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .clientip import client_ip
from .models import SecurityEvent, SecurityEventKind

BACKOFF_MEMORY = dt.timedelta(days=1)


def failure_limit(request=None, credentials=None) -> int:  # noqa: ARG001 (axes' signature)
    return settings.LOGIN_FAILURE_LIMIT


def username_of(request, credentials=None) -> str | None:
    """The login as typed, compared case-insensitively ("Ivanova" and "ivanova" share a count)."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        data = getattr(request, "POST", None) or {}
        username = data.get("username")
    if username is None:
        return None
    return str(username).strip().lower()[:150]


def pauses_within_a_day(username: str | None, address: str | None) -> int:
    if not username:
        return 0
    return SecurityEvent.objects.filter(
        kind=SecurityEventKind.LOCKOUT,
        username=username,
        ip_address=address,
        at__gte=timezone.now() - BACKOFF_MEMORY,
    ).count()


def cool_off(request=None) -> dt.timedelta:
    """How long a paused login and address pair waits: the base window, doubled for each
    earlier pause of the same pair within a day."""
    base = settings.LOGIN_FAILURE_WINDOW_SECONDS
    if request is None:
        return dt.timedelta(seconds=base)
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    pauses = pauses_within_a_day(username_of(request), address)
    seconds = min(base * 2 ** max(pauses - 1, 0), max(settings.LOGIN_COOLOFF_MAX_SECONDS, base))
    return dt.timedelta(seconds=seconds)


def cool_off_minutes(request) -> int:
    return max(1, round(cool_off(request).total_seconds() / 60))


def lockout_response(request, original_response=None, credentials=None):  # noqa: ARG001 (axes)
    """The login page already says why (accounts.forms.LoginForm); axes only sets the status."""
    from django.http import HttpResponse

    response = original_response if original_response is not None else HttpResponse()
    response.status_code = 429
    return response
