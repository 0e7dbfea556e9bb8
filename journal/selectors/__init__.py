"""Reads of journal data, always scoped to the viewer, by topic.

Every selector that takes a user answers "not yours" exactly like "not there" (Http404): the
permission is part of the query, never a check after loading the row.

    lessons    which lessons a user may see or edit; a teacher's day and assignments
    lesson     one lesson's students, records and history
    grid       the journal grid: its scope, periods, students × lessons
    control    a teacher's lessons lacking records; the control works
    filling    filling control: per teacher, class and subject, worst first; missing finals
    timetable  a class's weekly timetable
    substitutes  who can substitute a lesson: subject teachers first, free before busy
    journals_index  every class's journals for the school's leaders
    missing_finals  the finals still missing in a period, by class, subject and teacher
    finals     suggested finals, who may set them, the finals pages' scope, roster and rows
"""

from .control import (
    ControlWork,
    classes_for_viewer,
    control_works,
    lessons_lacking,
)
from .filling import (
    FILLING_BAD_SHARE,
    FILLING_WARN_SHARE,
    LATE_ENTRY_DAYS,
    ControlRow,
    PeriodFinals,
    TeacherFilling,
    by_teacher,
    filling_control,
    finals_summary,
)
from .finals import (
    FinalsRow,
    Suggestion,
    deferrals_of,
    finals_class_scope,
    finals_group_scope,
    finals_rows,
    finals_suggest,
    may_set_finals,
    open_deferrals,
    roster,
    teacher_finals_links,
    year_finals_suggest,
)
from .grid import (
    Grid,
    GridCell,
    GridColumn,
    GridRow,
    JournalScope,
    column_lessons,
    journal_grid,
    journal_scope,
    periods_for,
)
from .journals_index import ClassJournals, JournalLink, journals_index
from .lesson import (
    homework_file_for,
    lesson_history,
    lesson_homework,
    lesson_records,
    lesson_remarks,
    lesson_roster,
    student_marks,
)
from .lessons import (
    current_year,
    editable_lessons,
    lesson_for_editor,
    lesson_for_viewer,
    lesson_student_ids,
    teacher_assignments,
    teacher_lessons_on,
    viewable_lessons,
)
from .missing_finals import MissingFinals, missing_finals, period_for_leader
from .substitutes import SubstituteCandidate, busy_teachers, substitute_candidates
from .timetable import timetable_week

__all__ = [
    "homework_file_for",
    "lesson_homework",
    "lesson_remarks",
    "student_marks",
    "MissingFinals",
    "missing_finals",
    "period_for_leader",
    "FinalsRow",
    "deferrals_of",
    "finals_class_scope",
    "finals_group_scope",
    "finals_rows",
    "teacher_finals_links",
    "LATE_ENTRY_DAYS",
    "ControlRow",
    "ControlWork",
    "Grid",
    "GridCell",
    "GridColumn",
    "GridRow",
    "JournalScope",
    "Suggestion",
    "classes_for_viewer",
    "control_works",
    "current_year",
    "editable_lessons",
    "lesson_student_ids",
    "filling_control",
    "FILLING_BAD_SHARE",
    "FILLING_WARN_SHARE",
    "PeriodFinals",
    "TeacherFilling",
    "by_teacher",
    "finals_summary",
    "finals_suggest",
    "column_lessons",
    "journal_grid",
    "journal_scope",
    "lesson_for_editor",
    "lesson_for_viewer",
    "lesson_history",
    "lesson_records",
    "lesson_roster",
    "lessons_lacking",
    "may_set_finals",
    "open_deferrals",
    "periods_for",
    "roster",
    "teacher_assignments",
    "teacher_lessons_on",
    "timetable_week",
    "ClassJournals",
    "JournalLink",
    "journals_index",
    "SubstituteCandidate",
    "busy_teachers",
    "substitute_candidates",
    "viewable_lessons",
    "year_finals_suggest",
]
