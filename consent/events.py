"""What happened in the consent app, announced for other apps (notifications) to act on.

Consent never reaches into notifications: it sends these signals after the change is saved (in
the same transaction), and listeners write their own rows. Senders pass ids.
"""

from django.dispatch import Signal

# A consent in force was withdrawn. kwargs: school_id, guardian_id, student_id, purpose
consent_withdrawn = Signal()

# A guardian's access ended: the account was disabled (student_id None: every child) or the
# link to one child removed. kwargs: school_id, guardian_id, student_id
guardian_access_ended = Signal()
