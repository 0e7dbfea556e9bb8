from django import forms
from django.utils.translation import gettext_lazy as _

from school.widgets import DateInput

from .models import ConsentForm, ContactKind, ContactSource, Decision, Purpose


class ConsentRecordForm(forms.Form):
    """One decision of a parent for the family page's child and, ticked, for their other
    children too (a parent of two signs one paper for both): a box per other child."""

    also_for = forms.TypedMultipleChoiceField(
        label=_("also for the parent's other children"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    purpose = forms.ChoiceField(label=_("purpose"), choices=Purpose.choices)
    decision = forms.ChoiceField(label=_("decision"), choices=Decision.choices)
    form = forms.ChoiceField(label=_("form"), choices=ConsentForm.choices)
    decided_on = forms.DateField(label=_("date of the decision"), widget=DateInput)
    document_ref = forms.CharField(label=_("document reference"), max_length=100, required=False)
    document = forms.FileField(label=_("scan"), required=False)

    def __init__(self, *args, links=(), current=None, **kwargs):
        """`links`: the parent's links to their children in the school; `current`: the link
        whose family page this is (always recorded, so not offered)."""
        super().__init__(*args, **kwargs)
        others = [link for link in links if current is None or link.pk != current.pk]
        if others:
            self.fields["also_for"].choices = [
                (link.student_id, link.student.full_name) for link in others
            ]
        else:
            del self.fields["also_for"]


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
    """The parent and child are found by name (`selectors.link_search`) and picked as one of
    the found pairs: the form never lists every pair of the school."""

    link = forms.TypedChoiceField(
        label=_("parent and child"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Find the parent by name and choose the parent and child."),
            "invalid_choice": _("Find the parent by name and choose the parent and child."),
        },
    )
    received_on = forms.DateField(label=_("received on"), widget=DateInput)
    document_ref = forms.CharField(label=_("document reference"), max_length=100, required=False)

    def __init__(self, *args, links=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].choices = [
            (link.pk, f"{link.guardian.full_name} — {link.student.full_name}") for link in links
        ]
