"""Reporting periods: the deputy head closes and reopens them."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_deputy_head
from school.models import (
    ReportingPeriod,
)

# What a teacher may choose for a final: a mark of the scale, н/а or осв. (a deferral has its
# own service because it needs a reason, a document and a date).


def period_close(*, user, period: ReportingPeriod, now: dt.datetime | None = None) -> None:
    """The deputy head closes a period: its finals can still be corrected, but only with a
    reason, and every correction keeps history."""
    if not is_deputy_head(user) or user.school_id != period.school_id:
        raise PermissionDenied
    with transaction.atomic():
        locked = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if locked.closed_at is not None:
            raise ValidationError({"period": _("The period is already closed.")})
        locked.closed_at, locked.closed_by = now or timezone.now(), user
        locked.save(update_fields=["closed_at", "closed_by"])
    period.closed_at, period.closed_by = locked.closed_at, locked.closed_by


def period_reopen(*, user, period: ReportingPeriod) -> None:
    """The deputy head reopens a closed period (e.g. closed by mistake)."""
    if not is_deputy_head(user) or user.school_id != period.school_id:
        raise PermissionDenied
    with transaction.atomic():
        updated = ReportingPeriod.objects.filter(pk=period.pk, closed_at__isnull=False).update(
            closed_at=None, closed_by=None
        )
        if not updated:
            raise ValidationError({"period": _("The period is not closed.")})
    period.closed_at = period.closed_by = None
