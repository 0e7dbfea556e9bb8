"""Project-wide request and response guards (each one small, each tested)."""

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from . import twofactor
from .models import FAMILY_ROLES


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy header: no inline script or style, nothing from
    elsewhere. The same policy covers the Django admin (Django 5.2's admin needs no inline
    script)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class AnonymousBodyLimitMiddleware:
    """Refuses, with 413 and before anything reads the body, a request whose Content-Length is
    above ANONYMOUS_MAX_BODY_BYTES from someone not signed in (the forms open to anyone are
    tiny), and above REQUEST_MAX_BODY_BYTES from anyone (the proxy's cap, again here in case
    Django is reached without it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(_("Bad request."), status=400, content_type="text/plain")
        if length > settings.REQUEST_MAX_BODY_BYTES or (
            length > settings.ANONYMOUS_MAX_BODY_BYTES and not request.user.is_authenticated
        ):
            response = HttpResponse(
                _("The request is too large."), status=413, content_type="text/plain"
            )
            response["Connection"] = "close"
            return response
        return self.get_response(request)


LAST_SEEN_KEY = "_last_seen"
# The last-seen time is written back at most once a minute, not on every page.
TOUCH_SECONDS = 60


def idle_seconds(user) -> int:
    if user.role in FAMILY_ROLES and not (user.is_staff or user.is_superuser):
        return settings.FAMILY_SESSION_IDLE_SECONDS
    return settings.STAFF_SESSION_IDLE_SECONDS


def session_touch(request, user) -> None:
    request.session[LAST_SEEN_KEY] = int(time.time())
    request.session.set_expiry(idle_seconds(user))


class SessionIdleTimeoutMiddleware:
    """Ends a session that saw no request for its idle time (staff: STAFF_SESSION_IDLE_SECONDS,
    a working day; families: FAMILY_SESSION_IDLE_SECONDS). The cookie and the stored session
    expire with it, so the server-side record goes as well."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > idle_seconds(user):
                logout(request)
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - last_seen >= TOUCH_SECONDS:
                session_touch(request, user)
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """A user who owes the second factor (accounts.twofactor) reaches only the enrolment or
    code page, the sign-out and the language switch until they give it; the admin too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            pending = twofactor.session_pending(request)
            if pending:
                target = reverse(
                    "accounts:otp_enrol"
                    if pending == twofactor.MUST_ENROL
                    else "accounts:otp_verify"
                )
                allowed = {target, reverse("accounts:logout"), reverse("set_language")}
                if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                    return redirect(f"{target}?next={quote(request.get_full_path())}")
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in user carries Cache-Control: no-store: pages and downloads
    of pupils' data must stay in no browser or proxy cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
