from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class DiaryConfig(AppConfig):
    name = "diary"
    verbose_name = _("Diary")

    def ready(self):
        from . import triggers

        # SQLite's journal-version triggers live outside migrations (diary/triggers.py).
        pre_migrate.connect(triggers.drop_before_migrate, sender=self, dispatch_uid="diary-trg-")
        post_migrate.connect(triggers.create_after_migrate, sender=self, dispatch_uid="diary-trg+")
