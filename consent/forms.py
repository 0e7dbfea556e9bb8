from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ConsentForm, ContactKind, ContactSource, Decision, Purpose


class DateInput(forms.DateInput):
    input_type = "date"


class ConsentRecordForm(forms.Form):
    purpose = forms.ChoiceField(label=_("purpose"), choices=Purpose.choices)
    decision = forms.ChoiceField(label=_("decision"), choices=Decision.choices)
    form = forms.ChoiceField(label=_("form"), choices=ConsentForm.choices)
    decided_on = forms.DateField(label=_("date of the decision"), widget=DateInput)
    document_ref = forms.CharField(label=_("document reference"), max_length=100, required=False)
    document = forms.FileField(label=_("scan"), required=False)


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("withdrawn on"), widget=DateInput)
    reason = forms.CharField(
        label=_("reason of withdrawal"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "As the parent's application states it, e.g. «the family asks for paper extracts»."
        ),
    )
    document_ref = forms.CharField(
        label=_("withdrawal application reference"),
        max_length=100,
        help_text=_(
            "The registration number and date of the paper application, e.g. «вх. № 112 от 24.11.2026»."
        ),
    )


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ContactKind.choices)
    value = forms.CharField(label=_("value"), max_length=254)
    source = forms.ChoiceField(
        label=_("source"),
        choices=[c for c in ContactSource.choices if c[0] != ContactSource.ACCOUNT],
    )
    document_ref = forms.CharField(label=_("document reference"), max_length=100, required=False)
    verified = forms.BooleanField(label=_("verified"), required=False)


class OwnContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ContactKind.choices)
    value = forms.CharField(label=_("value"), max_length=254)


class ActivateForm(forms.Form):
    code = forms.CharField(label=_("activation code"), max_length=40)
    password1 = forms.CharField(
        label=_("new password"), widget=forms.PasswordInput, strip=False, max_length=128
    )
    password2 = forms.CharField(
        label=_("new password again"), widget=forms.PasswordInput, strip=False, max_length=128
    )


class PdRequestForm(forms.Form):
    link = forms.ModelChoiceField(label=_("parent and child"), queryset=None)
    received_on = forms.DateField(label=_("received on"), widget=DateInput)
    document_ref = forms.CharField(label=_("document reference"), max_length=100, required=False)

    def __init__(self, *args, links=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].queryset = links
        self.fields["link"].label_from_instance = lambda link: (
            f"{link.guardian.full_name} — {link.student.full_name}"
        )
