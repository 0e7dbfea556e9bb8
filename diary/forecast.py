"""The forecast of a period's final mark, explained: what the marks point to now, and what it
would take to change it. Pure functions over (value, weight) pairs; the arithmetic is
journal.grading's (the one weighted average and rounding every app uses).

"What it takes" assumes the family's next marks are for ordinary work of one weight (the
lowest weight the school uses, normally 1); the page states that assumption.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from journal.grading import Average, Thresholds, suggest_final, weighted_average

BEST = 5
SCALE = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Forecast:
    average: Average
    mark: int | None  # the suggested final mark now (None without numeric marks)
    uncertain: bool  # fewer marks than the school needs for a confident forecast
    assumed_weight: int  # the weight of the future marks "what it takes" speaks of
    next_mark: int | None  # the next mark up (None at 5 or without marks)
    fives_needed: int | None  # additional 5s of assumed_weight to reach next_mark; None: never
    next_threshold: Fraction | None
    keep_floor: int | None  # the lowest next mark (of assumed_weight) that keeps `mark`
    at_risk: bool  # a single 2 of assumed_weight would lower the forecast
    hold_from: int | None  # marks from this value on keep `mark` until the period ends
    lowest_enough: int | None = None  # when one more mark reaches next_mark: the lowest such mark


def fives_needed(average: Average, threshold: Fraction, weight: int) -> int | None:
    """The least n ≥ 0 such that n more 5s of `weight` lift the exact average to `threshold`.

    total + 5·w·n ≥ t·(W + w·n)  ⇔  n·w·(5 − t) ≥ t·W − total. A threshold of 5 is never
    reached from below (the average only approaches 5), hence None."""
    deficit = threshold * average.weight - average.total
    if deficit <= 0:
        return 0
    gain_per_five = weight * (BEST - threshold)
    if gain_per_five <= 0:
        return None
    return math.ceil(deficit / gain_per_five)


def keep_floor(average: Average, threshold: Fraction, weight: int) -> int | None:
    """The lowest mark that, given next with `weight`, keeps the exact average ≥ threshold.

    None when even a 5 would not (the average is already below the threshold)."""
    for value in SCALE:
        if Fraction(average.total + value * weight, average.weight + weight) >= threshold:
            return value
    return None


def forecast(
    marks: Iterable[tuple[str, int]],
    thresholds: Thresholds,
    *,
    min_marks: int,
    assumed_weight: int = 1,
) -> Forecast:
    """The forecast for (value, weight) pairs; pass/fail and other non-numeric values are
    ignored by weighted_average."""
    average = weighted_average(marks)
    mark = suggest_final(average, thresholds)
    uncertain = average.count < min_marks
    if mark is None:
        return Forecast(average, None, True, assumed_weight, None, None, None, None, False, None)
    next_mark = mark + 1 if mark < BEST else None
    next_threshold = needed = None
    if next_mark is not None:
        next_threshold = Fraction(thresholds.needed_for(next_mark))
        needed = fives_needed(average, next_threshold, assumed_weight)
    lowest_enough = None
    if needed == 1:
        # One mark is enough: name the lowest that does it ("one 3 or better"), not "one 5".
        lowest_enough = keep_floor(average, next_threshold, assumed_weight)
    floor = hold_from = None
    at_risk = False
    current_threshold = thresholds.needed_for(mark)
    if current_threshold is not None:
        threshold = Fraction(current_threshold)
        floor = keep_floor(average, threshold, assumed_weight)
        at_risk = floor is not None and floor > 2
        hold_from = math.ceil(threshold)
    return Forecast(
        average=average,
        mark=mark,
        uncertain=uncertain,
        assumed_weight=assumed_weight,
        next_mark=next_mark,
        fives_needed=needed,
        next_threshold=next_threshold,
        keep_floor=floor,
        at_risk=at_risk,
        hold_from=hold_from,
        lowest_enough=lowest_enough,
    )
