from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("finals/", views.finals_home, name="finals_home"),
    path(
        "finals/<int:class_id>/<int:subject_id>/<int:period_id>/",
        views.finals_class,
        name="finals",
    ),
    path(
        "finals/<int:class_id>/<int:subject_id>/<int:period_id>/exam/",
        views.finals_class,
        {"exam": True},
        name="finals_exam",
    ),
    path(
        "finals/<int:class_id>/<int:subject_id>/<int:period_id>/defer/",
        views.final_defer,
        name="final_defer",
    ),
    path("finals/group/<int:group_id>/<int:period_id>/", views.finals_group, name="finals_group"),
    path("periods/", views.periods, name="periods"),
    path("periods/<int:period_id>/close/", views.period_close, name="period_close"),
    path("periods/<int:period_id>/reopen/", views.period_reopen, name="period_reopen"),
    path("summary/", views.summary_list, name="summary_list"),
    path("summary/<int:class_id>/", views.summary_sheet, name="summary_sheet"),
    path("late-finals/", views.late_finals, name="late_finals"),
    path("students/<int:student_id>/record/", views.student_record, name="student_record"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/rows/", views.statistics_rows, name="statistics_rows"),
]
