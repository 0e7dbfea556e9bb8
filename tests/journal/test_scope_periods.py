"""The grid's reporting periods come inside the scope's own query (a query saved for the access
log's INSERT): they must be exactly the periods a separate query would give."""

import datetime as dt

from django.utils import timezone

from journal import selectors
from school import models as sm
from tests import factories as f


def _queried(scope) -> list[sm.ReportingPeriod]:
    """The periods as periods_for used to read them: a query of their own."""
    scope.periods = None
    return selectors.periods_for(scope, dt.date(2000, 1, 1))[0]


def _fields(periods) -> list[tuple]:
    return [
        (
            p.pk,
            p.school_id,
            p.year_id,
            p.kind,
            p.number,
            p.name,
            p.starts_on,
            p.ends_on,
            p.level_min,
            p.level_max,
            p.closed_at,
            p.closed_by_id,
            p.is_closed,
        )
        for p in periods
    ]


def _senior_period(cast):
    return f.PeriodFactory(
        school=cast.school,
        year=cast.year,
        kind=sm.PeriodKind.HALF_YEAR,
        number=1,
        name="1 полугодие",
        starts_on=cast.year.starts_on,
        ends_on=cast.year.starts_on + dt.timedelta(days=110),
        level_min=10,
        level_max=11,
    )


def test_a_class_scope_brings_the_periods_of_its_level_with_their_closing(cast):
    senior = _senior_period(cast)
    closed_at = timezone.now().replace(microsecond=123456)
    sm.ReportingPeriod.objects.filter(pk=cast.period.pk).update(
        closed_at=closed_at, closed_by=cast.deputy_head
    )
    scope = selectors.journal_scope(
        cast.subject_teacher, class_id=cast.class_7a.pk, subject_id=cast.math.pk
    )
    brought = _fields(scope.periods)
    assert [p[0] for p in brought] == [cast.year_period.pk, cast.period.pk]
    assert senior.pk not in [p[0] for p in brought]
    closed = next(p for p in scope.periods if p.pk == cast.period.pk)
    assert closed.closed_at == closed_at and closed.is_closed
    assert closed.starts_on == cast.period.starts_on and isinstance(closed.starts_on, dt.date)
    assert brought == _fields(_queried(scope))


def test_a_stream_without_a_class_brings_every_period_of_its_year(cast):
    senior = _senior_period(cast)
    group = sm.StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        kind=sm.StudyGroupKind.STREAM,
        name="Поток",
        subject=cast.math,
        class_group=None,
    )
    scope = selectors.journal_scope(cast.deputy_head, group_id=group.pk, subject_id=0)
    assert senior.pk in [p.pk for p in scope.periods]
    assert _fields(scope.periods) == _fields(_queried(scope))


def test_a_subgroup_brings_the_periods_of_its_class_level(cast):
    _senior_period(cast)
    group = sm.StudyGroup.objects.create(
        school=cast.school,
        year=cast.year,
        name="7А англ. 1",
        subject=cast.russian,
        class_group=cast.class_7a,
    )
    scope = selectors.journal_scope(cast.class_teacher, group_id=group.pk, subject_id=0)
    assert [p.pk for p in scope.periods] == [cast.year_period.pk, cast.period.pk]
    assert _fields(scope.periods) == _fields(_queried(scope))
