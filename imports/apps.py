from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("Roster and timetable import")

    def ready(self):
        from consent import pdregistry

        pdregistry.exempt(
            "imports.ImportBatch",
            reason="the school's own upload of its roster and who made it; the people it names "
            "are in the school's records (exported and destroyed there), and the file and its "
            "preview are dropped 30 days after the import (imports.services.batches_expire)",
        )
