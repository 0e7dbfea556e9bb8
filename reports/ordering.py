"""The orders the reports show things in, as the school's own papers do.

- Subjects in curriculum order: the order in which the school listed the subjects of a level in
  its curriculum (учебный план), which is the order of its lines as entered (Russian language
  and literature first, physical education last, in the seeded school as on paper). A subject
  outside a level's plan comes after the planned ones, by name.
- Classes by level, then letter: 5 «А» before 10 «А» (never as strings). A class's study groups
  sit with their class.
- The period a statistics page opens on: the latest one that has finals.
"""

from collections.abc import Iterable

from journal.models import FinalMark
from school.models import CurriculumPlan, PeriodKind, current_period

UNPLANNED = 10_000  # a rank after every planned subject


class SubjectOrder:
    """Ranks of subjects per class level, from one query of the year's curriculum."""

    def __init__(self, lines: Iterable[tuple[int, int]]):
        self.by_level: dict[int, dict[int, int]] = {}
        self.overall: dict[int, int] = {}
        for level, subject_id in lines:
            ranks = self.by_level.setdefault(level, {})
            ranks.setdefault(subject_id, len(ranks))
        for ranks in self.by_level.values():
            for subject_id, rank in ranks.items():
                self.overall[subject_id] = min(rank, self.overall.get(subject_id, UNPLANNED))

    @classmethod
    def of(cls, *, school, year_id: int) -> "SubjectOrder":
        """The curriculum of a school year, lines in the order they were entered. One query."""
        return cls(
            CurriculumPlan.objects.filter(school=school, year_id=year_id)
            .order_by("level", "pk")
            .values_list("level", "subject_id")
        )

    def rank(self, subject, level: int | None = None) -> tuple[int, str]:
        """The sort key of a subject in a class of `level` (no level: its earliest place in any
        level's plan)."""
        ranks = self.by_level.get(level, {}) if level is not None else self.overall
        return (ranks.get(subject.pk, UNPLANNED), subject.name)

    def sorted(self, subjects: Iterable, level: int | None = None) -> list:
        return sorted(subjects, key=lambda s: self.rank(s, level))


def class_key(class_group) -> tuple[int, str]:
    """Classes as a school sorts them: by level as a number, then by letter."""
    return (class_group.level, class_group.letter)


def statistics_default_period(*, school, periods: list, today):
    """The period the statistics open on: the latest one (by its end) that has finals and has
    begun; without any finals yet, the current period. A quarter of the younger classes wins
    over a half-year of the older ones ending the same day. One query."""
    with_finals = set(
        FinalMark.objects.filter(school=school, period__in=[p.pk for p in periods])
        .values_list("period_id", flat=True)
        .distinct()
    )
    candidates = [p for p in periods if p.pk in with_finals and p.starts_on <= today]
    if candidates:
        return max(candidates, key=lambda p: (p.ends_on, p.kind != PeriodKind.YEAR, -p.level_min))
    return current_period(periods, today)
