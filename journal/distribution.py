"""How many marks of each value (5, 4, 3, 2) fall in each period: the numbers of the small
charts of the statistics page and the family's marks page (templates/includes/marks_chart.html).

The caller scopes the marks (a class, a subject, one child: whoever may see them); this module
only counts them, in one query whatever the number of periods and marks."""

from django.db.models import Count, Q

# The bars, best first; a 1 is shown with the 2s (both are failing marks).
BARS = (("5", ("5",)), ("4", ("4",)), ("3", ("3",)), ("2", ("2", "1")))


def marks_by_period(marks, periods) -> list[dict]:
    """Per period of `periods` (in their order): {"name", "bars": [(mark, count)], "total",
    "scale"} from the queryset `marks`; nothing when there is no mark at all (no chart of
    zeros). One query (none without periods)."""
    if not periods:
        return []
    counts = marks.aggregate(
        **{
            f"p{p.pk}_{mark}": Count(
                "pk", filter=Q(date__range=(p.starts_on, p.ends_on), value__in=values)
            )
            for p in periods
            for mark, values in BARS
        }
    )
    rows = [
        {"name": p.name, "bars": [(mark, counts[f"p{p.pk}_{mark}"]) for mark, _v in BARS]}
        for p in periods
    ]
    return scaled(rows) if any(sum(c for _m, c in row["bars"]) for row in rows) else []


def scaled(rows: list[dict]) -> list[dict]:
    """Add each period's `total` and `scale`: the count its bar would have at the largest share
    of the whole chart, so that this share fills the plot and shares compare across periods
    (a bar is drawn count / scale × full height)."""
    for row in rows:
        row["total"] = sum(count for _m, count in row["bars"])
    top = max(
        (count / row["total"] for row in rows if row["total"] for _m, count in row["bars"]),
        default=1,
    )
    for row in rows:
        row["scale"] = row["total"] * top
    return rows
