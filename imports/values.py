"""What schools write in a cell, as our values: dates, phones, names, classes, relations,
weekdays. Each parser returns the value or raises ValidationError with a Russian message."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from consent.validators import normalise_email, normalise_phone
from school.models import Relation

_DATE_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})(?:\s+0?0:00(?::00)?)?$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_CLASS = re.compile(r"^(\d{1,2})\s*[-\s]?\s*[«\"'“]?\s*([А-ЯЁA-Z])\s*[»\"'”]?$", re.IGNORECASE)


def parse_date(text: str) -> dt.date | None:
    """«01.09.2015», «1.9.2015», «01/09/2015», «2015-09-01»; empty is None."""
    text = text.strip()
    if not text:
        return None
    match = _DATE_DOTTED.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000 if year < 40 else 1900  # «01.09.15» is 2015, «12.03.78» 1978
    else:
        match = _DATE_ISO.match(text)
        if not match:
            raise ValidationError(_("Write the date as 01.09.2015."))
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(_("There is no such date.")) from None


def parse_phone(text: str) -> str:
    return normalise_phone(text)


def parse_email(text: str) -> str:
    return normalise_email(text)


def name_key(text: str) -> str:
    """Names compared as a school means them: case, ё/е and spacing aside."""
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").casefold().split())


def clean_name(text: str) -> str:
    """The name as written (ё and double surnames kept), spaces tidied."""
    text = " ".join(text.split())
    return re.sub(r"\s*-\s*", "-", text)


def split_full_name(text: str) -> tuple[str, str, str]:
    """«Иванова-Петрова Анна Сергеевна» → last, first, patronymic (a patronymic of several
    words, «Алиева Айгюль Рашид кызы», stays whole)."""
    parts = clean_name(text).split(" ")
    if len(parts) < 2 or not parts[0]:
        raise ValidationError(_("Write the last name and the first name (and the patronymic)."))
    return parts[0], parts[1], " ".join(parts[2:])


def parse_class(text: str) -> tuple[int, str]:
    """«7А», «7 А», «7 «А»», «7-а» → (7, "А")."""
    match = _CLASS.match(text.strip())
    if not match:
        raise ValidationError(_("Write the class as 7А or 7 «А»."))
    level = int(match.group(1))
    if not 1 <= level <= 11:
        raise ValidationError(_("The class level must be from 1 to 11."))
    return level, match.group(2).upper()


RELATIONS = {
    "мать": Relation.MOTHER,
    "мама": Relation.MOTHER,
    "отец": Relation.FATHER,
    "папа": Relation.FATHER,
    "опекун": Relation.GUARDIAN,
    "законный представитель": Relation.GUARDIAN,
    "попечитель": Relation.TRUSTEE,
    "mother": Relation.MOTHER,
    "father": Relation.FATHER,
    "guardian": Relation.GUARDIAN,
    "trustee": Relation.TRUSTEE,
}


def parse_relation(text: str) -> str:
    key = name_key(text)
    if not key:
        return Relation.GUARDIAN
    if key in RELATIONS:
        return RELATIONS[key]
    raise ValidationError(_("Write мать, отец, опекун or попечитель."))


WEEKDAYS = {
    "пн": 1,
    "понедельник": 1,
    "вт": 2,
    "вторник": 2,
    "ср": 3,
    "среда": 3,
    "чт": 4,
    "четверг": 4,
    "пт": 5,
    "пятница": 5,
    "сб": 6,
    "суббота": 6,
}


def parse_weekday(text: str) -> int:
    key = name_key(text).rstrip(".")
    if key.isdigit() and 1 <= int(key) <= 6:
        return int(key)
    if key in WEEKDAYS:
        return WEEKDAYS[key]
    raise ValidationError(_("Write the weekday as Пн … Сб, or 1 … 6."))


def parse_lesson_number(text: str) -> int:
    text = text.strip().rstrip(".")
    if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= 12:
        raise ValidationError(_("The lesson number is a whole number from 0 to 12."))
    return int(text)


WEEKDAY_NAMES = [(1, "Пн"), (2, "Вт"), (3, "Ср"), (4, "Чт"), (5, "Пт"), (6, "Сб")]
