"""The journal's pages. Included at the site's root: the journal lives under journal/, and finals
entry and the reporting periods keep the reports/ paths they always had."""

from django.urls import include, path

from .views import (
    class_overview,
    classes,
    closing,
    confirm,
    control,
    finals,
    grid,
    lesson,
    mark,
    records,
    timetable,
)

app_name = "journal"

journal_patterns = [
    path("", control.home, name="home"),
    path("grid/class/<int:class_id>/<int:subject_id>/", grid.grid_class, name="grid_class"),
    path("grid/group/<int:group_id>/", grid.grid_group, name="grid_group"),
    path("lesson/<int:lesson_id>/", lesson.lesson_page, name="lesson"),
    path("lesson/<int:lesson_id>/column/", lesson.lesson_column, name="lesson_column"),
    path("lesson/<int:lesson_id>/topic/", lesson.lesson_topic, name="lesson_topic"),
    path("lesson/<int:lesson_id>/homework/", lesson.lesson_homework, name="lesson_homework"),
    path("lesson/<int:lesson_id>/remarks/", lesson.lesson_remark, name="lesson_remark"),
    path("lesson/<int:lesson_id>/student/<int:student_id>/", mark.mark_page, name="mark"),
    path("lesson/<int:lesson_id>/student/<int:student_id>/set/", mark.mark_set, name="mark_set"),
    path(
        "lesson/<int:lesson_id>/student/<int:student_id>/mark/<int:mark_id>/delete/",
        confirm.mark_delete,
        name="mark_delete_confirm",
    ),
    path(
        "lesson/<int:lesson_id>/student/<int:student_id>/delete/",
        mark.mark_delete,
        name="mark_delete",
    ),
    path("lesson/<int:lesson_id>/history/", lesson.lesson_history, name="history"),
    path("lesson/<int:lesson_id>/substitute/", lesson.lesson_substitute, name="substitute"),
    path("lesson/<int:lesson_id>/move/", lesson.lesson_move, name="move"),
    path("lesson/<int:lesson_id>/cancel/", confirm.lesson_cancel, name="cancel"),
    path("homework-file/<int:file_id>/", lesson.homework_file, name="homework_file"),
    path(
        "homework-file/<int:file_id>/delete/",
        records.homework_file_delete,
        name="homework_file_delete",
    ),
    path("remark/<int:remark_id>/edit/", records.remark_edit, name="remark_edit"),
    path(
        "class/<int:class_id>/overview/",
        class_overview.class_overview_page,
        name="class_overview",
    ),
    path("classes/", classes.journals_index, name="journals_index"),
    path("control/", control.control, name="control"),
    path("control-works/", control.control_works, name="control_works"),
    path("timetable/", timetable.timetable, name="timetable"),
    path("timetable/lines/", timetable.timetable_line_add, name="timetable_line_add"),
    path("timetable/bells/", timetable.timetable_bell, name="timetable_bell"),
    path("timetable/generate/", timetable.timetable_generate, name="timetable_generate"),
    path(
        "timetable/entry/<int:entry_id>/end/",
        confirm.timetable_entry_end,
        name="timetable_end",
    ),
]

finals_patterns = [
    path("finals/", finals.finals_home, name="finals_home"),
    path(
        "finals/<int:class_id>/<int:subject_id>/<int:period_id>/",
        finals.finals_class,
        name="finals",
    ),
    path(
        "finals/<int:class_id>/<int:subject_id>/<int:period_id>/exam/",
        finals.finals_class,
        {"exam": True},
        name="finals_exam",
    ),
    path(
        "finals/<int:class_id>/<int:subject_id>/<int:period_id>/defer/",
        finals.final_defer,
        name="final_defer",
    ),
    path("finals/group/<int:group_id>/<int:period_id>/", finals.finals_group, name="finals_group"),
    path("periods/", finals.periods, name="periods"),
    path("periods/<int:period_id>/close/", closing.period_close, name="period_close"),
    path(
        "periods/<int:period_id>/missing-finals/",
        closing.missing_finals,
        name="missing_finals",
    ),
    path("periods/<int:period_id>/reopen/", finals.period_reopen, name="period_reopen"),
]

urlpatterns = [
    path("journal/", include(journal_patterns)),
    path("reports/", include(finals_patterns)),
]
