from django.urls import path

from . import views

app_name = "journal"

urlpatterns = [
    path("", views.home, name="home"),
    path("grid/class/<int:class_id>/<int:subject_id>/", views.grid_class, name="grid_class"),
    path("grid/group/<int:group_id>/", views.grid_group, name="grid_group"),
    path("lesson/<int:lesson_id>/", views.lesson_page, name="lesson"),
    path("lesson/<int:lesson_id>/student/<int:student_id>/", views.mark_page, name="mark"),
    path("lesson/<int:lesson_id>/history/", views.lesson_history, name="history"),
    path("lesson/<int:lesson_id>/substitute/", views.lesson_substitute, name="substitute"),
    path("lesson/<int:lesson_id>/move/", views.lesson_move, name="move"),
    path("lesson/<int:lesson_id>/cancel/", views.lesson_cancel, name="cancel"),
    path("homework-file/<int:file_id>/", views.homework_file, name="homework_file"),
    path("control/", views.control, name="control"),
    path("control-works/", views.control_works, name="control_works"),
    path("timetable/", views.timetable, name="timetable"),
]
