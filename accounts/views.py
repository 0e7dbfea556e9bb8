from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from .forms import LoginForm
from .twofactor_views import twofactor_redirect


class LoginView(auth_views.LoginView):
    """The one login of the site and of the admin (the admin's login page sends here).
    Throttled by django-axes; a user who owes a second factor goes on to give it."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        return twofactor_redirect(self.request, url) or url


def admin_login(request):
    """The admin's login page is the site's: the same form, throttle and second factor. A
    signed-in user the admin refused is not sent round in a circle: they are told no."""
    if request.user.is_authenticated:
        raise PermissionDenied
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link cannot sign anyone out."""
