"""The director's and deputy head's index of every class's journals."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import selectors
from .common import leaders


@require_GET
@leaders
def journals_index(request):
    """Every class of the school with its subjects and teachers, each linking to its journal
    page (read-only for the director) and the class overview."""
    year = selectors.current_year(request.user.school)
    return render(
        request,
        "journal/journals_index.html",
        {"year": year, "classes": selectors.journals_index(request.user, year)},
    )
