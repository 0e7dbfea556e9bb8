from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # The listeners connect; the tasks register (a signature by name finds them in eager mode).
        from . import receivers, tasks  # noqa: F401
