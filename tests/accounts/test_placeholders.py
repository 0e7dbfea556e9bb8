"""Selects offer «— выберите —», not Django's «---------», in forms and the admin alike."""

import pytest
from django import forms
from django.utils import translation

from journal.models import Remark
from school.models import Subject


@pytest.mark.django_db
def test_a_model_select_and_a_field_with_choices_start_with_the_russian_placeholder():
    class RemarkForm(forms.ModelForm):
        class Meta:
            model = Remark
            fields = ["subject", "kind"]

    with translation.override("ru"):
        html = str(RemarkForm())
        choose = forms.ModelChoiceField(queryset=Subject.objects.none())
        assert list(choose.choices)[0][1] == "— выберите —"
    assert "---------" not in html
    assert html.count("— выберите —") == 2
