from django import forms
from django.utils.translation import gettext_lazy as _

from .models import KIND_SWITCH, Kind, Mode

SWITCH_LABELS = {
    Kind.MESSAGE: _("Teachers' messages at once"),
    Kind.SCHEDULE: _("Tomorrow's cancelled or moved lessons at once"),
}


class PreferencesForm(forms.Form):
    """One mode and one weekly choice per child and channel, built from the guardian's rows."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for item in row["channels"]:
                key = f"{row['child'].pk}-{item['channel']}"
                self.fields[f"mode-{key}"] = forms.ChoiceField(
                    label=_("What to send"), choices=Mode.choices, initial=item["mode"]
                )
                self.fields[f"weekly-{key}"] = forms.BooleanField(
                    label=_("Weekly digest"), required=False, initial=item["weekly"]
                )
                for kind, field in KIND_SWITCH.items():
                    self.fields[f"{field}-{key}"] = forms.BooleanField(
                        label=SWITCH_LABELS[kind], required=False, initial=item[field]
                    )

    def choices(self):
        """(student_id, channel, mode, weekly, teacher_messages, lesson_changes) for every
        child and channel."""
        for row in self.rows:
            for item in row["channels"]:
                key = f"{row['child'].pk}-{item['channel']}"
                yield (
                    row["child"].pk,
                    item["channel"],
                    self.cleaned_data[f"mode-{key}"],
                    self.cleaned_data[f"weekly-{key}"],
                    *(self.cleaned_data[f"{field}-{key}"] for field in KIND_SWITCH.values()),
                )

    def bound_rows(self):
        for row in self.rows:
            yield {
                "child": row["child"],
                "channels": [
                    {
                        "channel": item["channel"],
                        "mode": self[f"mode-{row['child'].pk}-{item['channel']}"],
                        "weekly": self[f"weekly-{row['child'].pk}-{item['channel']}"],
                        "switches": [
                            self[f"{field}-{row['child'].pk}-{item['channel']}"]
                            for field in KIND_SWITCH.values()
                        ],
                    }
                    for item in row["channels"]
                ],
            }


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, I withdraw my consent to messages by e-mail about this child"),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )
