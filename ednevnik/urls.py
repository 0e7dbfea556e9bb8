from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from accounts.views import admin_login

from . import views

admin.site.site_header = _("ednevnik: school data")
admin.site.site_title = _("ednevnik")
admin.site.index_title = _("School data")

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("", include("accounts.urls")),
    # journal/…, and reports/finals/… and reports/periods/… (finals entry is the journal's)
    path("", include("journal.urls")),
    path("diary/", include("diary.urls")),
    path("consent/", include("consent.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("notifications.urls")),
    path("extracts/", include("extracts.urls")),
    path("imports/", include("imports.urls")),
    path("", include("api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    # One login for the site and the admin: the same throttle and the same second factor.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

# A refused request (a wrong role) is recorded as a security event; a rate limit is a 429.
handler403 = "accounts.security_views.permission_denied"

# Media (homework files, consent scans) is never served as public files: each app serves its
# uploads through a view that checks the viewer, in development as in production.
