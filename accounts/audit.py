"""Who looked at whose records (regulation 1.7): the announcement staff pages make.

Every staff page that shows a student's personal data (a journal grid, a lesson, a summary
sheet, a student's record) calls `record_access(viewer, students, what)` after it fetched the
students through its scoped selector. The access log itself belongs to the consent app
(`consent.models.AccessLogEntry`, shown to the family on `consent:my_access_log`).

Why a signal here rather than a call into consent: the journal and the reports only announce
what was shown, as the journal announces a saved mark (journal/events.py); consent, which owns
the log, listens (consent/receivers.py) and writes the rows with one INSERT whatever the class
size. So neither journal nor reports imports consent (consent imports the journal's models, and
a call back would make a cycle), and accounts stays the bottom layer that imports no app. That
the listener is connected is itself tested (tests/consent/test_access_log_in_views.py), so the
log cannot silently switch off.

Family members looking at their own or their child's data are not logged: it is their own data.
"""

from collections.abc import Iterable

from django.dispatch import Signal

from .rules import is_staff_member

# Sent when a member of staff was shown the personal data of students.
# kwargs: viewer (the User), student_ids (list[int], no repeats), what (str, already translated)
student_data_viewed = Signal()


def _student_id(student) -> int:
    """A Student, a row dict of a selector ({"id": ...}) or a bare id."""
    if isinstance(student, dict):
        return int(student["id"])
    return int(getattr(student, "pk", student))


def record_access(viewer, students: Iterable, what: str) -> int:
    """Announce that `viewer` was shown the records of `students` on a page described by `what`
    (a translated, human-readable text: «Журнал: Математика, 7 «А»»). Returns how many
    students were announced: 0 for a family member or when nobody was shown."""
    if not is_staff_member(viewer):
        return 0
    ids = list(dict.fromkeys(_student_id(s) for s in students if s is not None))
    if ids:
        student_data_viewed.send(sender=None, viewer=viewer, student_ids=ids, what=str(what))
    return len(ids)
