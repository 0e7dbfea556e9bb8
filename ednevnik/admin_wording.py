"""Russian wording of the Django admin's titles that put a model's name into a sentence.

Django's Russian catalogue says «Выберите %s для изменения» with the model's verbose_name (a
nominative: «Выберите отметка»). Our catalogue (LOCALE_PATHS, which wins over Django's) gives
these msgids wordings where the name stands alone after a colon, so no case is needed. The
msgids are listed here so that `make messages` keeps them."""

from django.utils.translation import gettext_noop

ADMIN_TITLES = [
    gettext_noop("Select %s"),
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    gettext_noop("Add %s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    gettext_noop("Add %(name)s"),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
]
