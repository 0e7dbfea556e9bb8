import datetime as dt

from django.conf import settings
from django.urls import path, register_converter

from . import views


class IsoDateConverter:
    """A date in a path: a real date within the years the product supports (settings.
    SUPPORTED_YEARS), else no match, so a 404. 0001-01-01 or 9999-12-27 would otherwise
    overflow when the week around them is computed."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError as bad:  # 2026-02-30: not a date, so no match (404)
            raise ValueError(value) from bad
        first, last = settings.SUPPORTED_YEARS
        if not first <= day.year <= last:
            raise ValueError(value)
        return day

    def to_url(self, value: dt.date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

app_name = "diary"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:student_id>/", views.current_week, name="current_week"),
    path("<int:student_id>/week/<isodate:week>/", views.week, name="week"),
    path(
        "<int:student_id>/week/<isodate:week>/acknowledge/",
        views.acknowledge_week,
        name="acknowledge_week",
    ),
    path("<int:student_id>/marks/", views.marks, name="marks"),
    path("<int:student_id>/finals/", views.finals, name="finals"),
    path("<int:student_id>/timetable/", views.timetable, name="timetable"),
    path("<int:student_id>/calendar/", views.school_calendar, name="calendar"),
    path("<int:student_id>/teachers/", views.teachers, name="teachers"),
    path("<int:student_id>/remarks/", views.remarks, name="remarks"),
    path(
        "<int:student_id>/homework-files/<int:file_id>/",
        views.homework_file,
        name="homework_file",
    ),
    path("<int:student_id>/feed/", views.feed_settings, name="feed_settings"),
    path("<int:student_id>/feed/<str:token>.ics", views.feed, name="feed"),
    # Staff read a pupil's diary (the class teacher, the office).
    path("pupils/", views.pupil_search, name="pupil_search"),
    path("pupil/<int:student_id>/", views.pupil, name="pupil"),
    path("pupil/<int:student_id>/week/<isodate:week>/", views.pupil_week, name="pupil_week"),
    path("pupil/<int:student_id>/marks/", views.pupil_marks, name="pupil_marks"),
    path("pupil/<int:student_id>/remarks/", views.pupil_remarks, name="pupil_remarks"),
    path(
        "class/<int:class_id>/acknowledgements/",
        views.class_acknowledgements,
        name="class_acknowledgements",
    ),
    path(
        "class/<int:class_id>/acknowledgements/<isodate:week>/",
        views.class_acknowledgements,
        name="class_acknowledgements_week",
    ),
]
