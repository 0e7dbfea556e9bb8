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

from ..models import PeriodClosing
from ..selectors.missing_finals import missing_finals

# What a teacher may choose for a final: a mark of the scale, н/а or осв. (a deferral has its
# own service because it needs a reason, a document and a date).


def period_close(
    *,
    user,
    period: ReportingPeriod,
    reason: str = "",
    now: dt.datetime | None = None,
) -> PeriodClosing:
    """The deputy head closes a period: its finals can still be corrected, but only with a
    reason, and every correction keeps history. Closing before the period's last day or with
    finals missing locks the teachers out of unfinished work, so it needs a stated reason;
    each closing is recorded with that reason."""
    if not is_deputy_head(user) or user.school_id != period.school_id:
        raise PermissionDenied
    reason = reason.strip()
    with transaction.atomic():
        locked = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if locked.closed_at is not None:
            raise ValidationError({"period": _("The period is already closed.")})
        now = now or timezone.now()
        early = locked.ends_on >= timezone.localtime(now, period.school.tz).date()
        missing = sum(row.missing for row in missing_finals(user, locked))
        if (early or missing) and not reason:
            raise ValidationError({"reason": [_close_refusal(locked, missing)]})
        if len(reason) > 500:
            raise ValidationError(
                {"reason": [_("The reason is too long (at most 500 characters).")]}
            )
        locked.closed_at, locked.closed_by = now, user
        locked.save(update_fields=["closed_at", "closed_by"])
        closing = PeriodClosing.objects.create(
            school_id=locked.school_id,
            period=locked,
            closed_by=user,
            closed_at=now,
            reason=reason,
            missing_finals=missing,
            early=early,
        )
    period.closed_at, period.closed_by = locked.closed_at, locked.closed_by
    return closing


def _close_refusal(period: ReportingPeriod, missing: int) -> str:
    if missing:
        return _(
            "%(count)s final marks are missing: state the reason for closing the period now."
        ) % {"count": missing}
    return _("The period runs until %(date)s: state the reason for closing it before its end.") % {
        "date": period.ends_on.strftime("%d.%m.%Y")
    }


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
