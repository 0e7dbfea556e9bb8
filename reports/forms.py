"""Forms of the reports pages: they parse and report errors in Russian; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StatisticsFilterForm(forms.Form):
    period = forms.TypedChoiceField(label=_("Period"), coerce=int)
    class_id = forms.TypedChoiceField(
        label=_("Class"), coerce=int, required=False, empty_value=None
    )
    subject = forms.TypedChoiceField(
        label=_("Subject"), coerce=int, required=False, empty_value=None
    )
    teacher = forms.TypedChoiceField(
        label=_("Teacher"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, periods, classes, subjects, teachers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.pk, str(p)) for p in periods]
        everyone = [("", _("all"))]
        self.fields["class_id"].choices = everyone + [(c.pk, str(c)) for c in classes]
        self.fields["subject"].choices = everyone + [(s.pk, s.name) for s in subjects]
        self.fields["teacher"].choices = everyone + [(t.pk, t.short_name) for t in teachers]
