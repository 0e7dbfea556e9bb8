"""A class's weekly timetable."""

import datetime as dt

from django.db.models import (
    Q,
)

from school.models import (
    TimetableEntry,
)


def first_school_day_after(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    return day


def timetable_week(*, school, year, class_group) -> dict[str, list]:
    """The timetable lines of a class (and its groups) in force today, by weekday."""
    if class_group is None:
        return {}
    today = school.today()
    entries = (
        TimetableEntry.objects.filter(school=school, year=year)
        .filter(Q(class_group=class_group) | Q(study_group__class_group=class_group))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("subject", "teacher", "study_group", "class_group")
        .order_by("weekday", "lesson_number")
    )
    week: dict[str, list] = {}
    for entry in entries:
        week.setdefault(entry.get_weekday_display(), []).append(entry)
    return week
