"""Weighted averages and suggested final marks: the one implementation every app uses.

The weighted average is Σ(mark × weight) / Σ weight over numeric marks (1–5) only; pass/fail
marks and attendance codes do not count. A suggested final mark rounds the average by the
school's thresholds (≥ threshold_5 → 5, ≥ threshold_4 → 4, ≥ threshold_3 → 3, else 2).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .models import NUMERIC_MARKS


@dataclass(frozen=True)
class Thresholds:
    five: Decimal
    four: Decimal
    three: Decimal

    @classmethod
    def of(cls, school) -> "Thresholds":
        return cls(school.threshold_5, school.threshold_4, school.threshold_3)

    def mark_for(self, average: Decimal | None) -> int | None:
        if average is None:
            return None
        if average >= self.five:
            return 5
        if average >= self.four:
            return 4
        if average >= self.three:
            return 3
        return 2

    def needed_for(self, mark: int) -> Decimal | None:
        return {5: self.five, 4: self.four, 3: self.three}.get(mark)


DEFAULT_THRESHOLDS = Thresholds(Decimal("4.5"), Decimal("3.5"), Decimal("2.5"))


@dataclass(frozen=True)
class Average:
    total: int  # Σ mark × weight
    weight: int  # Σ weight
    count: int  # numeric marks counted

    @property
    def value(self) -> Decimal | None:
        """The weighted average to two places (half up), or None without numeric marks."""
        if not self.weight:
            return None
        return (Decimal(self.total) / Decimal(self.weight)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    def exact(self) -> Decimal | None:
        return Decimal(self.total) / Decimal(self.weight) if self.weight else None


def weighted_average(marks: Iterable[tuple[str, int]]) -> Average:
    """Average of (value, weight) pairs; values that are not 1–5 (pass, fail) are skipped."""
    total = weight_sum = count = 0
    for value, weight in marks:
        points = NUMERIC_MARKS.get(value)
        if points is None:
            continue
        total += points * weight
        weight_sum += weight
        count += 1
    return Average(total=total, weight=weight_sum, count=count)


def suggest_final(average: Average, thresholds: Thresholds) -> int | None:
    """The suggested final mark, compared on the exact average (not the rounded display)."""
    return thresholds.mark_for(average.exact())
