from django.urls import reverse

from . import twofactor
from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if twofactor.session_pending(request):
        # Until the second factor is given, no page but its own opens: no menu to show.
        return {}
    menu = menu_for(user)
    current = request.resolver_match.view_name if request.resolver_match else ""
    for item in menu:
        item["active"] = item["name"] == current
    # One's own account security: two-factor settings for staff (with the password change),
    # the password change for families.
    account_url = reverse(
        "accounts:two_factor" if twofactor.is_offered(user) else "accounts:password_change"
    )
    return {"nav_menu": menu, "account_url": account_url}
