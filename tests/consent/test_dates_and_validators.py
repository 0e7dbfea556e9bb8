"""Deadlines in working days; contact values normalised or refused in Russian."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from consent.dates import add_working_days
from consent.validators import normalise_email, normalise_phone


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 11, 23), dt.date(2026, 12, 7)),  # Monday → Monday two weeks on
        (dt.date(2026, 11, 27), dt.date(2026, 12, 11)),  # Friday → Friday
        (dt.date(2026, 11, 28), dt.date(2026, 12, 11)),  # Saturday counts from Monday
        (dt.date(2026, 11, 29), dt.date(2026, 12, 11)),  # Sunday too
    ],
)
def test_ten_working_days_skip_weekends(received, due):
    assert add_working_days(received, 10) == due


def test_zero_working_days_is_the_same_day():
    assert add_working_days(dt.date(2026, 11, 28), 0) == dt.date(2026, 11, 28)


def test_one_working_day_after_friday_is_monday():
    assert add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    "raw",
    ["8 900 123-45-67", "+7 (900) 123-45-67", "89001234567", "+79001234567", "900 123 45 67"],
)
def test_phones_are_normalised_to_plus_seven(raw):
    assert normalise_phone(raw) == "+79001234567"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345",
        "+1 202 555 0100",
        "8 900 123-45-6x",
        "８９００１２３４５６７",
        "+7 900 123 45 678",
    ],
)
def test_garbage_phones_are_refused_in_russian(raw):
    with translation.override("ru"), pytest.raises(ValidationError) as error:
        normalise_phone(raw)
    assert "Введите российский номер телефона" in error.value.messages[0]


def test_emails_are_validated_and_the_domain_lowercased():
    assert normalise_email(" Mama@Example.RU ") == "Mama@example.ru"
    with translation.override("ru"), pytest.raises(ValidationError) as error:
        normalise_email("mama@")
    assert "адрес электронной почты" in error.value.messages[0]
