from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The synthetic school (`manage.py seed_school`): installed by the dev, test and bench
    settings only, never by production."""

    name = "demo"
    verbose_name = _("Demo school")
