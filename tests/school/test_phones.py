"""Phone numbers are shown as people write them, one filter for every page."""

import pytest

from school.templatetags.phones import phone


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+79123456789", "+7 912 345-67-89"),
        ("+74951234567", "+7 495 123-45-67"),
        ("+441632960961", "+441632960961"),  # not Russian: as stored
        ("parent@example.org", "parent@example.org"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_russian_number_is_grouped_and_anything_else_kept(stored, shown):
    assert phone(stored) == shown
