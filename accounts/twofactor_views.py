"""Pages of two-factor sign-in: the code after the password, enrolment, and one's own settings."""

from base64 import b32encode
from urllib.parse import quote

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import twofactor
from .models import RecoveryCode, RecoveryCodeDevice, SecurityEventKind
from .security import security_event_record


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def _next(request, default: str | None = None) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default or reverse("home")


def twofactor_redirect(request, next_url: str) -> str | None:
    """Where a fresh sign-in goes next when it still owes the second factor."""
    pending = twofactor.session_pending(request)
    if not pending:
        return None
    name = "accounts:otp_enrol" if pending == twofactor.MUST_ENROL else "accounts:otp_verify"
    return f"{reverse(name)}?next={quote(next_url)}"


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def otp_verify(request):
    """The code from the app (or a recovery code) after the password."""
    if twofactor.session_pending(request) != twofactor.MUST_VERIFY:
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            outcome = twofactor.verify(request, form.cleaned_data["otp_token"])
            if outcome == "ok":
                return redirect(_next(request))
            form.add_error(
                "otp_token",
                _("Too many wrong codes: wait a few seconds and try again.")
                if outcome == "throttled"
                else _("The code is wrong or has already been used."),
            )
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next(request)},
        status=status,
    )


def _qr_data_uri(device) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def otp_enrol(request):
    """Enrolment: scan the QR code (or type the secret) into an authenticator app, then enter
    its first code. The recovery codes are shown once, right after."""
    if not twofactor.is_offered(request.user):
        raise PermissionDenied
    if twofactor.session_pending(request) == twofactor.MUST_VERIFY:
        return redirect(f"{reverse('accounts:otp_verify')}?next={quote(_next(request))}")
    if twofactor.has_device(request.user):
        return redirect("accounts:two_factor")
    device = twofactor.enrolment_device(request.user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            codes = twofactor.enrol_confirm(
                request, device=device, token=form.cleaned_data["otp_token"]
            )
            if codes is not None:
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next": _next(request), "enrolled": True},
                )
            form.add_error("otp_token", _("The code is wrong or has already been used."))
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "next": _next(request),
            "qr": _qr_data_uri(device),
            "secret": b32encode(device.bin_key).decode(),
            "required": twofactor.is_required(request.user),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def two_factor(request):
    """One's own two-factor settings: status, new recovery codes, turning it off (only where
    it is optional)."""
    user = request.user
    if not twofactor.is_offered(user):
        raise PermissionDenied
    enrolled = twofactor.has_device(user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "codes" and enrolled:
            codes = twofactor.recovery_codes_new(user)
            security_event_record(
                kind=SecurityEventKind.OTP_RECOVERY_NEW, request=request, user=user
            )
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": reverse("accounts:two_factor"), "enrolled": False},
            )
        if action == "disable" and enrolled and not twofactor.is_required(user):
            twofactor.disable(request)
            messages.success(request, _("Two-factor sign-in is turned off."))
            return redirect("accounts:two_factor")
        return render(
            request,
            "accounts/two_factor.html",
            _settings_context(user, enrolled),
            status=400,
        )
    return render(request, "accounts/two_factor.html", _settings_context(user, enrolled))


def _settings_context(user, enrolled: bool) -> dict:
    left = (
        RecoveryCode.objects.filter(device__in=RecoveryCodeDevice.objects.filter(user=user)).count()
        if enrolled
        else 0
    )
    return {
        "enrolled": enrolled,
        "required": twofactor.is_required(user),
        "codes_left": left,
    }
