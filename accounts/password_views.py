"""Changing one's password, and resetting a forgotten one by e-mail (Django's views, our
templates). Every other session of the account ends on a change and on a reset."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from .clientip import client_ip
from .models import SecurityEventKind
from .security import security_event_record
from .sessions import sessions_end_for


def _address(_group, request) -> str:
    return client_ip(request) or ""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session (a new key), others go
        sessions_end_for(self.request.user.pk, keep=self.request.session.session_key)
        security_event_record(
            kind=SecurityEventKind.PASSWORD_CHANGED, request=self.request, user=self.request.user
        )
        messages.success(
            self.request, _("The password is changed; your other sessions have ended.")
        )
        return response


class EventPasswordResetForm(PasswordResetForm):
    def save(self, *args, request=None, **kwargs):
        security_event_record(
            kind=SecurityEventKind.PASSWORD_RESET_REQUESTED,
            request=request,
            username="",
            detail=self.cleaned_data["email"][:200],
        )
        return super().save(*args, request=request, **kwargs)


@method_decorator(
    ratelimit(
        key=_address, rate=lambda _group, _request: settings.PASSWORD_RESET_RATE, method="POST"
    ),
    name="post",
)
class PasswordResetView(auth_views.PasswordResetView):
    """The e-mail with a link that expires (PASSWORD_RESET_TIMEOUT). Accounts without an
    e-mail get nothing: the page explains how to get a new activation code instead."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = EventPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        sessions_end_for(form.user.pk)
        security_event_record(
            kind=SecurityEventKind.PASSWORD_RESET, request=self.request, user=form.user
        )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
