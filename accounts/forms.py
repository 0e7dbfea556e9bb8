from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import lockout


class LoginForm(AuthenticationForm):
    """The one login form, for the site and the admin. Throttling is django-axes' (it refuses
    inside `authenticate`); this form only says why."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed attempts from this device. Sign-in with this login is paused for "
            "%(minutes)s min. Try again later, or reset your password."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if self.request is not None and getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"minutes": lockout.cool_off_minutes(self.request)},
                ) from None
            raise
