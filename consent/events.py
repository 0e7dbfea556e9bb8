"""What happened in the consent app, announced for other apps (notifications) to act on.

The project's one event convention (journal.events follows it too; docs/architecture.md,
«Events»): a service sends its signal INSIDE its transaction, once its rows are written; a
listener writes its own rows in that same transaction (the cause and its consequences commit or
roll back together) and defers anything that leaves the database (a Celery task, a message, a
network call) with `transaction.on_commit`. A listener may rely on the change being visible to
its queries; it must not call out or be slow. Senders pass ids. Consent never reaches into
notifications: it only announces.
"""

from django.dispatch import Signal

# A consent in force was withdrawn. kwargs: school_id, guardian_id, student_id, purpose
consent_withdrawn = Signal()

# A guardian's access ended: the account was disabled (student_id None: every child) or the
# link to one child removed. kwargs: school_id, guardian_id, student_id
guardian_access_ended = Signal()
