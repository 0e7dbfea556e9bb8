"""The chart of the family's marks page: the child's own marks of 5, 4, 3 and 2 in each
period of the year that has begun. Drawn by templates/includes/marks_chart.html."""

from django.utils.translation import gettext as _

from journal.distribution import marks_by_period
from journal.models import Mark
from school.models import PeriodKind


def child_marks_chart(frame, periods) -> dict:
    """For a diary frame the family may open (the caller checked `frame.may_open`): the
    child's marks per period, the periods being the child's (`selectors.periods_for`). One
    query."""
    shown = [p for p in periods if p.kind != PeriodKind.YEAR and p.starts_on <= frame.on]
    return {
        "id": "child-marks-chart",
        "title": _("Marks by period"),
        "desc": _("%(name)s's marks of 5, 4, 3 and 2 in each period, as shares of all marks.")
        % {"name": frame.student.first_name},
        "periods": marks_by_period(Mark.objects.filter(student=frame.student), shown),
    }
