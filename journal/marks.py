"""Reading what a teacher types into a journal cell.

The rules (also shown as the grid form's help text):
- a mark is one of 5, 4, 3, 2, 1; «зач» or «з» is a pass, «н/з» or «незач» a fail (any case);
- two or three marks in one lesson are written with a slash: «5/4» puts 5 in slot 1, 4 in slot 2;
- an empty cell means "no mark" (clearing a cell deletes its marks, with history);
- an attendance code alone («н», «б», «у», «оп», any case) is the pupil's attendance for the
  lesson, not a mark: the cell then holds no mark (`attendance_typed`);
- nothing else is accepted: no spaces around the mark (" 5 " is refused, not trimmed, so that
  what the teacher sees is exactly what is stored), no "5.0", no "6" or "0", no fullwidth
  digits ("５"), nothing longer than a few characters.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import ATTENDANCE_SHORT, MAX_MARKS_PER_LESSON, MarkValue

MAX_CELL_LENGTH = 20

_ALIASES = {
    "5": MarkValue.FIVE,
    "4": MarkValue.FOUR,
    "3": MarkValue.THREE,
    "2": MarkValue.TWO,
    "1": MarkValue.ONE,
    "зач": MarkValue.PASS,
    "з": MarkValue.PASS,
    "н/з": MarkValue.FAIL,
    "незач": MarkValue.FAIL,
}

# How a stored value is written back into a cell (the inverse of the aliases).
DISPLAY = {
    MarkValue.FIVE: "5",
    MarkValue.FOUR: "4",
    MarkValue.THREE: "3",
    MarkValue.TWO: "2",
    MarkValue.ONE: "1",
    MarkValue.PASS: "зач",
    MarkValue.FAIL: "н/з",
}


# «н» → absent, «б» → ill, «у» → excused, «оп» → late: the journal's own short codes.
_TYPED_ATTENDANCE = {short: code for code, short in ATTENDANCE_SHORT.items()}


def attendance_typed(text: str) -> str:
    """The attendance code a cell's text stands for («н» → "absent"), or "" for a mark."""
    return _TYPED_ATTENDANCE.get(text.lower(), "")


def display(value: str) -> str:
    return DISPLAY.get(value, value)


def cell_text(values: list[str]) -> str:
    """The text a cell shows for the marks of its slots, e.g. «5/4»."""
    return "/".join(display(v) for v in values)


def parse_cell(text: str) -> list[str]:
    """The mark values typed into one cell, by slot; [] for an empty cell.

    Raises ValidationError with a Russian message (the caller names the student).
    """
    if text == "":
        return []
    if len(text) > MAX_CELL_LENGTH:
        raise ValidationError(_("too long for a mark"), code="too_long")
    lowered = text.lower()
    if lowered in _ALIASES:
        return [str(_ALIASES[lowered])]
    parts = lowered.split("/")
    if len(parts) > MAX_MARKS_PER_LESSON:
        raise ValidationError(
            _("at most %(n)s marks in one lesson") % {"n": MAX_MARKS_PER_LESSON}, code="too_many"
        )
    values = []
    for part in parts:
        if part not in _ALIASES:
            raise ValidationError(
                _("«%(text)s» is not a mark: write 5, 4, 3, 2, 1, «зач» or «н/з»")
                % {"text": text[:MAX_CELL_LENGTH]},
                code="invalid",
            )
        values.append(str(_ALIASES[part]))
    return values
