"""Contact values: phones normalised to +7XXXXXXXXXX, e-mails validated."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s()\-\u00a0.]")


def normalise_phone(value: str) -> str:
    """A Russian mobile or landline number as +7 and ten digits.

    Accepts «8 900 123-45-67», «+7 (900) 123-45-67», «7900…», «900 123 45 67»; anything else
    is refused with a message the parent understands."""
    raw = _SEPARATORS.sub("", (value or "").strip())
    if raw.startswith("+7"):
        digits = raw[2:]
    elif len(raw) == 11 and raw[0] in "78":
        digits = raw[1:]
    elif len(raw) == 10:
        digits = raw
    else:
        digits = ""
    if not (digits.isascii() and digits.isdigit() and len(digits) == 10):
        raise ValidationError(
            _("Enter a Russian phone number, for example +7 900 123-45-67."), code="phone"
        )
    return f"+7{digits}"


def normalise_email(value: str) -> str:
    value = (value or "").strip()
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            _("Enter a valid e-mail address, for example name@example.ru."), code="email"
        ) from None
    local, _at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalise_contact(kind: str, value: str) -> str:
    return normalise_phone(value) if kind == "phone" else normalise_email(value)
