"""Forms of the extracts pages: they parse and explain in Russian; services decide."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from school.widgets import DateInput

# The longest range an extract may cover: a school year and a bit.
MAX_RANGE = dt.timedelta(days=400)


class ExtractForm(forms.Form):
    """A period of the class, or a date range; for a class batch, the students and the duplex
    option."""

    period = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False, empty_value=None)
    starts_on = forms.DateField(label=_("From"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, periods, students=None, initial_students=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {p.pk: p for p in periods}
        self.fields["period"].choices = [("", _("dates below"))] + [(p.pk, p.name) for p in periods]
        if students is not None:
            self.fields["students"] = forms.TypedMultipleChoiceField(
                label=_("Students"),
                coerce=int,
                choices=[(s.pk, s.full_name) for s in students],
                initial=list(initial_students),
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Choose at least one student.")},
            )
            self.fields["duplex"] = forms.BooleanField(
                label=_("Duplex printing: each student starts on an odd page"), required=False
            )

    def clean(self):
        data = super().clean()
        period_id = data.get("period")
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if period_id:
            data["period_obj"] = self.periods[period_id]
        elif not self.errors:
            if not (starts_on and ends_on):
                raise ValidationError(_("Choose a period or give both dates."))
            if ends_on < starts_on:
                self.add_error("ends_on", _("The range ends before it starts."))
            elif ends_on - starts_on > MAX_RANGE:
                self.add_error("ends_on", _("The range is longer than a school year."))
        return data

    def span_params(self) -> dict:
        data = self.cleaned_data
        if data.get("period"):
            return {"period_id": data["period"]}
        return {"starts_on": data["starts_on"].isoformat(), "ends_on": data["ends_on"].isoformat()}


class HandOverForm(forms.Form):
    handed_to = forms.CharField(label=_("Handed over to"), max_length=200)
    handed_on = forms.DateField(label=_("On"), widget=DateInput())
