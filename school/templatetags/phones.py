"""Phone numbers as people write them: `+79123456789` shown as `+7 912 345-67-89`.

Numbers are stored in E.164 (consent.validators); anything else (an e-mail address, a foreign
number) is shown as it is."""

import re

from django import template

register = template.Library()

RUSSIAN = re.compile(r"^\+7(\d{3})(\d{3})(\d{2})(\d{2})$")


@register.filter
def phone(value) -> str:
    text = "" if value is None else str(value)
    found = RUSSIAN.match(text)
    if not found:
        return text
    return "+7 {} {}-{}-{}".format(*found.groups())
