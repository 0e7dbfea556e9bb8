"""Forms of the reports pages: they parse and report errors in Russian; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from journal.services import FinalEntry

CHOICES = [
    ("", "—"),
    ("5", "5"),
    ("4", "4"),
    ("3", "3"),
    ("2", "2"),
    ("pass", _("pass")),
    ("fail", _("fail")),
    ("na", _("н/а")),
    ("exempt", _("осв.")),
]


class FinalsForm(forms.Form):
    """One row per student: the final (`s<id>`), the reason (`r<id>`) and the version read
    (`v<id>`, hidden) so that a stale form is refused rather than silently overwriting."""

    def __init__(self, *args, rows, exam: bool = False, exam_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.exam = exam
        if exam:
            self.fields["exam_name"] = forms.CharField(
                label=_("Exam"), max_length=100, initial=exam_name
            )
        for row in rows:
            sid = row.student.pk
            final = row.final
            current = ""
            if final is not None:
                current = final.value or {"not_assessed": "na", "exempt": "exempt"}.get(
                    final.status, ""
                )
            self.fields[f"s{sid}"] = forms.ChoiceField(
                label=row.student.short_name, choices=CHOICES, required=False, initial=current
            )
            self.fields[f"r{sid}"] = forms.CharField(
                label=_("Reason"), max_length=500, required=False
            )
            self.fields[f"v{sid}"] = forms.IntegerField(
                required=False,
                widget=forms.HiddenInput,
                initial=final.version if final else 0,
            )

    def bound_rows(self):
        for row in self.rows:
            sid = row.student.pk
            yield row, self[f"s{sid}"], self[f"r{sid}"], self[f"v{sid}"]

    def entries(self) -> list[FinalEntry]:
        out = []
        for row in self.rows:
            sid = row.student.pk
            choice = self.cleaned_data.get(f"s{sid}")
            if choice:
                out.append(
                    FinalEntry(
                        student_id=sid,
                        choice=choice,
                        reason=self.cleaned_data.get(f"r{sid}") or "",
                        # No version means an old or tampered form: "saw no final" (0).
                        version=self.cleaned_data.get(f"v{sid}") or 0,
                    )
                )
        return out

    def add_service_errors(self, error) -> None:
        for key, messages in error.message_dict.items():
            name = f"s{key.split('-', 1)[1]}" if key.startswith("student-") else key
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class DeferForm(forms.Form):
    student = forms.TypedChoiceField(label=_("Student"), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    document = forms.CharField(
        label=_("Supporting document"),
        max_length=200,
        help_text=_("For example: medical certificate No. 123 of 10.12"),
    )
    due_date = forms.DateField(
        label=_("Final to be set by"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [(s.pk, s.full_name) for s in students]


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
