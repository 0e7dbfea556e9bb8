from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("summary/", views.summary_list, name="summary_list"),
    path("summary/<int:class_id>/", views.summary_sheet, name="summary_sheet"),
    path("late-finals/", views.late_finals, name="late_finals"),
    path("students/<int:student_id>/record/", views.student_record, name="student_record"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/rows/", views.statistics_rows, name="statistics_rows"),
]
