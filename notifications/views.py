"""The notifications pages: the guardian's settings, the one-click unsubscribe (no sign-in:
the signed link is the proof), Twilio's status callback (its signature is the proof) and the
school admin's delivery log."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from accounts.rules import is_guardian, is_school_admin
from consent.services import consent_withdraw

from . import selectors, services
from .forms import PreferencesForm, WithdrawForm
from .links import status_callback_url, unsubscribe_target
from .models import Channel, OutboxStatus
from .preferences import policy_of

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
@role_required(is_guardian)
def preferences(request):
    rows = selectors.guardian_settings(request.user)
    form = PreferencesForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(guardian=request.user.guardian, choices=list(form.choices()))
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    policy = policy_of(request.user.school_id)
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "rows": list(form.bound_rows()), "policy": policy},
    )


def _target_or_404(token: str) -> dict:
    target = unsubscribe_target(token)
    if target is None or target["channel"] != Channel.EMAIL:
        raise Http404
    link = selectors.unsubscribe_link(
        guardian_id=target["guardian_id"], student_id=target["student_id"]
    )
    if link is None:
        raise Http404
    target["link"] = link
    return target


@csrf_exempt  # a mail provider's one-click POST has no CSRF token; the signed link is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET shows what the link would do and a button (a link scanner changes nothing); POST
    (the button, or a mail provider's `List-Unsubscribe=One-Click`) unsubscribes."""
    target = _target_or_404(token)
    done = False
    if request.method == "POST":
        services.unsubscribe(
            guardian_id=target["guardian_id"],
            student_id=target["student_id"],
            channel=Channel.EMAIL,
        )
        done = True
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "link": target["link"],
            "token": token,
            "done": done,
            "withdraw_form": WithdrawForm(),
            "has_consent": selectors.email_consent(
                guardian_id=target["guardian_id"], student_id=target["student_id"]
            )
            is not None,
        },
    )


@csrf_exempt  # reached from the signed link, like the unsubscribe itself
@require_POST
def withdraw(request, token: str):
    """The separate, explicit step: withdraw the consent to e-mail about this child (the
    withdrawal is recorded as the parent's own, and cancels what is queued)."""
    target = _target_or_404(token)
    link = target["link"]
    form = WithdrawForm(request.POST)
    consent = selectors.email_consent(guardian_id=link.guardian_id, student_id=link.student_id)
    user = link.guardian.user
    error = ""
    if not form.is_valid():
        error = form.errors["confirm"][0]
    elif consent is None:
        error = _("There is no consent to e-mail in force for this child.")
    elif user is None or not user.is_active:
        error = _("Hand a written withdrawal to the school office: you have no account here.")
    else:
        try:
            consent_withdraw(recorded_by=user, consent=consent, withdrawn_on=user.school.today())
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    return render(
        request,
        "notifications/withdrawn.html",
        {"link": link, "token": token, "error": error},
        status=400 if error else 200,
    )


@csrf_exempt  # Twilio signs the request instead (X-Twilio-Signature)
@require_POST
def twilio_status(request):
    """Twilio's status callback: checked against the signature of the exact public URL, then
    applied forward-only. Answers at once; a replay is a no-op."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    signature = request.headers.get("X-Twilio-Signature", "")
    params = request.POST.dict()
    if not settings.TWILIO_AUTH_TOKEN or not validator.validate(
        status_callback_url(), params, signature
    ):
        logger.warning("Refused a status callback with a bad signature")
        return HttpResponseForbidden()
    services.outbox_status_update(
        provider_id=params.get("MessageSid", ""),
        provider_status=params.get("MessageStatus", ""),
        error_code=params.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@require_GET
@role_required(is_school_admin)
def delivery_log(request):
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    if status not in OutboxStatus.values:
        status = ""
    if channel not in Channel.values:
        channel = ""
    rows = [
        {"message": m, "recipient": selectors.mask(m.recipient)}
        for m in selectors.delivery_log(request.user, status=status, channel=channel)
    ]
    context = {
        "rows": rows,
        "failures": list(selectors.failures_by_reason(request.user)),
        "flagged": [
            {"contact": c, "value": selectors.mask(c.value)}
            for c in selectors.flagged_contacts(request.user)
        ],
        "paper": list(selectors.paper_notices(request.user)),
        "statuses": OutboxStatus.choices,
        "channels": Channel.choices,
        "status": status,
        "channel": channel,
    }
    return render(request, "notifications/log.html", context)
