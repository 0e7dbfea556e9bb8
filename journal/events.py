"""What happened in the journal, announced for other apps (notifications, reports) to act on.

The journal imports none of them: a listener connects to these signals. The project's one event
convention (consent.events follows it too; docs/architecture.md, «Events»): a service sends its
signal INSIDE its transaction, once its rows are written; a listener writes its own rows in that
same transaction (the cause and its consequences commit or roll back together) and defers
anything that leaves the database (a Celery task, a message, a network call) with
`transaction.on_commit`. A listener may rely on the change being visible to its queries; it must
not call out or be slow. Senders pass ids, never model instances that might be stale.
"""

from django.dispatch import Signal

# Marks were created or changed. kwargs: school_id, mark_ids (list[int]), changed_by_id
marks_saved = Signal()

# Marks were deleted (their rows are gone; the history keeps them).
# kwargs: school_id, mark_ids, changed_by_id
marks_deleted = Signal()

# Attendance rows were created or changed. kwargs: school_id, attendance_ids
attendance_saved = Signal()

# Attendance rows were deleted (the student was present after all).
# kwargs: school_id, attendance_ids
attendance_deleted = Signal()

# Final marks or exam results were set or changed. kwargs: school_id, final_mark_ids
finals_set = Signal()

# A remark was written about a student (a comment, a recommendation or a message to the
# parents). kwargs: school_id, remark_ids, changed_by_id
remarks_added = Signal()

# Lessons were cancelled or moved, or a move was undone. The ids are the lessons as timetabled
# (a moved lesson points to where it now takes place through `moved_to`).
# kwargs: school_id, lesson_ids, changed_by_id
lessons_changed = Signal()
