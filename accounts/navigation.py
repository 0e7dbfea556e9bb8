"""The navigation menu by role. Each app adds its entries here; entries whose URL does not
exist (yet) are skipped, so the menu never links to a missing page. An entry may carry a
predicate: it is shown only to the users the page itself admits (the menu never links to a
403)."""

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Role

Entry = tuple[str, str] | tuple[str, str, Callable]

# Pages that admit only users with a Teacher profile (a deputy head may teach, or not).
_teaches = rules.is_teacher

MENU: dict[str, list[Entry]] = {
    Role.SCHOOL_ADMIN: [
        ("home", _("Home")),
        ("consent:register", _("Consent register")),
        ("consent:paper_list", _("Paper list")),
        ("extracts:index", _("Paper extracts")),
        ("notifications:log", _("Delivery log")),
        ("imports:index", _("Import")),
        ("admin:index", _("School data")),
    ],
    Role.DIRECTOR: [
        ("home", _("Home")),
        ("journal:journals_index", _("Class journals")),
        ("journal:control", _("Journal control")),
        ("reports:summary_list", _("Summary sheets")),
        ("reports:statistics", _("Statistics")),
        ("journal:periods", _("Reporting periods")),
        ("reports:late_finals", _("Finals within 24 hours")),
        ("accounts:security_events", _("Security events")),
    ],
    Role.DEPUTY_HEAD: [
        ("home", _("Home")),
        ("journal:home", _("Journal"), _teaches),
        ("journal:finals_home", _("Finals"), _teaches),
        ("journal:timetable", _("Timetable")),
        ("journal:journals_index", _("Class journals")),
        ("journal:control", _("Journal control")),
        ("reports:statistics", _("Statistics")),
        ("journal:periods", _("Reporting periods")),
        # Summary sheets and late finals: from the home page and the statistics page.
    ],
    Role.TEACHER: [
        ("home", _("Home")),
        ("journal:home", _("Journal")),
        ("journal:finals_home", _("Finals")),
        ("journal:control_works", _("Control works")),
        ("extracts:index", _("Paper extracts")),
    ],
    Role.GUARDIAN: [
        ("diary:home", _("Diary")),
        ("home", _("Home")),
        ("consent:my_consents", _("My consents")),
        ("notifications:settings", _("Notifications")),
    ],
    Role.STUDENT: [
        ("diary:home", _("Diary")),
        ("home", _("Home")),
    ],
}


def menu_for(user) -> list[dict]:
    items = []
    for url_name, label, *check in MENU.get(user.role, []):
        if check and not check[0](user):
            continue
        try:
            items.append({"url": reverse(url_name), "label": label, "name": url_name})
        except NoReverseMatch:
            continue
    return items
