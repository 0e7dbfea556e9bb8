"""The empty choice of every select in Russian: «— выберите —» instead of Django's «---------».

Django spells the placeholder in two defaults that no setting reaches: the blank choice of a
model field with choices (django.db.models.fields.BLANK_CHOICE_DASH, a list every
`get_choices` call shares) and ModelChoiceField's `empty_label`. Both are set once, at start-up
(accounts.apps), for the admin and every form alike; a form that passes its own label keeps it."""

from django.db.models import fields
from django.forms import models as form_models
from django.utils.translation import pgettext_lazy

EMPTY_LABEL = pgettext_lazy("select", "— choose —")


def use_russian_placeholders() -> None:
    fields.BLANK_CHOICE_DASH[:] = [("", EMPTY_LABEL)]
    form_models.ModelChoiceField.__init__.__kwdefaults__["empty_label"] = EMPTY_LABEL
