"""Forms of the imports app: the upload and the mapping of columns to fields."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from consent.models import ContactSource
from school.widgets import DateInput

from . import columns
from .models import ImportKind

FILE_TYPES = (
    ".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File (CSV or XLSX)"), widget=forms.ClearableFileInput(attrs={"accept": FILE_TYPES})
    )
    contact_source = forms.ChoiceField(
        label=_("Where the parents' contacts come from"),
        choices=[
            (ContactSource.APPLICATION, ContactSource.APPLICATION.label),
            (ContactSource.ELECTRONIC, ContactSource.ELECTRONIC.label),
        ],
        initial=ContactSource.APPLICATION,
        required=False,
        help_text=_("For parents: a paper list is a written application."),
    )
    valid_from = forms.DateField(
        label=_("Timetable from"),
        required=False,
        widget=DateInput(),
        help_text=_("For the timetable: the first day it holds (tomorrow or later)."),
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["valid_from"].initial = today + dt.timedelta(days=1)

    def clean_valid_from(self):
        day = self.cleaned_data.get("valid_from")
        if self.cleaned_data.get("kind") != ImportKind.TIMETABLE:
            return None
        day = day or self.today + dt.timedelta(days=1)
        if day <= self.today:
            raise forms.ValidationError(
                _("Lessons up to today stay as they were: choose tomorrow or a later day.")
            )
        return day

    def options(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == ImportKind.TIMETABLE:
            return {"valid_from": data["valid_from"].isoformat()}
        if data["kind"] == ImportKind.GUARDIANS:
            return {"contact_source": data["contact_source"] or ContactSource.APPLICATION}
        return {}


class MappingForm(forms.Form):
    """One choice per column of the file: the field it holds, or none."""

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not imported —"))] + [
            (c.name, c.label) for c in columns.columns_of(batch.kind)
        ]
        for index, header in enumerate(batch.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("Column %(n)s") % {"n": index + 1},
                choices=choices,
                required=False,
                initial=batch.mapping.get(str(index), ""),
            )

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): value for name, value in self.cleaned_data.items() if value
        }
