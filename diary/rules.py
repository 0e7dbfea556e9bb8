"""Who in the family sees what of the journal's records about a child."""

from django.db.models import Q

from accounts.models import Role
from journal.models import RemarkKind

# A remark («замечание») and a recommendation are addressed to the pupil and the family alike;
# a message to parents («сообщение родителям») is for the guardians only, never the pupil's
# own account.
KINDS_FOR_STUDENT = (RemarkKind.COMMENT, RemarkKind.RECOMMENDATION)


def remarks_visible_to(role: str | None, prefix: str = "") -> Q:
    """As a filter over Remark: the kinds this viewer sees. Guardians see every kind; the
    student's own account sees remarks and recommendations, not messages to parents."""
    if role == Role.STUDENT:
        return Q(**{f"{prefix}kind__in": KINDS_FOR_STUDENT})
    return Q()
