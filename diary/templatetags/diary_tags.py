"""Labels the diary shows for journal codes, in the family's words."""

from django import template
from django.utils.translation import pgettext_lazy

register = template.Library()

REMARK_KINDS = {
    "comment": pgettext_lazy("remark", "Remark"),
    "recommendation": pgettext_lazy("remark", "Recommendation"),
    "message": pgettext_lazy("remark", "Message to parents"),
}


@register.filter
def remark_kind(code: str) -> str:
    return REMARK_KINDS.get(code, code)
