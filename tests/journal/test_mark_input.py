"""What a teacher may type into a journal cell."""

import pytest
from django.core.exceptions import ValidationError

from journal.marks import cell_text, parse_cell


@pytest.mark.parametrize(
    ("typed", "values"),
    [
        ("5", ["5"]),
        ("1", ["1"]),
        ("зач", ["pass"]),
        ("з", ["pass"]),
        ("ЗАЧ", ["pass"]),
        ("н/з", ["fail"]),
        ("незач", ["fail"]),
        ("5/4", ["5", "4"]),
        ("5/4/3", ["5", "4", "3"]),
        ("", []),
    ],
)
def test_accepted_cells_become_marks_by_slot(typed, values):
    assert parse_cell(typed) == values


@pytest.mark.parametrize(
    "typed", ["6", "0", "5.0", " 5 ", "5 ", "５", "5/4/3/2", "5//4", "н", "x" * 10_000, "-1", "+5"]
)
def test_anything_else_is_refused_with_a_russian_message(typed):
    with pytest.raises(ValidationError) as error:
        parse_cell(typed)
    message = " ".join(error.value.messages)
    assert "отмет" in message or "длинн" in message


def test_a_cell_shows_its_marks_as_typed():
    assert cell_text(["5", "4"]) == "5/4"
    assert cell_text(["pass"]) == "зач"
    assert cell_text(["fail"]) == "н/з"
