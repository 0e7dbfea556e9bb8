"""The Jinja2 environment of the journal grid (the `jinja2` template engine in settings).

The grid is 25 students × 40–60 lessons: Django's template engine spends tens of microseconds
per tag per cell there, Jinja2 compiles the template to Python and renders the same cells in a
fraction of that. Only the grid's table uses it (journal/jinja2/); every other page, the grid
page around the table included, is a Django template. Strings are translated with the project's
catalogues: write `_("msgid")` (with `|format(name=…)` for placeholders) so that `makemessages`
finds them as it does in Django templates.
"""

from django.urls import reverse
from django.utils.formats import localize
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from jinja2 import Environment


def truncatechars(value, length: int) -> str:
    """Django's `truncatechars` filter: at most `length` characters, ending in «…»."""
    return Truncator(value).chars(length)


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # always on, whatever the backend passes
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    # Old-style callables: `_()` returns the plain translation and autoescape escapes it.
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.globals.update(url=lambda name, *args: reverse(name, args=args), localize=localize)
    env.filters["truncatechars"] = truncatechars
    return env
