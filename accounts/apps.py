from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import receivers  # noqa: F401  (sign-in events, lockout alerts)
        from .placeholders import use_russian_placeholders

        use_russian_placeholders()
