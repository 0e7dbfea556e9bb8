from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    menu = menu_for(user)
    current = request.resolver_match.view_name if request.resolver_match else ""
    for item in menu:
        item["active"] = item["name"] == current
    return {"nav_menu": menu}
