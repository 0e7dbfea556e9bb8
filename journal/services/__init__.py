"""Every write a teacher or the deputy head makes in the journal, by topic.

Each service is keyword-only, owns one transaction, validates everything before it writes, keeps
the change history (journal.history) in the same transaction, and announces what happened
(journal.events). Access to the lesson is the caller's business (the views fetch it through
journal.selectors); a service additionally enforces the edit window and closed periods.

    checks     the lesson lock, the edit window, closed periods
    column     a lesson column: the marks and attendance of the whole class at once
    marks      one mark with its comment, or its deletion
    lessons    the topic and work type; substitution, move, cancellation
    homework   the homework and its files
    remarks    remarks about a student
    timetable  bells, timetable lines, generating lessons
    finals     final marks: setting, deferring, publishing
    periods    closing and reopening a reporting period
"""

from .checks import JournalConflict, edit_refusal
from .column import CellInput, ColumnResult, marks_save_column
from .finals import (
    FINAL_CHOICES,
    REASON_MAX,
    FinalEntry,
    final_mark_defer,
    final_mark_set,
    finals_publish,
    finals_set,
)
from .homework import ALLOWED_HOMEWORK_TYPES, homework_file_delete, homework_set
from .lessons import (
    lesson_cancel,
    lesson_move,
    lesson_move_undo,
    lesson_substitute,
    lesson_update,
)
from .marks import mark_delete, mark_set
from .periods import period_close, period_reopen
from .remarks import remark_add, remark_edit
from .timetable import bell_set, lessons_generate, timetable_entry_create, timetable_entry_end

__all__ = [
    "ALLOWED_HOMEWORK_TYPES",
    "FINAL_CHOICES",
    "REASON_MAX",
    "CellInput",
    "ColumnResult",
    "FinalEntry",
    "JournalConflict",
    "bell_set",
    "edit_refusal",
    "final_mark_defer",
    "final_mark_set",
    "finals_publish",
    "finals_set",
    "homework_file_delete",
    "homework_set",
    "lesson_cancel",
    "lesson_move",
    "lesson_move_undo",
    "lesson_substitute",
    "lesson_update",
    "lessons_generate",
    "mark_delete",
    "mark_set",
    "marks_save_column",
    "period_close",
    "period_reopen",
    "remark_add",
    "remark_edit",
    "timetable_entry_create",
    "timetable_entry_end",
]
