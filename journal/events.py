"""What happened in the journal, announced for other apps (notifications, reports) to act on.

The journal imports none of them: a listener connects to these signals and writes its own rows
(an outbox message) inside the same transaction. Senders pass ids, never model instances that
might be stale.
"""

from django.dispatch import Signal

# Sent after marks were created or changed in one transaction.
# kwargs: school_id, mark_ids (list[int]), changed_by_id
marks_saved = Signal()

# Sent after marks were deleted. kwargs: school_id, mark_ids, changed_by_id
marks_deleted = Signal()

# Sent after attendance rows were created or changed. kwargs: school_id, attendance_ids
attendance_saved = Signal()

# Sent after attendance rows were deleted (the student was present after all).
# kwargs: school_id, attendance_ids
attendance_deleted = Signal()

# Sent when final marks or exam results were set or changed. kwargs: school_id, final_mark_ids
finals_set = Signal()
