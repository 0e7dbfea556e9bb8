"""The data of the statistics page's chart: the distribution of current marks (5, 4, 3, 2) in
each period of the year that has begun, for the same classes and the same filters as the page.
Drawn by templates/includes/marks_chart.html."""

from django.db.models import Q
from django.utils.translation import gettext as _

from journal.distribution import marks_by_period
from journal.models import Mark
from school.models import PeriodKind, ReportingPeriod


def chart_periods(period, today=None) -> list:
    """The periods drawn beside `period`: the quarters (or half-years) of its classes that have
    begun by `today` (or by `period`'s start), from the start of the year; for the year as a
    whole, the periods of the youngest classes."""
    siblings = ReportingPeriod.objects.filter(year_id=period.year_id).exclude(kind=PeriodKind.YEAR)
    begun = siblings.filter(starts_on__lte=max(period.starts_on, today or period.starts_on))
    if period.kind == PeriodKind.YEAR:
        first = siblings.order_by("level_min").values_list("level_min", flat=True).first()
        return list(begun.filter(level_min=first).order_by("starts_on"))
    return list(
        begun.filter(level_min=period.level_min, level_max=period.level_max).order_by("starts_on")
    )


def marks_chart(
    *, school, period, today=None, class_id=None, subject_id=None, teacher_id=None
) -> dict:
    """Counts of marks of each value per period for the statistics page. Two queries (three
    for the year as a whole)."""
    periods = chart_periods(period, today)
    levels = (period.level_min, period.level_max)
    marks = Mark.objects.filter(school=school).filter(
        Q(lesson__class_group__level__range=levels)
        | Q(lesson__study_group__class_group__level__range=levels)
    )
    if class_id:
        marks = marks.filter(
            Q(lesson__class_group_id=class_id) | Q(lesson__study_group__class_group_id=class_id)
        )
    if subject_id:
        marks = marks.filter(subject_id=subject_id)
    if teacher_id:
        marks = marks.filter(lesson__teacher_id=teacher_id)
    return {
        "id": "marks-chart",
        "title": _("Marks by period"),
        "desc": _("Current marks of 5, 4, 3 and 2 in each period, as shares of all marks."),
        "periods": marks_by_period(marks, periods),
    }
