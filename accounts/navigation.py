"""The navigation menu by role. Each app's issue adds its entries here; entries whose URL does
not exist (yet) are skipped, so the menu never links to a missing page."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

MENU: dict[str, list[tuple[str, str]]] = {
    Role.SCHOOL_ADMIN: [
        ("accounts:home", _("Home")),
        ("consent:register", _("Consent register")),
        ("reports:paper_list", _("Paper extracts")),
        ("admin:index", _("School data")),
    ],
    Role.DIRECTOR: [
        ("accounts:home", _("Home")),
        ("journal:control", _("Journal control")),
        ("reports:statistics", _("Statistics")),
        ("reports:late_finals", _("Finals within 24 hours")),
    ],
    Role.DEPUTY_HEAD: [
        ("accounts:home", _("Home")),
        ("journal:timetable", _("Timetable")),
        ("journal:control", _("Journal control")),
        ("reports:statistics", _("Statistics")),
    ],
    Role.TEACHER: [
        ("accounts:home", _("Home")),
        ("journal:home", _("Journal")),
        ("journal:control_works", _("Control works")),
    ],
    Role.GUARDIAN: [
        ("diary:home", _("Diary")),
        ("accounts:home", _("Home")),
    ],
    Role.STUDENT: [
        ("diary:home", _("Diary")),
        ("accounts:home", _("Home")),
    ],
}


def menu_for(user) -> list[dict]:
    items = []
    for url_name, label in MENU.get(user.role, []):
        try:
            items.append({"url": reverse(url_name), "label": label, "name": url_name})
        except NoReverseMatch:
            continue
    return items
